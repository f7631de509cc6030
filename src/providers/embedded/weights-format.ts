/**
 * Serialises Decide weights as stable, diff-friendly JSON: one key per line, arrays on one line.
 */
import type { DecideWeights } from './decide-model.js'

export const formatWeights = (weights: DecideWeights): string => {
  const lines = Object.entries(weights).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
  return `{\n${lines.join(',\n')}\n}\n`
}
