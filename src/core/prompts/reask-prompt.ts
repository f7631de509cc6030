/**
 * The follow-up message sent when a model's answer could not be used: names the problem (from the
 * parser, which never quotes user input beyond what the model wrote) and asks again for the JSON only.
 */
import type { ChatMessage } from '../../providers/provider.js'
import type { ParseFailure } from '../output-parser.js'

export const REASK_TEMPLATE = {
  lead: 'Your previous answer could not be used.',
  retry: 'Answer again with only the JSON object, following every restriction given above.',
  truncated: 'Keep the answer short enough to be complete.',
} as const

/** Longest previous answer echoed back; the problem statement matters more than the full text. */
const ECHO_LIMIT = 4000

/** Messages to append before asking the same model again. */
export const renderReask = (previousContent: string, failure: ParseFailure): ChatMessage[] => {
  const parts = [REASK_TEMPLATE.lead, failure.message, REASK_TEMPLATE.retry]
  if (failure.reason === 'truncated') parts.push(REASK_TEMPLATE.truncated)
  const messages: ChatMessage[] = []
  if (previousContent.trim() !== '') messages.push({ role: 'assistant', content: previousContent.slice(0, ECHO_LIMIT) })
  messages.push({ role: 'user', content: parts.join(' ') })
  return messages
}
