/**
 * The Kubernetes manifests, validated offline against the Kubernetes API schemas bundled by
 * `kubernetes-models` (types, enums, required fields, formats), then checked for what running
 * driber needs: probes on the real health endpoints, non-root and read-only, a grace period longer
 * than the drain, selectors that match, the ConfigMap's registry and config accepted by driber's
 * own parsers, keys only by Secret reference. The schemas do not flag unknown fields (neither do
 * the published ones), so the shape checks below name the fields that matter.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import t from 'tap'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { parseConfigData, projectRoot } from '../../src/config.js'
import { parseRegistryYaml } from '../../src/registry/load-registry.js'

const directory = path.join(projectRoot, 'deploy', 'kubernetes')

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } } & Record<string, unknown>

const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
}

const files = readdirSync(directory).filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml')
const manifests: Array<{ file: string; manifest: Manifest }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(directory, file), 'utf8')).map((document) => ({ file, manifest: document.toJS() as Manifest })),
)
const find = (kind: string): Manifest => {
  const found = manifests.find((entry) => entry.manifest.kind === kind)?.manifest
  if (found === undefined) throw new Error(`no ${kind} manifest`)
  return found
}

interface Probe {
  httpGet?: { path: string; port: string | number }
  grpc?: { port: number; service?: string }
}
interface Container {
  name: string
  image: string
  ports: Array<{ name: string; containerPort: number }>
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>
  resources: { requests: Record<string, string>; limits: Record<string, string> }
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; runAsNonRoot?: boolean; capabilities: { drop: string[] } }
  livenessProbe: Probe
  readinessProbe: Probe
  startupProbe: Probe
  lifecycle: { preStop: { exec: { command: string[] } } }
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>
}
const deployment = find('Deployment') as Manifest & {
  spec: {
    selector: { matchLabels: Record<string, string> }
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> }
      spec: {
        terminationGracePeriodSeconds: number
        securityContext: { runAsNonRoot: boolean; runAsUser: number }
        containers: Container[]
        volumes: Array<{ name: string; configMap?: { name: string } }>
      }
    }
  }
}
const container = deployment.spec.template.spec.containers[0] as Container
const configMap = find('ConfigMap') as Manifest & { data: Record<string, string> }
const environment = new Map(container.env.map((variable) => [variable.name, variable]))

t.test('every manifest validates against the Kubernetes schemas', async (t) => {
  t.ok(manifests.length >= 7)
  for (const { file, manifest } of manifests) {
    const Model = models[`${manifest.apiVersion}/${manifest.kind}`]
    t.ok(Model, `${file}: ${manifest.apiVersion} ${manifest.kind} is a known kind`)
    if (Model !== undefined) t.doesNotThrow(() => new Model(manifest as never).validate(), `${file}: ${manifest.kind} ${manifest.metadata.name} is valid`)
  }
  // The validator is live: a wrong type is refused.
  const broken = structuredClone(deployment) as typeof deployment
  ;(broken.spec.template.spec.containers[0] as unknown as { ports: Array<{ containerPort: unknown }> }).ports[0]!.containerPort = 'eighty'
  t.throws(() => new Deployment(broken as never).validate(), 'a string port is rejected')
})

t.test('the kustomization lists every manifest', async (t) => {
  const kustomization = parseYaml(readFileSync(path.join(directory, 'kustomization.yaml'), 'utf8')) as { resources: string[]; namespace: string }
  t.same([...kustomization.resources].sort(), [...files].sort())
  t.equal(kustomization.namespace, find('Namespace').metadata.name)
})

t.test('probes use the health endpoints: readiness /readyz, liveness /healthz, start-up over gRPC health', async (t) => {
  const ports = new Map(container.ports.map((port) => [port.name, port.containerPort]))
  t.same(Object.fromEntries(ports), { http: 8080, grpc: 50051, metrics: 9464 })
  t.same(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' })
  t.same(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' })
  t.equal(container.startupProbe.grpc?.port, ports.get('grpc'), 'the gRPC health service gates start-up')
})

t.test('non-root, read-only, least privilege, with requests and limits', async (t) => {
  const pod = deployment.spec.template.spec
  t.equal(pod.securityContext.runAsNonRoot, true)
  t.not(pod.securityContext.runAsUser, 0)
  t.equal(pod.securityContext.runAsUser, 1000, 'the uid the Dockerfile runs as')
  t.equal(container.securityContext.readOnlyRootFilesystem, true)
  t.equal(container.securityContext.allowPrivilegeEscalation, false)
  t.same(container.securityContext.capabilities.drop, ['ALL'])
  for (const resource of ['cpu', 'memory']) {
    t.ok(container.resources.requests[resource], `${resource} requested`)
    t.ok(container.resources.limits[resource], `${resource} limited`)
  }
  t.ok(container.volumeMounts.some((mount) => mount.mountPath === '/tmp'), 'a writable /tmp on a read-only root')
})

t.test('shutdown: the grace period outlasts the preStop pause plus the drain', async (t) => {
  const config = parseConfigData(parseYaml(configMap.data['config.yaml'] ?? ''))
  const preStopMs = Number(container.lifecycle.preStop.exec.command.join(' ').match(/setTimeout\(\(\) => \{\}, (\d+)\)/)?.[1])
  t.ok(preStopMs > 0, 'the preStop pause is parsed')
  t.ok(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000 > preStopMs + config.deadlines.drainMs, 'SIGKILL comes after the drain')
})

t.test('the ConfigMap holds a registry and a config driber accepts, mounted where the env points', async (t) => {
  const secrets = (name: string): string | undefined => (environment.has(name) ? 'from-secret' : undefined)
  const registry = parseRegistryYaml(configMap.data['registry.yaml'] ?? '', { secrets })
  t.ok(registry.models.length >= 1)
  t.doesNotThrow(() => parseConfigData(parseYaml(configMap.data['config.yaml'] ?? '')))
  const mount = container.volumeMounts.find((candidate) => candidate.name === 'config')
  const volume = deployment.spec.template.spec.volumes.find((candidate) => candidate.name === 'config')
  t.equal(volume?.configMap?.name, configMap.metadata.name)
  t.equal(mount?.readOnly, true)
  t.equal(environment.get('DRIBER_REGISTRY')?.value, `${mount?.mountPath}/registry.yaml`)
  t.equal(environment.get('DRIBER_CONFIG')?.value, `${mount?.mountPath}/config.yaml`)
  t.equal(environment.get('DRIBER_HOST')?.value, '0.0.0.0')
  t.equal(environment.get('DRIBER_GRPC_HOST')?.value, '0.0.0.0')

  // Every key the registry names comes from a Secret, never from a literal value.
  for (const model of [...registry.models, ...registry.embedders]) {
    if (model.api_key_env === undefined) continue
    const variable = environment.get(model.api_key_env)
    t.ok(variable?.valueFrom?.secretKeyRef, `${model.api_key_env} is a Secret reference`)
    t.equal(variable?.value, undefined, `${model.api_key_env} has no literal value`)
  }
  t.notOk(manifests.some((entry) => entry.manifest.kind === 'Secret'), 'no Secret with values is committed')
})

t.test('Service, autoscaler and disruption budget point at the Deployment', async (t) => {
  const service = find('Service') as Manifest & { spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string }> } }
  const labels = deployment.spec.template.metadata.labels
  t.same(deployment.spec.selector.matchLabels, Object.fromEntries(Object.keys(deployment.spec.selector.matchLabels).map((key) => [key, labels[key]])), 'the selector matches the pod labels')
  for (const [key, value] of Object.entries(service.spec.selector)) t.equal(labels[key], value, `service selector ${key}`)
  t.same(service.spec.ports.map((port) => [port.name, port.port, port.targetPort]), [['http', 8080, 'http'], ['grpc', 50051, 'grpc'], ['metrics', 9464, 'metrics']])
  const containerPorts = new Set(container.ports.map((port) => port.name))
  for (const port of service.spec.ports) t.ok(containerPorts.has(port.targetPort), `${port.name} targets a named container port`)

  const autoscaler = find('HorizontalPodAutoscaler') as Manifest & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } }
  t.same(autoscaler.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name })
  t.ok(autoscaler.spec.minReplicas >= 2, 'at least two replicas, so a disruption leaves one serving')
  const budget = find('PodDisruptionBudget') as Manifest & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }
  t.same(budget.spec.selector.matchLabels, deployment.spec.selector.matchLabels)
  t.ok(budget.spec.minAvailable < autoscaler.spec.minReplicas, 'the budget lets nodes drain')

  const annotations = deployment.spec.template.metadata.annotations
  t.equal(annotations['prometheus.io/port'], String(9464))
  t.equal(environment.get('DRIBER_METRICS_PORT')?.value, annotations['prometheus.io/port'], 'metrics are served where the scrape annotation points')
})
