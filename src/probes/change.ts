// The change the step sends itself (`call`): one round that gets the keys and sends it, retried only when the
// failure proves the change was not carried out (retry.ts, provesNotCarriedOut), and the answer read into what to
// wait for next.
import type { StepApi } from '../api.ts'
import { forLog, quoted } from '../foreign-text.ts'
import { toJson } from '../json.ts'
import { NotSentError, provesNotCarriedOut } from '../retry.ts'
import { answeredId, DEAL_NAME, decimalId, RESOURCE_ID } from '../shapes.ts'
import { handlesOf, STATUS_ENDS, valuesAt, type StatusEnd } from '../tencent/meaning.ts'
import type { Probe } from '../wait/probe.ts'
import { listed } from '../words.ts'

/** What the change answered: its Response object, the outcome's `found`. */
export type ChangeAnswer = Record<string, unknown>

export function changeProbe(
  action: string,
  payload: string,
  api: Pick<StepApi, 'ready' | 'send'>,
): Probe<ChangeAnswer> {
  return {
    name: `Call ${action}`,
    rows: [{ kind: 'call', id: action, result: 'unknown', state: 'not answered' }],
    retryable: provesNotCarriedOut,
    async check(budget) {
      // the keys first, apart: whatever ends their fetch, the change has not left
      await api.ready(budget).catch((error: unknown) => {
        throw new NotSentError(error)
      })
      const sent = await api.send(action, payload, budget)
      return {
        rows: [{ kind: 'call', id: action, result: 'succeeded', state: 'sent' }],
        line: `${action}: sent and answered${sent.requestId ? ` (RequestId ${forLog(sent.requestId)})` : ''}`,
        requestId: sent.requestId,
        found: sent.value,
      }
    },
  }
}

/** What a change's answer gives to wait for. */
export interface Waits {
  readonly flowIds: readonly string[]
  readonly dealNames: readonly string[]
  readonly taskIds: readonly string[]
  /** Changes whose end is read from a status (tencent/meaning.ts, STATUS_ENDS). */
  readonly statuses?: readonly StatusEnd[]
  /** Said in the log: what the answer held that is not waited for, and why. */
  readonly notes: readonly string[]
}

/** An isolation's DealNames are a refund's (prepaid): never a purchase to wait for. */
const ISOLATION = /^Isolate/

/** Deals of resource packages deliver no cluster or instance for DescribeResourcesByDealName to name. */
const DEAL_WITHOUT_INSTANCES = /ResourcePackage$/

/** Zero names nothing: the API answers it where it has no flow or task to name. */
const isZero = (value: unknown): boolean => value === 0 || value === 0n || value === '0'

/**
 * What an answer holds to wait for, read at the handles the API model gives the action (tencent/meaning.ts), at
 * any depth, null and absent alike meaning "none". A FlowId decides alone where an answer holds more (12 actions
 * answer a TaskId too): it is the documented thing to wait on. Otherwise DealNames, TaskIds and a numeric
 * AsyncRequestId (ModifyClusterParam, read as a flow as the Terraform provider does), all at once. A value of the
 * wrong shape is an error: the change was made, and nothing sound can be waited for.
 */
export function waitsOf(action: string, answer: ChangeAnswer, parameters: ChangeAnswer = {}): Waits {
  const bad = (path: string): Error => {
    const field = path.split(/[.[]/)[0] ?? path
    return new Error(
      `${action} was carried out, but its answer's ${field} is not what the API documents (${quoted(toJson(answer[field]) ?? '', 80)}): nothing can be waited for`,
    )
  }
  const flowIds: string[] = []
  const taskIds: string[] = []
  const dealNames: string[] = []
  const resources: string[] = []
  const notes: string[] = []
  for (const handle of handlesOf(action)) {
    const { values, malformed } = valuesAt(answer, handle.path)
    if (malformed) throw bad(handle.path)
    // a task or flow ID from 1 to 2^63-1, as the inputs take them (shapes.ts)
    const ids = (): string[] =>
      values.flatMap((value) => {
        const id = answeredId(value)
        if (id !== undefined) return [id]
        if (isZero(value)) return []
        throw bad(handle.path)
      })
    const names = (shape: RegExp): string[] =>
      values.map((value) => {
        if (typeof value !== 'string' || !shape.test(value)) throw bad(handle.path)
        return value
      })
    if (handle.names === 'flow') flowIds.push(...ids())
    else if (handle.names === 'task') taskIds.push(...ids())
    else if (handle.names === 'deal') dealNames.push(...names(DEAL_NAME))
    else if (handle.names === 'resources') resources.push(...names(RESOURCE_ID))
    else flowIds.push(...asyncRequest(values, action, notes))
  }
  const none = { flowIds: [], dealNames: [], taskIds: [], notes: [] }
  if (flowIds.length > 0 && handlesOf(action).some((h) => h.names === 'flow')) {
    return { ...none, flowIds: [...new Set(flowIds)] }
  }
  // no FlowId: where the API shows the end only as a status, that is waited for (a refund's or a spec change's
  // DealNames are billing's, not the change's end)
  const statuses = Object.hasOwn(STATUS_ENDS, action) ? (STATUS_ENDS[action]?.(parameters, answer) ?? []) : []
  if (statuses.length > 0) {
    if (dealNames.length > 0)
      notes.push(
        `${action} answered DealNames ${quoted(listed(dealNames, 5), 120)}: billing's, not the change's end; waiting for the status the change ends in`,
      )
    return { ...none, statuses, notes }
  }
  if (dealNames.length > 0 && ISOLATION.test(action)) {
    notes.push(
      `${action} answered a refund's DealNames ${quoted(listed(dealNames, 5), 120)} and no FlowId: the API documents no status that shows its end, so the step does not wait`,
    )
    dealNames.length = 0
  } else if (dealNames.length > 0 && DEAL_WITHOUT_INSTANCES.test(action)) {
    notes.push(`${action} answered DealNames of a resource package, which delivers no cluster or instance to wait for`)
    dealNames.length = 0
  } else if (dealNames.length === 0 && resources.length > 0) {
    notes.push(
      `${action} answered ResourceIds ${quoted(listed(resources, 5), 120)} and no DealNames: the API model says to read resources through the DealNames (ResourceIds is no longer maintained), so nothing documented waits on them`,
    )
  }
  return { flowIds: [...new Set(flowIds)], dealNames: [...new Set(dealNames)], taskIds: [...new Set(taskIds)], notes }
}

/** A numeric AsyncRequestId is waited for as a flow; the docs' UUID, nothing documented waits on. */
function asyncRequest(values: readonly unknown[], action: string, notes: string[]): string[] {
  return values.flatMap((value) => {
    const text = typeof value === 'string' ? value : (toJson(value) ?? '')
    const id = /^[1-9]\d{0,18}$/.test(text) ? decimalId(text) : undefined
    if (id !== undefined) return [id]
    notes.push(
      `${action} answered AsyncRequestId ${quoted(text, 80)}, which is not numeric: no CynosDB API is documented to wait on it, so the step does not wait`,
    )
    return []
  })
}

/**
 * The notice when an answer gives nothing to wait on: done, for an action whose answer the model gives no handle;
 * otherwise the answer quoted, since its handles were null or empty and nothing was checked.
 */
export function nothingToWaitOn(action: string, answer: ChangeAnswer): string {
  if (handlesOf(action).length === 0 && !Object.hasOwn(STATUS_ENDS, action)) {
    return `${action} answered with nothing to wait for (the API model gives its answer no FlowId, TaskId or DealNames): it is done`
  }
  const fields = Object.fromEntries(Object.entries(answer).filter(([name]) => name !== 'RequestId'))
  return `${action} answered ${quoted(toJson(fields) ?? '', 200)}: nothing in it names a flow, task or deal to wait on, so the step ends without checking the change`
}
