// What the runner would execute in a step's output: a port of actions/runner's ActionCommand.TryParseV2 (a line
// whose start, after .NET's TrimStart, is `::name …::data`) and TryParse (`##[name …]data` anywhere in a line),
// for the commands the runner registers. Tests hold the action's output to: only the toolkit's own commands.
import { expect } from 'vitest'
const REGISTERED = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'internal-set-repo-path',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
])

/** .NET's Char.IsWhiteSpace: the Unicode space separators, TAB to CR, NEL, LS and PS. */
const DOTNET_WHITESPACE = /^[\p{Zs}\t\n\v\f\r\u0085\u2028\u2029]*/u

export interface RunnerCommand {
  readonly syntax: '::' | '##['
  readonly name: string
  readonly data: string
  readonly line: string
}

/** The commands the runner reads in `output`, line by line (it reads lines as .NET does: CR, LF or CRLF). */
export function runnerCommands(output: string): RunnerCommand[] {
  const commands: RunnerCommand[] = []
  for (const line of output.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(DOTNET_WHITESPACE, '')
    if (trimmed.startsWith('::')) {
      const end = trimmed.indexOf('::', 2)
      if (end >= 0) {
        const name = trimmed.slice(2, end).split(' ')[0]?.toLowerCase() ?? ''
        if (REGISTERED.has(name)) {
          commands.push({ syntax: '::', name, data: trimmed.slice(end + 2), line })
          continue
        }
      }
    }
    const prefix = line.indexOf('##[')
    if (prefix >= 0) {
      const close = line.indexOf(']', prefix)
      if (close >= 0) {
        const name =
          line
            .slice(prefix + 3, close)
            .split(' ')[0]
            ?.toLowerCase() ?? ''
        if (REGISTERED.has(name)) commands.push({ syntax: '##[', name, data: line.slice(close + 1), line })
      }
    }
  }
  return commands
}

/**
 * The run's output holds only the toolkit's own commands, each at the start of its line, in the `::` syntax (never
 * `##[`), on stdout; `::add-mask::` only of `secrets`; and none of the payloads the hostile texts carry (`pwned`,
 * `::warning::x`) ever starts a line.
 */
export function expectOnlyToolkitCommands(run: { stdout: string; stderr: string }, secrets: readonly string[]): void {
  for (const command of runnerCommands(run.stdout)) {
    expect(command.syntax, command.line).toBe('::')
    expect(command.line.startsWith(`::${command.name}`), command.line).toBe(true)
    expect(['add-mask', 'debug', 'error', 'warning', 'notice'], command.line).toContain(command.name)
    if (command.name === 'add-mask') expect(secrets, command.line).toContain(command.data)
    expect(command.data, command.line).not.toMatch(/^(pwned|x$)/)
  }
  // nor after a line separator the runner does not split on but a reader's terminal may (U+2028, U+2029)
  expect(run.stdout).not.toMatch(/^(::set-output|::stop-commands|::error::pwned|::warning::x)/m)
  expect(runnerCommands(run.stderr)).toEqual([])
}
