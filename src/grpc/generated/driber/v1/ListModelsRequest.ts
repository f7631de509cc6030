// Original file: proto/driber/v1/driber.proto


/**
 * ListModels takes no arguments.
 */
export interface ListModelsRequest {
}

/**
 * ListModels takes no arguments.
 */
export interface ListModelsRequest__Output {
}
