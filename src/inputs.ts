// Reading and validating the action's inputs. Every parser is pure and throws an InputError that names the
// input and says what it accepts, so bad input fails before a single request is sent.
import * as core from '@actions/core'
import { DURATION_SYNTAX, durationMs, formatDuration } from './duration.ts'
import { quoted } from './foreign-text.ts'
import { parseJson, toJson } from './json.ts'
import { maskSecret } from './log.ts'
import { checkRequest, type ApiModel } from './tencent/api-model.ts'
import cynosdbRequests from './tencent/cynosdb-requests.json' with { type: 'json' }

/** The CynosDB API's actions and their parameters, from the official SDK (scripts/gen-api-model.ts). */
export const CYNOSDB_MODEL = cynosdbRequests as ApiModel

export class InputError extends Error {
  override name = 'InputError'
}

/** Where the signing keys come from, checked; credentials.ts fetches and refreshes them. */
export type CredentialConfig =
  | {
      readonly kind: 'static'
      readonly secretId: string
      readonly secretKey: string
      readonly token: string | undefined
      /** For the log: which inputs or variables they came from (never the keys). */
      readonly from: string
    }
  | {
      readonly kind: 'oidc'
      readonly roleArn: string
      readonly providerId: string
      readonly audience: string
      readonly sessionName: string
      readonly durationSeconds: number
      readonly stsEndpoint: URL
      /** Where the runner hands out GitHub ID tokens (ACTIONS_ID_TOKEN_REQUEST_URL, _TOKEN). */
      readonly idTokenUrl: URL
      readonly idTokenRequestToken: string
    }

/** A CynosDB change the step sends itself, checked against the API model. */
export interface ChangeCall {
  readonly action: string
  /** The request's JSON, exactly as it is signed and sent (integers beyond 2^53 keep every digit). */
  readonly payload: string
  /** Its top-level parameter names, for the summary (never the values). */
  readonly parameterNames: readonly string[]
}

export interface Inputs {
  /** Decimal strings, deduplicated, in the order given: IDs may exceed 2^53, so they are never numbers. */
  readonly flowIds: readonly string[]
  /** Deal names of a purchase (CreateClusters, AddInstances), deduplicated, in the order given. */
  readonly dealNames: readonly string[]
  /** Task IDs (TaskId, ClusterTaskIds' TaskIds) as decimal strings, deduplicated, in the order given. */
  readonly taskIds: readonly string[]
  /** The change to send and then wait for (`call`, `parameters`); excludes the three above. */
  readonly call: ChangeCall | undefined
  readonly region: string
  readonly endpoint: URL
  readonly timeoutMs: number
  /** undefined: the adaptive default schedule (see schedule.ts). */
  readonly pollIntervalMs: number | undefined
  readonly failOnTimeout: boolean
  /** How long one request may take before it is abandoned (and retried, time permitting). */
  readonly requestTimeoutMs: number
  readonly credentials: CredentialConfig
}

/** Flow IDs and task IDs accepted in one step, each. */
export const MAX_IDS = 100
const MAX_ID = 2n ** 63n - 1n
const MAX_TIMEOUT_MS = 24 * 3600_000
const MAX_POLL_INTERVAL_MS = 3600_000

/** Regions where CynosDB offers DescribeFlow (shared reference); others get a warning, not an error. */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  'ap-bangkok',
  'ap-beijing',
  'ap-chengdu',
  'ap-chongqing',
  'ap-guangzhou',
  'ap-hongkong',
  'ap-jakarta',
  'ap-nanjing',
  'ap-seoul',
  'ap-shanghai',
  'ap-shenzhen-fsi',
  'ap-singapore',
  'ap-tokyo',
  'eu-frankfurt',
  'na-ashburn',
  'na-siliconvalley',
  'sa-saopaulo',
])

/** Quotes an input for an error message: no line break or other control character gets through (foreign-text.ts). */
export function show(value: string): string {
  return quoted(value, 60)
}

const split = (value: string): string[] => value.split(/[\s,]+/).filter((part) => part !== '')

/** Looks like ModifyClusterParam's AsyncRequestId as the API docs' example shows it: a UUID. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Positive integer IDs (flow IDs, task IDs) as decimal text, deduplicated; empty input is none. */
function parseIds(value: string, name: string, what: string): string[] {
  const parts = split(value)
  for (const part of parts) {
    if (UUID.test(part) && name === 'flow-id') {
      throw new InputError(
        `Input 'flow-id' got ${show(part)}, which is not a task flow ID but looks like the AsyncRequestId of ModifyClusterParam as the API docs' example shows it (a UUID). ` +
          'No CynosDB API is documented to wait on such an ID. A numeric AsyncRequestId is accepted here, as the Terraform provider waits on it with DescribeFlow; ' +
          "flow-id takes FlowIds, and 'deal-names' and 'task-ids' take DealNames and TaskIds (see the README, \"What to give the action\")",
      )
    }
    if (!/^\d+$/.test(part) || BigInt(part) === 0n || BigInt(part) > MAX_ID) {
      throw new InputError(
        `Input '${name}' must hold positive integer ${what}s (1 to 2^63-1, e.g. 123456); got ${show(part)}`,
      )
    }
  }
  const unique = [...new Set(parts.map((part) => BigInt(part).toString()))]
  if (unique.length > MAX_IDS) {
    throw new InputError(`Input '${name}' holds ${unique.length} ${what}s; at most ${MAX_IDS} are accepted in one step`)
  }
  return unique
}

/** Task flow IDs: the FlowId a CynosDB change answered (or a numeric AsyncRequestId). */
export const parseFlowIds = (value: string, name = 'flow-id'): string[] => parseIds(value, name, 'task flow ID')

/** Task IDs: the TaskId a change answered, or the TaskIds of ModifyClusterReadOnly's ClusterTaskIds. */
export const parseTaskIds = (value: string, name = 'task-ids'): string[] => parseIds(value, name, 'task ID')

export const MAX_DEALS = 100

/** What a DealName looks like: letters, digits, `_` and `-`. */
export const DEAL_NAME = /^[A-Za-z0-9_-]{1,64}$/

/** Deal names as CreateClusters and AddInstances return them (DealNames); empty input is no deal. */
export function parseDealNames(value: string, name = 'deal-names'): string[] {
  const parts = split(value)
  for (const part of parts) {
    if (!DEAL_NAME.test(part)) {
      throw new InputError(
        `Input '${name}' must hold the DealNames a purchase returned (letters, digits, _ and -, separated by commas, spaces or new lines); got ${show(part)}`,
      )
    }
  }
  const unique = [...new Set(parts)]
  if (unique.length > MAX_DEALS) {
    throw new InputError(
      `Input '${name}' holds ${unique.length} deal names; at most ${MAX_DEALS} are accepted in one step`,
    )
  }
  return unique
}

/** A duration input (see duration.ts for the syntax), in milliseconds, always > 0 and at most maxMs. */
export function parseDuration(value: string, name: string, maxMs = Number.POSITIVE_INFINITY): number {
  const ms = durationMs(value)
  if (ms === undefined) throw new InputError(`Input '${name}' must be ${DURATION_SYNTAX}; got ${show(value)}`)
  if (!(ms > 0))
    throw new InputError(`Input '${name}' must be longer than zero (${DURATION_SYNTAX}); got ${show(value)}`)
  if (ms > maxMs) {
    throw new InputError(`Input '${name}' must be at most ${formatDuration(maxMs)}; got ${show(value)}`)
  }
  return ms
}

export function parseBoolean(value: string, name: string, fallback: boolean): boolean {
  const text = value.trim().toLowerCase()
  if (text === '') return fallback
  if (text === 'true') return true
  if (text === 'false') return false
  throw new InputError(`Input '${name}' must be true or false; got ${show(value)}`)
}

export function parseRegion(value: string, name = 'region'): string {
  const text = value.trim()
  if (text === '') {
    throw new InputError(
      `Input '${name}' is required (e.g. ap-guangzhou): set it, or the TENCENTCLOUD_REGION environment variable`,
    )
  }
  if (!/^[a-z]{2,}(-[a-z0-9]+)+$/.test(text)) {
    throw new InputError(
      `Input '${name}' must be a Tencent Cloud region name such as ap-guangzhou or ap-shenzhen-fsi (lower-case letters, digits and hyphens); got ${show(value)}`,
    )
  }
  return text
}

/** A host name (`cynosdb.tencentcloudapi.com`, `host:port`) or an `https://` / `http://` URL without a path. */
export function parseEndpoint(value: string, name: string): URL {
  const text = value.trim()
  const accepts = `a host name (e.g. cynosdb.ap-guangzhou.tencentcloudapi.com) or an https:// URL without a path`
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
  let url: URL
  try {
    url = new URL(hasScheme ? text : `https://${text}`)
  } catch {
    throw new InputError(`Input '${name}' must be ${accepts}; got ${show(value)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      `Input '${name}' must use https:// (or http:// for a local stand-in or proxy), not ${url.protocol}//; it accepts ${accepts}`,
    )
  }
  if (text === '' || url.username || url.password || url.pathname !== '/' || /[?#]/.test(text)) {
    throw new InputError(`Input '${name}' must be ${accepts} (no path, query or user info); got ${show(value)}`)
  }
  return url
}

/** Reads one input; the default is core.getInput, which reads the INPUT_* variables the runner sets. */
export type InputReader = (name: string) => string

/**
 * Every input, parsed and checked; nothing is sent before this returns. `mask` hides each secret from the log the
 * moment it is read (core.setSecret), before any line could show it.
 */
export function getInputs(
  read: InputReader = (name) => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  mask: (secret: string) => void = maskSecret,
): Inputs {
  const call = parseCall(read('call'), read('parameters'), mask)
  return {
    ...whatToWaitFor(read('flow-id'), read('deal-names'), read('task-ids'), call),
    call,
    region: parseRegion(read('region') || env.TENCENTCLOUD_REGION || ''),
    endpoint: parseEndpoint(read('endpoint') || 'cynosdb.tencentcloudapi.com', 'endpoint'),
    timeoutMs: parseDuration(read('timeout') || '30m', 'timeout', MAX_TIMEOUT_MS),
    pollIntervalMs:
      read('poll-interval').trim() === ''
        ? undefined
        : parseDuration(read('poll-interval'), 'poll-interval', MAX_POLL_INTERVAL_MS),
    failOnTimeout: parseBoolean(read('fail-on-timeout'), 'fail-on-timeout', true),
    requestTimeoutMs: parseDuration(read('request-timeout') || '15s', 'request-timeout', 300_000),
    credentials: parseCredentials(read, env, mask),
  }
}

/** flow-id, deal-names, task-ids, or any of them together, or call alone; with none, the error says what to give. */
function whatToWaitFor(flowText: string, dealText: string, taskText: string, call: ChangeCall | undefined) {
  const waits = {
    flowIds: parseFlowIds(flowText),
    dealNames: parseDealNames(dealText),
    taskIds: parseTaskIds(taskText),
  }
  const given = waits.flowIds.length + waits.dealNames.length + waits.taskIds.length
  if (call && given > 0) {
    throw new InputError(
      "Input 'call' sends a change and waits for what its answer holds: it cannot be combined with 'flow-id', 'deal-names' or 'task-ids'. Give the change in 'call' and 'parameters', or what an earlier step's change answered in those three, not both",
    )
  }
  if (!call && given === 0) {
    throw new InputError(
      "Give what to wait for: 'call' and 'parameters' (a CynosDB change for the step to send, e.g. call: ModifyInstanceParam), or what an earlier change answered: 'flow-id' (its FlowId, e.g. 123456), 'deal-names' (the DealNames of a purchase such as CreateClusters) or 'task-ids' (a TaskId, or the TaskIds of ModifyClusterReadOnly's ClusterTaskIds); several IDs are separated by commas, spaces or new lines",
    )
  }
  return waits
}

/** Actions that only read: the API reference's Describe…, Inquire…, Check…, Calculate…, Download… and the like. */
export const READ_ONLY = /^(Describe|Inquire|Check|Search|Export|Get|Calculate|Download)/
/**
 * Parameter names whose values are secrets, masked in the log before anything is written: a Password, Secret or
 * Token anywhere in the name, a Key at its end (AdminPassword, AccountPassword, SecretKey, AccessKey, TagKey). A Key
 * leading a longer name names a key, not a secret (KeyRegion, KeyType, KeyId): masking `ap-guangzhou` would hide
 * the region everywhere in the log.
 */
const SECRET_NAME = /password|secret|token|key$/i
/** A number this short is no secret worth masking (ValidatePasswordLength: 8), and masking it would hide every 8. */
const MIN_MASKED_NUMBER_DIGITS = 6

/** Every value under a parameter whose name holds Password, Secret, Token or Key, at any depth. */
export function secretValues(value: unknown, secret = false): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => secretValues(item, secret))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([name, item]) => secretValues(item, secret || SECRET_NAME.test(name)))
  }
  if (!secret) return []
  if (typeof value === 'string') return value === '' ? [] : [value]
  if (typeof value === 'number' || typeof value === 'bigint') {
    const text = String(value)
    return text.length >= MIN_MASKED_NUMBER_DIGITS ? [text] : []
  }
  return []
}

/** Where JSON.parse stopped, without quoting the text (it may hold a password). */
function jsonErrorPlace(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  const lineColumn = /line (\d+) column (\d+)/.exec(message)
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`
  const position = /position (\d+)/.exec(message)
  return position ? ` (at character ${position[1]})` : ''
}

/**
 * `call` and `parameters`: a CynosDB action that changes something, and its request as a JSON object, checked
 * against the API model (the official SDK's, reduced at build time) as the API would check it. Secret values are
 * masked before anything else happens to them.
 */
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
  let parameters: unknown
  try {
    parameters = text === '' ? {} : parseJson(text)
  } catch (error) {
    throw new InputError(
      `Input 'parameters' must be a JSON object of ${quoted(action, 60)}'s parameters (a YAML block scalar such as parameters: |, then {"InstanceId": "…"}); it is not valid JSON${jsonErrorPlace(error)}`,
    )
  }
  for (const secret of secretValues(parameters)) mask(secret)
  if (!/^[A-Z][A-Za-z0-9]{0,99}$/.test(action)) {
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
        (p) => `${p.code}: ${p.message}${p.suggestions.length > 0 ? ` Did you mean ${p.suggestions.join(', ')}?` : ''}`,
      )
    throw new InputError(
      `Input '${input}' does not fit the CynosDB API (${CYNOSDB_MODEL.version}, ${CYNOSDB_MODEL.sdk}), which would refuse it; nothing was sent: ${said.join(' ')}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`,
    )
  }
  return { action, payload: toJson(parameters) ?? '{}', parameterNames: Object.keys(parameters) }
}

const TOKEN_ENV = ['TENCENTCLOUD_SESSION_TOKEN', 'TENCENTCLOUD_SECURITY_TOKEN', 'TENCENTCLOUD_TOKEN'] as const
/** Header values: printable ASCII without spaces, so no key can smuggle a CR/LF into a request. */
export const HEADER_SAFE = /^[\x21-\x7e]+$/
/** RoleSessionName allows 2 to 128 of these characters. */
const SESSION_NAME = /^[\w=,.@-]{2,128}$/

/**
 * Static keys (inputs, then the environment names other Tencent tools use), or keyless: role-arn asks for GitHub's
 * OIDC ID token to be exchanged at STS. Every secret is masked as it is read.
 */
export function parseCredentials(
  read: InputReader,
  env: NodeJS.ProcessEnv,
  mask: (secret: string) => void,
): CredentialConfig {
  const input = (name: string): string => {
    const value = read(name).trim()
    if (value && /^(secret-id|secret-key|session-token)$/.test(name)) mask(value)
    return value
  }
  const secretIdInput = input('secret-id')
  const secretKeyInput = input('secret-key')
  const tokenInput = input('session-token')
  const roleArn = input('role-arn')
  if (roleArn) {
    if (secretIdInput || secretKeyInput || tokenInput) {
      throw new InputError(
        "Inputs 'role-arn' (keyless OIDC) and 'secret-id'/'secret-key'/'session-token' (static keys) exclude each other: keep one of them",
      )
    }
    return oidcConfig(roleArn, input, env, mask)
  }
  const pick = (value: string, names: readonly string[]): [string, string] => {
    if (value) return [value, 'input']
    for (const name of names) {
      const found = env[name]?.trim()
      if (found) {
        mask(found)
        return [found, name]
      }
    }
    return ['', '']
  }
  const [secretId, idFrom] = pick(secretIdInput, ['TENCENTCLOUD_SECRET_ID'])
  const [secretKey, keyFrom] = pick(secretKeyInput, ['TENCENTCLOUD_SECRET_KEY'])
  const [token, tokenFrom] = pick(tokenInput, TOKEN_ENV)
  if (!secretId && !secretKey) {
    throw new InputError(
      'No Tencent Cloud credentials found. Looked in: the secret-id and secret-key inputs; the TENCENTCLOUD_SECRET_ID and ' +
        'TENCENTCLOUD_SECRET_KEY environment variables; OIDC (the role-arn input, empty). Set one of them (see the README).',
    )
  }
  if (!secretId) {
    throw new InputError(
      "Input 'secret-id' is missing (nor is TENCENTCLOUD_SECRET_ID set) while a secret key is given: set both",
    )
  }
  if (!secretKey) {
    throw new InputError(
      "Input 'secret-key' is missing (nor is TENCENTCLOUD_SECRET_KEY set) while a secret ID is given: set both",
    )
  }
  if (!HEADER_SAFE.test(secretId)) {
    throw new InputError(
      "Input 'secret-id' must be a Tencent Cloud SecretId (e.g. AKID…, printable characters without spaces)",
    )
  }
  if (token && !HEADER_SAFE.test(token)) {
    throw new InputError("Input 'session-token' must be printable characters without spaces")
  }
  const keysFrom = idFrom === 'input' ? 'the secret-id/secret-key inputs' : `${idFrom}/${keyFrom}`
  const tokenSource = tokenFrom === 'input' ? 'the session-token input' : tokenFrom
  return {
    kind: 'static',
    secretId,
    secretKey,
    token: token || undefined,
    from: `${keysFrom}${token ? ` with a session token from ${tokenSource}` : ''}`,
  }
}

// The run's context is read from the runner's environment: @actions/github's `context` holds the same two values,
// but importing that package bundles Octokit too, which this action never calls.
export function defaultRoleSessionName(env: NodeJS.ProcessEnv): string {
  const raw = `github-${env.GITHUB_REPOSITORY ?? 'local'}-${env.GITHUB_RUN_ID ?? 'run'}`
  return raw.replace(/[^\w=,.@-]/g, '-').slice(0, 128)
}

function oidcConfig(
  roleArn: string,
  input: (name: string) => string,
  env: NodeJS.ProcessEnv,
  mask: (secret: string) => void,
): CredentialConfig {
  const providerId = input('oidc-provider-id')
  if (!providerId) {
    throw new InputError(
      "Input 'oidc-provider-id' is required with 'role-arn': the name of the CAM OIDC identity provider that trusts GitHub",
    )
  }
  if (!/^qcs::cam::uin\/\d+:role(Name)?\/\S+$/.test(roleArn)) {
    throw new InputError(
      `Input 'role-arn' must be a CAM role ARN such as qcs::cam::uin/100000000001:roleName/github-deployer; got ${show(roleArn)}`,
    )
  }
  const sessionName = input('role-session-name') || defaultRoleSessionName(env)
  if (!SESSION_NAME.test(sessionName)) {
    throw new InputError("Input 'role-session-name' must be 2 to 128 letters, digits or = , . @ _ -")
  }
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  if (!url || !requestToken) {
    throw new InputError(
      "Input 'role-arn' asks for keyless OIDC, but the job cannot request a GitHub ID token: give the job " +
        "'permissions: id-token: write' (ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)",
    )
  }
  mask(requestToken) // the runner's token for asking for ID tokens: as secret as they are
  let idTokenUrl: URL
  try {
    idTokenUrl = new URL(url)
  } catch {
    throw new InputError('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: the runner sets it; is this a GitHub Actions job?')
  }
  return {
    kind: 'oidc',
    roleArn,
    providerId,
    audience: input('oidc-audience') || 'sts.tencentcloudapi.com',
    sessionName,
    durationSeconds: Math.ceil(parseDuration(input('role-duration') || '1h', 'role-duration', 43200_000) / 1000),
    stsEndpoint: parseEndpoint(input('sts-endpoint') || 'sts.tencentcloudapi.com', 'sts-endpoint'),
    idTokenUrl,
    idTokenRequestToken: requestToken,
  }
}

/** What is allowed but worth a warning in the log. */
export function inputWarnings(inputs: Inputs): string[] {
  const warnings: string[] = []
  const endpoints: [string, URL][] = [['endpoint', inputs.endpoint]]
  if (inputs.credentials.kind === 'oidc') endpoints.push(['sts-endpoint', inputs.credentials.stsEndpoint])
  for (const [name, url] of endpoints) {
    if (url.protocol === 'http:') {
      warnings.push(
        `Input '${name}' uses plain http:// (${url.host}): requests are not encrypted; use it only for a local stand-in or a trusted proxy`,
      )
    }
  }
  if (!KNOWN_REGIONS.has(inputs.region)) {
    warnings.push(
      `Region '${inputs.region}' is not one where CynosDB DescribeFlow is known to be offered (${[...KNOWN_REGIONS].join(', ')}); trying it anyway`,
    )
  }
  return warnings
}
