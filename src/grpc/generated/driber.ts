import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Attempt as _driber_v1_Attempt, Attempt__Output as _driber_v1_Attempt__Output } from './driber/v1/Attempt.js';
import type { DecideNextResult as _driber_v1_DecideNextResult, DecideNextResult__Output as _driber_v1_DecideNextResult__Output } from './driber/v1/DecideNextResult.js';
import type { DecideRankResult as _driber_v1_DecideRankResult, DecideRankResult__Output as _driber_v1_DecideRankResult__Output } from './driber/v1/DecideRankResult.js';
import type { DecideRequest as _driber_v1_DecideRequest, DecideRequest__Output as _driber_v1_DecideRequest__Output } from './driber/v1/DecideRequest.js';
import type { DecideResponse as _driber_v1_DecideResponse, DecideResponse__Output as _driber_v1_DecideResponse__Output } from './driber/v1/DecideResponse.js';
import type { DescribeRequest as _driber_v1_DescribeRequest, DescribeRequest__Output as _driber_v1_DescribeRequest__Output } from './driber/v1/DescribeRequest.js';
import type { DescribeResponse as _driber_v1_DescribeResponse, DescribeResponse__Output as _driber_v1_DescribeResponse__Output } from './driber/v1/DescribeResponse.js';
import type { Description as _driber_v1_Description, Description__Output as _driber_v1_Description__Output } from './driber/v1/Description.js';
import type { EmbedderInfo as _driber_v1_EmbedderInfo, EmbedderInfo__Output as _driber_v1_EmbedderInfo__Output } from './driber/v1/EmbedderInfo.js';
import type { ImageResult as _driber_v1_ImageResult, ImageResult__Output as _driber_v1_ImageResult__Output } from './driber/v1/ImageResult.js';
import type { ImageSharingClient as _driber_v1_ImageSharingClient, ImageSharingDefinition as _driber_v1_ImageSharingDefinition } from './driber/v1/ImageSharing.js';
import type { ListModelsRequest as _driber_v1_ListModelsRequest, ListModelsRequest__Output as _driber_v1_ListModelsRequest__Output } from './driber/v1/ListModelsRequest.js';
import type { ListModelsResponse as _driber_v1_ListModelsResponse, ListModelsResponse__Output as _driber_v1_ListModelsResponse__Output } from './driber/v1/ListModelsResponse.js';
import type { ModelAnswer as _driber_v1_ModelAnswer, ModelAnswer__Output as _driber_v1_ModelAnswer__Output } from './driber/v1/ModelAnswer.js';
import type { ModelInfo as _driber_v1_ModelInfo, ModelInfo__Output as _driber_v1_ModelInfo__Output } from './driber/v1/ModelInfo.js';
import type { ModelRoute as _driber_v1_ModelRoute, ModelRoute__Output as _driber_v1_ModelRoute__Output } from './driber/v1/ModelRoute.js';
import type { RankCandidate as _driber_v1_RankCandidate, RankCandidate__Output as _driber_v1_RankCandidate__Output } from './driber/v1/RankCandidate.js';
import type { RankRequest as _driber_v1_RankRequest, RankRequest__Output as _driber_v1_RankRequest__Output } from './driber/v1/RankRequest.js';
import type { RetrieveRequest as _driber_v1_RetrieveRequest, RetrieveRequest__Output as _driber_v1_RetrieveRequest__Output } from './driber/v1/RetrieveRequest.js';
import type { RetrieveResponse as _driber_v1_RetrieveResponse, RetrieveResponse__Output as _driber_v1_RetrieveResponse__Output } from './driber/v1/RetrieveResponse.js';
import type { RouteMembership as _driber_v1_RouteMembership, RouteMembership__Output as _driber_v1_RouteMembership__Output } from './driber/v1/RouteMembership.js';
import type { ShareRequest as _driber_v1_ShareRequest, ShareRequest__Output as _driber_v1_ShareRequest__Output } from './driber/v1/ShareRequest.js';
import type { ShareResponse as _driber_v1_ShareResponse, ShareResponse__Output as _driber_v1_ShareResponse__Output } from './driber/v1/ShareResponse.js';
import type { Trigger as _driber_v1_Trigger, Trigger__Output as _driber_v1_Trigger__Output } from './driber/v1/Trigger.js';
import type { Turn as _driber_v1_Turn, Turn__Output as _driber_v1_Turn__Output } from './driber/v1/Turn.js';
import type { Usage as _driber_v1_Usage, Usage__Output as _driber_v1_Usage__Output } from './driber/v1/Usage.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  driber: {
    v1: {
      Attempt: MessageTypeDefinition<_driber_v1_Attempt, _driber_v1_Attempt__Output>
      AttemptOutcome: EnumTypeDefinition
      DecideMode: EnumTypeDefinition
      DecideNextResult: MessageTypeDefinition<_driber_v1_DecideNextResult, _driber_v1_DecideNextResult__Output>
      DecideRankResult: MessageTypeDefinition<_driber_v1_DecideRankResult, _driber_v1_DecideRankResult__Output>
      DecideRequest: MessageTypeDefinition<_driber_v1_DecideRequest, _driber_v1_DecideRequest__Output>
      DecideResponse: MessageTypeDefinition<_driber_v1_DecideResponse, _driber_v1_DecideResponse__Output>
      DescribeRequest: MessageTypeDefinition<_driber_v1_DescribeRequest, _driber_v1_DescribeRequest__Output>
      DescribeResponse: MessageTypeDefinition<_driber_v1_DescribeResponse, _driber_v1_DescribeResponse__Output>
      Description: MessageTypeDefinition<_driber_v1_Description, _driber_v1_Description__Output>
      EmbedderInfo: MessageTypeDefinition<_driber_v1_EmbedderInfo, _driber_v1_EmbedderInfo__Output>
      EscalationReason: EnumTypeDefinition
      ImageResult: MessageTypeDefinition<_driber_v1_ImageResult, _driber_v1_ImageResult__Output>
      /**
       * The four DribeR operations and the model registry.
       */
      ImageSharing: SubtypeConstructor<typeof grpc.Client, _driber_v1_ImageSharingClient> & { service: _driber_v1_ImageSharingDefinition }
      Intent: EnumTypeDefinition
      ListModelsRequest: MessageTypeDefinition<_driber_v1_ListModelsRequest, _driber_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_driber_v1_ListModelsResponse, _driber_v1_ListModelsResponse__Output>
      ModelAnswer: MessageTypeDefinition<_driber_v1_ModelAnswer, _driber_v1_ModelAnswer__Output>
      ModelInfo: MessageTypeDefinition<_driber_v1_ModelInfo, _driber_v1_ModelInfo__Output>
      ModelRoute: MessageTypeDefinition<_driber_v1_ModelRoute, _driber_v1_ModelRoute__Output>
      OutputMode: EnumTypeDefinition
      ParseFailureReason: EnumTypeDefinition
      RankCandidate: MessageTypeDefinition<_driber_v1_RankCandidate, _driber_v1_RankCandidate__Output>
      RankRequest: MessageTypeDefinition<_driber_v1_RankRequest, _driber_v1_RankRequest__Output>
      Restriction: EnumTypeDefinition
      RetrieveRequest: MessageTypeDefinition<_driber_v1_RetrieveRequest, _driber_v1_RetrieveRequest__Output>
      RetrieveResponse: MessageTypeDefinition<_driber_v1_RetrieveResponse, _driber_v1_RetrieveResponse__Output>
      RouteMembership: MessageTypeDefinition<_driber_v1_RouteMembership, _driber_v1_RouteMembership__Output>
      Scale: EnumTypeDefinition
      ShareRequest: MessageTypeDefinition<_driber_v1_ShareRequest, _driber_v1_ShareRequest__Output>
      ShareResponse: MessageTypeDefinition<_driber_v1_ShareResponse, _driber_v1_ShareResponse__Output>
      Trigger: MessageTypeDefinition<_driber_v1_Trigger, _driber_v1_Trigger__Output>
      Turn: MessageTypeDefinition<_driber_v1_Turn, _driber_v1_Turn__Output>
      Usage: MessageTypeDefinition<_driber_v1_Usage, _driber_v1_Usage__Output>
    }
  }
}

