/** A driber logger (the service's own options) that keeps every JSON line it writes, for tests that read log lines. */
import { Writable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import type { Logger } from 'pino'
import { testConfig } from '../../src/config.js'
import { createLogger } from '../../src/observability/logger.js'

export interface CapturedLogs {
  lines: Array<Record<string, unknown>>
  logger: Logger
  /** The `request completed` line of one request, waiting a little: it is written after the response ends. */
  completionOf(requestId: string): Promise<Record<string, unknown> | undefined>
}

export const captureLogs = (): CapturedLogs => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    },
  })
  const completionOf = async (requestId: string): Promise<Record<string, unknown> | undefined> => {
    const find = () => lines.find((line) => line.msg === 'request completed' && line.requestId === requestId)
    for (let wait = 0; find() === undefined && wait < 100; wait++) await delay(10)
    return find()
  }
  return { lines, completionOf, logger: createLogger(testConfig({ logging: { level: 'info' } }).logging, stream) }
}
