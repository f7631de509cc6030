/**
 * What a benchmark result needs to be read later: the machine, the runtime, the load it ran
 * under and the commit it measured.
 */
import { execFileSync } from 'node:child_process'
import { availableParallelism, cpus, loadavg, totalmem, platform, arch, release } from 'node:os'

export interface MachineFacts {
  cpu: string
  cores: number
  node: string
  platform: string
  totalMemoryBytes: number
  /** 1, 5 and 15 minute load averages when the run started (other work on the machine skews numbers). */
  loadAverage: number[]
  date: string
  gitCommit: string
  /** True when the work tree had uncommitted changes. */
  gitDirty: boolean
}

const git = (args: string[]): string => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return ''
  }
}

/** Collects the facts now. */
export const machineFacts = (): MachineFacts => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: availableParallelism(),
  node: process.version,
  platform: `${platform()} ${release()} ${arch()}`,
  totalMemoryBytes: totalmem(),
  loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  date: new Date().toISOString(),
  gitCommit: git(['rev-parse', 'HEAD']) || 'unknown',
  gitDirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
})
