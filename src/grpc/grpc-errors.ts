/**
 * The one mapping between driber's error catalog and gRPC statuses, both ways.
 *
 * Server side: any thrown value becomes a status whose code is the catalog's `grpcStatus`; the
 * stable `DRIBER_*` code, client-safe details and a retry hint travel in trailing metadata.
 * Errors that are not `DriberError`s become INTERNAL with the catalog's generic message, so no
 * internal text reaches clients. Client side: a status (with or without our metadata, e.g. one
 * grpc-js produced itself for a deadline or an oversized message) becomes a `DriberError`.
 */
import { Metadata, status as GrpcStatusCodes, type ServiceError, type StatusObject } from '@grpc/grpc-js'
import { DriberError, ErrorCatalog, toDriberError, type ErrorKind } from '../errors.js'

/** Trailing metadata key holding the catalog code, e.g. `DRIBER_UNKNOWN_MODEL`. */
export const errorCodeMetadataKey = 'driber-error-code'
/** Trailing metadata key holding `details` as UTF-8 JSON (binary key: any bytes allowed). */
export const errorDetailsMetadataKey = 'driber-error-details-bin'
/** Trailing metadata key holding the server's retry hint in milliseconds. */
export const retryAfterMetadataKey = 'retry-after-ms'

/** What a unary handler passes to its callback on failure. */
export type GrpcErrorStatus = Pick<StatusObject, 'code' | 'details' | 'metadata'>

/** Any thrown value -> the status sent to the client. */
export const toGrpcStatus = (error: unknown): GrpcErrorStatus => {
  const driberError = toDriberError(error)
  const metadata = new Metadata()
  metadata.set(errorCodeMetadataKey, driberError.code)
  const { error: body } = driberError.toBody()
  if (body.details !== undefined) metadata.set(errorDetailsMetadataKey, Buffer.from(JSON.stringify(body.details), 'utf8'))
  if (driberError.retryAfterMs !== undefined) metadata.set(retryAfterMetadataKey, String(Math.max(0, Math.ceil(driberError.retryAfterMs))))
  return { code: driberError.grpcStatus, details: body.message, metadata }
}

const kindByCode = (code: string): ErrorKind | undefined =>
  (Object.keys(ErrorCatalog) as ErrorKind[]).find((kind) => ErrorCatalog[kind].code === code)

/**
 * Statuses grpc-js (client or server library) produces on its own carry no catalog code; these
 * are the catalog entries they correspond to.
 */
const kindByGrpcStatus: Partial<Record<number, ErrorKind>> = {
  [GrpcStatusCodes.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
  [GrpcStatusCodes.CANCELLED]: 'CANCELLED',
  [GrpcStatusCodes.RESOURCE_EXHAUSTED]: 'PAYLOAD_TOO_LARGE',
  [GrpcStatusCodes.UNAVAILABLE]: 'UPSTREAM_UNAVAILABLE',
  [GrpcStatusCodes.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [GrpcStatusCodes.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [GrpcStatusCodes.UNIMPLEMENTED]: 'ROUTE_NOT_FOUND',
  [GrpcStatusCodes.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
}

/** The catalog entry a status grpc-js produced itself stands for (undefined for OK and codes it never sends). */
export const catalogKindOfGrpcStatus = (code: number): ErrorKind | undefined => kindByGrpcStatus[code]

/** The catalog code a status carries in its trailing metadata, if any. */
export const errorCodeOf = (error: Pick<ServiceError, 'metadata'>): string | undefined => {
  const value = error.metadata?.get(errorCodeMetadataKey)[0]
  return value === undefined ? undefined : value.toString()
}

/**
 * A client-side gRPC error -> the `DriberError` it stands for. With our metadata the kind is
 * exact; without it (grpc-js's own deadline, oversize or connection statuses) it is the catalog
 * entry for that status, and `details.origin` says the code was inferred.
 */
export const driberErrorFromGrpc = (error: ServiceError): DriberError => {
  const code = errorCodeOf(error)
  const kind = code === undefined ? undefined : kindByCode(code)
  const detailsRaw = error.metadata?.get(errorDetailsMetadataKey)[0]
  let details: Record<string, unknown> | undefined
  if (detailsRaw !== undefined) {
    try {
      details = JSON.parse(Buffer.isBuffer(detailsRaw) ? detailsRaw.toString('utf8') : detailsRaw) as Record<string, unknown>
    } catch {
      details = undefined
    }
  }
  const retryRaw = error.metadata?.get(retryAfterMetadataKey)[0]
  const retryAfterMs = retryRaw === undefined ? undefined : Number(retryRaw.toString())
  const options = {
    message: error.details || (kind === undefined ? error.message : ErrorCatalog[kind].message),
    ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
  }
  if (kind !== undefined) return new DriberError(kind, { ...options, ...(details === undefined ? {} : { details }), cause: error })
  const inferred = kindByGrpcStatus[error.code] ?? 'INTERNAL'
  // A code this client does not know (a newer server) is kept, so it is not lost on the way to the user.
  const origin = code === undefined ? { origin: 'grpc-status', grpc_status: error.code } : { origin: 'grpc-status', grpc_status: error.code, server_code: code }
  return new DriberError(inferred, { ...options, details: origin, cause: error })
}
