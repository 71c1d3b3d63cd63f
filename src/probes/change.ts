// The change the step sends itself (`call`): one round that gets the keys and sends it, retried only when the
// failure proves the change was not carried out (retry.ts, provesNotCarriedOut), and the answer read into what to
// wait for next.
import type { StepApi } from '../api.ts'
import { forLog, quoted } from '../foreign-text.ts'
import { toJson } from '../json.ts'
import { NotSentError, provesNotCarriedOut } from '../retry.ts'
import { answeredId, DEAL_NAME, decimalId, RESOURCE_ID } from '../shapes.ts'
import { classOf } from '../tencent/errors.ts'
import { handlesOf, STATUS_ENDS, valuesAt, type Handle, type StatusEnd } from '../tencent/meaning.ts'
import type { Probe } from '../wait/probe.ts'
import { listed } from '../words.ts'

/** What the change answered: its Response object, the outcome's `found`. */
export type ChangeAnswer = Record<string, unknown>

export function changeProbe(
  action: string,
  payload: string,
  api: Pick<StepApi, 'ready' | 'send'>,
): Probe<ChangeAnswer> {
  const buys = handlesOf(action).some((handle) => handle.names === 'deal')
  return {
    name: `Call ${action}`,
    rows: [{ kind: 'call', id: action, result: 'unknown', state: 'not answered' }],
    // A busy refusal proves this request never ran, but for a purchase the task it waits on may be the same
    // purchase (a re-run after a cancel, a matrix job): sending it again could buy twice, so it stays final.
    retryable: (error) => provesNotCarriedOut(error) && !(buys && classOf(error) === 'busy'),
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
 * answer a TaskId too): it is the documented thing to wait on. Otherwise the status the change ends in, where the
 * API shows it (tencent/meaning.ts, STATUS_ENDS); otherwise DealNames, TaskIds and a numeric AsyncRequestId
 * (ModifyClusterParam, read as a flow as the Terraform provider does), all at once. Only what is waited on is held
 * to its shape: a value of the wrong shape there is an error (the change was made, and nothing sound can be
 * waited for); a bad value in a field not waited on changes nothing.
 */
export function waitsOf(action: string, answer: ChangeAnswer, parameters: ChangeAnswer = {}): Waits {
  const bad = (path: string): Error => {
    const field = path.split(/[.[]/)[0] ?? path
    return new Error(
      `${action} was carried out, but its answer's ${field} is not what the API documents (${quoted(toJson(answer[field]) ?? '', 80)}): nothing can be waited for`,
    )
  }
  const notes: string[] = []
  /** The values of every handle that names `names`, checked: undefined entries where a value has the wrong shape. */
  const read = (names: Handle['names']): { values: string[]; error?: Error } => {
    const values: string[] = []
    for (const handle of handlesOf(action).filter((h) => h.names === names)) {
      const found = valuesAt(answer, handle.path)
      if (found.malformed) return { values, error: bad(handle.path) }
      for (const value of found.values) {
        const text = readValue(names, value, action, notes)
        if (text === null) return { values, error: bad(handle.path) }
        if (text !== undefined) values.push(text)
      }
    }
    return { values: [...new Set(values)] }
  }
  const none = { flowIds: [], dealNames: [], taskIds: [], notes: [] }
  const flows = read('flow')
  if (flows.error) throw flows.error
  if (flows.values.length > 0) return { ...none, flowIds: flows.values }
  // DealMode 1 places the order without paying it (the model's words): nothing is delivered or changed until then
  if (parameters.DealMode === 1) {
    return {
      ...none,
      notes: [
        `${action} with DealMode 1 places the order without paying it: nothing changes until it is paid, so the step does not wait`,
      ],
    }
  }
  // no FlowId: where the API shows the end only as a status, that is waited for (a refund's or a spec change's
  // DealNames are billing's, not the change's end)
  const ends = Object.hasOwn(STATUS_ENDS, action) ? STATUS_ENDS[action]?.(parameters, answer) : undefined
  if (typeof ends === 'string') return { ...none, notes: [ends] }
  if (ends && ends.length > 0) {
    const deals = read('deal').values
    if (deals.length > 0)
      notes.push(
        `${action} answered DealNames ${quoted(listed(deals, 5), 120)}: billing's, not the change's end; waiting for the status the change ends in`,
      )
    return { ...none, statuses: ends, notes }
  }
  const [deals, tasks, asyncs] = [read('deal'), read('task'), read('async-request')]
  for (const failed of [deals, tasks, asyncs]) if (failed.error) throw failed.error
  let dealNames = deals.values
  if (dealNames.length > 0 && ISOLATION.test(action)) {
    notes.push(
      `${action} answered a refund's DealNames ${quoted(listed(dealNames, 5), 120)} and no FlowId: the API documents no status that shows its end, so the step does not wait`,
    )
    dealNames = []
  } else if (dealNames.length > 0 && DEAL_WITHOUT_INSTANCES.test(action)) {
    notes.push(`${action} answered DealNames of a resource package, which delivers no cluster or instance to wait for`)
    dealNames = []
  } else if (dealNames.length === 0) {
    const resources = read('resources').values
    if (resources.length > 0)
      notes.push(
        `${action} answered ResourceIds ${quoted(listed(resources, 5), 120)} and no DealNames: the API model says to read resources through the DealNames (ResourceIds is no longer maintained), so nothing documented waits on them`,
      )
  }
  return { flowIds: asyncs.values, dealNames, taskIds: tasks.values, notes }
}

/**
 * One value of a handle as text: an ID from 1 to 2^63-1 (shapes.ts), a deal name, a resource ID; undefined for
 * what names nothing (0, a non-numeric AsyncRequestId, said in `notes`), null for a value of the wrong shape.
 */
function readValue(names: Handle['names'], value: unknown, action: string, notes: string[]): string | undefined | null {
  if (names === 'flow' || names === 'task') return answeredId(value) ?? (isZero(value) ? undefined : null)
  if (names === 'deal') return typeof value === 'string' && DEAL_NAME.test(value) ? value : null
  if (names === 'resources') return typeof value === 'string' && RESOURCE_ID.test(value) ? value : null
  return asyncRequest([value], action, notes)[0]
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
