/**
 * A throwaway self-signed certificate for TLS tests, made with the `openssl` CLI (node:crypto can
 * make keys but not X.509 certificates). Valid for `localhost` and `127.0.0.1`, for one day.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface SelfSignedCertificate {
  certPath: string
  keyPath: string
  /** Removes the files. */
  remove(): void
}

/** Why TLS tests must be skipped on this machine, or undefined when `openssl` is usable. */
export const opensslMissing = (): string | undefined => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return undefined
  } catch {
    return 'the openssl CLI is not installed, so no test certificate can be made'
  }
}

export const makeSelfSignedCertificate = (): SelfSignedCertificate => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-tls-'))
  const certPath = path.join(directory, 'cert.pem')
  const keyPath = path.join(directory, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  return { certPath, keyPath, remove: () => rmSync(directory, { recursive: true, force: true }) }
}
