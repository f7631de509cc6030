/**
 * deploy/compose.yaml cannot be run here (no container engine), so it is checked for what would
 * break `docker compose up`: missing mounted files or build context, and pieces that do not
 * point at each other (Prometheus's scrape target, Grafana's data source, driber's ports).
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { projectRoot } from '../../src/config.js'

const deploy = path.join(projectRoot, 'deploy')
interface ComposeService {
  build?: { context: string; dockerfile: string }
  image: string
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  read_only?: boolean
  depends_on?: string[]
}
const compose = parseYaml(readFileSync(path.join(deploy, 'compose.yaml'), 'utf8')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> }

t.test('driber, Prometheus and Grafana run together', async (t) => {
  t.same(Object.keys(compose.services).sort(), ['driber', 'grafana', 'prometheus'])
  for (const [name, service] of Object.entries(compose.services)) {
    t.notMatch(service.image, /:latest$/, `${name} pins its image`)
  }
})

t.test('driber builds from the repository Dockerfile and publishes its ports', async (t) => {
  const driber = compose.services.driber as ComposeService
  const context = path.resolve(deploy, driber.build?.context ?? '')
  t.equal(context, projectRoot)
  t.ok(existsSync(path.join(context, driber.build?.dockerfile ?? '')), 'the Dockerfile exists')
  const exposed = readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8').match(/^EXPOSE (.+)$/m)?.[1]?.split(/\s+/) ?? []
  const published = (driber.ports ?? []).map((mapping) => mapping.split(':').at(-1))
  t.same([...published].sort(), [...exposed].sort(), 'every exposed port is published')
  t.equal(driber.read_only, true, 'read-only like in Kubernetes')
})

t.test('every mounted file exists', async (t) => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const volume of service.volumes ?? []) {
      const [source = ''] = volume.split(':')
      if (!source.startsWith('.')) {
        t.ok(source in compose.volumes, `${name}: named volume ${source} is declared`)
        continue
      }
      t.ok(existsSync(path.resolve(deploy, source)), `${name}: ${source} exists`)
    }
  }
})

t.test('the pieces point at each other', async (t) => {
  const driber = compose.services.driber as ComposeService
  const scrape = parseYaml(readFileSync(path.join(deploy, 'prometheus', 'prometheus.yml'), 'utf8')) as {
    rule_files: string[]
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>
  }
  const job = scrape.scrape_configs.find((config) => config.job_name === 'driber')
  t.same(job?.static_configs[0]?.targets, [`driber:${driber.environment?.DRIBER_METRICS_PORT}`], 'Prometheus scrapes the driber service on its metrics port')

  const prometheus = compose.services.prometheus as ComposeService
  const mountedRules = (prometheus.volumes ?? []).map((volume) => volume.split(':')[1])
  for (const file of scrape.rule_files) t.ok(mountedRules.includes(`/etc/prometheus/${file}`), `${file} is mounted next to prometheus.yml`)

  const datasources = parseYaml(readFileSync(path.join(deploy, 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8')) as { datasources: Array<{ url: string }> }
  const publishedPrometheus = prometheus.ports?.[0]?.split(':').at(-1)
  t.equal(datasources.datasources[0]?.url, `http://prometheus:${publishedPrometheus}`, 'Grafana reads the prometheus service')

  const providers = parseYaml(readFileSync(path.join(deploy, 'grafana', 'provisioning', 'dashboards', 'driber.yaml'), 'utf8')) as { providers: Array<{ options: { path: string } }> }
  const grafana = compose.services.grafana as ComposeService
  t.ok(
    (grafana.volumes ?? []).some((volume) => volume.split(':')[1]?.startsWith(`${providers.providers[0]?.options.path}/`) && volume.includes('driber-dashboard.json')),
    'the dashboard is mounted where the provider loads dashboards',
  )
})
