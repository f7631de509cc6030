/** The contract machinery behind `npm run generate` and the drift check in `npm test`. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { ErrorCatalog } from '../../src/errors.js'
import {
  CLIENT_TYPES_FILE,
  clientTypesGenerator,
  contractGenerators,
  errorTable,
  firstDifference,
  fromDirectoryWriter,
  openApiGenerator,
  readmeErrorsGenerator,
  repositoryRoot,
  stableJson,
} from '../../scripts/contract-generators.js'

t.test('stableJson sorts keys at every level, keeps array order and ends with a newline', async (t) => {
  const text = stableJson({ b: 1, a: { d: [3, 1], c: null } })
  t.equal(text, '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      1\n    ]\n  },\n  "b": 1\n}\n')
  t.equal(stableJson({ y: 1, x: 2 }), stableJson({ x: 2, y: 1 }), 'insertion order does not matter')
})

t.test('firstDifference points at the first differing line', async (t) => {
  t.equal(firstDifference('a\nb\n', 'a\nb\n'), undefined)
  const report = firstDifference('a\nb\nc\n', 'a\nB\nc\n') ?? ''
  t.match(report, 'line 2')
  t.match(report, '- committed: b')
  t.match(report, '+ generated: B')
  t.match(firstDifference('a', 'a\nmore') ?? '', '(end of file)')
})

t.test('the committed OpenAPI document is what the route schemas produce now', async (t) => {
  const [file] = await openApiGenerator.generate()
  t.equal(file?.path, 'openapi/driber.v1.json')
  t.equal(readFileSync(path.join(repositoryRoot, 'openapi/driber.v1.json'), 'utf8'), file?.content)
  const document = JSON.parse(file?.content ?? '{}') as { openapi: string; paths: Record<string, unknown> }
  t.equal(document.openapi, '3.1.0')
  t.same(Object.keys(document.paths).sort(), ['/healthz', '/readyz', '/v1/decide', '/v1/describe', '/v1/images/{index}/{id}', '/v1/models', '/v1/retrieve', '/v1/share'])
})

t.test('the committed client types are what openapi-typescript makes of the committed document', async (t) => {
  const [file] = await clientTypesGenerator.generate()
  t.equal(file?.path, CLIENT_TYPES_FILE)
  t.equal(readFileSync(path.join(repositoryRoot, CLIENT_TYPES_FILE), 'utf8'), file?.content)
  for (const operation of ['decide', 'describe', 'retrieve', 'share', 'listModels', 'getImage']) t.match(file?.content, `    ${operation}: {`, operation)
  t.match(file?.content, '"DRIBER_IMAGE_NOT_FOUND"', 'error codes are a union type, from the catalog')
  const order = contractGenerators.map((generator) => generator.name)
  t.ok(order.indexOf(openApiGenerator.name) < order.indexOf(clientTypesGenerator.name), 'generated after the document it reads')
})

t.test('the README error table has one row per catalog entry and is current', async (t) => {
  const rows = errorTable().split('\n').slice(2)
  t.equal(rows.length, Object.keys(ErrorCatalog).length)
  const [readme] = await readmeErrorsGenerator.generate()
  t.equal(readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8'), readme?.content)
})

t.test('fromDirectoryWriter reads back every file a writer produced under its outputs', async (t) => {
  const generator = fromDirectoryWriter({
    name: 'example',
    outputs: ['out'],
    generate(root) {
      mkdirSync(path.join(root, 'out', 'nested'), { recursive: true })
      writeFileSync(path.join(root, 'out', 'a.txt'), 'A')
      writeFileSync(path.join(root, 'out', 'nested', 'b.txt'), 'B')
      writeFileSync(path.join(root, 'elsewhere.txt'), 'not owned')
    },
  })
  t.same(await generator.generate(), [
    { path: 'out/a.txt', content: 'A' },
    { path: 'out/nested/b.txt', content: 'B' },
  ])
})

t.test('every generator names its outputs', async (t) => {
  for (const generator of contractGenerators) t.ok(generator.outputs.length > 0, generator.name)
})
