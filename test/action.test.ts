// action.yml as a runner loads it, and one source of truth for the interface: what src/ reads and writes,
// what action.yml declares, and what the README's tables say must all agree.
import { existsSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { isScalar, parse, parseDocument } from 'yaml'
import { describe, expect, it } from 'vitest'
import {
  ACTION_FILE,
  inputDefaults,
  parseYamlStrict,
  readActionMetadata,
  ROOT,
} from '../scripts/lib/action-metadata.ts'
import { getInputs } from '../src/inputs/index.ts'
import { stepOutputs } from '../src/report/outputs.ts'

const metadata = readActionMetadata()
const inputNames = Object.keys(metadata.inputs)
const outputNames = Object.keys(metadata.outputs)

describe('action.yml loads as a runner loads it', () => {
  it('parses as strict YAML with unique keys', () => {
    expect(() => parseYamlStrict(readFileSync(ACTION_FILE, 'utf8'), 'action.yml')).not.toThrow()
  })

  it.each([
    { name: 'a plain description holding ": "', text: 'inputs:\n  a:\n    description: Keyless auth: the name\n' },
    { name: 'a duplicate key', text: 'inputs:\n  a:\n    description: x\n  a:\n    description: y\n' },
    { name: 'a tab for indentation', text: 'inputs:\n\ta: 1\n' },
  ])('the same parser refuses $name (what broke v1)', ({ text }) => {
    expect(() => parseYamlStrict(text, 'bad.yml')).toThrow(/not valid YAML/)
  })

  it('runs the bundle on node24, and the bundle is there', () => {
    expect(metadata.runs.using).toBe('node24')
    expect(typeof metadata.runs.main).toBe('string')
    expect(existsSync(`${ROOT}${String(metadata.runs.main)}`)).toBe(true)
  })

  it('has a name and a description', () => {
    expect(metadata.name).toEqual(expect.any(String))
    expect(metadata.description).toEqual(expect.any(String))
  })

  it('gives every input and output a non-empty description, written as a >- block scalar', () => {
    const doc = parseDocument(readFileSync(ACTION_FILE, 'utf8'))
    const paths = [
      ['description'],
      ...inputNames.map((name) => ['inputs', name, 'description']),
      ...outputNames.map((name) => ['outputs', name, 'description']),
    ]
    expect(paths.length).toBeGreaterThan(10)
    for (const path of paths) {
      const node = doc.getIn(path, true)
      expect(isScalar(node) ? node.type : node, path.join('.')).toBe('BLOCK_FOLDED')
      expect(String(doc.getIn(path)).trim(), path.join('.')).not.toBe('')
    }
  })

  it('gives only string defaults (a runner passes every input as text)', () => {
    for (const [name, input] of Object.entries(metadata.inputs)) {
      if (input.default !== undefined) expect(typeof input.default, name).toBe('string')
      expect([undefined, true, false], `${name}.required`).toContain(input.required)
    }
  })
})

/** Inputs (and environment) given to getInputs to get past validation: static keys, and keyless auth. */
const CONFIGURATIONS = [
  { values: { 'flow-id': '1', region: 'ap-guangzhou', 'secret-id': 'AKIDx', 'secret-key': 'k' }, env: {} },
  {
    values: {
      'flow-id': '1',
      region: 'ap-guangzhou',
      'role-arn': 'qcs::cam::uin/1:roleName/r',
      'oidc-provider-id': 'gh',
    },
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?a=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' },
  },
] as const
const noMask = (): void => undefined

describe('the interface has one source of truth', () => {
  it('src/ reads exactly the inputs action.yml declares', () => {
    const read = new Set<string>()
    for (const { values, env } of CONFIGURATIONS) {
      const given: Readonly<Record<string, string>> = values
      getInputs(
        (name) => {
          read.add(name)
          return given[name] ?? ''
        },
        env,
        noMask,
      )
    }
    expect([...read].sort()).toEqual([...inputNames].sort())
  })

  it("action.yml's defaults are the ones src/ falls back to when an input is empty", () => {
    const defaults = inputDefaults(metadata)
    for (const { values, env } of CONFIGURATIONS) {
      const given: Readonly<Record<string, string>> = values
      const fromCode = getInputs((name) => given[name] ?? '', env, noMask)
      const fromActionYml = getInputs((name) => given[name] ?? defaults.get(name) ?? '', env, noMask)
      expect(fromActionYml).toEqual(fromCode)
    }
  })

  it('src/ sets exactly the outputs action.yml declares', () => {
    const outcome = {
      name: 'Flow 1',
      rows: [{ kind: 'flow', id: '1', result: 'succeeded', state: 'succeeded' }],
      end: 'done',
      error: undefined,
      stoppedBy: undefined,
      requests: 1,
      found: undefined,
      requestId: undefined,
      elapsedMs: 1,
    } as const
    expect(Object.keys(stepOutputs([outcome], { requests: 1 })).sort()).toEqual([...outputNames].sort())
  })
})

/** The rows of the markdown table under `## heading`: cells, trimmed, header and rule dropped. */
function readmeTable(heading: string): string[][] {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8')
  const section = readme.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? ''
  const rows = section.split('\n').filter((line) => line.startsWith('|'))
  return rows.slice(2).map((row) =>
    row
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim()),
  )
}
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1] ?? '')

describe("the README's tables say what action.yml says", () => {
  const inputRows = readmeTable('Inputs')
  const outputRows = readmeTable('Outputs')

  it('list every input once and no other, one row each', () => {
    const names = inputRows.map(([name = '']) => codeSpans(name))
    for (const spans of names) expect(spans).toHaveLength(1)
    expect(names.flat().sort()).toEqual([...inputNames].sort())
  })

  it("show each input's default as action.yml has it, and no made-up literal where it has none", () => {
    for (const [cell = '', def = ''] of inputRows) {
      const name = codeSpans(cell)[0] ?? ''
      const input = metadata.inputs[name]
      if (typeof input?.default === 'string') {
        expect(def, name).toBe(`\`${input.default}\``)
      } else if (input?.required === true) {
        expect(def, name).toBe('(required)')
      } else {
        // no default: words, or the environment variables src/ falls back to
        for (const span of codeSpans(def)) expect(span, name).toMatch(/^\$[A-Z_]+$/)
      }
    }
  })

  it('list every output once and no other', () => {
    const names = outputRows.map(([name = '']) => codeSpans(name))
    for (const spans of names) expect(spans).toHaveLength(1)
    expect(names.flat().sort()).toEqual([...outputNames].sort())
  })
})

describe('identity and history', () => {
  it('says what the action does now, in action.yml, package.json and the README', () => {
    const action = parse(readFileSync(`${ROOT}action.yml`, 'utf8')) as { name: string; description: string }
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { description: string; version: string }
    const readme = readFileSync(`${ROOT}README.md`, 'utf8')
    expect(action.name).toMatch(/change and wait/i)
    for (const text of [action.description, pkg.description, readme.split('\n').slice(0, 4).join(' ')])
      expect(text).toMatch(/(send|makes) a .*change.*wait/is)
  })

  it('names no version in the CHANGELOG that git tag lacks, and has one set of headings', () => {
    const changelog = readFileSync(`${ROOT}CHANGELOG.md`, 'utf8')
    const tags = execFileSync('git', ['tag', '--list', 'v*'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
    const versions = [...changelog.matchAll(/^## (\d+\.\d+\.\d+)/gm)].map((m) => `v${m[1]}`)
    for (const version of versions) expect(tags).toContain(version)
    for (const section of changelog.split(/^## /m).slice(1)) {
      const headings = [...section.matchAll(/^### (.+)$/gm)].map((m) => m[1])
      expect(new Set(headings).size).toBe(headings.length)
    }
    if (tags.length === 0) {
      const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }
      expect(pkg.version).toBe('0.0.0') // release.sh sets the first version as it tags it
    }
  })
})
