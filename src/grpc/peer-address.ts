/**
 * The client's IP address from a gRPC call's peer string, for rate limiting (the caller key when
 * auth is off) and for the call's completion log line. Formats seen:
 * - grpc-js 1.14 servers: `host:port` from the socket, IPv6 unbracketed (`127.0.0.1:5000`,
 *   `::1:5000`, `::ffff:10.0.0.1:5000`), the bare address when the socket has no port, or
 *   `unknown`;
 * - bracketed IPv6 (`[::1]:5000`), as grpc-js prints subchannel addresses;
 * - the `ipv4:` / `ipv6:` URI form of older grpc-js and of gRPC core (`ipv4:10.0.0.1:5000`,
 *   `ipv6:[::1]:5000`).
 * Anything that is not an IP address (`unknown`, `unix:/path`) gives undefined: the rate limiter
 * then counts the caller under `unknown` rather than under a made-up address.
 */
import { isIP } from 'node:net'

const portSuffix = /:\d{1,5}$/

/** The IP address in a gRPC peer string, without port or brackets; undefined when there is none. */
export const peerAddress = (peer: string): string | undefined => {
  const address = peer.trim().replace(/^ipv[46]:/, '')
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address)
  if (bracketed !== null) return isIP(bracketed[1] ?? '') === 6 ? bracketed[1] : undefined
  // The port comes first: `fe80::1:5000` is itself a valid IPv6 address, but a peer string
  // always ends in the port when the socket has one.
  const withoutPort = address.replace(portSuffix, '')
  if (withoutPort !== address && isIP(withoutPort) !== 0) return withoutPort
  return isIP(address) !== 0 ? address : undefined
}
