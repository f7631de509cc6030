/**
 * The side-by-side benchmark's reference servers (bench/support/reference-gateway.ts and
 * instant-model-driber.ts) are what driber's CPU per request is compared with, so they must keep
 * answering the anchor's Decide request as they say: built the way bench/peer.ts builds them and
 * started as the anchor tool starts them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { buildReferenceServers } from '../../bench/peer.js'
import { projectRoot } from '../../bench/support/bench-processes.js'
import { freePort } from '../support/free-port.js'
import { startFakeUpstream } from '../support/fake-upstream.js'

const ANSWER = { share: true, speaker: 'A', confidence: 0.8, intents: ['social_bonding'], trigger_turn: 2, rationale: 'A sunrise view is worth showing.' }
const DECIDE = {
  dialogue: [
    { speaker: 'A', text: 'We finally got to the lake this weekend.' },
    { speaker: 'B', text: 'Oh nice, how was the water?' },
    { speaker: 'A', text: 'Freezing, but the view at sunrise was unreal.' },
  ],
  speaker: 'A',
  model: 'bench',
}

const start = async (t: Test, args: string[], env: Record<string, string> = {}): Promise<ChildProcess> => {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  t.teardown(() => {
    child.kill('SIGTERM')
  })
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) t.fail(`exited with ${code}: ${stderr.slice(-2000)}`)
  })
  return child
}

const decideOn = async (port: number, server: ChildProcess): Promise<{ status: number; body: Record<string, unknown> }> => {
  for (let tries = 0; ; tries++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before answering`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DECIDE) })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    } catch (error) {
      if (tries > 300) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

t.test('the reference servers answer the anchor request as their names say', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-reference-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const servers = await buildReferenceServers(path.join(projectRoot, 'node_modules', '.cache', `driber-bench-test-${process.pid}`))
  t.teardown(() => rmSync(path.dirname(servers.gateway), { recursive: true, force: true }))
  const upstream = await startFakeUpstream({ responder: () => ({ kind: 'json', value: ANSWER }) })
  t.teardown(() => upstream.close())

  for (const mode of ['undici', 'sdk'] as const) {
    await t.test(`reference-${mode}: one upstream call per request, the model's answer passed through`, async (t) => {
      const port = await freePort()
      const before = upstream.chatRequests.length
      const server = await start(t, [servers.gateway, '--mode', mode, '--port', String(port), '--upstream', upstream.baseUrl])
      const { status, body } = await decideOn(port, server)
      t.equal(status, 200)
      t.same(body, ANSWER)
      t.equal(upstream.chatRequests.length, before + 1)
      const sent = upstream.chatRequests.at(-1)?.body as { response_format?: { type?: string }; messages?: { content: string }[] }
      t.equal(sent.response_format?.type, 'json_schema', 'a structured-output request, as driber sends')
      t.ok((sent.messages?.[1]?.content.length ?? 0) > 2500, 'a prompt about as long as driber’s Decide prompt')
    })
  }

  await t.test("driber-instant-model: driber's own answer, with no upstream call", async (t) => {
    const port = await freePort()
    const answerFile = path.join(directory, 'answer.json')
    writeFileSync(answerFile, JSON.stringify(ANSWER))
    const registry = path.join(directory, 'registry.yaml')
    writeFileSync(registry, `version: 1\nmodels:\n  - id: bench\n    provider: openai\n    base_url: ${upstream.baseUrl}\n    scale: medium\n    output: json_schema\nembedders:\n  - id: driber-lite-embed\n    provider: embedded\n    dimension: 100\n    modalities: [text]\nroutes:\n  decide: [bench]\n  describe: [bench]\n`)
    const before = upstream.requestCount
    const server = await start(t, [servers.instant, '--answer', answerFile], { DRIBER_REGISTRY: registry, DRIBER_HTTP_PORT: String(port), DRIBER_GRPC_PORT: '0', DRIBER_HOST: '127.0.0.1', DRIBER_LOG_LEVEL: 'warn' })
    const { status, body } = await decideOn(port, server)
    t.equal(status, 200)
    t.match(body, { share: true, speaker: 'A', confidence: 0.8, intents: ['social_bonding'], trigger: { turn: 2 }, model: 'bench', attempts: [{ model: 'bench', outcome: 'ok' }] })
    t.equal(upstream.requestCount, before, 'the model answered in process')
  })
})
