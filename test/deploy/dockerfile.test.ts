/**
 * No container engine runs where tests run, so the Dockerfile is checked statically: linted with
 * dockerfile-utils (the validator behind VS Code's Dockerfile support, run on the dockerfile-ast
 * parse) with every rule at error level, then checked against what the image must do — multi-stage,
 * pinned bases, non-root, healthcheck, ports, config — and against the repository, so a COPY of a
 * missing or docker-ignored path, or a CMD pointing where the build does not write, fails here
 * instead of at `docker build`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Script } from 'node:vm'
import { DockerfileParser, ModifiableInstruction, type Instruction } from 'dockerfile-ast'
import { validate, ValidationSeverity } from 'dockerfile-utils'
import t from 'tap'
import { projectRoot } from '../../src/config.js'

/** semver (pinned dev dependency) ships no types; the three functions used here. */
const semver = createRequire(import.meta.url)('semver') as {
  major(version: string): number
  satisfies(version: string, range: string): boolean
  minVersion(range: string): { version: string } | null
}

const dockerfileText = readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8')
const dockerfile = DockerfileParser.parse(dockerfileText)
const instructions = dockerfile.getInstructions()

/** Instructions grouped by stage, in order. */
const stages: Array<{ name: string | null; image: string; instructions: Instruction[] }> = []
for (const instruction of instructions) {
  if (instruction.getKeyword() === 'FROM') {
    const from = dockerfile.getFROMs().find((candidate) => candidate.getRange().start.line === instruction.getRange().start.line)
    stages.push({ name: from?.getBuildStage() ?? null, image: from?.getImage() ?? '', instructions: [] })
  } else {
    stages.at(-1)?.instructions.push(instruction)
  }
}
const runtime = stages.at(-1)
const argumentsOf = (instruction: Instruction): string[] => instruction.getArguments().map((argument) => argument.getValue())
const ofKind = (stage: typeof runtime, keyword: string): Instruction[] => stage?.instructions.filter((instruction) => instruction.getKeyword() === keyword) ?? []

/** .dockerignore patterns as regular expressions (`**`, `*`, `?` and `!` exceptions, as Docker reads them). */
const ignoreRules = readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const negated = line.startsWith('!')
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '')
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?')
    return { negated, expression: new RegExp(`^${source}(?:/.*)?$`) }
  })
const ignored = (file: string): boolean =>
  ignoreRules.reduce((excluded, rule) => (rule.expression.test(file) ? !rule.negated : excluded), false)

t.test('dockerfile-utils finds no problem, with every rule as an error', async (t) => {
  const strict = {
    deprecatedMaintainer: ValidationSeverity.ERROR,
    directiveCasing: ValidationSeverity.ERROR,
    emptyContinuationLine: ValidationSeverity.ERROR,
    instructionCasing: ValidationSeverity.ERROR,
    instructionCmdMultiple: ValidationSeverity.ERROR,
    instructionEntrypointMultiple: ValidationSeverity.ERROR,
    instructionHealthcheckMultiple: ValidationSeverity.ERROR,
    instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
  }
  const problems = validate(dockerfileText, strict).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`)
  t.same(problems, [])
  // The linter is live: the same rules reject a broken file.
  t.ok(validate('from node:20\nMAINTAINER someone\nEXPOSE http\n', strict).length >= 3, 'the linter reports problems it should')
})

t.test('multi-stage: a build stage with dev dependencies and a slim runtime', async (t) => {
  t.ok(stages.length >= 2, 'at least two stages')
  const build = stages.find((stage) => stage.name === 'build')
  t.ok(build, 'a stage named build')
  t.ok(
    ofKind(build, 'RUN').some((run) => /\bnpm ci\b/.test(run.getRawArgumentsContent() ?? '') && !/--omit=dev|--production/.test(run.getRawArgumentsContent() ?? '')),
    'the build stage installs dev dependencies',
  )
  t.ok(ofKind(build, 'RUN').some((run) => /npm run build/.test(run.getRawArgumentsContent() ?? '')), 'the build stage compiles')
  t.ok(ofKind(build, 'RUN').some((run) => /npm prune --omit=dev/.test(run.getRawArgumentsContent() ?? '')), 'then prunes to production dependencies')
  t.match(runtime?.image, /^node:\$\{NODE_VERSION\}-bookworm-slim$/)
  const nodeVersion = dockerfile.getInitialARGs().find((arg) => arg.getProperty()?.getName() === 'NODE_VERSION')?.getProperty()?.getValue()
  t.match(nodeVersion, /^\d+\.\d+\.\d+$/, 'the base image is pinned to an exact Node release')
  for (const stage of stages) t.notMatch(stage.image, /:latest$|^[^:]+$/, `${stage.image} has an explicit tag`)
  t.same(ofKind(runtime, 'RUN'), [], 'the runtime stage runs nothing: it only copies built files')
})

t.test('the runtime runs as a non-root user, with a healthcheck, ports and config', async (t) => {
  const user = ofKind(runtime, 'USER').at(-1)
  t.ok(user, 'USER is set in the runtime stage')
  const [uid] = (user?.getArgumentsContent() ?? '').split(':')
  t.match(uid, /^\d+$/, 'numeric, so Kubernetes can verify runAsNonRoot')
  t.not(Number(uid), 0, 'not root')

  const healthcheck = dockerfile.getHEALTHCHECKs().at(-1)
  t.ok(healthcheck, 'HEALTHCHECK present')
  const command = (healthcheck?.getRawArgumentsContent() ?? '').replace(/\\\n/g, ' ')
  t.match(command, /\/healthz/)
  const json = command.slice(command.indexOf('['))
  const [binary, flag, code] = JSON.parse(json) as string[]
  t.equal(binary, 'node', 'the slim image has no curl: node does the probe')
  t.equal(flag, '-e')
  t.doesNotThrow(() => new Script(code ?? ''), 'the probe one-liner is valid JavaScript')

  const exposed = ofKind(runtime, 'EXPOSE').flatMap(argumentsOf)
  t.same(exposed.sort(), ['50051', '8080', '9464'])

  const environment = new Map(
    ofKind(runtime, 'ENV').flatMap((instruction) =>
      dockerfile.getENVs().filter((env) => env.getRange().start.line === instruction.getRange().start.line).flatMap((env) => env.getProperties().map((property) => [property.getName(), property.getValue()] as const)),
    ),
  )
  t.equal(environment.get('DRIBER_HOST'), '0.0.0.0', 'listens beyond loopback inside the container')
  t.equal(environment.get('DRIBER_GRPC_HOST'), '0.0.0.0')
  t.equal(environment.get('DRIBER_HTTP_PORT'), '8080')
  t.equal(environment.get('DRIBER_GRPC_PORT'), '50051')
  t.equal(environment.get('DRIBER_REGISTRY'), '/etc/driber/registry.yaml', 'the registry is a mountable file')
  t.ok(
    ofKind(runtime, 'COPY').some((copy) => argumentsOf(copy).at(-1) === '/etc/driber/registry.yaml'),
    'a default registry sits where a mount replaces it',
  )
})

t.test('every COPY from the build context exists and is not docker-ignored', async (t) => {
  const copies = stages.flatMap((stage) => ofKind(stage, 'COPY')).filter((copy) => copy instanceof ModifiableInstruction && !copy.getFlags().some((flag) => flag.getName() === 'from'))
  t.ok(copies.length > 0)
  for (const copy of copies) {
    const sources = argumentsOf(copy).slice(0, -1)
    for (const source of sources) {
      t.ok(existsSync(path.join(projectRoot, source)), `${source} exists`)
      t.notOk(ignored(source), `${source} is not excluded by .dockerignore`)
    }
  }
  t.ok(ignored('node_modules') && ignored('.git') && ignored('test/app.test.ts'), 'local installs, history and tests stay out of the context')
})

t.test('the build writes what the runtime copies and runs', async (t) => {
  const packageJson = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> }
  t.match(packageJson.scripts.build, /tsc -p tsconfig\.build\.json/, 'npm run build type-checks src/')
  t.match(packageJson.scripts.build, /npm run --silent bundle/, 'and bundles it')
  t.match(packageJson.scripts.bundle, /scripts\/bundle-dist\.ts/, 'with scripts/bundle-dist.ts')
  const { BUNDLE_ENTRIES } = (await import('../../scripts/bundle-dist.js')) as { BUNDLE_ENTRIES: Record<string, string> }
  const cmd = JSON.parse((dockerfile.getCMDs().at(-1)?.getRawArgumentsContent() ?? '[]').trim()) as string[]
  const entry = cmd.find((argument) => argument.endsWith('.js'))
  t.equal(entry, 'dist/server.js')
  t.equal(BUNDLE_ENTRIES.server, 'src/server.ts', 'src/server.ts is bundled to that file')
  t.match(readFileSync(path.join(projectRoot, 'src/server.ts'), 'utf8'), /isMain/, 'and starts the server when run directly')
  t.equal(packageJson.bin.driber, `dist/${Object.keys(BUNDLE_ENTRIES).find((name) => BUNDLE_ENTRIES[name] === 'src/cli/main.ts')}.js`, 'the driber bin is the bundled CLI')
  for (const source of Object.values(BUNDLE_ENTRIES)) t.ok(existsSync(path.join(projectRoot, source)), `${source} exists`)

  // Every script the build stage runs through npm must be copied into it before it runs.
  const build = stages.find((stage) => stage.name === 'build')
  const copied = ofKind(build, 'COPY').flatMap((copy) => argumentsOf(copy).slice(0, -1))
  const isCopied = (file: string): boolean => copied.some((source) => file === source || file.startsWith(`${source.replace(/\/+$/, '')}/`))
  t.ok(isCopied('scripts/bundle-dist.ts'), 'the bundle script is in the build stage')
  // The vocabulary conversion runs an npm script whose file is copied and whose function exists.
  const conversion = ofKind(build, 'RUN')
    .map((run) => run.getRawArgumentsContent() ?? '')
    .find((text) => /npm run (--silent )?embedded:prepare/.test(text))
  t.ok(conversion, 'the build converts the GloVe vocabulary (npm run embedded:prepare)')
  const prepareScript = /tsx (\S+\.ts)/.exec(packageJson.scripts['embedded:prepare'] ?? '')?.[1] ?? ''
  t.ok(isCopied(prepareScript), `${prepareScript} is in the build stage`)
  t.match(readFileSync(path.join(projectRoot, prepareScript), 'utf8'), /convertPackagedEmbeddings/, 'and converts the packaged embeddings')

  // npm ci runs the root package's lifecycle scripts before src/ is copied: none may need it.
  for (const name of ['preinstall', 'install', 'postinstall', 'prepare']) {
    const script = packageJson.scripts[name]
    if (script !== undefined) t.notMatch(script, /\b(src|scripts|test)\//, `${name} needs only package files`)
  }
})

t.test('the image\'s Node, package.json engines and every locked dependency agree on a supported LTS line', async (t) => {
  const nodeVersion = String(dockerfile.getInitialARGs().find((arg) => arg.getProperty()?.getName() === 'NODE_VERSION')?.getProperty()?.getValue())
  const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { engines: { node: string } }
  const lock = JSON.parse(readFileSync(path.join(projectRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: unknown }>
  }
  const major = semver.major(nodeVersion)
  t.equal(major % 2, 0, `Node ${major} is an LTS line (even major)`)
  t.ok(major > 20, 'not Node 20, which reached its end of life in April 2026')
  t.ok(semver.satisfies(nodeVersion, manifest.engines.node), `Node ${nodeVersion} satisfies engines ${manifest.engines.node}`)
  // npm ci in the build stage installs the dev dependencies too, so every locked package counts.
  const refusing = Object.entries(lock.packages)
    .filter(([name, entry]) => name !== '' && typeof (entry.engines as { node?: unknown } | undefined)?.node === 'string')
    .filter(([, entry]) => !semver.satisfies(nodeVersion, (entry.engines as { node: string }).node))
    .map(([name, entry]) => `${name}@${entry.version}: ${(entry.engines as { node: string }).node}`)
  t.same(refusing, [], `every dependency accepts Node ${nodeVersion}`)
  // The oldest Node engines allows must itself be accepted by every dependency (no install warnings there).
  const floor = semver.minVersion(manifest.engines.node)?.version ?? '0.0.0'
  const refusingFloor = Object.entries(lock.packages)
    .filter(([name, entry]) => name !== '' && typeof (entry.engines as { node?: unknown } | undefined)?.node === 'string')
    .filter(([, entry]) => !semver.satisfies(floor, (entry.engines as { node: string }).node))
    .map(([name]) => name)
  t.same(refusingFloor, [], `every dependency accepts the engines floor, Node ${floor}`)
})
