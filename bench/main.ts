/**
 * The benchmark entry point:
 *
 *   npm run bench -- [--only overhead,throughput,concurrency,share,peer,retrieval,embedded,soak] [--quick]
 *                    [--runtime dist|tsx] [--out DIR]
 *
 * Builds driber (`npm run build`; the server under test runs `dist/server.js` in a child process),
 * starts the zero-latency fake upstream in a process of its own, runs the selected benchmarks on
 * loopback one after another, writes each result to `<out>/<name>.json` with the machine facts,
 * and prints a summary table. `--quick` is a smoke run (a few requests and seconds per bench) that
 * writes to a temporary folder unless `--out` is given, so it never replaces committed results.
 * Exits 1 when a benchmark failed to run (a missed target is reported, not an exit status).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { BenchContext, BenchOutcome, SummaryRow } from './support/bench-context.js'
import { projectRoot, startUpstreamProcess, type DriberRuntime, type UpstreamProcess } from './support/bench-processes.js'
import { machineFacts, type MachineFacts } from './support/machine-facts.js'

export const BENCH_NAMES = ['overhead', 'throughput', 'concurrency', 'share', 'peer', 'retrieval', 'embedded', 'soak'] as const
export type BenchName = (typeof BENCH_NAMES)[number]

/** Benchmarks that run driber as a server process (and so need the build). */
const SERVER_BENCHES: readonly BenchName[] = ['overhead', 'throughput', 'concurrency', 'share', 'peer']

/** A benchmark gets this long before it is abandoned (each is bounded by count and duration anyway). */
const BENCH_TIMEOUT_MS = 45 * 60_000

export interface RunBenchOptions {
  only: BenchName[]
  quick: boolean
  runtime: DriberRuntime
  outDirectory: string
  log: (line: string) => void
}

export interface BenchRun {
  machine: MachineFacts
  summary: SummaryRow[]
  failed: Array<{ bench: BenchName; error: string }>
  written: string[]
}

/** Builds `dist/`; on failure says why and falls back to tsx, so one broken file elsewhere does not stop a run. */
const build = (log: (line: string) => void): DriberRuntime => {
  log('building driber (npm run build)')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const outcome = spawnSync(npm, ['run', '--silent', 'build'], { cwd: projectRoot, encoding: 'utf8' })
  if (outcome.status === 0 && existsSync(path.join(projectRoot, 'dist', 'server.js'))) return 'dist'
  log(`build failed (status ${outcome.status}); the server runs src/server.ts through tsx instead:\n${(outcome.stdout ?? '').slice(0, 2000)}${(outcome.stderr ?? '').slice(0, 2000)}`)
  return 'tsx'
}

/** A module another engineer owns, run if it exists; it writes its own result file. */
const runForeign = async (name: 'retrieval' | 'embedded' | 'soak', quick: boolean, out: string, log: (line: string) => void): Promise<SummaryRow[]> => {
  const file = path.join(projectRoot, 'bench', `${name}.ts`)
  if (!existsSync(file)) {
    log(`${name}: bench/${name}.ts is not there; skipped`)
    return [{ bench: name, measure: 'not run', value: `bench/${name}.ts missing` }]
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, (options: Record<string, unknown>) => Promise<Record<string, unknown>>>
  switch (name) {
    case 'retrieval': {
      // The 1M-vector HNSW build takes hours on a 2-core machine: the suite stops at 100k, and
      // `tsx bench/retrieval.ts --sizes 1000000` runs the large size on its own.
      if (!quick) log('retrieval: sizes 10k and 100k; run `npx tsx bench/retrieval.ts --sizes 1000000` for 1M')
      const report = await (module.runRetrievalBench as NonNullable<(typeof module)[string]>)({
        out,
        log,
        ...(quick ? { sizes: [2000], queries: 20, exactQueries: 20, efs: [64] } : { sizes: [10_000, 100_000] }),
      })
      const sizes = (report.sizes ?? []) as Array<Record<string, unknown>>
      return sizes.map((size) => ({ bench: 'retrieval', measure: `size ${String(size.size)}`, value: JSON.stringify(size).slice(0, 120) }))
    }
    case 'embedded': {
      const report = await (module.runEmbeddedBench as NonNullable<(typeof module)[string]>)({ out, ...(quick ? { calls: 20 } : {}) })
      const latency = report.latency as Record<string, { p50_ms: number; p99_ms: number }> | undefined
      return Object.entries(latency ?? {}).map(([stage, value]) => ({ bench: 'embedded', measure: `${stage} p50 / p99`, value: `${value.p50_ms} / ${value.p99_ms} ms` }))
    }
    case 'soak': {
      const report = await (module.runSoak as NonNullable<(typeof module)[string]>)({ out, log, ...(quick ? { burst: 100, latencyMs: 100, durationS: 3, concurrency: 8 } : {}) })
      return [
        { bench: 'soak', measure: 'nothing lost', value: String(report.nothingLost), met: report.nothingLost === true },
        { bench: 'soak', measure: 'memory flat', value: String(report.memoryFlat), met: report.memoryFlat === true },
      ]
    }
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 60_000} min`)), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/** Runs the selected benchmarks and writes their results; never throws for one failed benchmark. */
export const runBenchmarks = async (options: RunBenchOptions): Promise<BenchRun> => {
  const { log } = options
  mkdirSync(options.outDirectory, { recursive: true })
  const needsServer = options.only.some((name) => SERVER_BENCHES.includes(name))
  const runtime = needsServer && options.runtime === 'dist' ? build(log) : options.runtime
  const machine = machineFacts()
  log(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage.join(' ')}, commit ${machine.gitCommit.slice(0, 12)}${machine.gitDirty ? ' (dirty)' : ''}`)
  const run: BenchRun = { machine, summary: [], failed: [], written: [] }
  let upstream: UpstreamProcess | undefined
  try {
    if (options.only.some((name) => name === 'overhead' || name === 'throughput')) {
      upstream = await startUpstreamProcess({ latencyMs: 0 })
      log(`fake upstream (own process, zero latency) at ${upstream.baseUrl}`)
    }
    for (const name of options.only) {
      const started = performance.now()
      log(`== ${name}${options.quick ? ' (quick)' : ''}`)
      try {
        const out = path.join(options.outDirectory, `${name}.json`)
        if (name === 'retrieval' || name === 'embedded' || name === 'soak') {
          run.summary.push(...(await withTimeout(runForeign(name, options.quick, out, log), BENCH_TIMEOUT_MS, name)))
        } else {
          const context: BenchContext = { quick: options.quick, runtime, upstream: upstream as UpstreamProcess, log }
          const module = await import(`./${name}.js`)
          const runner = (module as Record<string, (context: BenchContext) => Promise<BenchOutcome>>)[`run${name[0]?.toUpperCase()}${name.slice(1)}Bench`]
          if (runner === undefined) throw new Error(`bench/${name}.ts exports no runner`)
          const outcome = await withTimeout(runner(context), BENCH_TIMEOUT_MS, name)
          const document = { bench: name, quick: options.quick, machine: { ...machine, loadAverageAtEnd: (await import('node:os')).loadavg().map((value) => Math.round(value * 100) / 100) }, ...outcome.result, summary: outcome.summary }
          writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`)
          run.summary.push(...outcome.summary)
        }
        run.written.push(out)
        log(`${name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s -> ${path.relative(process.cwd(), out) || out}`)
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
        log(`${name}: FAILED: ${message}`)
        run.failed.push({ bench: name, error: message })
      }
    }
  } finally {
    await upstream?.stop()
  }
  return run
}

/** The summary as a plain-text table. */
export const renderSummary = (rows: readonly SummaryRow[]): string => {
  const table = [['bench', 'measure', 'driber', 'target', 'met'], ...rows.map((row) => [row.bench, row.measure, row.value, row.target ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO'])]
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? []
  return table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n')
}

/** Parses the command line; throws with a usage message on bad input. */
export const parseBenchArguments = (argv: string[]): Omit<RunBenchOptions, 'log'> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      runtime: { type: 'string', default: 'dist' },
      out: { type: 'string' },
    },
    strict: true,
  })
  const only = values.only === undefined ? [...BENCH_NAMES] : values.only.split(',').map((name) => name.trim()).filter((name) => name !== '')
  const unknown = only.filter((name) => !(BENCH_NAMES as readonly string[]).includes(name))
  if (unknown.length > 0 || only.length === 0) throw new Error(`--only takes a comma-separated list of: ${BENCH_NAMES.join(', ')} (got "${values.only}")`)
  if (values.runtime !== 'dist' && values.runtime !== 'tsx') throw new Error(`--runtime is dist or tsx (got "${values.runtime}")`)
  const quick = values.quick === true
  const outDirectory = values.out !== undefined ? path.resolve(values.out) : quick ? path.join(tmpdir(), 'driber-bench-quick') : path.join(projectRoot, 'bench', 'results')
  return { only: only as BenchName[], quick, runtime: values.runtime, outDirectory }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  let options: Omit<RunBenchOptions, 'log'>
  try {
    options = parseBenchArguments(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  }
  runBenchmarks({ ...options, log: (line) => process.stderr.write(`${line}\n`) }).then(
    (run) => {
      process.stdout.write(`\n${renderSummary(run.summary)}\n\nresults: ${run.written.map((file) => path.relative(process.cwd(), file)).join(', ') || 'none'}\n`)
      for (const failure of run.failed) process.stdout.write(`FAILED ${failure.bench}: ${failure.error.split('\n')[0]}\n`)
      // Children are stopped; anything left (an SDK's idle socket) must not hold the process.
      process.exit(run.failed.length === 0 ? 0 : 1)
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exit(1)
    },
  )
}
