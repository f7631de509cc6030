/**
 * `npm run readme:examples`: runs every marked README example against the default service
 * (in-process) and rewrites the answer blocks that no longer match what it answers.
 * `npm run readme:examples -- --check` changes nothing and exits 1 with the differences instead;
 * `-- --all` reprints every answer block, fresh or not (after a change to the printing itself).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { projectRoot } from '../src/config.js'
import { answerDifference, parseExamples, rewriteAnswers, runExamples, startReadmeService } from './readme-examples.js'

const main = async (): Promise<number> => {
  const check = process.argv.includes('--check')
  const all = process.argv.includes('--all')
  const file = path.join(projectRoot, 'README.md')
  const readme = readFileSync(file, 'utf8')
  const examples = parseExamples(readme)
  const service = await startReadmeService()
  let runs
  try {
    runs = await runExamples(examples, service)
  } finally {
    await service.close()
  }
  const stale = examples.flatMap((example, index) => {
    if (example.answer === undefined) return []
    const difference = answerDifference(example.answer, runs[index]?.output)
    return difference === undefined ? [] : [{ name: example.name, difference }]
  })
  for (const { name, difference } of stale) process.stdout.write(`${name}: the printed answer differs from the service's\n${difference}\n\n`)
  if (check) {
    process.stdout.write(`${examples.length} README examples run, ${stale.length} stale\n`)
    return stale.length === 0 ? 0 : 1
  }
  if (stale.length > 0 || all) writeFileSync(file, rewriteAnswers(readme, examples, runs, all))
  process.stdout.write(`${examples.length} README examples run, ${all ? 'every' : stale.length} answer block(s) rewritten\n`)
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`readme-examples: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
