/**
 * The embedded tier's loaded state: the GloVe vocabulary, the Decide weights and the Describe
 * lexicon, loaded once per process on first use and shared by every chat and embedding model (the
 * registry may create several entries with provider `embedded`; they must not each hold a copy).
 */
import { createDecideModel, defaultWeightsPath, readDecideWeights, type DecideModel } from './decide-model.js'
import { createDescribeLexiconModel, defaultDescribeLexiconPath, readDescribeLexicon, type DescribeLexiconModel } from './describe-lexicon.js'
import { createRankModel, type RankModel } from './rank-model.js'
import { loadGloveVocabulary, sharedGloveVocabulary, type GloveVocabulary } from './glove-vocabulary.js'

export interface EmbeddedRuntime {
  readonly vocabulary: GloveVocabulary
  readonly decide: DecideModel
  readonly describe: DescribeLexiconModel
  /** The ranking head, when the weights file has one. */
  readonly rank?: RankModel
}

export interface EmbeddedRuntimeOptions {
  /** Binary vocabulary file; built from the npm package when missing. */
  vocabularyPath?: string
  /** Decide weights JSON; defaults to the committed `data/embedded/decide-weights.json`. */
  weightsPath?: string
  /** Describe lexicon JSON; defaults to the committed `data/embedded/describe-lexicon.json`. */
  lexiconPath?: string
}

/** Loads a runtime (the shared one is `sharedEmbeddedRuntime`). */
export const loadEmbeddedRuntime = (options: EmbeddedRuntimeOptions = {}): EmbeddedRuntime => {
  // The default file is shared with anything else in the process that reads GloVe (fitting, benchmarks).
  const vocabulary = options.vocabularyPath === undefined ? sharedGloveVocabulary() : loadGloveVocabulary({ path: options.vocabularyPath })
  const weights = readDecideWeights(options.weightsPath ?? defaultWeightsPath(), vocabulary.dimension)
  const lexicon = readDescribeLexicon(options.lexiconPath ?? defaultDescribeLexiconPath())
  const decide = createDecideModel(vocabulary, weights)
  const describe = createDescribeLexiconModel(lexicon, vocabulary)
  return weights.rank === undefined ? { vocabulary, decide, describe } : { vocabulary, decide, describe, rank: createRankModel(weights.rank) }
}

const runtimes = new Map<string, EmbeddedRuntime>()

/** One runtime per distinct option set per process, loaded lazily. */
export const sharedEmbeddedRuntime = (options: EmbeddedRuntimeOptions = {}): EmbeddedRuntime => {
  const key = `${options.vocabularyPath ?? ''}\n${options.weightsPath ?? ''}\n${options.lexiconPath ?? ''}`
  let runtime = runtimes.get(key)
  if (runtime === undefined) {
    runtime = loadEmbeddedRuntime(options)
    runtimes.set(key, runtime)
  }
  return runtime
}
