/**
 * Retrieval timings: wraps the app's image indexes so every search is timed per index, without
 * the retrieval code knowing about metrics. Proxies forward every other member untouched (the
 * retrieval implementation may have more than the interface names, such as `close`).
 */
import type { ImageIndex, ImageIndexes } from '../retrieval/image-index.js'
import type { Metrics } from './metrics.js'

/** Reads `property` off `target`, binding methods to it so private fields keep working behind the proxy. */
const forward = (target: object, property: string | symbol): unknown => {
  const value: unknown = Reflect.get(target, property, target)
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
}

const instrumentIndex = (index: ImageIndex, metrics: Metrics): ImageIndex => {
  const search: ImageIndex['search'] = async (descriptions, options) => {
    const startedAt = process.hrtime.bigint()
    let outcome: 'ok' | 'error' = 'error'
    try {
      const results = await index.search(descriptions, options)
      outcome = 'ok'
      return results
    } finally {
      metrics.observeRetrieval(index.name, outcome, Number(process.hrtime.bigint() - startedAt) / 1e9)
    }
  }
  return new Proxy(index, { get: (target, property) => (property === 'search' ? search : forward(target, property)) })
}

/** `indexes` with every search recorded on `driber_retrieval_search_duration_seconds`. */
export const instrumentImageIndexes = (indexes: ImageIndexes, metrics: Metrics): ImageIndexes => {
  // One wrapper per index, made on first use and kept: no allocation per request.
  const wrapped = new WeakMap<ImageIndex, ImageIndex>()
  const get: ImageIndexes['get'] = (name) => {
    const index = indexes.get(name)
    let instrumented = wrapped.get(index)
    if (instrumented === undefined) {
      instrumented = instrumentIndex(index, metrics)
      wrapped.set(index, instrumented)
    }
    return instrumented
  }
  return new Proxy(indexes, { get: (target, property) => (property === 'get' ? get : forward(target, property)) })
}
