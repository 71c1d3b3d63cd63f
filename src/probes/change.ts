// The change the step sends itself (`call`): one round that sends it, retried only when the failure proves the
// change was not carried out (retry.ts, provesNotCarriedOut), and the answer read into what to wait for next.
import type { StepApi } from '../api.ts'
import { forLog, quoted } from '../foreign-text.ts'
import { toJson } from '../json.ts'
import { provesNotCarriedOut } from '../retry.ts'
import { answeredId, DEAL_NAME } from '../shapes.ts'
import type { Probe } from '../wait/probe.ts'

/** What the change answered: its Response object, the outcome's `found`. */
export type ChangeAnswer = Record<string, unknown>

export function changeProbe(action: string, payload: string, api: Pick<StepApi, 'send'>): Probe<ChangeAnswer> {
  return {
    name: `Call ${action}`,
    rows: [{ kind: 'call', id: action, result: 'unknown', state: 'not answered' }],
    retryable: provesNotCarriedOut,
    async check(budget) {
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
  /** Said in the log: what the answer held that is not waited for, and why. */
  readonly notes: readonly string[]
}

/** Deals of resource packages deliver no cluster or instance for DescribeResourcesByDealName to name. */
const DEAL_WITHOUT_INSTANCES = /ResourcePackage$/

/**
 * What an answer holds to wait for. A FlowId decides alone where an answer holds more (Isolate* answer a refund's
 * DealNames too, OpenSSL and others a TaskId): it is the documented thing to wait on. Otherwise DealNames; TaskId;
 * the TaskIds of ClusterTaskIds; a numeric AsyncRequestId (ModifyClusterParam), read as a flow as the Terraform
 * provider does. A value that is not what the API documents is an error: the change was made, and nothing sound
 * can be waited for.
 */
export function waitsOf(action: string, answer: ChangeAnswer): Waits {
  const bad = (field: string): Error =>
    new Error(
      `${action} was carried out, but its answer's ${field} is not what the API documents (${quoted(toJson(answer[field]) ?? '', 80)}): nothing can be waited for`,
    )
  // A task or flow ID from 1 to 2^63-1, as the inputs take them (shapes.ts).
  const id = (field: string, value: unknown): string => {
    const text = answeredId(value)
    if (text === undefined) throw bad(field)
    return text
  }
  const none = { flowIds: [], dealNames: [], taskIds: [], notes: [] }
  if (answer.FlowId !== undefined) return { ...none, flowIds: [id('FlowId', answer.FlowId)] }

  const taskIds: string[] = []
  const notes: string[] = []
  if (answer.TaskId !== undefined) taskIds.push(id('TaskId', answer.TaskId))
  if (answer.ClusterTaskIds !== undefined) {
    if (!Array.isArray(answer.ClusterTaskIds)) throw bad('ClusterTaskIds')
    for (const entry of answer.ClusterTaskIds)
      taskIds.push(id('ClusterTaskIds', (entry as { TaskId?: unknown } | null)?.TaskId))
  }
  let dealNames: string[] = []
  if (answer.DealNames !== undefined) {
    if (
      !Array.isArray(answer.DealNames) ||
      !answer.DealNames.every((d) => typeof d === 'string' && DEAL_NAME.test(d))
    ) {
      throw bad('DealNames')
    }
    if (DEAL_WITHOUT_INSTANCES.test(action)) {
      notes.push(
        `${action} answered DealNames of a resource package, which delivers no cluster or instance to wait for`,
      )
    } else dealNames = answer.DealNames as string[]
  }
  const flowIds: string[] = []
  if (answer.AsyncRequestId !== undefined) {
    // A string in the API model, a UUID in the docs' example; the Terraform provider reads it as an integer flow.
    const numeric = typeof answer.AsyncRequestId === 'string' && /^[1-9]\d{0,18}$/.test(answer.AsyncRequestId)
    if (numeric) flowIds.push(id('AsyncRequestId', answer.AsyncRequestId))
    else {
      notes.push(
        `${action} answered AsyncRequestId ${quoted(String(answer.AsyncRequestId), 80)}, which is not numeric: no CynosDB API is documented to wait on it, so the step does not wait`,
      )
    }
  }
  return { flowIds, dealNames: [...new Set(dealNames)], taskIds: [...new Set(taskIds)], notes }
}
