/**
 * Contract generator for the gRPC types: runs `proto-loader-gen-types` over `proto/` with the
 * flags derived from the runtime's loader options (`src/grpc/proto-loader-options.ts`), so the
 * committed `src/grpc/generated/` always describes what the server actually receives and sends.
 */
import { execFileSync } from 'node:child_process'
import { rmSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { projectRoot } from '../src/config.js'
import { driberProtoFile, generatorFlags } from '../src/grpc/proto-loader-options.js'

/** Where the generated types are committed, relative to the project root. */
export const grpcGeneratedDirectory = 'src/grpc/generated'

const generatorBin = (): string => {
  const require = createRequire(import.meta.url)
  return path.join(path.dirname(require.resolve('@grpc/proto-loader/package.json')), 'build', 'bin', 'proto-loader-gen-types.js')
}

/**
 * Writes the generated types under `outputRoot` (the project root to regenerate in place, a
 * temporary directory to check for drift), replacing whatever was there.
 */
export const generateGrpcTypes = (outputRoot: string): void => {
  const outDir = path.join(outputRoot, grpcGeneratedDirectory)
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  // Paths relative to the project root keep the "Original file" comments machine-independent.
  execFileSync(
    process.execPath,
    [
      generatorBin(),
      ...generatorFlags(),
      '--includeComments',
      '--grpcLib',
      '@grpc/grpc-js',
      '--importFileExtension',
      '.js',
      '-I',
      'proto',
      '-O',
      outDir,
      driberProtoFile,
    ],
    { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  )
}

/** The entry for the contract generator list in `generate-contracts.ts` / `check-contracts.ts`. */
export const grpcTypesContract = {
  name: 'gRPC types (proto-loader-gen-types)',
  /** Paths (relative to the project root) the generator owns. */
  outputs: [grpcGeneratedDirectory],
  generate: generateGrpcTypes,
}
