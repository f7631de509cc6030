/**
 * Runs a CLI command's `run` in-process with `process.stdout` and `process.stderr` captured, and
 * puts both writers back afterwards even when the command throws.
 */
export const captureOutput = async (work: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> => {
  const out: string[] = []
  const err: string[] = []
  const originalOut = process.stdout.write.bind(process.stdout)
  const originalErr = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write
  try {
    const code = await work()
    return { code, stdout: out.join(''), stderr: err.join('') }
  } finally {
    process.stdout.write = originalOut
    process.stderr.write = originalErr
  }
}
