// Reading and checking the action's inputs: getInputs is the one place that reads them, and nothing is sent before it
// returns. The parsers, one file per concern, are pure and throw an InputError that names the input and says what
// it accepts.
import * as core from '@actions/core'
import { maskSecret } from '../log.ts'
import { nearestNames } from '../tencent/api-model.ts'
import { parseCall, type ChangeCall } from './call.ts'
import { parseCredentials, type CredentialConfig } from './credentials.ts'
import { parseDealNames, parseFlowIds, parseTaskIds } from './ids.ts'
import { InputError } from './input-error.ts'
import { KNOWN_REGIONS, parseBoolean, parseDuration, parseEndpoint, parseRegion } from './values.ts'

export { InputError } from './input-error.ts'
export type { ChangeCall } from './call.ts'
export type { CredentialConfig } from './credentials.ts'

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
  /** undefined: the adaptive default schedule (see wait/schedule.ts). */
  readonly pollIntervalMs: number | undefined
  readonly failOnTimeout: boolean
  /** Check everything, send nothing: the change is not sent, IDs are read once (dry-run.ts). */
  readonly dryRun: boolean
  /** How long one request may take before it is abandoned (and retried, time permitting). */
  readonly requestTimeoutMs: number
  readonly credentials: CredentialConfig
}

const MAX_TIMEOUT_MS = 24 * 3600_000
const MAX_POLL_INTERVAL_MS = 3600_000
const MAX_REQUEST_TIMEOUT_MS = 300_000

/**
 * Every input, parsed and checked. `read` defaults to core.getInput (the INPUT_* variables the runner sets); `mask`
 * hides each secret from the log the moment it is read (core.setSecret), before any line could show it.
 */
export function getInputs(
  read: (name: string) => string = (name) => core.getInput(name),
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
    dryRun: parseBoolean(read('dry-run'), 'dry-run', false),
    requestTimeoutMs: parseDuration(read('request-timeout') || '15s', 'request-timeout', MAX_REQUEST_TIMEOUT_MS),
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

/** What the log should say of the inputs without warning of it: which credentials are used when several were given. */
export function inputNotices(inputs: Inputs): string[] {
  const { credentials } = inputs
  if (!credentials.unused) return []
  const used =
    credentials.kind === 'oidc' ? "keyless OIDC (the 'role-arn' input)" : `static keys from ${credentials.from}`
  return [`Using ${used}; ${credentials.unused} are present and not used`]
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
    // new regions appear: a warning, with the region meant when one is a typo away, else the known ones
    const near = nearestNames(inputs.region, [...KNOWN_REGIONS], 1)
    warnings.push(
      `Region '${inputs.region}' is not one where CynosDB is known to be offered; ${near.length > 0 ? `did you mean ${near[0]}?` : `known: ${[...KNOWN_REGIONS].join(', ')}.`} Trying it anyway`,
    )
  }
  return warnings
}
