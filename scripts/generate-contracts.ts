/** `npm run generate`: rewrites every generated contract (see contract-generators.ts) from its sources. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { contractGenerators, repositoryRoot } from './contract-generators.js'

const main = async (): Promise<void> => {
  for (const generator of contractGenerators) {
    const files = await generator.generate()
    // Owned outputs are replaced whole, so a file the sources no longer produce disappears too.
    for (const output of generator.outputs) rmSync(path.join(repositoryRoot, output), { recursive: true, force: true })
    for (const file of files) {
      const target = path.join(repositoryRoot, file.path)
      mkdirSync(path.dirname(target), { recursive: true })
      writeFileSync(target, file.content)
    }
    process.stdout.write(`${generator.name}: wrote ${files.length} file(s) under ${generator.outputs.join(', ')}\n`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`generate-contracts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
