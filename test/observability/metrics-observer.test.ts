import t from 'tap'
import { createMetrics } from '../../src/observability/metrics.js'
import { createMetricsObserver } from '../../src/observability/metrics-observer.js'

const value = async (text: Promise<string>, line: RegExp): Promise<number | undefined> => {
  const match = (await text).match(line)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

t.test('core events become metrics', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  const observer = createMetricsObserver(metrics)
  observer.upstreamCall({ stage: 'decide', model: 'model-a', provider: 'openai', scale: 'small', durationSeconds: 0.5, usage: { input_tokens: 100, output_tokens: 20, total_tokens: 120 } })
  observer.upstreamCall({ stage: 'decide', model: 'model-a', provider: 'openai', scale: 'small', durationSeconds: 2, errorCode: 'DRIBER_UPSTREAM_UNAVAILABLE' })
  observer.parseFailure({ stage: 'decide', model: 'model-a', reason: 'refusal' })
  observer.retry({ stage: 'decide', model: 'model-a', errorCode: 'DRIBER_UPSTREAM_UNAVAILABLE' })
  observer.fallback({ stage: 'decide', from: 'model-a', to: 'model-b', reason: 'parse_failure' })
  observer.stageDone({ stage: 'decide', model: 'model-b', outcome: 'ok', durationSeconds: 3 })
  observer.stageDone({ stage: 'retrieve', model: 'photochat', outcome: 'error', durationSeconds: 0.01, errorCode: 'DRIBER_UNKNOWN_INDEX' })
  observer.decideConfidence({ model: 'model-b', share: true, confidence: 0.7 })
  observer.escalation({ stage: 'decide', from: 'model-a', to: 'model-b', reason: 'low_confidence' })
  observer.answered({ stage: 'decide', model: 'model-b', scale: 'large' })

  const text = metrics.render()
  t.equal(await value(text, /gen_ai_client_operation_duration_seconds_count\{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="model-a",error_type=""\} (\d+)/), 1)
  t.equal(await value(text, /gen_ai_client_operation_duration_seconds_count\{[^}]*error_type="DRIBER_UPSTREAM_UNAVAILABLE"\} (\d+)/), 1)
  t.equal(await value(text, /gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="input"\} (\d+)/), 100)
  t.equal(await value(text, /gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="output"\} (\d+)/), 20)
  t.equal(await value(text, /driber_parse_failures_total\{stage="decide",model="model-a",reason="refusal"\} (\d+)/), 1)
  t.equal(await value(text, /driber_retries_total\{stage="decide",model="model-a",error_code="DRIBER_UPSTREAM_UNAVAILABLE"\} (\d+)/), 1)
  t.equal(await value(text, /driber_fallbacks_total\{stage="decide",from="model-a",to="model-b",reason="parse_failure"\} (\d+)/), 1)
  t.equal(await value(text, /driber_cascade_escalations_total\{stage="decide",from="model-a",to="model-b",reason="low_confidence"\} (\d+)/), 1)
  t.equal(await value(text, /driber_stage_answers_total\{stage="decide",scale="large"\} (\d+)/), 1)
  t.equal(await value(text, /driber_tokens_total\{stage="decide",scale="small",type="input"\} (\d+)/), 100)
  t.equal(await value(text, /driber_tokens_total\{stage="decide",scale="small",type="output"\} (\d+)/), 20)
  t.equal(await value(text, /driber_stage_duration_seconds_sum\{stage="decide",model="model-b",outcome="ok"\} (\d+)/), 3)
  t.equal(await value(text, /driber_stage_duration_seconds_count\{stage="retrieve",model="photochat",outcome="error"\} (\d+)/), 1)
  t.equal(await value(text, /driber_decide_confidence_count\{model="model-b",decision="share"\} (\d+)/), 1)
  t.equal(await value(text, /gen_ai_client_token_usage_count\{[^}]*gen_ai_token_type="input"\} (\d+)/), 1, 'the failed call, without usage, records no tokens')
})

t.test('a failing metrics backend never throws into the core', async (t) => {
  const metrics = createMetrics({ collectDefault: false })
  const broken = { ...metrics, countParseFailure: () => { throw new Error('boom') } }
  const observer = createMetricsObserver(broken)
  t.doesNotThrow(() => observer.parseFailure({ stage: 'describe', model: 'model-a', reason: 'empty' }))
})
