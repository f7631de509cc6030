/**
 * PhotoChat-format data (Zang et al., ACL 2021) as driber dialogues. Reads the original JSON
 * array of `{dialogue: [{message, share_photo, user_id}], dialogue_id, photo_description, photo_url}`
 * or JSONL with one such object per line; JSONL lines in driber's own shape
 * `{id, dialogue: [{speaker, text}]}` are accepted too (no gold labels then).
 */
import { readFileSync } from 'node:fs'
import type { Dialogue, Turn } from '../core/types.js'
import { DriberError } from '../errors.js'

export interface LabelledTurn extends Turn {
  /** True for the (empty) turn where the speaker shared the photo. */
  share: boolean
}

export interface PhotoChatDialogue {
  id: string
  turns: LabelledTurn[]
  photoUrl?: string
  /** Gold object labels of the shared photo ("Objects in the photo: A, B"), as written. */
  labels: string[]
}

/** Speaker names for PhotoChat's user ids 0 and 1. */
export const speakerName = (userId: number): string => (userId === 0 ? 'A' : userId === 1 ? 'B' : `user${userId}`)

/** The object labels of a PhotoChat `photo_description` (anything before "Objects in the photo:" is dropped). */
export const parseObjectLabels = (description: string | undefined): string[] => {
  if (description === undefined) return []
  const marker = 'objects in the photo:'
  const at = description.toLowerCase().indexOf(marker)
  if (at < 0) return []
  return description
    .slice(at + marker.length)
    .split(',')
    .map((label) => label.trim().replace(/\.$/, ''))
    .filter((label) => label.length > 0)
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Converts one raw record (PhotoChat or driber shape); `fallbackId` names records without an id. */
export const toPhotoChatDialogue = (raw: unknown, fallbackId: string): PhotoChatDialogue => {
  if (!isRecord(raw) || !Array.isArray(raw.dialogue)) {
    throw new DriberError('INVALID_ARGUMENT', { message: `record ${fallbackId} has no "dialogue" array` })
  }
  const id = raw.dialogue_id ?? raw.id
  const turns: LabelledTurn[] = raw.dialogue.map((turn: unknown, index: number) => {
    if (!isRecord(turn)) throw new DriberError('INVALID_ARGUMENT', { message: `record ${fallbackId} turn ${index} is not an object` })
    if (typeof turn.speaker === 'string' && typeof turn.text === 'string') return { speaker: turn.speaker, text: turn.text, share: turn.share === true }
    if (typeof turn.message === 'string' && typeof turn.user_id === 'number') {
      return { speaker: speakerName(turn.user_id), text: turn.message, share: turn.share_photo === true }
    }
    throw new DriberError('INVALID_ARGUMENT', { message: `record ${fallbackId} turn ${index} has neither {speaker, text} nor {message, user_id}` })
  })
  const dialogue: PhotoChatDialogue = {
    id: id === undefined ? fallbackId : String(id),
    turns,
    labels: parseObjectLabels(typeof raw.photo_description === 'string' ? raw.photo_description : undefined),
  }
  if (typeof raw.photo_url === 'string') dialogue.photoUrl = raw.photo_url
  return dialogue
}

/** Parses a JSON array or JSONL text. A torn last JSONL line is an error here: datasets are inputs, not logs. */
export const parsePhotoChat = (text: string, name = 'input'): PhotoChatDialogue[] => {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[')) {
    const records = JSON.parse(trimmed) as unknown[]
    return records.map((record, index) => toPhotoChatDialogue(record, String(index)))
  }
  return trimmed
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, index }) => {
      let record: unknown
      try {
        record = JSON.parse(line)
      } catch (error) {
        throw new DriberError('INVALID_ARGUMENT', { message: `${name} line ${index + 1} is not JSON`, cause: error })
      }
      return toPhotoChatDialogue(record, String(index))
    })
}

export const readPhotoChat = (file: string): PhotoChatDialogue[] => parsePhotoChat(readFileSync(file, 'utf8'), file)

/** Index of the first share turn, or -1. */
export const firstShareIndex = (dialogue: PhotoChatDialogue): number => dialogue.turns.findIndex((turn) => turn.share)

const plain = (turns: LabelledTurn[]): Dialogue => turns.map((turn) => ({ speaker: turn.speaker, text: turn.text }))

/** The turns before the first share (the context a sharer had), without share markers. */
export const contextBeforeShare = (dialogue: PhotoChatDialogue): Dialogue => {
  const share = firstShareIndex(dialogue)
  return plain(share < 0 ? dialogue.turns : dialogue.turns.slice(0, share))
}

/**
 * Which question a label answers.
 * - `turn` (the product's): a turn is one speaker's run of consecutive messages, and a photo
 *   belongs to the turn of the messages around it. "After these messages, should X's next turn (or,
 *   when the dialogue ends with X's own message, the rest of X's current turn) include an image?"
 * - `message` (PhotoChat's own, the paper's setup): "is the very next message a photo?"
 */
export const SEMANTICS = ['turn', 'message'] as const
export type Semantics = (typeof SEMANTICS)[number]

/**
 * Where the run of the photo's sender that contains message `share` starts: the first of the
 * sender's consecutive messages right before the photo (`share` itself when the photo opens the run).
 */
export const sharerRunStart = (turns: readonly LabelledTurn[], share: number): number => {
  const sharer = (turns[share] as LabelledTurn).speaker
  let start = share
  while (start > 0 && (turns[start - 1] as LabelledTurn).speaker === sharer && !(turns[start - 1] as LabelledTurn).share) start--
  return start
}

/**
 * The whole conversation with share messages removed, and for each shared photo the positions (in
 * that list) after which ranking it counts as a hit. Message semantics: only the message right
 * before the photo. Turn semantics: any position from the other person's last message before the
 * sharer's run to the message right before the photo (the image could go anywhere in that turn).
 */
export const rankingView = (dialogue: PhotoChatDialogue, semantics: Semantics = 'message'): { dialogue: Dialogue; gold: number[][] } => {
  const kept: Dialogue = []
  const gold: number[][] = []
  const keptPosition: number[] = []
  dialogue.turns.forEach((turn, index) => {
    keptPosition.push(kept.length)
    if (turn.share) {
      if (kept.length === 0 || gold.some((group) => group.includes(kept.length - 1))) return
      const last = kept.length - 1
      if (semantics === 'message') {
        gold.push([last])
        return
      }
      // keptPosition of the run's first message is the position right after the other person's last message.
      const first = Math.max(0, (keptPosition[sharerRunStart(dialogue.turns, index)] as number) - 1)
      gold.push(Array.from({ length: last - first + 1 }, (_, offset) => first + offset))
      return
    }
    kept.push({ speaker: turn.speaker, text: turn.text })
  })
  return { dialogue: kept, gold }
}

/** A next-turn Decide question: after `dialogue`, does `speaker` share an image? */
export interface NextTurnItem {
  /** `<dialogue id>#<t>`: the same prefix has the same id under both semantics. */
  id: string
  dialogue: Dialogue
  speaker: string
  label: boolean
}

/**
 * Every prefix up to the first photo s: the messages [0, t) for t = 1..s, asked for the speaker of
 * message t. The prefixes are the same under both semantics; the labels differ:
 * - `message`: positive only for t = s (the next message is the photo);
 * - `turn`: positive when messages t..s all belong to the photo's sender, i.e. t lies in the
 *   sender's run that contains the photo (asked before the other person's last message is answered,
 *   or in the middle of the sender's own turn, the answer is "yes, this turn carries an image").
 * A prefix whose asked speaker has not spoken yet is kept: a product asks exactly that about a new
 * participant. Dialogues without a photo, or opening with one, give nothing.
 */
export const everyPrefix = (dialogue: PhotoChatDialogue, semantics: Semantics = 'turn'): NextTurnItem[] => {
  const share = firstShareIndex(dialogue)
  if (share < 1) return []
  const runStart = semantics === 'turn' ? sharerRunStart(dialogue.turns, share) : share
  const items: NextTurnItem[] = []
  for (let t = 1; t <= share; t++) {
    const speaker = (dialogue.turns[t] as LabelledTurn).speaker
    items.push({ id: `${dialogue.id}#${t}`, dialogue: plain(dialogue.turns.slice(0, t)), speaker, label: t >= runStart })
  }
  return items
}
