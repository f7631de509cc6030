import { DriberError } from '../../src/errors.js'

/**
 * The DriberError `work` rejects with, for asserting on its kind, code or details. Any other
 * rejection is rethrown, and success is an error: either way the test fails with the reason.
 */
export const driberErrorOf = async (work: Promise<unknown>): Promise<DriberError> => {
  try {
    await work
  } catch (error) {
    if (error instanceof DriberError) return error
    throw error
  }
  throw new Error('expected a DriberError, but the call succeeded')
}
