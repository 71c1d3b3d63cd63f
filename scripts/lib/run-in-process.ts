// Runs the step from src/ in this process, the way run-action.ts runs the bundle: the same INPUT_* variables and
// runner files, the real @actions/core writing its workflow commands to stdout (captured here), and nothing else
// of this machine's environment. Far faster than spawning Node, and an edit in src/ is seen without a rebuild.
// Runs in one process must not overlap: vitest runs the tests of a file one after another.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/main.ts'
import { runnerEnv, type ActionRun, type RunOptions } from './run-action.ts'

export type InProcessOptions = Pick<RunOptions, 'inputs' | 'env'> & {
  /** The retries' jitter (src/main.ts); () => 0 retries at once. */
  readonly random?: () => number
  /** Ends the wait as the runner's SIGTERM does, when it aborts. */
  readonly cancel?: AbortSignal
}

// @actions/core remembers the summary file's path once it has written to it: one directory for the process, its
// files emptied before every run.
const dir = mkdtempSync(join(tmpdir(), 'wait-flow-in-process-'))

export async function runInProcess(options: InProcessOptions): Promise<ActionRun> {
  const { env, written } = runnerEnv(options, dir)
  const saved = {
    env: process.env,
    exitCode: process.exitCode,
    write: process.stdout.write,
    errWrite: process.stderr.write,
  }
  let stdout = ''
  let stderr = ''
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
  process.env = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
  process.exitCode = undefined
  process.stdout.write = capture((text) => (stdout += text)) as typeof process.stdout.write
  process.stderr.write = capture((text) => (stderr += text)) as typeof process.stderr.write
  const spawnedAt = Date.now()
  try {
    await run({ random: options.random, signal: options.cancel })
  } finally {
    process.stdout.write = saved.write
    process.stderr.write = saved.errWrite
    process.env = saved.env
  }
  const exitedAt = Date.now()
  const code = process.exitCode === undefined || process.exitCode === 0 ? 0 : Number(process.exitCode)
  process.exitCode = saved.exitCode
  return { spawnedAt, exitedAt, code, stdout, stderr, ...written() }
}
