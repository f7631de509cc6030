/**
 * How the core sees the registry: a stage (and an optional model name from the request) turns
 * into an ordered list of ready-to-call models, primary first. The registry implements this.
 */
import type { ChatModel, Decoding, OutputMode } from '../providers/provider.js'
import type { Scale, Stage } from './types.js'

export interface RoutedModel {
  /** Registry id: what responses, logs and metric labels name. */
  readonly id: string
  readonly provider: string
  readonly scale: Scale
  readonly output: OutputMode
  readonly decoding: Decoding
  /** Per-attempt timeout. */
  readonly timeoutMs: number
  readonly maxConcurrency: number
  readonly maxQueue: number
  readonly chat: ChatModel
}

export interface ModelRouter {
  /**
   * The models to try for `stage`, in order. With `requested` (an id, alias or scale) the route is
   * narrowed to that choice. Throws `UNKNOWN_MODEL` listing the known ids, aliases and scales.
   */
  route(stage: Stage, requested?: string): readonly RoutedModel[]
  /**
   * The stage's cascade, when its route is one: model id -> the confidence that model's answer
   * needs to be accepted (below it, the next model of the route is asked). Only the default route
   * cascades; a request that names a model gets that model's answer as it is.
   */
  cascade?(stage: Stage): ReadonlyMap<string, number> | undefined
  /** In Share: when Decide escalated, Describe asks the model that answered Decide first. */
  readonly describeFollowsDecide?: boolean
}
