/**
 * The keys a JSON text repeats within one object (JSON.parse would silently keep the last), as
 * `path.key` strings: log shippers and people disagree on which of two values a line "has".
 */
export const duplicateJsonKeys = (text: string): string[] => {
  const duplicates: string[] = []
  // One frame per open object or array: the keys seen so far (objects only) and where it sits.
  const frames: Array<{ keys: Set<string> | undefined; path: string; lastKey: string | undefined }> = []
  let index = 0
  const readString = (): string => {
    const start = index
    index++
    while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1
    index++
    return JSON.parse(text.slice(start, index)) as string
  }
  while (index < text.length) {
    const char = text[index] as string
    const frame = frames[frames.length - 1]
    if (char === '"') {
      const value = readString()
      let next = index
      while (/\s/.test(text[next] ?? '')) next++
      if (frame?.keys !== undefined && text[next] === ':') {
        if (frame.keys.has(value)) duplicates.push(`${frame.path}${value}`)
        frame.keys.add(value)
        frame.lastKey = value
      }
      continue
    }
    if (char === '{' || char === '[') {
      const where = frame === undefined ? '' : `${frame.path}${frame.keys === undefined ? '[]' : (frame.lastKey ?? '')}.`
      frames.push({ keys: char === '{' ? new Set() : undefined, path: where, lastKey: undefined })
    } else if (char === '}' || char === ']') {
      frames.pop()
    }
    index++
  }
  return duplicates
}
