/**
 * The transport-agnostic service: what HTTP routes and gRPC handlers call. Each method validates
 * its input against the configured limits (throwing catalog errors before any model is called),
 * runs the stage and returns the wire-shaped result.
 */
import type { RequestContext } from './request-context.js'
import type {
  DecideInput,
  DecideNextResult,
  DecideRankResult,
  DescribeInput,
  DescribeResult,
  RetrieveInput,
  RetrieveResult,
  Scale,
  ShareInput,
  ShareResult,
} from './types.js'

export interface ModelInfo {
  id: string
  provider: string
  scale: Scale
  parameters?: number | string
  output: 'json_schema' | 'json_object' | 'text'
  aliases: string[]
  /** Where this model sits in each stage route; `min_confidence` when that route is a cascade and this model escalates below it. */
  routes: Array<{ stage: string; position: number; min_confidence?: number }>
  upstream_model?: string
  base_url?: string
}

export interface EmbedderInfo {
  id: string
  provider: string
  dimension?: number
  modalities: string[]
}

export interface ModelList {
  models: ModelInfo[]
  embedders: EmbedderInfo[]
  aliases: Record<string, string>
  routes: Record<string, string[]>
}

export interface DriberCore {
  decide(input: DecideInput, context: RequestContext): Promise<DecideNextResult>
  rank(input: DecideInput, context: RequestContext): Promise<DecideRankResult>
  describe(input: DescribeInput, context: RequestContext): Promise<DescribeResult>
  retrieve(input: RetrieveInput, context: RequestContext): Promise<RetrieveResult>
  share(input: ShareInput, context: RequestContext): Promise<ShareResult>
  /** The registry without secrets (no key values, no key variable names). */
  listModels(): ModelList
}
