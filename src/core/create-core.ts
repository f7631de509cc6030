/**
 * Builds the transport-agnostic core from its collaborators. Policies (breakers, bulkheads, the
 * retry policy) are created here once and live as long as the core; requests allocate none.
 */
import type { Config, ConfigData } from '../config.js'
import type { ImageIndexes } from '../retrieval/image-index.js'
import type { BreakerState } from './circuit-breakers.js'
import { decideNext, decideRank } from './decide.js'
import { describe } from './describe.js'
import type { DriberCore, ModelList } from './driber-core.js'
import type { ModelRouter } from './model-router.js'
import { retrieve } from './retrieve.js'
import { share } from './share.js'
import { noopObserver, type StageObserver } from './stage-observer.js'
import { StageRunner } from './stage-runner.js'
import type { StageDependencies } from './stage-support.js'
import { checkInput, type CheckedOperation } from './input-checks.js'

export interface CreateCoreOptions {
  config: Config | ConfigData
  router: ModelRouter
  indexes: ImageIndexes
  models: { list(): ModelList }
  observer?: StageObserver
}

export type CoreWithBreakers = DriberCore & {
  /** Circuit-breaker state of every registry model (closed until it fails), for /readyz and the breaker gauge. */
  breakerStates(): Array<{ model: string; state: BreakerState }>
  /** The stage's input checks alone (see input-checks.ts): throws what the stage would, runs nothing. */
  checkInput(operation: CheckedOperation, input: Record<string, unknown>): void
}

/** An observer must never break a request: its exceptions are swallowed here, once, for every event. */
const guardObserver = (observer: StageObserver): StageObserver => {
  const guard =
    <E>(report: (event: E) => void) =>
    (event: E): void => {
      try {
        report.call(observer, event)
      } catch {
        // Observability is best effort by contract.
      }
    }
  return {
    upstreamCall: guard(observer.upstreamCall),
    parseFailure: guard(observer.parseFailure),
    retry: guard(observer.retry),
    fallback: guard(observer.fallback),
    escalation: guard(observer.escalation),
    answered: guard(observer.answered),
    stageDone: guard(observer.stageDone),
    decideConfidence: guard(observer.decideConfidence),
  }
}

/** The core every transport calls. */
export const createCore = (options: CreateCoreOptions): CoreWithBreakers => {
  const observer = guardObserver(options.observer ?? noopObserver)
  const runner = new StageRunner({
    router: options.router,
    observer,
    resilience: options.config.resilience,
    reasks: options.config.parsing.reasks,
  })
  const dependencies: StageDependencies = { limits: options.config.limits, runner, indexes: options.indexes, observer }
  return {
    decide: (input, context) => decideNext(dependencies, input, context),
    rank: (input, context) => decideRank(dependencies, input, context),
    describe: (input, context) => describe(dependencies, input, context),
    retrieve: (input, context) => retrieve(dependencies, input, context),
    share: (input, context) => share(dependencies, input, context),
    listModels: () => options.models.list(),
    checkInput: (operation, input) => checkInput(operation, input, options.config.limits),
    breakerStates: () => {
      let known: string[] = []
      try {
        known = options.models.list().models.map((model) => model.id)
      } catch {
        // The states of models already called are still worth reporting.
      }
      return runner.breakerStates(known)
    },
  }
}
