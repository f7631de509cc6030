/**
 * What the evaluation commands (`driber eval`, `driber eval --cascade`) share: the service's own
 * composition built in-process without listening, a progress reporter, and the report files.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pino from 'pino'
import type { App } from '../app.js'
import { loadConfig, type Config } from '../config.js'
import { createProgressReporter, type ProgressReporter } from './progress-reporter.js'

/**
 * Builds the app from the configuration (with `registry` overriding the registry path), waits until
 * it is ready, runs `work`, and closes the app whatever happens.
 */
export const withEvaluationApp = async (
  registry: string | undefined,
  work: (app: App, config: Config, progress: ProgressReporter) => Promise<number>,
): Promise<number> => {
  const config = loadConfig({ overrides: registry === undefined ? {} : { registryPath: registry } })
  // Imported here so that `driber call` and the usage texts never pay for the app's modules.
  const { buildApp } = await import('../app.js')
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  const progress = createProgressReporter()
  try {
    await app.ready()
    return await work(app, config, progress)
  } finally {
    progress.stop()
    await app.close({ drainMs: 0 })
  }
}

/** Writes each report file into `directory` (created when missing); nothing when `directory` is undefined. */
export const writeReports = (directory: string | undefined, files: Record<string, string>): void => {
  if (directory === undefined) return
  mkdirSync(directory, { recursive: true })
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(directory, name), content)
}
