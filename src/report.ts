// What the step leaves behind: outputs for later steps, a job summary for people, and the verdict.
import * as core from '@actions/core'
import { formatDuration } from './duration.ts'
import { forLog, forSummary } from './foreign-text.ts'
import { FLOW_STATUS } from './tencent/cynosdb.ts'
import { hintFor } from './tencent/errors.ts'
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

export function stepOutputs(outcomes: readonly FlowOutcome[]): StepOutputs {
  const worst = worstOutcome(outcomes)
  return {
    status: worst.status === undefined ? '' : String(worst.status),
    result: flowResult(worst),
    'request-id': worst.requestId !== undefined && SAFE_REQUEST_ID.test(worst.requestId) ? worst.requestId : '',
    elapsed: String(Math.round(Math.max(...outcomes.map((o) => o.elapsedMs)) / 1000)),
    polls: String(outcomes.reduce((sum, o) => sum + o.polls, 0)),
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
export function failureMessage(outcomes: readonly FlowOutcome[], context: ReportContext): string | undefined {
  const lines: string[] = []
  // the flow that ended the wait first, then the others in the order given
  for (const o of [...outcomes.filter(endsTheWait), ...outcomes.filter((o) => !endsTheWait(o))]) {
    const where = `Flow ${o.flowId} (region ${context.region})`
    const after = `after ${formatDuration(o.elapsedMs)}, ${o.polls} ${o.polls === 1 ? 'call' : 'calls'}`
    const lastCause = o.error ? `; the last call failed: ${o.error.message}` : ''
    if (o.end === 'error' && o.error) {
      const hint = hintFor(o.error, context)
      lines.push(`${where}: ${o.error.message}${hint ? `. ${hint}` : ''}`)
    } else if (o.end === 'cancelled') {
      lines.push(`${where}: cancelled ${after}; last known status: ${flowResult(o)}`)
    } else if (o.end === 'stopped') {
      lines.push(
        `${where}: not waited for further once flow ${o.stoppedBy ?? '?'} ended the wait, ${after}; last known status: ${flowResult(o)}`,
      )
    } else if (o.status === FLOW_STATUS.failed) {
      lines.push(`${where} failed${o.requestId ? ` (RequestId ${forLog(o.requestId)})` : ''}, ${after}`)
    } else if (o.end === 'timeout' && o.status === undefined) {
      // Nothing is known about the flow, so fail-on-timeout: false cannot make this green.
      lines.push(
        `${where}: no answer from DescribeFlow within the timeout of ${formatDuration(context.timeoutMs)} (${o.polls} calls)${lastCause}`,
      )
    } else if (o.end === 'timeout' && context.failOnTimeout) {
      lines.push(
        `${where}: still ${flowResult(o)} at the timeout of ${formatDuration(context.timeoutMs)} (${o.polls} calls)${lastCause}. Raise 'timeout', or set 'fail-on-timeout: false' to go on`,
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
  // Every cell is escaped: RequestIds came over the network, and no foreign text may become markup.
  const rows = outcomes.map((o) =>
    [
      o.flowId,
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
        (ender ? `. Flow ${forSummary(ender.flowId)} ended the wait: ${flowResult(ender)}.` : ''),
      true,
    )
    .addTable([
      [
        { data: 'Flow', header: true },
        { data: 'Result', header: true },
        { data: 'Elapsed', header: true },
        { data: 'Calls', header: true },
        { data: 'RequestId', header: true },
      ],
      ...rows,
    ])
    .write()
}
