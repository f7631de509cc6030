/**
 * The Grafana dashboard: well-formed, laid out on Grafana's 24-column grid, covering what SREs
 * asked to see, and every query is valid PromQL (promtool parses each one as a rule) over metrics
 * driber actually exposes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { stringify } from 'yaml'
import { projectRoot } from '../../src/config.js'
import { createMetrics } from '../../src/observability/metrics.js'
import { metricNamesOf, metricsReferencedBy, runTool, skipUnless } from '../support/prometheus-tools.js'

interface Panel {
  id: number
  type: string
  title: string
  gridPos: { x: number; y: number; w: number; h: number }
  datasource?: { type: string; uid: string }
  targets?: Array<{ expr: string; refId: string }>
}
const dashboard = JSON.parse(readFileSync(path.join(projectRoot, 'deploy', 'grafana', 'driber-dashboard.json'), 'utf8')) as {
  uid: string
  title: string
  panels: Panel[]
  templating: { list: Array<{ name: string }> }
}
const panels = dashboard.panels.filter((panel) => panel.type !== 'row')
const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })))

/** The dashboard's variables replaced by values Prometheus accepts, as Grafana does before querying. */
const asPromQL = (expr: string): string => expr.replace(/\$__rate_interval/g, '5m').replace(/\$(job|instance)\b/g, '.*')

t.test('a well-formed dashboard with a stable uid and variables', async (t) => {
  t.equal(dashboard.uid, 'driber-overview')
  t.same(dashboard.templating.list.map((variable) => variable.name), ['datasource', 'job', 'instance'])
  const ids = dashboard.panels.map((panel) => panel.id)
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique')
  for (const panel of dashboard.panels) {
    t.ok(panel.gridPos.x >= 0 && panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the grid`)
  }
  for (const panel of panels) {
    t.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`)
    t.equal(panel.datasource?.uid, '${datasource}', `${panel.title} uses the datasource variable`)
  }
})

t.test('it shows what operators asked for', async (t) => {
  const all = queries.map((query) => query.expr).join('\n')
  const expectations: Array<[string, RegExp]> = [
    ['request rate', /rate\(http_server_request_duration_seconds_count/],
    ['errors', /http_response_status_code=~"\[45\]\.\."/],
    ['p50 per stage', /histogram_quantile\(0\.5, sum by \(le, stage\) \(rate\(driber_stage_duration_seconds_bucket/],
    ['p95 per stage', /histogram_quantile\(0\.95, sum by \(le, stage\) /],
    ['p99 per stage', /histogram_quantile\(0\.99, sum by \(le, stage\) /],
    ['p99 per stage and model', /histogram_quantile\(0\.99, sum by \(le, stage, model\)/],
    ['parse failures by reason', /sum by \(reason\) \(rate\(driber_parse_failures_total/],
    ['tokens', /gen_ai_client_token_usage_sum/],
    ['fallbacks', /driber_fallbacks_total/],
    ['cascade escalations', /driber_cascade_escalations_total/],
    ['answers by scale', /sum by \(stage, scale\) \(rate\(driber_stage_answers_total/],
    ['tokens by scale', /sum by \(scale, type\) \(rate\(driber_tokens_total/],
    ['breaker state', /driber_circuit_breaker_state/],
    ['overhead', /driber_overhead_seconds_bucket/],
    ['gRPC', /grpc_server_handled_total/],
  ]
  for (const [what, pattern] of expectations) t.match(all, pattern, `a panel shows ${what}`)
})

t.test('every query uses metrics driber exposes', async (t) => {
  const exposed = metricNamesOf(await createMetrics().render())
  for (const query of queries) {
    const names = metricsReferencedBy(query.expr)
    t.ok(names.length > 0, `${query.panel} queries a driber metric`)
    for (const name of names) t.ok(exposed.has(name), `${query.panel}: ${name} is exposed`)
  }
})

t.test('every query is valid PromQL (promtool parses them)', { skip: skipUnless('promtool') }, async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-dashboard-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'dashboard-queries.yml')
  const rules = queries.map((query, index) => ({ record: `dashboard:query_${index}`, expr: asPromQL(query.expr) }))
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }))
  const result = await runTool('promtool', ['check', 'rules', file])
  t.equal(result.code, 0, `${result.stdout}${result.stderr}`)
  t.match(result.stdout, new RegExp(`${rules.length} rules found`))
})
