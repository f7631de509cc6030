/** The README is the user's manual: every environment variable driber reads is in its configuration table. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../src/config.js'

t.test('every DRIBER_* variable src/config.ts reads is documented in the README', async (t) => {
  const source = readFileSync(path.join(projectRoot, 'src', 'config.ts'), 'utf8')
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
  const variables = [...new Set([...source.matchAll(/['"`](DRIBER_[A-Z0-9_]+)['"`]/g)].map((match) => match[1] as string))]
  t.ok(variables.includes('DRIBER_HTTP_PORT') && variables.includes('DRIBER_CONFIG'), 'the scan finds the variables')
  for (const variable of variables) t.match(readme, `\`${variable}\``, `${variable} is documented`)
})

t.test('the README documents the two commands and every endpoint', async (t) => {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
  t.match(readme, 'npm ci && npm start')
  t.match(readme, 'npm ci && npm test')
  for (const endpoint of ['/v1/decide', '/v1/describe', '/v1/retrieve', '/v1/share', '/v1/models', '/healthz', '/readyz', '/docs']) {
    t.match(readme, endpoint, endpoint)
  }
})

t.test('the registry section names every field a model, an embedder and the routes require', async (t) => {
  const { ModelEntrySchema, EmbedderEntrySchema, RegistrySchema } = await import('../src/registry/registry-schema.js')
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## The model registry'), readme.indexOf('\n## ', readme.indexOf('## The model registry') + 1))
  const sentence = /[^.]*every model needs[^.]*\./.exec(section)?.[0] ?? ''
  t.ok(sentence !== '', 'the section says what is required')
  // Fields with a default are filled in, so only those without one must be written.
  const mustWrite = (schema: { required?: string[]; properties: Record<string, { default?: unknown }> }) =>
    (schema.required ?? []).filter((name) => schema.properties[name]?.default === undefined)
  for (const field of mustWrite(ModelEntrySchema as never)) t.match(sentence, new RegExp(`every model needs[^;]*\`${field}\``), `model field ${field}`)
  for (const field of mustWrite(EmbedderEntrySchema as never)) t.match(sentence, new RegExp(`every embedder[^;]*\`${field}\``), `embedder field ${field}`)
  const routes = (RegistrySchema as unknown as { properties: { routes: { required?: string[] } } }).properties.routes.required ?? []
  for (const stage of routes) t.match(sentence, new RegExp(`\`routes\` needs[^;.]*\`${stage}\``), `route ${stage}`)
})
