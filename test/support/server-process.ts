/**
 * Starts driber as operators do, in a child process (`src/server.ts` through tsx, or the built
 * `dist/server.js`), and reads its JSON log lines: the `server` and `dist` tests share it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Test } from 'tap'
import { projectRoot } from '../../src/config.js'

/** `src/server.ts` through tsx (what the tests of the source run). */
export const sourceServerEntry: readonly string[] = ['--import', 'tsx', path.join(projectRoot, 'src', 'server.ts')]

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams
  /** Complete stdout lines so far (pino writes one JSON object per line). */
  stdout: string[]
  stderr: () => string
  exit: Promise<number | null>
}

/**
 * Spawns `node <entry>` in the project root with only PATH and `env`; killed at teardown if still
 * running. `entry` is the node arguments naming the script (default: the source through tsx).
 */
export const startServerProcess = (t: Test, env: Record<string, string>, entry: readonly string[] = sourceServerEntry): ServerProcess => {
  const child = spawn(process.execPath, [...entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const stdout: string[] = []
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    stdout.push(...lines)
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exit = once(child, 'exit').then(([code]) => code as number | null)
  return { child, stdout, stderr: () => stderr, exit }
}

/** Resolves with the first JSON log line whose `msg` matches; rejects if the process exits first. */
export const waitForLog = async (started: ServerProcess, message: string): Promise<Record<string, unknown>> => {
  for (;;) {
    for (const line of started.stdout) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>
        if (entry.msg === message) return entry
      } catch {
        // Not a log line.
      }
    }
    if (started.child.exitCode !== null) throw new Error(`server exited early (${started.child.exitCode}): ${started.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A temporary folder removed at teardown. */
export const workDirectory = (t: Test, prefix = 'driber-server-test-'): string => {
  const directory = mkdtempSync(path.join(tmpdir(), prefix))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  return directory
}
