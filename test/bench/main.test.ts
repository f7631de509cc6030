/**
 * The benchmark harness works: option parsing, and a real quick run of the overhead benchmark
 * (fake upstream and driber in their own processes) that writes its result with machine facts.
 * No timing is asserted: speed is what the benchmark reports, not what a test checks.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { BENCH_NAMES, parseBenchArguments, renderSummary } from '../../bench/main.js'
import { projectRoot } from '../../src/config.js'

t.test('arguments: --only selects known benchmarks, --quick writes outside the repository', async (t) => {
  const all = parseBenchArguments([])
  t.same(all.only, [...BENCH_NAMES], 'everything by default')
  t.equal(all.quick, false)
  t.equal(all.outDirectory, path.join(projectRoot, 'bench', 'results'), 'full runs write the committed results')
  const quick = parseBenchArguments(['--only', 'overhead,share', '--quick'])
  t.same(quick.only, ['overhead', 'share'])
  t.notOk(quick.outDirectory.startsWith(path.join(projectRoot, 'bench')), 'a smoke run never overwrites committed results')
  t.throws(() => parseBenchArguments(['--only', 'overhead,nope']), /--only takes/, 'an unknown name is refused with the list')
  t.throws(() => parseBenchArguments(['--runtime', 'deno']), /--runtime/)
})

t.test('the summary table lines up and marks missed targets', async (t) => {
  const table = renderSummary([
    { bench: 'overhead', measure: 'p50', value: '0.3 ms', target: '< 0.5 ms', met: true },
    { bench: 'throughput', measure: 'req/s', value: '100', target: '>= 5000', met: false },
  ])
  const lines = table.split('\n')
  t.equal(lines.length, 3)
  t.match(lines[2], /NO$/)
  t.match(lines[1], /yes$/)
})

t.test('a quick overhead run writes its result with machine facts', async (t) => {
  const out = mkdtempSync(path.join(tmpdir(), 'driber-bench-test-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bench', 'main.ts'), '--only', 'overhead', '--quick', '--runtime', 'tsx', '--out', out], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const [code] = (await once(child, 'exit')) as [number | null]
  t.equal(code, 0, `the run succeeded\n${output.slice(-2000)}`)
  const file = path.join(out, 'overhead.json')
  t.ok(existsSync(file), 'overhead.json written to --out')
  const result = JSON.parse(readFileSync(file, 'utf8')) as {
    bench: string
    quick: boolean
    machine: { cpu: string; cores: number; node: string; gitCommit: string }
    latency_ms: Record<string, { count: number; p50: number }>
    overhead_ms: Record<string, { p50_ms: number }>
  }
  t.equal(result.bench, 'overhead')
  t.equal(result.quick, true)
  t.equal(result.machine.node, process.version)
  t.ok(result.machine.cores >= 1 && result.machine.cpu.length > 0, 'machine facts recorded')
  for (const name of ['direct_sdk', 'direct_raw', 'http', 'grpc']) {
    t.ok((result.latency_ms[name]?.count ?? 0) > 0, `${name} was measured`)
  }
  t.type(result.overhead_ms.http_vs_sdk?.p50_ms, 'number')
  t.match(output, /overhead\s+HTTP decide overhead p50/, 'the summary table is printed')
})
