/** `driber serve`: run the HTTP (and gRPC) servers until SIGTERM/SIGINT, exactly as `npm start` does. */
import { loadConfig, type ConfigData, type DeepPartial } from '../../config.js'
import { reportStartupError, runServer } from '../../server.js'

const usage = `usage: driber serve [--registry FILE] [--host HOST] [--port N]

Runs driber until SIGTERM or SIGINT. Configuration comes from DRIBER_CONFIG and the DRIBER_*
environment variables (see README); these options override them:
  --registry FILE   model registry (DRIBER_REGISTRY)
  --host HOST       HTTP bind address (DRIBER_HOST)
  --port N          HTTP port (DRIBER_HTTP_PORT)
`

/** Parses the options into config overrides; a string is a usage error. */
export const parseServeArguments = (argv: readonly string[]): DeepPartial<ConfigData> | 'help' | string => {
  const overrides: DeepPartial<ConfigData> = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string
    if (flag === '--help' || flag === '-h') return 'help'
    const value = argv[i + 1]
    if (value === undefined) return `option ${flag} needs a value`
    i++
    if (flag === '--registry') overrides.registryPath = value
    else if (flag === '--host') overrides.http = { ...overrides.http, host: value }
    else if (flag === '--port') {
      if (!/^\d+$/.test(value)) return `--port must be a number, got "${value}"`
      overrides.http = { ...overrides.http, port: Number.parseInt(value, 10) }
    } else return `unknown option "${flag}"`
  }
  return overrides
}

export const run = async (argv: string[]): Promise<number> => {
  const parsed = parseServeArguments(argv)
  if (parsed === 'help') {
    process.stdout.write(usage)
    return 0
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`driber serve: ${parsed}\n${usage}`)
    return 2
  }
  let config
  try {
    config = loadConfig({ overrides: parsed })
  } catch (error) {
    reportStartupError(error)
    return 1
  }
  return runServer(config)
}
