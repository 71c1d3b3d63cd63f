// `call` and `parameters`: a CynosDB change for the step to send, checked against the API model (the official SDK's,
// reduced at build time) as the API would check it. Secret values are masked before anything else happens to them.
import { quoted } from '../foreign-text.ts'
import { parseJson, toJson } from '../json.ts'
import { checkRequest } from '../tencent/api-model.ts'
import { CYNOSDB_MODEL } from '../tencent/model.ts'
import { InputError, show } from './input-error.ts'

/** A CynosDB change the step sends itself, checked against the API model. */
export interface ChangeCall {
  readonly action: string
  /** The request's JSON, exactly as it is signed and sent (integers beyond 2^53 keep every digit). */
  readonly payload: string
  /** Its top-level parameter names, for the summary (never the values). */
  readonly parameterNames: readonly string[]
}

/** Actions that only read: the API reference's Describe…, Inquire…, Check…, Calculate…, Download… and the like. */
export const READ_ONLY = /^(Describe|Inquire|Check|Search|Export|Get|Calculate|Download)/
/**
 * Parameter names whose values are secrets, decided over the API model's names (test/mask.test.ts lists every name
 * that mentions a password, secret, token or key, and which of them this takes): a name ending in Password, Secret
 * or Token (AdminPassword, AccountPassword, Password, TargetPassword). Keys in CynosDB's model name no secret:
 * TagKey, SearchKey, KeyId, KeyRegion, KeyType; masking a tag key `env` would blank "env" in the whole job's log.
 * ValidatePassword… and PasswordRotation are settings, not passwords.
 */
export const SECRET_NAME = /(password|secret|token)$/i
/**
 * A secret shorter than this is not masked: CynosDB's passwords are 8 to 64 characters (the model's words), so a
 * shorter value is refused by the API anyway, and masking one or two characters would blank them throughout the
 * log. It is never printed either: the request body is never logged.
 */
export const MIN_SECRET_CHARS = 8

/** Every value under a parameter whose name is a secret's, at any depth, long enough to be one. */
export function secretValues(value: unknown, secret = false): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => secretValues(item, secret))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([name, item]) => secretValues(item, secret || SECRET_NAME.test(name)))
  }
  if (!secret) return []
  const text =
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : ''
  return text.length >= MIN_SECRET_CHARS ? [text] : []
}

/** Far deeper than any CynosDB parameter goes, far shallower than what would exhaust the parser's stack. */
const MAX_NESTING = 64

/** How deep `[` and `{` nest in JSON text, outside its strings. */
function nesting(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth)
    else if (c === ']' || c === '}') depth--
  }
  return deepest
}

/** Where JSON.parse stopped, without quoting the text (it may hold a password). */
function jsonErrorPlace(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  const lineColumn = /line (\d+) column (\d+)/.exec(message)
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`
  const position = /position (\d+)/.exec(message)
  return position ? ` (at character ${position[1]})` : ''
}

export function parseCall(
  actionText: string,
  parametersText: string,
  mask: (secret: string) => void,
): ChangeCall | undefined {
  const action = actionText.trim()
  const text = parametersText.trim()
  if (!action) {
    if (text)
      throw new InputError(
        "Input 'parameters' is only read with 'call': name the CynosDB action to send, e.g. call: ModifyInstanceParam",
      )
    return undefined
  }
  const depth = nesting(text)
  if (depth > MAX_NESTING) {
    throw new InputError(
      `Input 'parameters' nests ${depth} levels deep; no CynosDB action takes more than ${MAX_NESTING} (its deepest parameters are a few levels down)`,
    )
  }
  let parameters: unknown
  try {
    parameters = text === '' ? {} : parseJson(text)
  } catch (error) {
    throw new InputError(
      `Input 'parameters' must be a JSON object of ${quoted(action, 60)}'s parameters (a YAML block scalar such as parameters: |, then {"InstanceId": "…"}); it is not valid JSON${jsonErrorPlace(error)}`,
    )
  }
  for (const secret of secretValues(parameters)) mask(secret)
  // a letter case off is left to the model check, which names the action meant
  if (!/^[A-Za-z][A-Za-z0-9]{0,99}$/.test(action)) {
    throw new InputError(
      `Input 'call' must be a CynosDB API action name such as ModifyInstanceParam; got ${show(action)}`,
    )
  }
  if (READ_ONLY.test(action)) {
    throw new InputError(
      `Input 'call' takes a CynosDB action that changes something (ModifyInstanceParam, RestartInstance, CreateClusters, …); ${action} only reads, and there is nothing to wait for`,
    )
  }
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new InputError(
      `Input 'parameters' must be a JSON object of ${action}'s parameters, e.g. {"InstanceId": "cynosdbmysql-ins-…"}; got JSON that is not an object`,
    )
  }
  const problems = checkRequest(CYNOSDB_MODEL, action, parameters)
  if (problems.length > 0) {
    const input = problems.some((p) => p.code === 'InvalidAction') ? 'call' : 'parameters'
    const said = problems
      .slice(0, 10)
      .map(
        (p) =>
          `${p.code}: ${p.message}${p.expected ? ` (${p.path}: ${p.expected})` : ''}${p.suggestions.length > 0 ? ` Did you mean ${p.suggestions.join(', ')}?` : ''}`,
      )
    throw new InputError(
      `Input '${input}' does not fit the CynosDB API (${CYNOSDB_MODEL.version}, ${CYNOSDB_MODEL.sdk}), which would refuse it; nothing was sent: ${said.join(' ')}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`,
    )
  }
  return { action, payload: toJson(parameters) ?? '{}', parameterNames: Object.keys(parameters) }
}
