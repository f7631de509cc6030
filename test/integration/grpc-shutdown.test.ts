/**
 * `startServer` with gRPC bound from config, shut down the way SIGTERM does: health turns
 * NOT_SERVING at once, new calls are refused, the call in flight is answered, then the port closes.
 */
import * as grpc from '@grpc/grpc-js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { stringify } from 'yaml'
import { startServer } from '../../src/server.js'
import { beachDialogue, testAppConfig, testRegistry } from '../helper.js'
import { startFakeUpstream } from '../support/fake-upstream.js'
import { checkHealth } from '../support/grpc-standard-clients.js'
import { createProtoClient } from '../support/proto-client.js'

t.test('shutdown: NOT_SERVING and refusals at once, the accepted call answered, then the port closes', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-grpc-shutdown-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const registryPath = path.join(directory, 'registry.yaml')
  writeFileSync(registryPath, stringify(testRegistry(upstream.baseUrl)))

  const server = await startServer(testAppConfig({ registryPath, deadlines: { drainMs: 5_000 } }))
  t.teardown(() => server.shutdown('test teardown'))
  const address = server.grpcAddress
  if (address === undefined) throw new Error('gRPC was not bound')
  t.match(address, /^127\.0\.0\.1:\d+$/, 'bound on the configured host, the real port reported')
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'SERVING')

  const client = createProtoClient(address)
  t.teardown(() => client.close())
  // Slow enough that the checks below run while it is still in flight, even on a loaded machine.
  upstream.setResponder(() => ({ kind: 'default', delayMs: 2_000 }))
  const seen = upstream.requestCount
  const inFlight = client.call('Describe', { dialogue: beachDialogue })
  await upstream.waitForRequests(seen + 1)

  const stopped = server.shutdown('SIGTERM')
  t.equal(await checkHealth(address, ''), 'NOT_SERVING')
  const refused = await client.call('ListModels', {}).then(
    () => undefined,
    (error: grpc.ServiceError) => error,
  )
  t.equal(refused?.code, grpc.status.UNAVAILABLE)
  t.equal(refused?.metadata.get('driber-error-code')[0], 'DRIBER_SHUTTING_DOWN')
  const answered = await inFlight
  t.ok(answered.response.descriptions.length > 0, 'the call accepted before the signal was answered')
  await stopped

  const afterwards = createProtoClient(address)
  t.teardown(() => afterwards.close())
  const closed = await afterwards.call('ListModels', {}, { deadlineMs: 2_000 }).then(
    () => undefined,
    (error: grpc.ServiceError) => error,
  )
  t.equal(closed?.code, grpc.status.UNAVAILABLE, 'nothing listens any more')
})
