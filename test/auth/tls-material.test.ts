import { readFileSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import Fastify from 'fastify'
import t from 'tap'
import { grpcServerCredentials, httpsServerOptions, loadTlsMaterial } from '../../src/auth/tls-material.js'
import { makeSelfSignedCertificate, opensslMissing } from '../support/self-signed-certificate.js'

const skip = opensslMissing()

t.test('no TLS configured means plaintext; half a pair is a config error', async (t) => {
  t.equal(loadTlsMaterial({ requireClientCert: false }), undefined)
  t.equal(httpsServerOptions(undefined), undefined)
  t.ok(grpcServerCredentials(undefined)._isSecure() === false)
  t.throws(() => loadTlsMaterial({ certPath: 'cert.pem', requireClientCert: false }), { code: 'DRIBER_CONFIG_INVALID' })
  t.throws(() => loadTlsMaterial({ requireClientCert: true }), { code: 'DRIBER_CONFIG_INVALID' })
  t.throws(() => loadTlsMaterial({ certPath: '/nonexistent/cert.pem', keyPath: '/nonexistent/key.pem', requireClientCert: false }), {
    code: 'DRIBER_CONFIG_INVALID',
  })
})

t.test('a file that is not PEM is refused', { skip }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  writeFileSync(certificate.keyPath, 'not a key')
  t.throws(() => loadTlsMaterial({ certPath: certificate.certPath, keyPath: certificate.keyPath, requireClientCert: false }), {
    code: 'DRIBER_CONFIG_INVALID',
  })
})

t.test('HTTPS: fastify serves with the configured certificate; a client trusting it gets through', { skip }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  const material = loadTlsMaterial({ certPath: certificate.certPath, keyPath: certificate.keyPath, requireClientCert: false })
  const app = Fastify({ https: httpsServerOptions(material) ?? null })
  app.get('/ping', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  const ca = readFileSync(certificate.certPath)
  const get = (options: https.RequestOptions): Promise<string> =>
    new Promise((resolve, reject) => {
      const request = https.get({ host: '127.0.0.1', port, path: '/ping', agent: false, ...options }, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () => resolve(body))
      })
      request.on('error', reject)
    })
  t.same(JSON.parse(await get({ ca })), { ok: true })
  await t.rejects(get({}), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'an untrusting client refuses the self-signed certificate')
})

t.test('gRPC: ServerCredentials.createSsl from the same material; plaintext clients cannot call', { skip }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  const material = loadTlsMaterial({ certPath: certificate.certPath, keyPath: certificate.keyPath, requireClientCert: false })
  const echo = {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  }
  const server = new grpc.Server()
  server.addService({ Echo: echo } as grpc.ServiceDefinition, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request),
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpcServerCredentials(material), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())))
  const Client = grpc.makeGenericClientConstructor({ Echo: echo }, 'Echo')
  const call = (credentials: grpc.ChannelCredentials): Promise<Buffer> => {
    const client = new Client(`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': 'localhost' })
    return new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest(echo.path, echo.requestSerialize, echo.responseDeserialize, Buffer.from('hello'), { deadline: Date.now() + 5000 }, (error, value) => {
        client.close()
        error ? reject(error) : resolve(value as Buffer)
      })
    })
  }
  const answer = await call(grpc.credentials.createSsl(readFileSync(certificate.certPath)))
  t.equal(answer.toString(), 'hello')
  await t.rejects(call(grpc.credentials.createInsecure()), { code: grpc.status.UNAVAILABLE })
})
