/**
 * Side by side with a peer gateway: runs the anchor benchmark (`../shared/bench/anchor-bench`,
 * `overhead.mjs`) with driber as a target beside Portkey's open-source gateway and the bare mock,
 * in one invocation, and reports driber's figures as ratios to the peer's from that same run (the
 * machine is shared, so only same-run ratios compare). Three reference servers run in the same
 * invocation: the same exchange through fastify and undici alone and through fastify and the
 * `openai` SDK (`support/reference-gateway.ts`), and driber with a model that answers in process
 * (`support/instant-model-driber.ts`); together they show where driber's CPU per request goes. Skipped, with the reason, when the anchor
 * tool or the peer is not installed (`bash ../shared/bench/anchor-bench/setup.sh` installs them
 * under /tmp/anchor-bench, never into the project).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BenchContext, BenchOutcome, SummaryRow } from './support/bench-context.js'
import { projectRoot } from './support/bench-processes.js'

/** Where the anchor tool lives beside a checkout, and where its setup installs the peer. */
export const DEFAULT_ANCHOR_DIRECTORY = path.resolve(projectRoot, '..', 'shared', 'bench', 'anchor-bench')
const PEER_DIRECTORY = '/tmp/anchor-bench/portkey'
const AUTOCANNON_DIRECTORY = '/tmp/anchor-bench/ac'

type Summary = Record<string, { median: number; min: number; max: number; n: number }>

const median = (summary: Summary, key: string): number => summary[key]?.median ?? Number.NaN
const ratio = (numerator: number, denominator: number): number => Math.round((numerator / denominator) * 100) / 100

/**
 * The reference servers, bundled with esbuild (no TypeScript loader in the measured processes)
 * next to the project's node_modules so their packages resolve as driber's do.
 */
const REFERENCE_BUILD_DIRECTORY = path.join(projectRoot, 'node_modules', '.cache', 'driber-bench')

export const buildReferenceServers = async (directory = REFERENCE_BUILD_DIRECTORY): Promise<{ gateway: string; instant: string }> => {
  const { build } = await import('esbuild')
  const outputs = { gateway: path.join(directory, 'reference-gateway.mjs'), instant: path.join(directory, 'instant-model-driber.mjs') }
  for (const [name, entry] of [['gateway', 'reference-gateway.ts'], ['instant', 'instant-model-driber.ts']] as const) {
    await build({
      entryPoints: [path.join(projectRoot, 'bench', 'support', entry)],
      outfile: outputs[name],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    })
  }
  return outputs
}

/**
 * Three reference targets beside driber and Portkey, same request, same mock, same run:
 * - `reference-undici`: fastify and one undici `Pool.request` per call (the stack, no SDK);
 * - `reference-sdk`: fastify and the `openai` SDK set up as driber sets it up;
 * - `driber-instant-model`: driber's whole app with a model that answers in process at once (no
 *   SDK, no upstream): driber's own layer.
 * Their CPU per request is the floor under driber's, and where it goes.
 */
const referenceTargets = (servers: { gateway: string; instant: string }, driberTarget: { body: unknown; start: { env: Record<string, string>; args: string[] } }, answerFile: string): string[] => {
  const gateways = (['undici', 'sdk'] as const).map((mode) => ({
    name: `reference-${mode}`,
    url: 'http://127.0.0.1:{{PORT}}/v1/decide',
    headers: { 'content-type': 'application/json' },
    body: driberTarget.body,
    start: { cmd: '{{NODE}}', args: [servers.gateway, '--mode', mode, '--port', '{{PORT}}', '--upstream', '{{UPSTREAM_V1}}'] },
  }))
  // The anchor's own driber start command, with the instant-model server in place of dist/server.js.
  const instant = {
    name: 'driber-instant-model',
    url: 'http://127.0.0.1:{{PORT}}/v1/decide',
    headers: { 'content-type': 'application/json' },
    body: driberTarget.body,
    start: {
      cmd: 'bash',
      args: driberTarget.start.args.map((arg) => arg.replace('{{NODE}} dist/server.js', `{{NODE}} ${servers.instant} --answer ${answerFile}`)),
      env: driberTarget.start.env,
    },
  }
  return [...gateways, instant].flatMap((target) => ['--target', JSON.stringify(target)])
}

export const runPeerBench = async (context: BenchContext & { anchorDirectory?: string }): Promise<BenchOutcome> => {
  const anchor = context.anchorDirectory ?? DEFAULT_ANCHOR_DIRECTORY
  const missing = [
    [path.join(anchor, 'overhead.mjs'), 'the anchor benchmark'],
    [path.join(PEER_DIRECTORY, 'node_modules', '@portkey-ai', 'gateway'), 'the peer (run its setup.sh)'],
    [path.join(AUTOCANNON_DIRECTORY, 'node_modules', 'autocannon'), "the anchor's autocannon (run its setup.sh)"],
  ].filter(([file]) => !existsSync(file as string))
  if (missing.length > 0) {
    const reason = `not run: missing ${missing.map(([file, what]) => `${what} at ${file}`).join('; ')}`
    context.log(`peer: ${reason}`)
    return { result: { skipped: reason }, summary: [{ bench: 'peer', measure: 'driber beside Portkey', value: reason }] }
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-peer-'))
  const out = path.join(directory, 'anchor.json')
  const quickArguments = ['--rounds', '2', '--per-round', '50', '--warmup', '200', '--duration', '2', '--tp-warmup', '1']
  const args = [
    path.join(anchor, 'overhead.mjs'),
    '--runs',
    '1',
    '--targets',
    path.join(anchor, 'targets-driber.json'),
    ...referenceTargets(
      await buildReferenceServers(),
      (JSON.parse(readFileSync(path.join(anchor, 'targets-driber.json'), 'utf8')) as Parameters<typeof referenceTargets>[1][])[0] as Parameters<typeof referenceTargets>[1],
      path.join(anchor, 'decide-answer.json'),
    ),
    '--mock-content',
    path.join(anchor, 'decide-answer.json'),
    '--out',
    out,
    ...(context.quick ? quickArguments : []),
  ]
  // Paths are shown relative to the project; the reference targets' JSON is quoted for a shell.
  // Results are committed: paths inside the reference targets' JSON are made relative too.
  const relativeInside = (json: string): string => json.split(anchor).join(path.relative(projectRoot, anchor)).split(`${projectRoot}/`).join('')
  const shown = (arg: string): string =>
    arg === out ? '<out>' : path.isAbsolute(arg) ? path.relative(projectRoot, arg) || arg : arg.startsWith('{') ? `'${relativeInside(arg)}'` : arg
  context.log(`peer: node ${args.map(shown).join(' ')}`)
  try {
    // The anchor tool starts driber from the project root (`dist/server.js`): main.ts built it.
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] })
    let table = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      table += chunk.toString('utf8')
    })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    if (code !== 0) throw new Error(`the anchor benchmark exited with ${code}:\n${table.slice(-2000)}`)
    const report = JSON.parse(readFileSync(out, 'utf8')) as { meta: Record<string, unknown>; summary: Summary }
    const s = report.summary
    const figures = {
      overhead_p50_ms: {
        driber: median(s, 'latency.driber.overhead_ms'),
        portkey: median(s, 'latency.portkey.overhead_ms'),
        reference_fastify_undici: median(s, 'latency.reference-undici.overhead_ms'),
        reference_fastify_sdk: median(s, 'latency.reference-sdk.overhead_ms'),
        driber_instant_model: median(s, 'latency.driber-instant-model.overhead_ms'),
      },
      req_per_s_32_connections: {
        driber: median(s, 'throughput.driber.req_per_s'),
        portkey: median(s, 'throughput.portkey.req_per_s'),
        direct: median(s, 'throughput.direct.req_per_s'),
        reference_fastify_undici: median(s, 'throughput.reference-undici.req_per_s'),
        reference_fastify_sdk: median(s, 'throughput.reference-sdk.req_per_s'),
        driber_instant_model: median(s, 'throughput.driber-instant-model.req_per_s'),
      },
      server_cpu_ms_per_request: {
        driber: median(s, 'throughput.driber.cpu_ms_per_req.driber'),
        portkey: median(s, 'throughput.portkey.cpu_ms_per_req.portkey'),
        mock: median(s, 'throughput.direct.cpu_ms_per_req.upstream'),
        reference_fastify_undici: median(s, 'throughput.reference-undici.cpu_ms_per_req.reference-undici'),
        reference_fastify_sdk: median(s, 'throughput.reference-sdk.cpu_ms_per_req.reference-sdk'),
        driber_instant_model: median(s, 'throughput.driber-instant-model.cpu_ms_per_req.driber-instant-model'),
      },
      start_ms: { driber: median(s, 'process.driber.start_ms'), portkey: median(s, 'process.portkey.start_ms'), mock: median(s, 'process.upstream.start_ms') },
      rss_mib_idle: { driber: median(s, 'process.driber.rss_kib_idle') / 1024, portkey: median(s, 'process.portkey.rss_kib_idle') / 1024 },
      rss_mib_after_load: { driber: median(s, 'process.driber.rss_kib_after') / 1024, portkey: median(s, 'process.portkey.rss_kib_after') / 1024 },
    }
    const ratios = {
      overhead_driber_over_portkey: ratio(figures.overhead_p50_ms.driber, figures.overhead_p50_ms.portkey),
      req_per_s_driber_over_portkey: ratio(figures.req_per_s_32_connections.driber, figures.req_per_s_32_connections.portkey),
      cpu_driber_over_portkey: ratio(figures.server_cpu_ms_per_request.driber, figures.server_cpu_ms_per_request.portkey),
      start_driber_over_portkey: ratio(figures.start_ms.driber, figures.start_ms.portkey),
    }
    const mib = (value: number): string => `${value.toFixed(0)} MiB`
    const summary: SummaryRow[] = [
      { bench: 'peer', measure: 'sequential overhead p50 over the raw mock, driber / Portkey', value: `${figures.overhead_p50_ms.driber} / ${figures.overhead_p50_ms.portkey} ms`, target: 'driber <= 0.5 ms', met: figures.overhead_p50_ms.driber <= 0.5 },
      { bench: 'peer', measure: 'req/s at 32 connections, driber / Portkey', value: `${figures.req_per_s_32_connections.driber} / ${figures.req_per_s_32_connections.portkey} (${ratios.req_per_s_driber_over_portkey}x)`, target: '>= 5x', met: ratios.req_per_s_driber_over_portkey >= 5 },
      { bench: 'peer', measure: 'server CPU per request, driber / Portkey', value: `${figures.server_cpu_ms_per_request.driber} / ${figures.server_cpu_ms_per_request.portkey} ms`, target: 'driber <= 0.2 ms', met: figures.server_cpu_ms_per_request.driber <= 0.2 },
      {
        bench: 'peer',
        measure: 'server CPU per request of the references: fastify + undici / fastify + the SDK as driber sets it up / driber with an instant model (no SDK, no upstream)',
        value: `${figures.server_cpu_ms_per_request.reference_fastify_undici} / ${figures.server_cpu_ms_per_request.reference_fastify_sdk} / ${figures.server_cpu_ms_per_request.driber_instant_model} ms`,
      },
      { bench: 'peer', measure: 'start to first good answer, driber / Portkey', value: `${figures.start_ms.driber} / ${figures.start_ms.portkey} ms`, target: 'driber <= 500 ms', met: figures.start_ms.driber <= 500 },
      { bench: 'peer', measure: 'RSS idle -> after load, driber (Portkey)', value: `${mib(figures.rss_mib_idle.driber)} -> ${mib(figures.rss_mib_after_load.driber)} (${mib(figures.rss_mib_idle.portkey)} -> ${mib(figures.rss_mib_after_load.portkey)})`, target: 'driber <= 150 MiB after', met: figures.rss_mib_after_load.driber <= 150 },
    ]
    context.log(table.trim())
    return {
      result: {
        method: 'the anchor benchmark (../shared/bench/anchor-bench/overhead.mjs) with driber as a target beside Portkey and the bare mock, one invocation; ratios are within that run',
        command: `node ${args.map(shown).join(' ')}`,
        // The anchor tool records absolute paths; results are committed, so they name the tool's folder relative to the project.
        anchor_meta: JSON.parse(JSON.stringify(report.meta).split(anchor).join(path.relative(projectRoot, anchor))) as unknown,
        figures,
        ratios,
        anchor_summary: s,
      },
      summary,
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
