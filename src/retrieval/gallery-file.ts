/**
 * Gallery input files: JSONL (one `{id, url, caption?, labels?, vector?, path?}` per line) or CSV with a
 * header naming the same columns (`labels` separated by `|`; `vector` as a JSON array or numbers
 * separated by spaces or `;`). Both the builder and the JSONL index loader read through here, so
 * they accept the same records and report problems the same way: with the line number.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { DriberError } from '../errors.js'
import type { ImageRecord } from './vector-store.js'

/** One gallery row as read: a record plus its vector when the file carries one. */
export interface GalleryEntry extends ImageRecord {
  vector?: number[]
}

const invalid = (file: string, line: number, problem: string): DriberError =>
  new DriberError('INDEX_CORRUPT', { message: `${file} line ${line}: ${problem}`, details: { path: file, line, problem } })

const toEntry = (file: string, line: number, value: unknown): GalleryEntry => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(file, line, 'expected an object')
  const raw = value as Record<string, unknown>
  const id = typeof raw.id === 'number' ? String(raw.id) : raw.id
  if (typeof id !== 'string' || id.length === 0) throw invalid(file, line, '"id" must be a non-empty string')
  if (typeof raw.url !== 'string' || raw.url.length === 0) throw invalid(file, line, '"url" must be a non-empty string')
  if (raw.caption !== undefined && raw.caption !== null && typeof raw.caption !== 'string') throw invalid(file, line, '"caption" must be a string')
  if (raw.labels !== undefined && (!Array.isArray(raw.labels) || raw.labels.some((label) => typeof label !== 'string'))) {
    throw invalid(file, line, '"labels" must be an array of strings')
  }
  if (raw.path !== undefined && raw.path !== null && (typeof raw.path !== 'string' || !isAbsolute(raw.path))) throw invalid(file, line, '"path" must be an absolute file path')
  const entry: GalleryEntry = { id, url: raw.url, caption: typeof raw.caption === 'string' ? raw.caption : '', labels: (raw.labels as string[] | undefined) ?? [] }
  if (typeof raw.path === 'string') entry.path = raw.path
  if (raw.vector !== undefined && raw.vector !== null) {
    if (!Array.isArray(raw.vector) || raw.vector.length === 0 || raw.vector.some((component) => typeof component !== 'number' || !Number.isFinite(component))) {
      throw invalid(file, line, '"vector" must be a non-empty array of finite numbers')
    }
    entry.vector = raw.vector as number[]
  }
  if (entry.vector === undefined && entry.caption.trim().length === 0) throw invalid(file, line, 'needs a "caption" to embed or a "vector"')
  return entry
}

export const parseJsonlGallery = (text: string, file: string): GalleryEntry[] => {
  const entries: GalleryEntry[] = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim()
    if (line.length === 0) continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      throw invalid(file, index + 1, 'not valid JSON')
    }
    entries.push(toEntry(file, index + 1, value))
  }
  return entries
}

/** Splits CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
export const parseCsvRows = (text: string): Array<{ line: number; fields: string[] }> => {
  const rows: Array<{ line: number; fields: string[] }> = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let rowLine = 1
  for (let index = 0; index < text.length; index++) {
    const character = text[index] as string
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"'
        index++
      } else if (character === '"') quoted = false
      else {
        if (character === '\n') line++
        field += character
      }
      continue
    }
    if (character === '"' && field.length === 0) quoted = true
    else if (character === ',') {
      fields.push(field)
      field = ''
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index++
      fields.push(field)
      if (fields.length > 1 || (fields[0] as string).length > 0) rows.push({ line: rowLine, fields })
      fields = []
      field = ''
      line++
      rowLine = line
    } else field += character
  }
  fields.push(field)
  if (fields.length > 1 || (fields[0] as string).length > 0) rows.push({ line: rowLine, fields })
  return rows
}

const parseCsvVector = (raw: string): number[] | undefined => {
  const text = raw.trim()
  if (text.length === 0) return undefined
  if (text.startsWith('[')) return JSON.parse(text) as number[]
  return text.split(/[\s;]+/).map(Number)
}

export const parseCsvGallery = (text: string, file: string): GalleryEntry[] => {
  const [header, ...rows] = parseCsvRows(text)
  if (header === undefined) return []
  const columns = header.fields.map((name) => name.trim().toLowerCase())
  for (const required of ['id', 'url']) if (!columns.includes(required)) throw invalid(file, header.line, `the header must name an "${required}" column`)
  return rows.map((row) => {
    if (row.fields.length !== columns.length) throw invalid(file, row.line, `expected ${columns.length} fields, got ${row.fields.length}`)
    const value: Record<string, unknown> = {}
    columns.forEach((column, index) => {
      const cell = row.fields[index] as string
      if (column === 'labels') value.labels = cell.split('|').map((label) => label.trim()).filter((label) => label.length > 0)
      else if (column === 'vector') {
        try {
          value.vector = parseCsvVector(cell)
        } catch {
          throw invalid(file, row.line, '"vector" is not a JSON array of numbers')
        }
      } else value[column] = cell
    })
    return toEntry(file, row.line, value)
  })
}

/** Reads a gallery file, choosing the parser by extension (`.csv`, else JSONL). Missing file: INDEX_UNAVAILABLE. */
export const readGalleryFile = (file: string): GalleryEntry[] => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new DriberError('INDEX_UNAVAILABLE', { message: `Cannot read gallery file ${file}`, details: { path: file }, cause: error })
  }
  return file.toLowerCase().endsWith('.csv') ? parseCsvGallery(text, file) : parseJsonlGallery(text, file)
}
