import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { heapSnapshotSummary } from '../../../bench/support/heap-snapshot-summary.js'

/** The smallest file in V8's `.heapsnapshot` layout: node fields in the order V8 writes them, 7 per node. */
const snapshotFile = (t: { teardown(fn: () => void): void }, nodes: Array<[type: number, name: number, selfSize: number]>, strings: string[]): string => {
  const directory = mkdtempSync(path.join(tmpdir(), 'heap-summary-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'one.heapsnapshot')
  writeFileSync(
    file,
    JSON.stringify({
      snapshot: {
        meta: {
          node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
          node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'], 'string', 'number', 'number', 'number', 'number', 'number'],
        },
      },
      nodes: nodes.flatMap(([type, name, selfSize], index) => [type, name, index + 1, selfSize, 0, 0, 0]),
      edges: [],
      strings,
    }),
  )
  return file
}

t.test('objects group by constructor, strings by type alone, with counts and self sizes', async (t) => {
  const file = snapshotFile(
    t,
    [
      [3, 0, 100], // object Promise
      [3, 0, 60], // object Promise
      [3, 1, 40], // object Socket
      [2, 2, 500], // a string: grouped as "string", not by its text
      [2, 3, 20],
      [5, 4, 32], // closure onAbort
    ],
    ['Promise', 'Socket', 'a rendered prompt of some length', 'x', 'onAbort'],
  )
  const summary = heapSnapshotSummary(file)
  t.equal(summary.totalBytes, 752)
  t.same(summary.byKind.get('object: Promise'), { count: 2, bytes: 160 })
  t.same(summary.byKind.get('object: Socket'), { count: 1, bytes: 40 })
  t.same(summary.byKind.get('string'), { count: 2, bytes: 520 })
  t.same(summary.byKind.get('closure: onAbort'), { count: 1, bytes: 32 })
  t.equal(summary.byKind.size, 4)
})
