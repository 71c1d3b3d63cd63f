// Reading and validating the action's inputs. Every parser is pure and throws an InputError that names the
// input and says what it accepts, so bad input fails before a single request is sent.
import * as core from '@actions/core'
import { DURATION_SYNTAX, durationMs, formatDuration } from './duration.ts'
import { quoted } from './foreign-text.ts'

export class InputError extends Error {
  override name = 'InputError'
}

export interface Inputs {
  /** Decimal strings, deduplicated, in the order given: IDs may exceed 2^53, so they are never numbers. */
  readonly flowIds: readonly string[]
  /** Deal names of a purchase (CreateClusters, AddInstances), deduplicated, in the order given. */
  readonly dealNames: readonly string[]
  readonly region: string
  readonly endpoint: URL
  readonly timeoutMs: number
  /** undefined: the adaptive default schedule (see schedule.ts). */
  readonly pollIntervalMs: number | undefined
  readonly failOnTimeout: boolean
  /** How long one request may take before it is abandoned (and retried, time permitting). */
  readonly requestTimeoutMs: number
  /** Raw credential inputs; credentials.ts adds the environment fallbacks and picks static keys or OIDC. */
  readonly secretId: string
  readonly secretKey: string
  readonly sessionToken: string
  readonly roleArn: string
  readonly oidcProviderId: string
  readonly oidcAudience: string
  readonly roleSessionName: string
  readonly roleDurationSeconds: number
  readonly stsEndpoint: URL
}

export const MAX_FLOWS = 100
const MAX_FLOW_ID = 2n ** 63n - 1n
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

export function parseFlowIds(value: string, name = 'flow-id'): string[] {
  const parts = value.split(/[\s,]+/).filter((part) => part !== '')
  if (parts.length === 0) {
    throw new InputError(
      `Input '${name}' is required: a task flow ID (a positive integer such as 123456), or several separated by commas, spaces or new lines; after a purchase (CreateClusters, AddInstances), give its 'deal-names' instead`,
    )
  }
  for (const part of parts) {
    if (!/^\d+$/.test(part) || BigInt(part) === 0n || BigInt(part) > MAX_FLOW_ID) {
      throw new InputError(
        `Input '${name}' must hold positive integer task flow IDs (1 to 2^63-1, e.g. 123456); got ${show(part)}`,
      )
    }
  }
  const unique = [...new Set(parts.map((part) => BigInt(part).toString()))]
  if (unique.length > MAX_FLOWS) {
    throw new InputError(
      `Input '${name}' holds ${unique.length} flow IDs; at most ${MAX_FLOWS} are accepted in one step`,
    )
  }
  return unique
}

export const MAX_DEALS = 100

/** Deal names as CreateClusters and AddInstances return them (DealNames); empty input is no deal. */
export function parseDealNames(value: string, name = 'deal-names'): string[] {
  const parts = value.split(/[\s,]+/).filter((part) => part !== '')
  for (const part of parts) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(part)) {
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

export function getInputs(
  read: InputReader = (name) => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
): Inputs {
  return {
    ...flowsAndDeals(read('flow-id'), read('deal-names')),
    region: parseRegion(read('region') || env.TENCENTCLOUD_REGION || ''),
    endpoint: parseEndpoint(read('endpoint') || 'cynosdb.tencentcloudapi.com', 'endpoint'),
    timeoutMs: parseDuration(read('timeout') || '30m', 'timeout', MAX_TIMEOUT_MS),
    pollIntervalMs:
      read('poll-interval').trim() === ''
        ? undefined
        : parseDuration(read('poll-interval'), 'poll-interval', MAX_POLL_INTERVAL_MS),
    failOnTimeout: parseBoolean(read('fail-on-timeout'), 'fail-on-timeout', true),
    requestTimeoutMs: parseDuration(read('request-timeout') || '15s', 'request-timeout', 300_000),
    secretId: read('secret-id').trim(),
    secretKey: read('secret-key').trim(),
    sessionToken: read('session-token').trim(),
    roleArn: read('role-arn').trim(),
    oidcProviderId: read('oidc-provider-id').trim(),
    oidcAudience: read('oidc-audience').trim() || 'sts.tencentcloudapi.com',
    roleSessionName: read('role-session-name').trim(),
    roleDurationSeconds: Math.ceil(parseDuration(read('role-duration') || '1h', 'role-duration', 43200_000) / 1000),
    stsEndpoint: parseEndpoint(read('sts-endpoint') || 'sts.tencentcloudapi.com', 'sts-endpoint'),
  }
}

/** flow-id, deal-names or both; with neither, flow-id's error says what to give. */
function flowsAndDeals(flowText: string, dealText: string): { flowIds: string[]; dealNames: string[] } {
  const dealNames = parseDealNames(dealText)
  const flowIds = flowText.trim() === '' && dealNames.length > 0 ? [] : parseFlowIds(flowText)
  return { flowIds, dealNames }
}

/** What is allowed but worth a warning in the log. */
export function inputWarnings(inputs: Inputs): string[] {
  const warnings: string[] = []
  for (const [name, url] of [
    ['endpoint', inputs.endpoint],
    ['sts-endpoint', inputs.stsEndpoint],
  ] as const) {
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
