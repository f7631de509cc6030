/**
 * Start-up probe: spawn of a server entry to its first good answer (`POST /v1/decide` returning
 * 200, polled every 5 ms, as the anchor benchmark times it), then the idle RSS one second later.
 * The server runs with the anchor's setup: production defaults (so the photochat index on the
 * embedded embedder, loaded on first search, and /docs), rate limit raised, and a registry with
 * one OpenAI-compatible model at a fake upstream. Several entries are measured interleaved run by
 * run, so a before/after comparison shares the machine's state.
 *
 *   npx tsx bench/startup.ts [--entry dist/server.js]... [--runs 5] [--node-arg FLAG]...
 *
 * Standalone (not part of `npm run bench`); prints one JSON object with every run and the medians.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { request as httpRequest } from 'undici'
import { stringify as toYaml } from 'yaml'
import { startFakeUpstream } from '../test/support/fake-upstream.js'
import { benchDialogues, benchKeyEnvironment, benchRegistry } from './support/bench-fixtures.js'
import { freePort, projectRoot, rssOf, sleep, stopChild } from './support/bench-processes.js'

interface StartupRun {
  entry: string
  /** Spawn to the first 200 from /v1/decide. */
  readyMs: number
  /** VmRSS one second after that answer, MiB. */
  idleRssMiB: number | undefined
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const measureOnce = async (entry: string, nodeArgs: string[], upstreamUrl: string): Promise<StartupRun> => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-startup-'))
  const port = await freePort()
  const registryPath = path.join(directory, 'registry.yaml')
  writeFileSync(registryPath, toYaml(benchRegistry({ baseUrl: upstreamUrl, maxConcurrency: 64, maxQueue: 256 })))
  const configPath = path.join(directory, 'config.yaml')
  writeFileSync(configPath, toYaml({ rateLimit: { max: 100_000_000 }, http: { host: '127.0.0.1', port }, grpc: { host: '127.0.0.1', port: 0 }, registryPath }))
  const body = JSON.stringify({ dialogue: benchDialogues[0] })
  const started = performance.now()
  const child = spawn(process.execPath, [...nodeArgs, path.resolve(projectRoot, entry)], {
    cwd: projectRoot,
    env: { ...process.env, ...benchKeyEnvironment, DRIBER_CONFIG: configPath },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  try {
    const deadline = Date.now() + 60_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} during start-up`)
      if (Date.now() > deadline) throw new Error(`${entry} gave no good answer within 60 s`)
      try {
        const response = await httpRequest(`http://127.0.0.1:${port}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        await response.body.text()
        if (response.statusCode === 200) break
      } catch {
        // Not listening yet.
      }
      await sleep(5)
    }
    const readyMs = Math.round(performance.now() - started)
    await sleep(1000)
    const rss = rssOf(child.pid)
    return { entry, readyMs, idleRssMiB: rss === undefined ? undefined : Math.round(rss / 1024 / 1024) }
  } finally {
    await stopChild(child)
    rmSync(directory, { recursive: true, force: true })
  }
}

const { values } = parseArgs({
  options: {
    entry: { type: 'string', multiple: true, default: ['dist/server.js'] },
    runs: { type: 'string', default: '5' },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
})
const runs = Number.parseInt(values.runs, 10)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got "${values.runs}")`)

const upstream = await startFakeUpstream({ record: false })
const results: StartupRun[] = []
try {
  for (let run = 0; run < runs; run++) {
    // Rotate the order so no entry always goes first after an idle pause.
    const entries = values.entry.map((_, index) => values.entry[(index + run) % values.entry.length] as string)
    for (const entry of entries) results.push(await measureOnce(entry, values['node-arg'], upstream.baseUrl))
  }
} finally {
  await upstream.close()
}
const summary = values.entry.map((entry) => {
  const own = results.filter((result) => result.entry === entry)
  const rss = own.flatMap((result) => (result.idleRssMiB === undefined ? [] : [result.idleRssMiB]))
  return { entry, readyMsMedian: median(own.map((result) => result.readyMs)), readyMs: own.map((result) => result.readyMs), idleRssMiBMedian: rss.length > 0 ? median(rss) : null }
})
process.stdout.write(`${JSON.stringify({ node: process.version, loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100), nodeArgs: values['node-arg'], summary }, null, 2)}\n`)
