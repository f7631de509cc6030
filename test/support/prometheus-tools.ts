/**
 * Finding and running Prometheus's own tools (`promtool`, `prometheus`) in tests. They come from
 * Debian's `prometheus` package, installed by `scripts/setup-system.sh` (which `.ci/run` calls);
 * a developer who has not run it gets the tests skipped with a reason instead of failures.
 */
import { execFile, spawnSync } from 'node:child_process'

/** The path of `name` on PATH, or undefined. */
export const findTool = (name: string): string | undefined => {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  const found = result.stdout.trim()
  return result.status === 0 && found !== '' ? found : undefined
}

/** The skip option for tap: false when the tool exists, else why the test cannot run. */
export const skipUnless = (name: string): false | string =>
  findTool(name) === undefined ? `${name} not found: run scripts/setup-system.sh (installs Debian's prometheus package)` : false

export interface ToolResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a tool to completion, feeding `input` on stdin; never rejects on a non-zero exit. */
export const runTool = (file: string, args: readonly string[], input?: string): Promise<ToolResult> =>
  new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error)
        return
      }
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
    child.stdin?.end(input ?? '')
  })

/** Prefixes of the metric families driber exposes (its own, the HTTP/gRPC/GenAI conventions, Node's). */
const METRIC_PREFIXES = /(?<![\w:])(?:driber_|http_server_|grpc_server_|gen_ai_|nodejs_|process_)[a-zA-Z0-9_]*(?![\w:])/g

/** Metric names (with the series suffixes of histograms) found in a text exposition. */
export const metricNamesOf = (exposition: string): Set<string> => {
  const names = new Set<string>()
  for (const line of exposition.split('\n')) {
    const match = line.match(/^# TYPE (\S+) (\w+)/)
    if (match === null) continue
    const [, name = '', type] = match
    names.add(name)
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`)
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`)
  }
  return names
}

/** The names of driber-style metrics an expression (PromQL) refers to. */
export const metricsReferencedBy = (expression: string): string[] => {
  // Label names look like metric names: drop strings, matchers and grouping clauses first.
  const withoutLabels = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
  return [...new Set(withoutLabels.match(METRIC_PREFIXES) ?? [])]
}
