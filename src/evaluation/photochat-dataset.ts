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
 * The whole conversation with share turns removed, and the positions (in that list) of the turns
 * after which a photo was shared: the gold answers of ranking mode.
 */
export const rankingView = (dialogue: PhotoChatDialogue): { dialogue: Dialogue; gold: number[] } => {
  const kept: Dialogue = []
  const gold: number[] = []
  for (const turn of dialogue.turns) {
    if (turn.share) {
      if (kept.length > 0 && !gold.includes(kept.length - 1)) gold.push(kept.length - 1)
      continue
    }
    kept.push({ speaker: turn.speaker, text: turn.text })
  }
  return { dialogue: kept, gold }
}

/** A next-turn Decide question: after `dialogue`, does `speaker` share an image? */
export interface NextTurnItem {
  id: string
  dialogue: Dialogue
  speaker: string
  label: boolean
}

/**
 * Every prefix up to the first share: the prefix ending before turn t (t >= 1), asked for the
 * speaker of turn t; positive when turn t is the share. Dialogues without a share give nothing.
 * Prefixes whose next speaker has not spoken yet are left out: the service only accepts a
 * speaker who is already a participant of the dialogue.
 */
export const everyPrefix = (dialogue: PhotoChatDialogue): NextTurnItem[] => {
  const share = firstShareIndex(dialogue)
  if (share < 1) return []
  const items: NextTurnItem[] = []
  const speakers = new Set<string>()
  for (let t = 1; t <= share; t++) {
    speakers.add((dialogue.turns[t - 1] as LabelledTurn).speaker)
    const speaker = (dialogue.turns[t] as LabelledTurn).speaker
    if (!speakers.has(speaker)) continue
    items.push({ id: `${dialogue.id}#${t}`, dialogue: plain(dialogue.turns.slice(0, t)), speaker, label: t === share })
  }
  return items
}
