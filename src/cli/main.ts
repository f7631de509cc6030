#!/usr/bin/env node
/**
 * The `driber` command line. Each subcommand lives in `commands/<name>.ts` and exports
 * `run(argv: string[]): Promise<number>` (the exit code); loading them lazily keeps
 * `driber call` from paying for the embedded models or the index builder.
 */
const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  serve: { summary: 'run the HTTP and gRPC servers', load: () => import('./commands/serve.js') },
  call: { summary: 'call a running driber over HTTP or gRPC and print the JSON answer', load: () => import('./commands/call.js') },
  index: { summary: 'build an image index from JSONL or CSV (index build ...)', load: () => import('./commands/index.js') },
  eval: { summary: 'evaluate a model on PhotoChat-format data (eval decide|describe|retrieve ...)', load: () => import('./commands/eval.js') },
  augment: { summary: 'annotate a dialogue dataset with image-sharing predictions', load: () => import('./commands/augment.js') },
  'hash-key': { summary: 'hash an API key for auth.keys (key on stdin), or --generate a new one', load: () => import('./commands/hash-key.js') },
}

const usage = (): string =>
  ['usage: driber <command> [options]', '', ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`), '', 'driber <command> --help for its options'].join('\n')

const main = async (argv: string[]): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`)
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  if (command === undefined) {
    process.stderr.write(`driber: unknown command "${name}"\n${usage()}\n`)
    return 2
  }
  const module = await command.load()
  return module.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? ` [${String((error as { code: unknown }).code)}]` : ''
    process.stderr.write(`driber: ${error instanceof Error ? error.message : String(error)}${code}\n`)
    process.exitCode = 1
  },
)
