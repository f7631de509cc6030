/**
 * The README's examples, run for real. Each example sits between `<!-- example: NAME -->` and
 * `<!-- /example -->`: a shell block of commands a reader would type (`curl`, `echo ... > FILE`,
 * `npm run call -- ...`), optionally followed by a `json` block with the answer. The commands are
 * executed against a running driber (in-process in the test and in `npm run readme:examples`),
 * and the answer block must hold what the last command printed, with durations and token counts
 * set aside (they change from run to run and machine to machine, and say nothing about meaning).
 *
 * Only the commands the README uses are understood; anything else is an error naming the example,
 * so a new kind of example cannot be skipped silently.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { run as runCall } from '../src/cli/commands/call.js'
import { testConfig } from '../src/config.js'
import { startServer } from '../src/server.js'

/** Keys whose values vary between runs: compared as "present", never by value. */
export const VARYING_KEYS: ReadonlySet<string> = new Set(['duration_ms', 'input_tokens', 'output_tokens', 'total_tokens'])

/** Printed answers wrap at this width; shorter values stay on one line. */
const WIDTH = 110

export interface ReadmeExample {
  name: string
  /** The shell block's text. */
  commands: string
  /** The printed answer block's text, or undefined when the example prints none (it must still succeed). */
  answer: string | undefined
  /** Offsets of the answer block's content in the README, for rewriting. */
  answerRange: { start: number; end: number } | undefined
}

const OPEN = /<!--\s*example:\s*([a-z0-9-]+)\s*-->/g
const CLOSE = '<!-- /example -->'
const FENCE = /```([a-z]*)\n([\s\S]*?)```/g

/** Finds every marked example; a marker without its close, a duplicate name or a missing shell block is an error. */
export const parseExamples = (readme: string): ReadmeExample[] => {
  const examples: ReadmeExample[] = []
  for (const open of readme.matchAll(OPEN)) {
    const name = open[1] as string
    const from = (open.index as number) + open[0].length
    const to = readme.indexOf(CLOSE, from)
    if (to < 0) throw new Error(`README example "${name}" has no ${CLOSE}`)
    const nextOpen = readme.slice(from, to).search(/<!--\s*example:/)
    if (nextOpen >= 0) throw new Error(`README example "${name}" is not closed before the next example`)
    if (examples.some((example) => example.name === name)) throw new Error(`README example "${name}" appears twice`)
    const fences = [...readme.slice(from, to).matchAll(FENCE)]
    const shell = fences.find((fence) => fence[1] === 'sh')
    if (shell === undefined) throw new Error(`README example "${name}" has no \`\`\`sh block`)
    const json = fences.find((fence) => fence[1] === 'json')
    let answerRange: ReadmeExample['answerRange']
    if (json !== undefined) {
      const start = from + (json.index as number) + '```json\n'.length
      answerRange = { start, end: start + (json[2] as string).length }
    }
    examples.push({ name, commands: shell[2] as string, answer: json?.[2], answerRange })
  }
  return examples
}

/**
 * Splits shell text into commands of words, as sh would for the quoting the README uses: single
 * and double quotes, backslash line continuations, `#` comments, and `;`, `&&` or a newline
 * between commands. `>` is kept as its own word.
 */
export const shellCommands = (text: string): string[][] => {
  const commands: string[][] = []
  let words: string[] = []
  let word: string | undefined
  const endWord = () => {
    if (word !== undefined) words.push(word)
    word = undefined
  }
  const endCommand = () => {
    endWord()
    if (words.length > 0) commands.push(words)
    words = []
  }
  for (let i = 0; i < text.length; i++) {
    const character = text[i] as string
    if (character === "'") {
      const close = text.indexOf("'", i + 1)
      if (close < 0) throw new Error('unterminated single quote')
      word = (word ?? '') + text.slice(i + 1, close)
      i = close
    } else if (character === '"') {
      let value = ''
      let j = i + 1
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && /["\\$`]/.test(text[j + 1] ?? '')) j++
        value += text[j]
      }
      if (j >= text.length) throw new Error('unterminated double quote')
      word = (word ?? '') + value
      i = j
    } else if (character === '\\' && text[i + 1] === '\n') {
      i++
    } else if (character === '\\') {
      word = (word ?? '') + (text[i + 1] ?? '')
      i++
    } else if (character === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++
    } else if (character === '\n' || character === ';') {
      endCommand()
    } else if (character === '&' && text[i + 1] === '&') {
      endCommand()
      i++
    } else if (character === '>') {
      endWord()
      words.push('>')
    } else if (character === ' ' || character === '\t') {
      endWord()
    } else {
      word = (word ?? '') + character
    }
  }
  endCommand()
  return commands
}

/** Where the examples run, and how to run the CLI (`driber call`) in-process. */
export interface ExampleTarget {
  /** `http://127.0.0.1:PORT` */
  httpUrl: string
  /** `127.0.0.1:PORT` */
  grpcAddress: string
  call(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>
}

export interface ExampleRun {
  name: string
  /** What the last printing command printed, parsed when it is JSON. */
  output: unknown
}

/** A README address (`localhost:8080/v1/decide`, `http://127.0.0.1:8080/...`) aimed at the running service. */
const localUrl = (address: string, target: ExampleTarget): string => {
  const match = /^(?:https?:\/\/)?(?:localhost|127\.0\.0\.1)(?::\d+)?(\/.*)?$/.exec(address)
  if (match === null) throw new Error(`curl to ${address}: examples may only call the local service`)
  return `${target.httpUrl}${match[1] ?? '/'}`
}

const parseOutput = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const runCurl = async (words: string[], target: ExampleTarget, requireSuccess: boolean): Promise<unknown> => {
  const headers: Record<string, string> = {}
  let method: string | undefined
  let body: string | undefined
  let url: string | undefined
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string
    if (word === '-s' || word === '-sS' || word === '--silent') continue
    if (word === '-H' || word === '--header') {
      const header = words[++i] ?? ''
      const colon = header.indexOf(':')
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim()
    } else if (word === '-d' || word === '--data' || word === '--data-raw') {
      body = words[++i] ?? ''
    } else if (word === '-X' || word === '--request') {
      method = words[++i]
    } else if (word.startsWith('-')) {
      throw new Error(`curl option ${word} is not supported in README examples`)
    } else {
      url = localUrl(word, target)
    }
  }
  if (url === undefined) throw new Error('curl without an address')
  const response = await fetch(url, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) })
  const text = await response.text()
  if (requireSuccess && !response.ok) throw new Error(`curl ${url} answered ${response.status}: ${text.slice(0, 300)}`)
  return parseOutput(text)
}

/** `driber call` arguments with the README's addresses and files replaced by the running service's and the run's. */
const callArguments = (words: string[], target: ExampleTarget, directory: string): string[] =>
  words.map((word, index) => {
    const option = words[index - 1]
    if (option === '--grpc') return target.grpcAddress
    if (option === '--http') return target.httpUrl
    if (option === '--file' || option === '-f') return word === '-' ? word : path.join(directory, word)
    return word
  })

/**
 * Runs one example's commands in order; returns what the last printing command printed. Without
 * an answer block every command must succeed (2xx, exit 0); with one, curl's body is the answer
 * whatever its status, so an example may show an error.
 */
export const runExample = async (example: ReadmeExample, target: ExampleTarget, directory: string): Promise<ExampleRun> => {
  let output: unknown
  for (const words of shellCommands(example.commands)) {
    const [program, ...rest] = words
    const where = `README example "${example.name}": ${words.join(' ').slice(0, 80)}`
    try {
      if (program === 'curl') {
        output = await runCurl(words, target, example.answer === undefined)
      } else if (program === 'echo') {
        const arrow = rest.indexOf('>')
        if (arrow < 0 || rest[arrow + 1] === undefined) throw new Error('echo without "> FILE"')
        writeFileSync(path.join(directory, path.basename(rest[arrow + 1] as string)), `${rest.slice(0, arrow).join(' ')}\n`)
      } else if ((program === 'npm' && rest[0] === 'run' && rest[1] === 'call' && rest[2] === '--') || (program === 'npx' && rest[0] === 'driber' && rest[1] === 'call')) {
        const argv = callArguments(program === 'npm' ? rest.slice(3) : rest.slice(2), target, directory)
        const result = await target.call(argv)
        if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr.slice(0, 300)}`)
        output = parseOutput(result.stdout)
      } else {
        throw new Error(`the command "${program}" is not supported in README examples`)
      }
    } catch (error) {
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return { name: example.name, output }
}

/** Runs every example in README order, in a scratch directory for the files they write. */
export const runExamples = async (examples: readonly ReadmeExample[], target: ExampleTarget): Promise<ExampleRun[]> => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-readme-'))
  try {
    const runs: ExampleRun[] = []
    for (const example of examples) runs.push(await runExample(example, target, directory))
    return runs
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/**
 * JSON the way the README prints it: a value that fits the width stays on one line (after its key,
 * `prefix` characters), otherwise its members go one per line, two spaces deeper, recursively.
 */
export const renderAnswer = (value: unknown, indent = 0, prefix = 0): string => {
  const inline = (item: unknown): string => {
    if (Array.isArray(item)) return `[${item.map(inline).join(', ')}]`
    if (item !== null && typeof item === 'object') {
      return `{${Object.entries(item).map(([key, member]) => `${JSON.stringify(key)}: ${inline(member)}`).join(', ')}}`
    }
    return JSON.stringify(item)
  }
  const flat = inline(value)
  if (indent + prefix + flat.length <= WIDTH || value === null || typeof value !== 'object') return flat
  const pad = ' '.repeat(indent + 2)
  const entries = Array.isArray(value)
    ? value.map((item) => `${pad}${renderAnswer(item, indent + 2)}`)
    : Object.entries(value).map(([key, member]) => `${pad}${JSON.stringify(key)}: ${renderAnswer(member, indent + 2, JSON.stringify(key).length + 2)}`)
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  return `${open}\n${entries.join(',\n')}\n${' '.repeat(indent)}${close}`
}

/** The answer with varying values set aside and numbers rounded past float noise. */
export const normaliseAnswer = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normaliseAnswer)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, VARYING_KEYS.has(key) ? '(varies)' : normaliseAnswer(member)]))
  }
  if (typeof value === 'number') return Math.round(value * 1e6) / 1e6
  return value
}

/** Undefined when the printed answer is what the service answered; otherwise a line diff, printed (-) against answered (+). */
export const answerDifference = (printed: string, answered: unknown): string | undefined => {
  let printedValue: unknown
  try {
    printedValue = JSON.parse(printed)
  } catch {
    printedValue = printed.trim()
  }
  const before = renderAnswer(normaliseAnswer(printedValue)).split('\n')
  const after = renderAnswer(normaliseAnswer(answered)).split('\n')
  if (before.join('\n') === after.join('\n')) return undefined
  const lines: string[] = []
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (before[i] === after[i]) continue
    if (before[i] !== undefined) lines.push(`- ${before[i]}`)
    if (after[i] !== undefined) lines.push(`+ ${after[i]}`)
  }
  return lines.join('\n')
}

/**
 * The README with each stale answer block replaced by what the service answered. Fresh blocks are
 * kept byte for byte (so a refresh does not churn durations), unless `all` asks to reprint them.
 */
export const rewriteAnswers = (readme: string, examples: readonly ReadmeExample[], runs: readonly ExampleRun[], all = false): string => {
  const edits = examples
    .map((example, index) => ({ example, run: runs[index] as ExampleRun }))
    .filter(({ example, run }) => example.answerRange !== undefined && (all || answerDifference(example.answer ?? '', run.output) !== undefined))
    .sort((left, right) => (right.example.answerRange?.start ?? 0) - (left.example.answerRange?.start ?? 0))
  let text = readme
  for (const { example, run } of edits) {
    const range = example.answerRange as NonNullable<ReadmeExample['answerRange']>
    text = `${text.slice(0, range.start)}${renderAnswer(run.output)}\n${text.slice(range.end)}`
  }
  return text
}

/**
 * The service a new user starts with `npm start` (default config: the shipped registry, the embedded
 * tier, the shipped gallery), in this process on free ports, and the CLI pointed at it.
 */
export const startReadmeService = async (): Promise<ExampleTarget & { close(): Promise<void> }> => {
  const server = await startServer(
    testConfig({
      http: { host: '127.0.0.1', port: 0 },
      grpc: { host: '127.0.0.1', port: 0 },
      logging: { level: 'silent' },
      // Load shedding answers 503 when a busy machine stalls the event loop; the examples are about answers.
      pressure: { enabled: false },
    }),
  )
  if (server.grpcAddress === undefined) throw new Error('the default config serves gRPC')
  return {
    httpUrl: server.httpUrl,
    grpcAddress: server.grpcAddress,
    async call(argv) {
      let stdout = ''
      let stderr = ''
      const code = await runCall(argv, {
        stdin: Readable.from([]),
        stdout: { write: (chunk: string) => (stdout += chunk) },
        stderr: { write: (chunk: string) => (stderr += chunk) },
      })
      return { code, stdout, stderr }
    },
    close: () => server.shutdown('README examples done'),
  }
}
