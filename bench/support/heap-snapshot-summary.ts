/**
 * A V8 heap snapshot (`.heapsnapshot`, as written by `--heapsnapshot-signal` or
 * `v8.writeHeapSnapshot`) grouped by what each node is: its type and constructor or string kind,
 * with counts and self sizes. Snapshots hold only what is reachable, so this is live memory.
 */
import { readFileSync } from 'node:fs'

export interface HeapSummary {
  totalBytes: number
  byKind: Map<string, { count: number; bytes: number }>
}

interface SnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

export const heapSnapshotSummary = (file: string): HeapSummary => {
  const data = JSON.parse(readFileSync(file, 'utf8')) as SnapshotFile
  const fields = data.snapshot.meta.node_fields
  const types = data.snapshot.meta.node_types[0]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const byKind = new Map<string, { count: number; bytes: number }>()
  let totalBytes = 0
  for (let offset = 0; offset < data.nodes.length; offset += width) {
    const type = types[data.nodes[offset + typeAt] as number] as string
    const bytes = data.nodes[offset + sizeAt] as number
    totalBytes += bytes
    // Strings and code are grouped by type alone: their names are their contents.
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' || type === 'object shape'
    const kind = named ? `${type}: ${(data.strings[data.nodes[offset + nameAt] as number] as string).slice(0, 60)}` : type
    const entry = byKind.get(kind)
    if (entry === undefined) byKind.set(kind, { count: 1, bytes })
    else {
      entry.count++
      entry.bytes += bytes
    }
  }
  return { totalBytes, byKind }
}
