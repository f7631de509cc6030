/**
 * Counters, gauges and histograms for the per-request hot path. prom-client's own metrics hash
 * the label object on every observation (an object and a string per sample, even through
 * `labels()`); these keep one child per label combination, created once, whose `observe` / `inc`
 * touch only numbers. They register in a prom-client `Registry` through its `registerMetric`
 * extension point and export the same shape prom-client's metrics do (`get()`), so exposition,
 * `getSingleMetric` and `resetMetrics` work as for any other metric.
 */
import type { Registry } from 'prom-client'

type MetricType = 'counter' | 'gauge' | 'histogram'

interface ExportedValue {
  labels: Record<string, string | number>
  value: number
  metricName?: string
  exemplar?: null
}

interface ExportedMetric {
  name: string
  help: string
  type: MetricType
  values: ExportedValue[]
  aggregator: 'sum'
}

const labelsOf = (names: readonly string[], values: readonly string[]): Record<string, string> => {
  const labels: Record<string, string> = {}
  names.forEach((name, index) => {
    labels[name] = values[index] ?? ''
  })
  return labels
}

/** What all three kinds share: a name, help, label names and the children made so far. */
abstract class LabelledMetric<Child extends { labels: Record<string, string> }> {
  protected readonly children: Child[] = []

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly type: MetricType,
    registry: Registry,
  ) {
    // prom-client's registry only needs `name`, `get()` and `reset()` from a metric.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  /** A new child for these label values, in the exposition (at zero) from now on. Call once per combination and keep it. */
  child(values: readonly string[]): Child {
    const child = this.makeChild(labelsOf(this.labelNames, values))
    this.children.push(child)
    return child
  }

  protected abstract makeChild(labels: Record<string, string>): Child
  protected abstract export(): ExportedValue[]
  abstract reset(): void

  /** The prom-client metric shape the registry formats. */
  async get(): Promise<ExportedMetric> {
    return { name: this.name, help: this.help, type: this.type, values: this.export(), aggregator: 'sum' }
  }
}

export class CounterChild {
  value = 0
  constructor(readonly labels: Record<string, string>) {}
  inc(amount = 1): void {
    // Counters only go up; a bad amount is dropped rather than thrown into a request.
    if (amount > 0 && Number.isFinite(amount)) this.value += amount
  }
}

export class LabelledCounter extends LabelledMetric<CounterChild> {
  constructor(options: { name: string; help: string; labelNames: readonly string[]; registry: Registry }) {
    super(options.name, options.help, options.labelNames, 'counter', options.registry)
  }
  protected makeChild(labels: Record<string, string>): CounterChild {
    return new CounterChild(labels)
  }
  protected export(): ExportedValue[] {
    return this.children.map((child) => ({ labels: child.labels, value: child.value }))
  }
  reset(): void {
    for (const child of this.children) child.value = 0
  }
}

export class GaugeChild {
  value = 0
  constructor(readonly labels: Record<string, string>) {}
  inc(amount = 1): void {
    this.value += amount
  }
  dec(amount = 1): void {
    this.value -= amount
  }
  set(value: number): void {
    this.value = value
  }
}

export class LabelledGauge extends LabelledMetric<GaugeChild> {
  constructor(options: { name: string; help: string; labelNames: readonly string[]; registry: Registry }) {
    super(options.name, options.help, options.labelNames, 'gauge', options.registry)
  }
  protected makeChild(labels: Record<string, string>): GaugeChild {
    return new GaugeChild(labels)
  }
  protected export(): ExportedValue[] {
    return this.children.map((child) => ({ labels: child.labels, value: child.value }))
  }
  reset(): void {
    for (const child of this.children) child.value = 0
  }
}

export class HistogramChild {
  /** Per-bucket counts, not cumulative; the last slot is above the highest bound (+Inf). */
  readonly counts: Float64Array
  sum = 0
  count = 0

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe(value: number): void {
    // A NaN or infinite sample would poison sum forever; observability must not throw either.
    if (!Number.isFinite(value)) return
    const bounds = this.bounds
    // Buckets are few (at most ~20) and most samples land low: a linear scan beats bisection here.
    let index = 0
    while (index < bounds.length && value > (bounds[index] as number)) index++
    this.counts[index] = (this.counts[index] as number) + 1
    this.sum += value
    this.count++
  }
}

export class LabelledHistogram extends LabelledMetric<HistogramChild> {
  readonly buckets: readonly number[]

  constructor(options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registry: Registry }) {
    super(options.name, options.help, options.labelNames, 'histogram', options.registry)
    this.buckets = [...options.buckets].sort((left, right) => left - right)
  }
  protected makeChild(labels: Record<string, string>): HistogramChild {
    return new HistogramChild(labels, this.buckets)
  }
  protected export(): ExportedValue[] {
    const values: ExportedValue[] = []
    for (const child of this.children) {
      let cumulative = 0
      this.buckets.forEach((bound, index) => {
        cumulative += child.counts[index] as number
        // `le` first and `exemplar: null`, as prom-client's own histograms export them.
        values.push({ labels: { le: bound, ...child.labels }, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null })
      })
      values.push({ labels: { le: '+Inf', ...child.labels }, value: child.count, metricName: `${this.name}_bucket`, exemplar: null })
      values.push({ labels: child.labels, value: child.sum, metricName: `${this.name}_sum` })
      values.push({ labels: child.labels, value: child.count, metricName: `${this.name}_count` })
    }
    return values
  }
  reset(): void {
    for (const child of this.children) {
      child.counts.fill(0)
      child.sum = 0
      child.count = 0
    }
  }
}
