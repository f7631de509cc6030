// Original file: proto/driber/v1/driber.proto

import type { Scale as _driber_v1_Scale, Scale__Output as _driber_v1_Scale__Output } from '../../driber/v1/Scale.js';
import type { OutputMode as _driber_v1_OutputMode, OutputMode__Output as _driber_v1_OutputMode__Output } from '../../driber/v1/OutputMode.js';
import type { RouteMembership as _driber_v1_RouteMembership, RouteMembership__Output as _driber_v1_RouteMembership__Output } from '../../driber/v1/RouteMembership.js';

/**
 * One model of the registry, without secrets.
 */
export interface ModelInfo {
  /**
   * Registry id.
   */
  'id'?: (string);
  /**
   * "openai" or "embedded".
   */
  'provider'?: (string);
  /**
   * Size class.
   */
  'scale'?: (_driber_v1_Scale);
  /**
   * A number, e.g. 8000000000.
   */
  'parameter_count'?: (number | string);
  /**
   * A label, e.g. "8B".
   */
  'parameter_label'?: (string);
  /**
   * Structured output the backend supports.
   */
  'output'?: (_driber_v1_OutputMode);
  /**
   * Other names for this model.
   */
  'aliases'?: (string)[];
  /**
   * Routes that include this model.
   */
  'routes'?: (_driber_v1_RouteMembership)[];
  /**
   * The model name sent upstream, when it differs from the id.
   */
  'upstream_model'?: (string);
  /**
   * The backend's base URL.
   */
  'base_url'?: (string);
  /**
   * Parameter count as the registry gives it; unset when it gives none.
   */
  'parameters'?: "parameter_count"|"parameter_label";
  '_upstream_model'?: "upstream_model";
  '_base_url'?: "base_url";
}

/**
 * One model of the registry, without secrets.
 */
export interface ModelInfo__Output {
  /**
   * Registry id.
   */
  'id': (string);
  /**
   * "openai" or "embedded".
   */
  'provider': (string);
  /**
   * Size class.
   */
  'scale': (_driber_v1_Scale__Output);
  /**
   * A number, e.g. 8000000000.
   */
  'parameter_count'?: (number);
  /**
   * A label, e.g. "8B".
   */
  'parameter_label'?: (string);
  /**
   * Structured output the backend supports.
   */
  'output': (_driber_v1_OutputMode__Output);
  /**
   * Other names for this model.
   */
  'aliases': (string)[];
  /**
   * Routes that include this model.
   */
  'routes': (_driber_v1_RouteMembership__Output)[];
  /**
   * The model name sent upstream, when it differs from the id.
   */
  'upstream_model'?: (string);
  /**
   * The backend's base URL.
   */
  'base_url'?: (string);
  /**
   * Parameter count as the registry gives it; unset when it gives none.
   */
  'parameters'?: "parameter_count"|"parameter_label";
  '_upstream_model'?: "upstream_model";
  '_base_url'?: "base_url";
}
