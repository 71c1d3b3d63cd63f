// What the step leaves behind: outputs for later steps, a job summary for people, and the verdict.
import * as core from '@actions/core'
import { formatDuration } from './duration.ts'
import { forLog, forSummary } from './foreign-text.ts'
import { FLOW_STATUS, RESOURCE_ID } from './tencent/cynosdb.ts'
import { hintFor } from './tencent/errors.ts'
import { LOST_STATUSES, RUNNING, type PurchaseOutcome } from './purchase.ts'
import { taskLabel } from './tasks.ts'
import { resultName, type FlowOutcome } from './wait.ts'

/** succeeded | failed | processing, or `unknown` for a flow no DescribeFlow call got an answer for. */
export type FlowResult = ReturnType<typeof resultName> | 'unknown'

export const flowResult = (outcome: FlowOutcome): FlowResult =>
  outcome.status === undefined ? 'unknown' : resultName(outcome.status)

/** The step's result is its worst flow's: failed > unknown > processing > succeeded. */
const SEVERITY: readonly FlowResult[] = ['succeeded', 'processing', 'unknown', 'failed']

export function worstOutcome(outcomes: readonly FlowOutcome[]): FlowOutcome {
  const [first, ...rest] = outcomes
  if (!first) throw new Error('no flows to report')
  return rest.reduce(
    (worst, o) => (SEVERITY.indexOf(flowResult(o)) > SEVERITY.indexOf(flowResult(worst)) ? o : worst),
    first,
  )
}

export interface StepOutputs {
  readonly 'cluster-ids': string
  readonly 'instance-ids': string
  readonly status: string
  readonly result: FlowResult
  readonly 'request-id': string
  readonly elapsed: string
  readonly polls: string
  readonly 'timed-out': string
  readonly results: string
}

/** RequestIds are UUIDs; only a well-formed one goes into an output that later steps may interpolate. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/

/** A flow that failed, or met a final error, ends the wait for every flow of the step. */
export const endsTheWait = (outcome: FlowOutcome): boolean =>
  outcome.end === 'error' || (outcome.end === 'done' && outcome.status === FLOW_STATUS.failed)

/** A purchase as the rows the report shows: one per instance, or one for its deals until they are delivered. */
export function purchaseRows(p: PurchaseOutcome): FlowOutcome[] {
  const base = { requestId: p.requestId, elapsedMs: p.elapsedMs, stoppedBy: p.stoppedBy, polls: 0 }
  if (p.resources === undefined) {
    // never delivered within the wait: nothing is known of the instances
    return [
      {
        ...base,
        flowId: p.dealNames.join(', '),
        kind: 'deal',
        status: undefined,
        end: p.end,
        error: p.error,
        polls: p.polls,
      },
    ]
  }
  const lost = p.end === 'error' && p.instances.find((i) => i.status !== undefined && LOST_STATUSES.has(i.status))
  return p.instances.map((instance, index) => {
    const status =
      instance.status === RUNNING
        ? FLOW_STATUS.succeeded
        : lost && lost === instance
          ? FLOW_STATUS.failed
          : FLOW_STATUS.processing
    const end = p.end === 'error' && lost !== instance ? (lost ? 'stopped' : 'error') : p.end
    return {
      ...base,
      stoppedBy: end === 'stopped' && lost ? `instance ${lost.instanceId}` : base.stoppedBy,
      flowId: instance.instanceId,
      kind: 'instance' as const,
      instanceStatus: instance.status,
      status,
      end: status === FLOW_STATUS.succeeded ? 'done' : end,
      error: end === 'error' || lost === instance ? p.error : undefined,
      polls: index === 0 ? p.polls : 0, // the purchase's calls, counted once
    }
  })
}

export interface PurchaseIds {
  readonly clusterIds: readonly string[]
  readonly instanceIds: readonly string[]
}

/** The cluster and instance IDs a purchase delivered, in the order of its deals, each once. */
export function purchaseIds(p: PurchaseOutcome | undefined): PurchaseIds {
  const resources = p?.resources ?? []
  return {
    clusterIds: [...new Set(resources.map((r) => r.clusterId).filter((id) => id !== ''))],
    instanceIds: [...new Set(resources.flatMap((r) => r.instanceIds))],
  }
}

export function stepOutputs(
  outcomes: readonly FlowOutcome[],
  step: { readonly requests?: number; readonly purchase?: PurchaseIds } = {},
): StepOutputs {
  const worst = worstOutcome(outcomes)
  const ids = (list: readonly string[] | undefined): string =>
    (list ?? []).filter((id) => RESOURCE_ID.test(id)).join(',')
  return {
    'cluster-ids': ids(step.purchase?.clusterIds),
    'instance-ids': ids(step.purchase?.instanceIds),
    status: worst.status === undefined ? '' : String(worst.status),
    result: flowResult(worst),
    'request-id': worst.requestId !== undefined && SAFE_REQUEST_ID.test(worst.requestId) ? worst.requestId : '',
    elapsed: String(Math.round(Math.max(...outcomes.map((o) => o.elapsedMs)) / 1000)),
    polls: String(step.requests ?? outcomes.reduce((sum, o) => sum + o.polls, 0)),
    'timed-out': String(outcomes.some((o) => o.end === 'timeout')),
    results: JSON.stringify(Object.fromEntries(outcomes.map((o) => [o.flowId, flowResult(o)]))),
  }
}

export interface ReportContext {
  readonly region: string
  readonly timeoutMs: number
  readonly failOnTimeout: boolean
}

/** Why the step fails, one line per flow that did not succeed; undefined when it passes. */
/** `Flow 123`, `Instance cynosdbmysql-ins-…`, `Deal 2023…`: how a row is named in messages. */
export function rowName(o: FlowOutcome): string {
  return o.kind === 'instance'
    ? `Instance ${forLog(o.flowId)}`
    : o.kind === 'deal'
      ? `Deal ${forLog(o.flowId)}`
      : `Flow ${o.flowId}`
}

/** What a row is still doing, in words: an instance's own status, else the flow result. */
const stateWord = (o: FlowOutcome): string =>
  o.kind === 'instance' ? forLog(o.instanceStatus ?? 'not listed yet') : flowResult(o)

/** Why the step fails, one line per flow or instance that did not succeed; undefined when it passes. */
export function failureMessage(outcomes: readonly FlowOutcome[], context: ReportContext): string | undefined {
  const lines: string[] = []
  // what ended the wait first, then the others in the order given
  for (const o of [...outcomes.filter(endsTheWait), ...outcomes.filter((o) => !endsTheWait(o))]) {
    const where = `${rowName(o)} (region ${context.region})`
    const after = `after ${formatDuration(o.elapsedMs)}, ${o.polls} ${o.polls === 1 ? 'call' : 'calls'}`
    const lastCause = o.error ? `; the last call failed: ${o.error.message}` : ''
    const timeout = formatDuration(context.timeoutMs)
    if (o.end === 'error' && o.error) {
      const hint = hintFor(o.error, context)
      lines.push(`${where}: ${o.error.message}${hint ? `. ${hint}` : ''}`)
    } else if (o.end === 'cancelled') {
      lines.push(`${where}: cancelled ${after}; last known status: ${stateWord(o)}`)
    } else if (o.end === 'stopped') {
      lines.push(
        `${where}: not waited for further once ${o.stoppedBy ?? 'another'} ended the wait, ${after}; last known status: ${stateWord(o)}`,
      )
    } else if (o.status === FLOW_STATUS.failed) {
      // the task's own words for why, when DescribeTasks told them
      const why = o.task?.errMsg ? `: its task${taskLabel(o.task)} says: ${forLog(o.task.errMsg)}` : ''
      lines.push(`${where} failed${o.requestId ? ` (RequestId ${forLog(o.requestId)})` : ''}, ${after}${why}`)
    } else if (o.end === 'timeout' && o.kind === 'deal') {
      lines.push(`${where}: not delivered by billing within the timeout of ${timeout} (${o.polls} calls)${lastCause}`)
    } else if (o.end === 'timeout' && o.status === undefined) {
      // Nothing is known about the flow, so fail-on-timeout: false cannot make this green.
      lines.push(
        `${where}: no answer from DescribeFlow within the timeout of ${timeout} (${o.polls} calls)${lastCause}`,
      )
    } else if (o.end === 'timeout' && context.failOnTimeout) {
      lines.push(
        `${where}: still ${stateWord(o)} at the timeout of ${timeout} (${o.polls} calls)${lastCause}. Raise 'timeout', or set 'fail-on-timeout: false' to go on`,
      )
    }
  }
  return lines.length > 0 ? lines.join('\n') : undefined
}

export async function writeSummary(outcomes: readonly FlowOutcome[], context: ReportContext): Promise<void> {
  const icon: Record<FlowResult, string> = { succeeded: '✅', failed: '❌', processing: '⏳', unknown: '❔' }
  const note: Partial<Record<FlowOutcome['end'], string>> = {
    timeout: ' (timed out)',
    cancelled: ' (cancelled)',
    stopped: ' (not waited for further)',
  }
  // Every cell is escaped: IDs, task types and RequestIds came over the network; no foreign text becomes markup.
  const rows = outcomes.map((o) =>
    [
      o.flowId,
      o.kind === 'instance'
        ? `instance, ${o.instanceStatus ?? 'not listed yet'}`
        : o.kind === 'deal'
          ? 'deal, not delivered'
          : o.task
            ? `${o.task.taskType || 'task'}${o.task.target ? ` on ${o.task.target}` : ''}${o.task.progress === undefined || o.status !== FLOW_STATUS.processing ? '' : `, ${Math.round(o.task.progress)}%`}`
            : '',
      `${icon[flowResult(o)]} ${flowResult(o)}${note[o.end] ?? ''}`,
      formatDuration(o.elapsedMs),
      String(o.polls),
      o.requestId ?? '',
    ].map(forSummary),
  )
  const ender = outcomes.length > 1 ? outcomes.find(endsTheWait) : undefined
  await core.summary
    .addHeading('CynosDB task flow', 3)
    .addRaw(
      `Region <code>${forSummary(context.region)}</code>, timeout ${formatDuration(context.timeoutMs)}` +
        (ender ? `. ${forSummary(rowName(ender))} ended the wait: ${flowResult(ender)}.` : ''),
      true,
    )
    .addTable([
      [
        { data: 'Flow or instance', header: true },
        { data: 'Task', header: true },
        { data: 'Result', header: true },
        { data: 'Elapsed', header: true },
        { data: 'Calls', header: true },
        { data: 'RequestId', header: true },
      ],
      ...rows,
    ])
    .write()
}
