/**
 * Reflection registered by `addLazyReflection` answers as `@grpc/reflection` does (grpcurl and
 * debuggers rely on it), although the protos are indexed only when the first call arrives.
 */
import * as grpc from '@grpc/grpc-js'
import t, { type Test } from 'tap'
import { addLazyReflection } from '../../src/grpc/add-lazy-reflection.js'
import { loadDriberProto } from '../../src/grpc/proto-package.js'
import { listServices, reflect } from '../support/grpc-standard-clients.js'

const startServer = async (t: Test): Promise<string> => {
  const server = new grpc.Server()
  addLazyReflection(server, loadDriberProto().packageDefinition)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => server.forceShutdown())
  return `127.0.0.1:${port}`
}

t.test('lists the package services and serves their descriptors, call after call', async (t) => {
  const address = await startServer(t)
  const services = await listServices(address)
  t.ok(services.includes('driber.v1.ImageSharing'), 'ImageSharing is listed')
  t.ok(services.includes('grpc.health.v1.Health'), 'Health is listed')
  for (const symbol of ['driber.v1.ImageSharing', 'driber.v1.DecideRequest']) {
    const file = await reflect(address, { file_containing_symbol: symbol })
    const text = (file.file_descriptor_response?.file_descriptor_proto ?? []).map((bytes) => Buffer.from(bytes).toString('latin1')).join('')
    t.match(text, /ImageSharing/, `the descriptor of ${symbol} came back`)
  }
  t.same(await listServices(address), services, 'a later call answers the same')
})

t.test('an unknown symbol is answered with NOT_FOUND in the response, not a broken stream', async (t) => {
  const address = await startServer(t)
  const response = await reflect(address, { file_containing_symbol: 'no.such.Thing' })
  t.equal(response.error_response?.error_code, grpc.status.NOT_FOUND)
})
