// Original file: proto/driber/v1/driber.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DecideRankResult as _driber_v1_DecideRankResult, DecideRankResult__Output as _driber_v1_DecideRankResult__Output } from '../../driber/v1/DecideRankResult.js';
import type { DecideRequest as _driber_v1_DecideRequest, DecideRequest__Output as _driber_v1_DecideRequest__Output } from '../../driber/v1/DecideRequest.js';
import type { DecideResponse as _driber_v1_DecideResponse, DecideResponse__Output as _driber_v1_DecideResponse__Output } from '../../driber/v1/DecideResponse.js';
import type { DescribeRequest as _driber_v1_DescribeRequest, DescribeRequest__Output as _driber_v1_DescribeRequest__Output } from '../../driber/v1/DescribeRequest.js';
import type { DescribeResponse as _driber_v1_DescribeResponse, DescribeResponse__Output as _driber_v1_DescribeResponse__Output } from '../../driber/v1/DescribeResponse.js';
import type { ListModelsRequest as _driber_v1_ListModelsRequest, ListModelsRequest__Output as _driber_v1_ListModelsRequest__Output } from '../../driber/v1/ListModelsRequest.js';
import type { ListModelsResponse as _driber_v1_ListModelsResponse, ListModelsResponse__Output as _driber_v1_ListModelsResponse__Output } from '../../driber/v1/ListModelsResponse.js';
import type { RankRequest as _driber_v1_RankRequest, RankRequest__Output as _driber_v1_RankRequest__Output } from '../../driber/v1/RankRequest.js';
import type { RetrieveRequest as _driber_v1_RetrieveRequest, RetrieveRequest__Output as _driber_v1_RetrieveRequest__Output } from '../../driber/v1/RetrieveRequest.js';
import type { RetrieveResponse as _driber_v1_RetrieveResponse, RetrieveResponse__Output as _driber_v1_RetrieveResponse__Output } from '../../driber/v1/RetrieveResponse.js';
import type { ShareRequest as _driber_v1_ShareRequest, ShareRequest__Output as _driber_v1_ShareRequest__Output } from '../../driber/v1/ShareRequest.js';
import type { ShareResponse as _driber_v1_ShareResponse, ShareResponse__Output as _driber_v1_ShareResponse__Output } from '../../driber/v1/ShareResponse.js';

/**
 * The four DribeR operations and the model registry.
 */
export interface ImageSharingClient extends grpc.Client {
  /**
   * Decide whether an image fits. Mode NEXT (the default) answers whether the speaker's next
   * turn (or the rest of their current one) should include an image; mode RANK lists every
   * message after which an image fits. The answer is in the oneof `result`, matching
   * the mode. Same as HTTP POST /v1/decide.
   */
  Decide(argument: _driber_v1_DecideRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  Decide(argument: _driber_v1_DecideRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  Decide(argument: _driber_v1_DecideRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  Decide(argument: _driber_v1_DecideRequest, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Decide whether an image fits. Mode NEXT (the default) answers whether the speaker's next
   * turn (or the rest of their current one) should include an image; mode RANK lists every
   * message after which an image fits. The answer is in the oneof `result`, matching
   * the mode. Same as HTTP POST /v1/decide.
   */
  decide(argument: _driber_v1_DecideRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  decide(argument: _driber_v1_DecideRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  decide(argument: _driber_v1_DecideRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  decide(argument: _driber_v1_DecideRequest, callback: grpc.requestCallback<_driber_v1_DecideResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Describe the image(s) to share next. Same as HTTP POST /v1/describe.
   */
  Describe(argument: _driber_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _driber_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _driber_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _driber_v1_DescribeRequest, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Describe the image(s) to share next. Same as HTTP POST /v1/describe.
   */
  describe(argument: _driber_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _driber_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _driber_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _driber_v1_DescribeRequest, callback: grpc.requestCallback<_driber_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The model registry without secrets. Same as HTTP GET /v1/models.
   */
  ListModels(argument: _driber_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _driber_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _driber_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _driber_v1_ListModelsRequest, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The model registry without secrets. Same as HTTP GET /v1/models.
   */
  listModels(argument: _driber_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _driber_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _driber_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _driber_v1_ListModelsRequest, callback: grpc.requestCallback<_driber_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Decide in ranking mode, with the ranked result as the whole response: the typed shortcut
   * for gRPC clients that only rank. Same as Decide with mode RANK.
   */
  Rank(argument: _driber_v1_RankRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  Rank(argument: _driber_v1_RankRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  Rank(argument: _driber_v1_RankRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  Rank(argument: _driber_v1_RankRequest, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  /**
   * Decide in ranking mode, with the ranked result as the whole response: the typed shortcut
   * for gRPC clients that only rank. Same as Decide with mode RANK.
   */
  rank(argument: _driber_v1_RankRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  rank(argument: _driber_v1_RankRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  rank(argument: _driber_v1_RankRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  rank(argument: _driber_v1_RankRequest, callback: grpc.requestCallback<_driber_v1_DecideRankResult__Output>): grpc.ClientUnaryCall;
  
  /**
   * Find images for descriptions in an image index. Same as HTTP POST /v1/retrieve.
   */
  Retrieve(argument: _driber_v1_RetrieveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  Retrieve(argument: _driber_v1_RetrieveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  Retrieve(argument: _driber_v1_RetrieveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  Retrieve(argument: _driber_v1_RetrieveRequest, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Find images for descriptions in an image index. Same as HTTP POST /v1/retrieve.
   */
  retrieve(argument: _driber_v1_RetrieveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  retrieve(argument: _driber_v1_RetrieveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  retrieve(argument: _driber_v1_RetrieveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  retrieve(argument: _driber_v1_RetrieveRequest, callback: grpc.requestCallback<_driber_v1_RetrieveResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Decide, then (when the decision is to share) describe and retrieve. Same as HTTP POST /v1/share.
   */
  Share(argument: _driber_v1_ShareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  Share(argument: _driber_v1_ShareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  Share(argument: _driber_v1_ShareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  Share(argument: _driber_v1_ShareRequest, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Decide, then (when the decision is to share) describe and retrieve. Same as HTTP POST /v1/share.
   */
  share(argument: _driber_v1_ShareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _driber_v1_ShareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _driber_v1_ShareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _driber_v1_ShareRequest, callback: grpc.requestCallback<_driber_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The four DribeR operations and the model registry.
 */
export interface ImageSharingHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Decide whether an image fits. Mode NEXT (the default) answers whether the speaker's next
   * turn (or the rest of their current one) should include an image; mode RANK lists every
   * message after which an image fits. The answer is in the oneof `result`, matching
   * the mode. Same as HTTP POST /v1/decide.
   */
  Decide: grpc.handleUnaryCall<_driber_v1_DecideRequest__Output, _driber_v1_DecideResponse>;
  
  /**
   * Describe the image(s) to share next. Same as HTTP POST /v1/describe.
   */
  Describe: grpc.handleUnaryCall<_driber_v1_DescribeRequest__Output, _driber_v1_DescribeResponse>;
  
  /**
   * The model registry without secrets. Same as HTTP GET /v1/models.
   */
  ListModels: grpc.handleUnaryCall<_driber_v1_ListModelsRequest__Output, _driber_v1_ListModelsResponse>;
  
  /**
   * Decide in ranking mode, with the ranked result as the whole response: the typed shortcut
   * for gRPC clients that only rank. Same as Decide with mode RANK.
   */
  Rank: grpc.handleUnaryCall<_driber_v1_RankRequest__Output, _driber_v1_DecideRankResult>;
  
  /**
   * Find images for descriptions in an image index. Same as HTTP POST /v1/retrieve.
   */
  Retrieve: grpc.handleUnaryCall<_driber_v1_RetrieveRequest__Output, _driber_v1_RetrieveResponse>;
  
  /**
   * Decide, then (when the decision is to share) describe and retrieve. Same as HTTP POST /v1/share.
   */
  Share: grpc.handleUnaryCall<_driber_v1_ShareRequest__Output, _driber_v1_ShareResponse>;
  
}

export interface ImageSharingDefinition extends grpc.ServiceDefinition {
  Decide: MethodDefinition<_driber_v1_DecideRequest, _driber_v1_DecideResponse, _driber_v1_DecideRequest__Output, _driber_v1_DecideResponse__Output>
  Describe: MethodDefinition<_driber_v1_DescribeRequest, _driber_v1_DescribeResponse, _driber_v1_DescribeRequest__Output, _driber_v1_DescribeResponse__Output>
  ListModels: MethodDefinition<_driber_v1_ListModelsRequest, _driber_v1_ListModelsResponse, _driber_v1_ListModelsRequest__Output, _driber_v1_ListModelsResponse__Output>
  Rank: MethodDefinition<_driber_v1_RankRequest, _driber_v1_DecideRankResult, _driber_v1_RankRequest__Output, _driber_v1_DecideRankResult__Output>
  Retrieve: MethodDefinition<_driber_v1_RetrieveRequest, _driber_v1_RetrieveResponse, _driber_v1_RetrieveRequest__Output, _driber_v1_RetrieveResponse__Output>
  Share: MethodDefinition<_driber_v1_ShareRequest, _driber_v1_ShareResponse, _driber_v1_ShareRequest__Output, _driber_v1_ShareResponse__Output>
}
