/**
 * The one set of `@grpc/proto-loader` options. The runtime loads the proto with them and the
 * type generator turns them into `proto-loader-gen-types` flags, so the committed types in
 * `generated/` describe exactly the objects handlers receive and send.
 */
import path from 'node:path'
import type { Options } from '@grpc/proto-loader'
import { projectRoot } from '../config.js'

/** Where `.proto` sources live; imports inside them resolve from here. */
export const protoRoot: string = path.join(projectRoot, 'proto')

/** The service's proto, relative to `protoRoot`. */
export const driberProtoFile = 'driber/v1/driber.proto'

/** Fully qualified service name, as health checking and reflection name it. */
export const imageSharingServiceName = 'driber.v1.ImageSharing'

/**
 * keepCase: wire names stay snake_case, as in the HTTP bodies. longs: Number (no 64-bit fields
 * today; numbers if some appear). enums: String (names, not numbers). defaults: absent scalars
 * read as their zero value, absent messages as null, `optional` fields stay absent. oneofs: a
 * virtual field names the member that is set.
 */
export const protoLoaderOptions = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies Options

/** The loader options plus the include path, as `loadSync` wants them. */
export const runtimeLoaderOptions = (): Options => ({ ...protoLoaderOptions, includeDirs: [protoRoot] })

/** `proto-loader-gen-types` flags equivalent to `protoLoaderOptions` (the generator has no config file). */
export const generatorFlags = (): string[] => {
  const flags: string[] = []
  if (protoLoaderOptions.keepCase) flags.push('--keepCase')
  flags.push('--longs', protoLoaderOptions.longs.name)
  flags.push('--enums', protoLoaderOptions.enums.name)
  if (protoLoaderOptions.defaults) flags.push('--defaults')
  if (protoLoaderOptions.oneofs) flags.push('--oneofs')
  return flags
}
