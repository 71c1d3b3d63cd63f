// Runs the bundled dist/index.js the way the runner does: INPUT_* variables (action.yml's defaults, parsed as YAML),
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and nothing else of this machine's environment.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { inputDefaults, ROOT } from './action-metadata.ts'

const root = ROOT

export interface ActionRun {
  /** Date.now() just before the process was spawned, and when it exited. */
  readonly spawnedAt: number
  readonly exitedAt: number
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly summary: string
}

export interface RunOptions {
  readonly inputs: Readonly<Record<string, string>>
  readonly env?: Readonly<Record<string, string>>
  /** Start from this process's environment (a local run) instead of an empty one (a test). */
  readonly inheritEnv?: boolean
  /** Copy the action's stdout and stderr here as they come. */
  readonly echo?: boolean
  /** Flags for node before the script, e.g. ['--import', 'probe.mjs']. */
  readonly nodeArgs?: readonly string[]
  /** Send this signal once the action has printed a line matching `when`. */
  readonly signal?: { readonly name: NodeJS.Signals; readonly when: RegExp }
  /** Called when that signal is sent. */
  readonly onSignal?: () => void
}

/** Parses the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const [, name, , value] of text.matchAll(pattern)) if (name) outputs[name] = value ?? ''
  return outputs
}

/**
 * The files a runner gives a step (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) in `dir`, emptied, the step's environment,
 * and what the step left in those files.
 */
export function runnerEnv(
  options: RunOptions,
  dir: string,
): { env: Record<string, string | undefined>; written: () => Pick<ActionRun, 'outputs' | 'summary'> } {
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  // As the runner does: every input a workflow leaves out that has a default in action.yml gets it.
  const inputs = { ...Object.fromEntries(inputDefaults()), ...options.inputs }
  const env: Record<string, string | undefined> = {
    ...(options.inheritEnv ? process.env : { PATH: process.env.PATH ?? '' }),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
    ...options.env,
  }
  const written = (): Pick<ActionRun, 'outputs' | 'summary'> => ({
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  })
  return { env, written }
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wait-flow-'))
  const { env, written } = runnerEnv(options, dir)
  try {
    const spawnedAt = Date.now()
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(root, 'dist/index.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    if (options.echo) {
      // A runner consumes ::add-mask:: lines and never shows them; a terminal would show the secret.
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('::add-mask::')) console.log(line)
      })
      child.stderr.pipe(process.stderr)
    }
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (options.signal && options.signal.when.test(stdout) && child.exitCode === null && !child.killed) {
        child.kill(options.signal.name)
        options.onSignal?.()
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let exitedAt = 0
    child.on('exit', () => (exitedAt = Date.now()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    return { spawnedAt, exitedAt, code, stdout, stderr, ...written() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
