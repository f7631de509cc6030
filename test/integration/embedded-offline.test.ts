/**
 * The default configuration on a fresh clone: the shipped registry (embedded tier only), the
 * shipped gallery and the embedded embedder. Every endpoint answers over real HTTP with no
 * upstream, no key and no network.
 */
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import pino from 'pino'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { projectRoot } from '../../src/config.js'
import { testAppConfig } from '../helper.js'

const dialogue = [
  { speaker: 'Ana', text: 'We adopted a puppy last weekend!' },
  { speaker: 'Ben', text: 'No way, what kind of dog?' },
  { speaker: 'Ana', text: 'A golden retriever, he loves chewing on his toys' },
  { speaker: 'Ben', text: 'Aww I would love to see him' },
]

t.test('the shipped registry serves decide, rank, describe, retrieve and share offline', async (t) => {
  const config = testAppConfig({
    registryPath: path.join(projectRoot, 'config', 'registry.yaml'),
    retrieval: { defaultIndex: 'photochat', indexes: [{ name: 'photochat', path: 'data/gallery/photochat.jsonl', embedder: 'driber-lite-embed', backend: 'memory' }] },
  })
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  t.teardown(() => app.close({ drainMs: 0 }))
  await app.http.listen({ host: '127.0.0.1', port: 0 })
  await app.ready()
  const { port } = app.http.server.address() as AddressInfo
  const post = async (route: string, body: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  const models = await fetch(`http://127.0.0.1:${port}/v1/models`)
  const listed = (await models.json()) as { models: Array<{ id: string; provider: string; scale: string }>; embedders: Array<{ id: string }> }
  t.same(
    listed.models.map((model) => [model.id, model.provider, model.scale]),
    [['driber-lite', 'embedded', 'tiny']],
  )
  t.same(
    listed.embedders.map((embedder) => embedder.id),
    ['driber-lite-embed'],
  )

  const decide = await post('/v1/decide', { dialogue, speaker: 'Ana' })
  t.equal(decide.status, 200)
  t.equal(decide.body.model, 'driber-lite')
  t.equal(decide.body.speaker, 'Ana')
  t.type(decide.body.share, 'boolean')
  t.ok(decide.body.confidence >= 0 && decide.body.confidence <= 1)
  t.same(decide.body.attempts.map((attempt: { outcome: string }) => attempt.outcome), ['ok'], 'valid on the first attempt')

  const rank = await post('/v1/decide', { dialogue, mode: 'rank' })
  t.equal(rank.status, 200)
  t.ok(rank.body.candidates.length > 0)
  for (const candidate of rank.body.candidates) t.equal(candidate.utterance, dialogue[candidate.turn]?.text, 'candidates name real turns')

  const describe = await post('/v1/describe', { dialogue, restrictions: ['prefix', 'generic'], n: 2 })
  t.equal(describe.status, 200)
  t.equal(describe.body.descriptions.length, 2)
  for (const description of describe.body.descriptions) t.match(description.text, /^An image of /)
  t.ok(describe.body.descriptions.some((description: { text: string }) => /\bdog\b/.test(description.text)))

  const retrieve = await post('/v1/retrieve', { descriptions: [describe.body.descriptions[0].text], k: 5 })
  t.equal(retrieve.status, 200)
  t.equal(retrieve.body.index, 'photochat')
  t.equal(retrieve.body.results.length, 5)
  t.match(retrieve.body.results[0].id, /^photochat-dev-\d+$/, 'real images from the shipped gallery')
  t.match(retrieve.body.results[0].caption, /dog/i, 'the best match is a dog photo')

  const share = await post('/v1/share', { dialogue, speaker: 'Ana', k: 3 })
  t.equal(share.status, 200)
  t.equal(share.body.decision.model, 'driber-lite')
  if (share.body.decision.share === true) t.equal(share.body.results.length, 3)
  else t.same(share.body.results, [], 'a "no" stops the chain')

  // The README's puppy: its default description names a dog, and a dog is what the gallery returns
  // (a "carnivore" tag once brought back cats).
  const puppy = [
    { speaker: 'Ana', text: 'I adopted a golden retriever puppy yesterday!' },
    { speaker: 'Ben', text: 'No way! Can I see him?' },
  ]
  const described = await post('/v1/describe', { dialogue: puppy, speaker: 'Ana' })
  t.equal(described.body.descriptions[0].text, 'A golden retriever puppy, a dog.')
  const found = await post('/v1/retrieve', { descriptions: [described.body.descriptions[0].text], k: 3 })
  for (const result of found.body.results) t.match(result.caption, /\bdog\b/i, `a dog photo: ${result.caption}`)
  const shared = await post('/v1/share', { dialogue: puppy, speaker: 'Ana', k: 3 })
  t.equal(shared.status, 200)
  for (const result of shared.body.results) t.match(result.caption, /\bdog\b/i, `Share finds dogs: ${result.caption}`)
})

t.test('the embedded tier answers for someone who has not written yet', async (t) => {
  const config = testAppConfig({
    registryPath: path.join(projectRoot, 'config', 'registry.yaml'),
    retrieval: { defaultIndex: 'photochat', indexes: [{ name: 'photochat', path: 'data/gallery/photochat.jsonl', embedder: 'driber-lite-embed', backend: 'memory' }] },
  })
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  t.teardown(() => app.close({ drainMs: 0 }))
  await app.ready()
  const decide = async (body: unknown) => {
    const response = await app.http.inject({ method: 'POST', url: '/v1/decide', payload: body as Record<string, unknown> })
    return { status: response.statusCode, body: response.json() as Record<string, any> }
  }
  const greeting = [{ speaker: 'Sam', text: 'Hello!' }]

  const newcomer = await decide({ dialogue: greeting, speaker: 'Alex' })
  t.equal(newcomer.status, 200, JSON.stringify(newcomer.body))
  t.equal(newcomer.body.speaker, 'Alex')
  t.equal(newcomer.body.share, false, 'a greeting calls for no photo, from either side')
  t.ok(newcomer.body.confidence > 0.5, 'and the model is sure of it')
  t.equal(newcomer.body.trigger, null)

  const chosen = await decide({ dialogue: greeting, participants: ['Sam', 'Alex'] })
  t.equal(chosen.status, 200, JSON.stringify(chosen.body))
  t.ok(['Sam', 'Alex'].includes(chosen.body.speaker as string), 'the answer names a member of the chat')

  const ranked = await decide({ dialogue: greeting, speaker: 'Alex', participants: ['Alex'], mode: 'rank' })
  t.equal(ranked.status, 200)
  t.same(ranked.body.candidates.map((candidate: { turn: number }) => candidate.turn), [0], 'positions are message positions')
})
