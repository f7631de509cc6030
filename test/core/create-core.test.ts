import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import type { ModelList } from '../../src/core/driber-core.js'
import { indexSet, scriptedRouter } from '../support/scripted-chat-model.js'

const list: ModelList = {
  models: [
    { id: 'zeta', provider: 'openai', scale: 'large', output: 'json_schema', aliases: [], routes: [{ stage: 'decide', position: 0 }] },
    { id: 'alpha', provider: 'embedded', scale: 'tiny', output: 'json_object', aliases: ['lite'], routes: [] },
  ],
  embedders: [],
  aliases: { lite: 'alpha' },
  routes: { decide: ['zeta'] },
}

t.test('listModels is the registry view it was given; breakers start closed for every model', async (t) => {
  const core = createCore({ config: testConfig(), router: scriptedRouter([]), indexes: indexSet([]), models: { list: () => list } })
  t.equal(core.listModels(), list)
  t.same(core.breakerStates(), [
    { model: 'alpha', state: 'closed' },
    { model: 'zeta', state: 'closed' },
  ])
})

t.test('breaker states survive a registry view that fails', async (t) => {
  const core = createCore({
    config: testConfig(),
    router: scriptedRouter([]),
    indexes: indexSet([]),
    models: {
      list: () => {
        throw new Error('registry reloading')
      },
    },
  })
  t.same(core.breakerStates(), [])
})
