/**
 * Loads `proto/driber/v1/driber.proto` once with the shared loader options. The server, the
 * reflection service and the clients (`driber call`, tests) all use this one definition, so
 * they agree with each other and with the committed generated types.
 */
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { protoPath as healthProtoPath } from 'grpc-health-check'
import path from 'node:path'
import type { ProtoGrpcType } from './generated/driber.js'
import type { ImageSharingDefinition } from './generated/driber/v1/ImageSharing.js'
import { driberProtoFile, protoRoot, runtimeLoaderOptions } from './proto-loader-options.js'

export interface DriberProtoPackage {
  /** driber.proto plus grpc.health.v1, so reflection lists the health service too. */
  readonly packageDefinition: protoLoader.PackageDefinition
  readonly grpcObject: ProtoGrpcType
  readonly imageSharingService: ImageSharingDefinition
}

let cached: DriberProtoPackage | undefined

/** Parses the protos on first use (a few milliseconds) and shares the result afterwards. */
export const loadDriberProto = (): DriberProtoPackage => {
  if (cached !== undefined) return cached
  // Relative names resolved through includeDirs keep this machine's paths out of the file
  // descriptors that reflection serves.
  const healthProtoRoot = path.resolve(path.dirname(healthProtoPath), '..', '..')
  const packageDefinition = protoLoader.loadSync([driberProtoFile, path.relative(healthProtoRoot, healthProtoPath)], {
    ...runtimeLoaderOptions(),
    includeDirs: [protoRoot, healthProtoRoot],
  })
  const grpcObject = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType
  cached = { packageDefinition, grpcObject, imageSharingService: grpcObject.driber.v1.ImageSharing.service }
  return cached
}
