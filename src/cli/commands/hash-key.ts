/**
 * `driber hash-key`: turn an API key into the `sha256:<hex>` form the config stores, or make a new
 * key. The key is read from stdin, never from an argument, so it does not land in shell history.
 */
import { text } from 'node:stream/consumers'
import { generateApiKey, hashApiKey, MIN_API_KEY_LENGTH } from '../../auth/api-key-hash.js'

const usage = `usage: driber hash-key [--generate] [--id NAME]

  echo -n "$KEY" | driber hash-key     print the sha256:<hex> hash of the key read from stdin
  driber hash-key --generate --id NAME  make a new random key; prints the key once (give it to the
                                        caller) and the config entry to add under auth.keys

Keys must be at least ${MIN_API_KEY_LENGTH} characters; use --generate for a 256-bit key.
`

export interface CommandIo {
  stdin: NodeJS.ReadableStream
  stdout: { write(chunk: string): unknown }
  stderr: { write(chunk: string): unknown }
}

const defaultIo: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }

export const run = async (argv: string[], io: CommandIo = defaultIo): Promise<number> => {
  let generate = false
  let id = 'my-client'
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--help' || flag === '-h') {
      io.stdout.write(usage)
      return 0
    } else if (flag === '--generate') {
      generate = true
    } else if (flag === '--id' && argv[i + 1] !== undefined && /^[a-zA-Z0-9_.:-]{1,64}$/.test(argv[i + 1] as string)) {
      id = argv[i + 1] as string
      i++
    } else {
      io.stderr.write(`driber hash-key: unknown or invalid option "${flag ?? ''}" (keys are read from stdin, not arguments)\n${usage}`)
      return 2
    }
  }
  if (generate) {
    const key = generateApiKey()
    io.stdout.write(`key:  ${key}\n\nauth:\n  keys:\n    - id: ${id}\n      hash: ${hashApiKey(key)}\n`)
    return 0
  }
  // One trailing newline (from `echo` or a file) is not part of the key.
  const key = (await text(io.stdin)).replace(/\r?\n$/, '')
  if (key.length < MIN_API_KEY_LENGTH) {
    io.stderr.write(`driber hash-key: the key on stdin is ${key.length} characters; use at least ${MIN_API_KEY_LENGTH} (or --generate)\n`)
    return 1
  }
  io.stdout.write(`${hashApiKey(key)}\n`)
  return 0
}
