// Original file: proto/driber/v1/driber.proto

import type { ModelInfo as _driber_v1_ModelInfo, ModelInfo__Output as _driber_v1_ModelInfo__Output } from '../../driber/v1/ModelInfo.js';
import type { EmbedderInfo as _driber_v1_EmbedderInfo, EmbedderInfo__Output as _driber_v1_EmbedderInfo__Output } from '../../driber/v1/EmbedderInfo.js';
import type { ModelRoute as _driber_v1_ModelRoute, ModelRoute__Output as _driber_v1_ModelRoute__Output } from '../../driber/v1/ModelRoute.js';

/**
 * ListModels' response (HTTP GET /v1/models).
 */
export interface ListModelsResponse {
  /**
   * Every model.
   */
  'models'?: (_driber_v1_ModelInfo)[];
  /**
   * Every embedder.
   */
  'embedders'?: (_driber_v1_EmbedderInfo)[];
  /**
   * Alias -> model id.
   */
  'aliases'?: ({[key: string]: string});
  /**
   * Stage -> its route.
   */
  'routes'?: ({[key: string]: _driber_v1_ModelRoute});
}

/**
 * ListModels' response (HTTP GET /v1/models).
 */
export interface ListModelsResponse__Output {
  /**
   * Every model.
   */
  'models': (_driber_v1_ModelInfo__Output)[];
  /**
   * Every embedder.
   */
  'embedders': (_driber_v1_EmbedderInfo__Output)[];
  /**
   * Alias -> model id.
   */
  'aliases': ({[key: string]: string});
  /**
   * Stage -> its route.
   */
  'routes': ({[key: string]: _driber_v1_ModelRoute__Output});
}
