/**
 * The Prometheus rules and scrape config, checked by Prometheus's own `promtool`: syntax and
 * PromQL (`check rules`, `check config`) and the alerts' behaviour (`test rules` runs
 * driber-rules.test.yml). Also keeps the rules honest against the code: every metric they query
 * is one driber exposes, every alert has a unit test and a runbook entry in the README.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { projectRoot } from '../../src/config.js'
import { createMetrics } from '../../src/observability/metrics.js'
import { metricNamesOf, metricsReferencedBy, runTool, skipUnless } from '../support/prometheus-tools.js'

const directory = path.join(projectRoot, 'deploy', 'prometheus')
const rulesFile = path.join(directory, 'driber-rules.yml')

interface Rule {
  record?: string
  alert?: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
const groups = (parseYaml(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups
const rules = groups.flatMap((group) => group.rules)
const alerts = rules.filter((rule) => rule.alert !== undefined)

/** Every YAML file in deploy/prometheus that holds rule groups. */
const ruleFiles = readdirSync(directory)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => path.join(directory, name))
  .filter((file) => {
    const data = parseYaml(readFileSync(file, 'utf8')) as unknown
    return typeof data === 'object' && data !== null && 'groups' in data
  })

t.test('promtool check rules accepts every rules file', { skip: skipUnless('promtool') }, async (t) => {
  t.ok(ruleFiles.length >= 1)
  for (const file of ruleFiles) {
    const result = await runTool('promtool', ['check', 'rules', file])
    t.equal(result.code, 0, `${path.basename(file)}: ${result.stdout}${result.stderr}`)
  }
})

t.test('promtool check config accepts the scrape config (and the rules it loads)', { skip: skipUnless('promtool') }, async (t) => {
  const result = await runTool('promtool', ['check', 'config', path.join(directory, 'prometheus.yml')])
  t.equal(result.code, 0, `${result.stdout}${result.stderr}`)
})

t.test('promtool test rules: the alert unit tests pass', { skip: skipUnless('promtool') }, async (t) => {
  const result = await runTool('promtool', ['test', 'rules', path.join(directory, 'driber-rules.test.yml')])
  t.equal(result.code, 0, `${result.stdout}${result.stderr}`)
  t.match(result.stdout, /SUCCESS/)
})

t.test('the alerts the operators asked for exist, with severity and text', async (t) => {
  const names = alerts.map((alert) => alert.alert)
  for (const required of ['DriberHighParseFailureRatio', 'DriberStageLatencyHigh', 'DriberUpstreamErrorRateHigh', 'DriberFallbacksSurging', 'DriberNoHealthyModel', 'DriberTargetDown']) {
    t.ok(names.includes(required), `${required} is defined`)
  }
  for (const alert of alerts) {
    t.match(alert.labels?.severity, /^(critical|warning)$/, `${alert.alert} has a severity`)
    t.ok(alert.annotations?.summary && alert.annotations.description, `${alert.alert} has a summary and a description`)
    t.ok(alert.for, `${alert.alert} waits before firing`)
  }
})

t.test('every alert has a unit test and a runbook entry', async (t) => {
  const tests = parseYaml(readFileSync(path.join(directory, 'driber-rules.test.yml'), 'utf8')) as {
    tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>
  }
  const firing = new Set(tests.tests.flatMap((test) => test.alert_rule_test ?? []).filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname))
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
  const operations = readme.slice(readme.indexOf('## Operations'))
  for (const alert of alerts) {
    t.ok(firing.has(alert.alert ?? ''), `${alert.alert} is tested firing`)
    t.match(operations, new RegExp(`\\b${alert.alert}\\b`), `${alert.alert} is explained in README "Operations"`)
  }
})

t.test('rules only query metrics driber exposes', async (t) => {
  const exposed = metricNamesOf(await createMetrics().render())
  const recorded = new Set(rules.map((rule) => rule.record).filter((name): name is string => name !== undefined))
  for (const rule of rules) {
    for (const name of metricsReferencedBy(rule.expr)) t.ok(exposed.has(name), `${rule.record ?? rule.alert} queries ${name}, which driber exposes`)
    for (const name of rule.expr.match(/\bdriber:[a-z0-9_:]+/g) ?? []) t.ok(recorded.has(name), `${rule.record ?? rule.alert} uses recording rule ${name}, which is defined`)
  }
})
