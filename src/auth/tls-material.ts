/**
 * Optional TLS for both servers from PEM files. HTTP gets `https` options for fastify; gRPC gets
 * `ServerCredentials.createSsl`. Without a configured cert and key both servers speak plaintext,
 * which is fine on loopback or behind a TLS-terminating proxy or mesh.
 */
import { readFileSync } from 'node:fs'
import { ServerCredentials } from '@grpc/grpc-js'
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
