/**
 * Progress for long CLI runs (eval, augment): a bar on a terminal (cli-progress), plain lines
 * every tenth of the way otherwise, so CI logs stay readable. Written to stderr: stdout carries
 * the command's result.
 */
import cliProgress from 'cli-progress'

export interface ProgressReporter {
  start(label: string, total: number): void
  update(done: number): void
  stop(): void
}

export const createProgressReporter = (stream: NodeJS.WriteStream = process.stderr): ProgressReporter => {
  if (stream.isTTY === true) {
    let bar: cliProgress.SingleBar | undefined
    return {
      start(label, total) {
        bar?.stop()
        bar = new cliProgress.SingleBar({ format: `${label.padEnd(9)} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`, stream, hideCursor: true }, cliProgress.Presets.shades_classic)
        bar.start(total, 0)
      },
      update(done) {
        bar?.update(done)
      },
      stop() {
        bar?.stop()
        bar = undefined
      },
    }
  }
  let label = ''
  let total = 0
  let lastTenth = -1
  return {
    start(name, count) {
      label = name
      total = count
      lastTenth = -1
      stream.write(`${label}: 0/${total}\n`)
    },
    update(done) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10)
      if (tenth > lastTenth && tenth > 0) {
        lastTenth = tenth
        stream.write(`${label}: ${done}/${total}\n`)
      }
    },
    stop() {},
  }
}
