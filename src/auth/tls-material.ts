/**
 * Optional TLS for both servers from PEM files. HTTP gets `https` options for fastify; gRPC gets
 * `ServerCredentials.createSsl`. Without a configured cert and key both servers speak plaintext,
 * which is fine on loopback or behind a TLS-terminating proxy or mesh.
 */
import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { ServerCredentials } from '@grpc/grpc-js'
import type { Logger } from 'pino'
import type { ConfigData } from '../config.js'
import { DriberError } from '../errors.js'

export interface TlsMaterial {
  cert: Buffer
  key: Buffer
  ca: Buffer | undefined
  requireClientCert: boolean
}

const readPem = (file: string, what: string): Buffer => {
  try {
    const pem = readFileSync(file)
    if (!pem.toString('latin1').includes('-----BEGIN ')) throw new Error('not a PEM file')
    return pem
  } catch (error) {
    throw new DriberError('CONFIG_INVALID', { message: `Cannot read the TLS ${what} ${file}: ${(error as Error).message}`, cause: error })
  }
}

/** The PEM material of `config.tls`, or undefined when TLS is not configured. A half-configured pair is an error. */
export const loadTlsMaterial = (tls: ConfigData['tls']): TlsMaterial | undefined => {
  if (tls.certPath === undefined && tls.keyPath === undefined) {
    if (tls.caPath !== undefined || tls.requireClientCert)
      throw new DriberError('CONFIG_INVALID', { message: 'tls.caPath and tls.requireClientCert need tls.certPath and tls.keyPath' })
    return undefined
  }
  if (tls.certPath === undefined || tls.keyPath === undefined)
    throw new DriberError('CONFIG_INVALID', { message: 'TLS needs both tls.certPath and tls.keyPath' })
  if (tls.requireClientCert && tls.caPath === undefined)
    throw new DriberError('CONFIG_INVALID', { message: 'tls.requireClientCert needs tls.caPath to check client certificates against' })
  return {
    cert: readPem(tls.certPath, 'certificate'),
    key: readPem(tls.keyPath, 'private key'),
    ca: tls.caPath === undefined ? undefined : readPem(tls.caPath, 'CA bundle'),
    requireClientCert: tls.requireClientCert,
  }
}

/** Options for `fastify({ https })`, or undefined for plain HTTP. */
export const httpsServerOptions = (
  material: TlsMaterial | undefined,
): { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean; rejectUnauthorized: boolean } | undefined =>
  material === undefined
    ? undefined
    : {
        cert: material.cert,
        key: material.key,
        ...(material.ca === undefined ? {} : { ca: material.ca }),
        requestCert: material.requireClientCert,
        rejectUnauthorized: material.requireClientCert,
      }

/** Credentials for `grpc.Server#bindAsync`: TLS when configured, else insecure (plaintext). */
export const grpcServerCredentials = (material: TlsMaterial | undefined): ServerCredentials =>
  material === undefined
    ? ServerCredentials.createInsecure()
    : ServerCredentials.createSsl(material.ca ?? null, [{ cert_chain: material.cert, private_key: material.key }], material.requireClientCert)

/** Anything that emits Node's `tlsClientError` (an HTTPS or secure HTTP/2 server). */
interface TlsServer {
  on(event: 'tlsClientError', listener: (error: NodeJS.ErrnoException, socket: Socket) => void): unknown
}

/**
 * A connection that fails the TLS handshake never becomes a request, so without this it leaves no
 * trace. Plaintext sent to a TLS port is the common case (a client with `http://` in its URL, or
 * a gRPC client without TLS): OpenSSL says "http request" or "wrong version number", and that gets
 * a `warn` line of its own saying so. Other failures (untrusted client certificates, scanners)
 * are logged at `debug`, since anyone can cause them.
 */
export const logTlsRefusals = (server: TlsServer, logger: Logger, port: 'HTTPS' | 'gRPC'): void => {
  server.on('tlsClientError', (error, socket) => {
    const remoteAddress = socket.remoteAddress
    const plaintext =
      error.code === 'ERR_SSL_HTTP_REQUEST' || error.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /http request|wrong version number/i.test(error.message)
    if (plaintext) {
      const advice = port === 'HTTPS' ? 'the client must use https://' : 'the client must use TLS credentials'
      logger.warn({ remoteAddress, code: error.code }, `plaintext sent to the ${port} port: connection refused (${advice})`)
      return
    }
    logger.debug({ remoteAddress, code: error.code, reason: error.message }, `TLS handshake failed on the ${port} port`)
  })
}
