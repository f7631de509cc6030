import t from 'tap'
import { loadConfig } from '../src/config.js'
import { applyHeapGrowth } from '../src/heap-growth.js'

t.test('a growth percent becomes the V8 flag that bounds old-generation growth', async (t) => {
  const set: string[] = []
  t.equal(applyHeapGrowth(30, (flags) => set.push(flags)), '--heap-growing-percent=30')
  t.same(set, ['--heap-growing-percent=30'])
})

t.test('0 leaves V8 its own adaptive growth: no flag is set', async (t) => {
  const set: string[] = []
  t.equal(applyHeapGrowth(0, (flags) => set.push(flags)), undefined)
  t.same(set, [])
})

t.test('a value that is not a non-negative integer is refused before V8 sees it', async (t) => {
  const set: string[] = []
  for (const bad of [-1, 1.5, Number.NaN]) t.throws(() => applyHeapGrowth(bad, (flags) => set.push(flags)), RangeError)
  t.same(set, [])
})

t.test('the config bounds growth to 30% unless memory.heapGrowthPercent or DRIBER_HEAP_GROWTH_PERCENT says otherwise', async (t) => {
  t.equal(loadConfig({ env: {} }).memory.heapGrowthPercent, 30)
  t.equal(loadConfig({ env: { DRIBER_HEAP_GROWTH_PERCENT: '0' } }).memory.heapGrowthPercent, 0)
  t.equal(loadConfig({ env: { DRIBER_HEAP_GROWTH_PERCENT: '75' } }).memory.heapGrowthPercent, 75)
  for (const bad of ['-5', '301', 'lots']) {
    t.throws(() => loadConfig({ env: { DRIBER_HEAP_GROWTH_PERCENT: bad } }), { code: 'DRIBER_CONFIG_INVALID' }, `refuses ${bad}`)
  }
})
