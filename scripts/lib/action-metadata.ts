// action.yml read the way a runner reads it: with a real YAML parser, strict, duplicate keys refused. The runner
// emulation, `npm run local`, and the tests that hold the interface together all read it through here.
import { readFileSync } from 'node:fs'
import { parseDocument } from 'yaml'

export interface ActionInput {
  readonly description: unknown
  readonly required?: unknown
  readonly default?: unknown
}

export interface ActionMetadata {
  readonly name: unknown
  readonly description: unknown
  readonly inputs: Readonly<Record<string, ActionInput>>
  readonly outputs: Readonly<Record<string, { readonly description: unknown }>>
  readonly runs: { readonly using: unknown; readonly main: unknown }
}

export const ROOT = new URL('../../', import.meta.url).pathname
export const ACTION_FILE = `${ROOT}action.yml`

/** Parses YAML text strictly: any error or warning (a duplicate key, a tab, `: ` in a plain scalar) throws. */
export function parseYamlStrict(text: string, file: string): unknown {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true })
  const problems = [...doc.errors, ...doc.warnings]
  if (problems.length > 0) throw new Error(`${file} is not valid YAML:\n${problems.map((p) => p.message).join('\n')}`)
  return doc.toJS()
}

export function readActionMetadata(file = ACTION_FILE): ActionMetadata {
  const data = parseYamlStrict(readFileSync(file, 'utf8'), file) as Partial<ActionMetadata> | null
  return {
    name: data?.name,
    description: data?.description,
    inputs: data?.inputs ?? {},
    outputs: data?.outputs ?? {},
    runs: data?.runs ?? { using: undefined, main: undefined },
  }
}

/** Every input's default as the runner passes it when a workflow leaves the input out (absent: no default). */
export function inputDefaults(metadata: ActionMetadata = readActionMetadata()): Map<string, string> {
  const defaults = new Map<string, string>()
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.default !== undefined && input.default !== null) defaults.set(name, String(input.default))
  }
  return defaults
}
