/**
 * What `driber index build --images` reads: a folder of pictures (walked recursively) or a JSONL/CSV
 * list of `{id?, url | path, caption?, labels?}` rows. Each becomes an `ImageSource`; nothing is
 * read or fetched here (image-loader.ts does that), so listing a large library is quick and a bad
 * row is a counted skip, not a failed build.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { DriberError } from '../errors.js'
import { parseCsvRows } from './gallery-file.js'
import { IMAGE_EXTENSIONS, sniffImageType } from './sniff-image-type.js'

export type ImageLocation = { kind: 'file'; path: string } | { kind: 'url'; url: string }

export interface ImageSource {
  /**
   * Identity for resuming an interrupted build: the absolute path with size and modification time
   * (an edited file is embedded again), or the id and url.
   */
  key: string
  id: string
  location: ImageLocation
  caption: string
  labels: string[]
}

/** A list row that could not become a source (skipped and counted as `invalid_row`). */
export interface SourceProblem {
  where: string
  detail: string
}

export interface ImageSourceList {
  kind: 'folder' | 'list'
  sources: ImageSource[]
  problems: SourceProblem[]
  /** Folder files that are neither named nor shaped like images (READMEs, .txt sidecars): not counted as failures. */
  ignored: number
}

const isImageName = (name: string): boolean => (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase())

/** The first bytes of a file, enough for `sniffImageType`; empty when it cannot be read. */
const headOf = (file: string): Uint8Array => {
  let descriptor: number | undefined
  try {
    descriptor = openSync(file, 'r')
    const head = Buffer.alloc(16)
    const read = readSync(descriptor, head, 0, head.length, 0)
    return head.subarray(0, read)
  } catch {
    return new Uint8Array()
  } finally {
    if (descriptor !== undefined) closeSync(descriptor)
  }
}

const fileSource = (file: string, id: string, caption = '', labels: string[] = []): ImageSource => {
  let key = `file:${file}`
  try {
    const stat = statSync(file)
    key = `file:${file}:${stat.size}:${Math.trunc(stat.mtimeMs)}`
  } catch {
    // Missing or unreadable: the loader reports it with its reason.
  }
  return { key, id, location: { kind: 'file', path: file }, caption, labels }
}

/**
 * Every image file under `folder`, in a stable (sorted) order. Hidden entries are skipped (they
 * hold tool state, such as a build's own `.build` folder) and symbolic links to folders are not
 * followed (no cycles). Files named like images are kept whatever their bytes (the loader skips
 * fakes as `not_an_image`); other files are kept only when their bytes are an image.
 */
export const listImageFolder = (folder: string): ImageSourceList => {
  const root = path.resolve(folder)
  const sources: ImageSource[] = []
  let ignored = 0
  const walk = (directory: string): void => {
    const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const full = path.join(directory, entry.name)
      if (entry.isDirectory()) {
        walk(full)
        continue
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue
      if (entry.isSymbolicLink()) {
        try {
          if (statSync(full).isDirectory()) continue
        } catch {
          // A dangling link named like an image is reported as missing by the loader.
          if (!isImageName(entry.name)) continue
        }
      }
      if (isImageName(entry.name) || sniffImageType(headOf(full)) !== undefined) {
        sources.push(fileSource(full, path.relative(root, full).split(path.sep).join('/')))
      } else ignored++
    }
  }
  walk(root)
  return { kind: 'folder', sources, problems: [], ignored }
}

const rowToSource = (value: unknown, base: string): ImageSource | string => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object'
  const raw = value as Record<string, unknown>
  const id = typeof raw.id === 'number' ? String(raw.id) : raw.id
  if (id !== undefined && id !== null && id !== '' && typeof id !== 'string') return '"id" must be a string'
  if (raw.caption !== undefined && raw.caption !== null && typeof raw.caption !== 'string') return '"caption" must be a string'
  if (raw.labels !== undefined && raw.labels !== null && (!Array.isArray(raw.labels) || raw.labels.some((label) => typeof label !== 'string'))) {
    return '"labels" must be an array of strings'
  }
  const caption = typeof raw.caption === 'string' ? raw.caption.trim() : ''
  const labels = Array.isArray(raw.labels) ? (raw.labels as string[]) : []
  const url = typeof raw.url === 'string' && raw.url.length > 0 ? raw.url : undefined
  const file = typeof raw.path === 'string' && raw.path.length > 0 ? raw.path : undefined
  if ((url === undefined) === (file === undefined)) return 'needs exactly one of "url" or "path"'
  if (file !== undefined) {
    const absolute = path.resolve(base, file)
    return fileSource(absolute, typeof id === 'string' && id.length > 0 ? id : path.relative(base, absolute).split(path.sep).join('/'), caption, labels)
  }
  let parsed: URL
  try {
    parsed = new URL(url as string)
  } catch {
    return `"url" is not a URL: ${url}`
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `"url" must be http or https (use "path" for local files): ${url}`
  const imageId = typeof id === 'string' && id.length > 0 ? id : parsed.href
  return { key: `url:${imageId}:${parsed.href}`, id: imageId, location: { kind: 'url', url: parsed.href }, caption, labels }
}

/** Reads a JSONL or CSV (by extension) list of images. Relative paths are relative to the list file. */
export const listImageFile = (file: string): ImageSourceList => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new DriberError('INVALID_ARGUMENT', { message: `Cannot read ${file}`, cause: error })
  }
  const base = path.dirname(path.resolve(file))
  const sources: ImageSource[] = []
  const problems: SourceProblem[] = []
  const add = (line: number, value: unknown): void => {
    const source = rowToSource(value, base)
    if (typeof source === 'string') problems.push({ where: `${file} line ${line}`, detail: source })
    else sources.push(source)
  }
  if (file.toLowerCase().endsWith('.csv')) {
    const [header, ...rows] = parseCsvRows(text)
    if (header === undefined) return { kind: 'list', sources, problems, ignored: 0 }
    const columns = header.fields.map((name) => name.trim().toLowerCase())
    if (!columns.includes('url') && !columns.includes('path')) {
      throw new DriberError('INVALID_ARGUMENT', { message: `${file}: the CSV header must name a "url" or a "path" column` })
    }
    for (const row of rows) {
      if (row.fields.length !== columns.length) {
        problems.push({ where: `${file} line ${row.line}`, detail: `expected ${columns.length} fields, got ${row.fields.length}` })
        continue
      }
      const value: Record<string, unknown> = {}
      columns.forEach((column, index) => {
        const cell = (row.fields[index] as string).trim()
        if (column === 'labels') value.labels = cell.split('|').map((label) => label.trim()).filter((label) => label.length > 0)
        else if (cell.length > 0) value[column] = cell
      })
      add(row.line, value)
    }
  } else {
    text.split('\n').forEach((raw, index) => {
      const line = raw.trim()
      if (line.length === 0) return
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        problems.push({ where: `${file} line ${index + 1}`, detail: 'not valid JSON' })
        return
      }
      add(index + 1, value)
    })
  }
  return { kind: 'list', sources, problems, ignored: 0 }
}

/** A folder is walked; a file is read as a list. INVALID_ARGUMENT when `input` does not exist. */
export const listImageSources = (input: string): ImageSourceList => {
  let isFolder: boolean
  try {
    isFolder = statSync(input).isDirectory()
  } catch (error) {
    throw new DriberError('INVALID_ARGUMENT', { message: `--images ${input} does not exist`, cause: error })
  }
  return isFolder ? listImageFolder(input) : listImageFile(input)
}
