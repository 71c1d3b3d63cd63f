// What the step says when it ends: why it fails, one line per row that fails it, or the warning of rows that came
// late. What they say was decided in wait/verdict.ts; foreign text is neutralised for the log here.
import { formatDuration } from '../duration.ts'
import { forLog } from '../foreign-text.ts'
import { changeHint, hintFor, unansweredChangeHint } from '../hints.ts'
import { RequestError } from '../http.ts'
import { workLabel } from '../probes/task-details.ts'
import { rowName, type ProbeOutcome } from '../wait/probe.ts'
import type { Verdict } from '../wait/verdict.ts'
import { listed, requestCount } from '../words.ts'

export interface ReportContext {
  readonly region: string
  readonly timeoutMs: number
  /** The change the step sent, when it was answered: a wait for it that fails does not undo it. */
  readonly sent?: string | undefined
}

/** `Flow 2` as it reads inside a sentence: `flow 2`. */
const lowerFirst = (text: string): string => `${text.charAt(0).toLowerCase()}${text.slice(1)}`

/** Why the step fails, one line per row that fails it (one per probe for a final error); undefined if it passes. */
export function failureMessage(verdict: Verdict, context: ReportContext): string | undefined {
  const lines: string[] = []
  const reportedErrors = new Set<ProbeOutcome>()
  const timeout = formatDuration(context.timeoutMs)
  for (const row of verdict.failing) {
    const name = forLog(rowName(row))
    const where = `${name} (region ${context.region})`
    const after = `after ${formatDuration(row.probe.elapsedMs)}, ${requestCount(row.probe.requests)}`
    // a round cut short by cancellation fails with an abort: not a cause worth naming
    const lastCause = row.error && row.end === 'timeout' ? `; the last request failed: ${row.error.message}` : ''
    if (row.result === 'failed') {
      const requestId = row.probe.requestId ? ` (RequestId ${forLog(row.probe.requestId)})` : ''
      const cause = row.cause ? forLog(row.cause) : ''
      if (row.kind === 'instance') lines.push(`${where} ${cause || `is ${forLog(row.state)}`}${requestId}, ${after}`)
      else if (row.kind === 'flow')
        lines.push(`${where} failed${requestId}, ${after}${cause ? `: its task${workLabel(row)} says: ${cause}` : ''}`)
      else lines.push(`${where}${workLabel(row)} failed${requestId}, ${after}${cause ? `: ${cause}` : ''}`)
    } else if (row.end === 'error' && row.error) {
      if (reportedErrors.has(row.probe)) continue
      reportedErrors.add(row.probe)
      const hint = row.kind === 'call' ? changeHint(row.error, context) : hintFor(row.error, context)
      const done =
        row.kind !== 'call' && context.sent ? `${context.sent} was carried out, but waiting for it failed: ` : ''
      lines.push(
        `${forLog(row.probe.name)} (region ${context.region}): ${done}${row.error.message}${hint ? `. ${hint}` : ''}`,
      )
    } else if (row.kind === 'call') {
      // sent, and no answer came: cancelled or timed out while it was under way, or throttled to the timeout
      const what = row.end === 'timeout' ? `not answered within the timeout of ${timeout}` : `${row.end} ${after}`
      const hint = unansweredChangeHint(row.end, row.error)
      lines.push(`${where}: ${what}${lastCause}. ${hint}`)
    } else if (row.end === 'cancelled') {
      lines.push(`${where}: cancelled ${after}; last known status: ${forLog(row.state)}`)
    } else if (row.end === 'stopped') {
      lines.push(
        `${where}: not waited for further once ${forLog(lowerFirst(row.stoppedBy ?? 'another'))} ended the wait, ${after}; last known status: ${forLog(row.state)}`,
      )
    } else if (
      row.kind === 'deal' &&
      row.error instanceof RequestError &&
      row.error.trace?.action === 'DescribeInstances'
    ) {
      // delivered in the round that failed: its instances could not be listed
      lines.push(
        `${where}: delivered, but its instances could not be listed within the timeout of ${timeout}${lastCause}`,
      )
    } else if (row.kind === 'deal') {
      lines.push(
        `${where}: not delivered by billing within the timeout of ${timeout} (${requestCount(row.probe.requests)})${lastCause}`,
      )
    } else if (row.result === 'unknown' && row.probe.requests === 0) {
      // nothing went out: the keys, or the way to the endpoint, failed first
      lines.push(`${where}: nothing could be asked within the timeout of ${timeout}${lastCause}`)
    } else if (row.result === 'unknown') {
      // Nothing is known of it, so fail-on-timeout: false cannot make this green.
      lines.push(
        `${where}: ${forLog(row.state)} within the timeout of ${timeout} (${requestCount(row.probe.requests)})${lastCause}`,
      )
    } else {
      lines.push(
        `${where}: still ${forLog(row.state)} at the timeout of ${timeout} (${requestCount(row.probe.requests)})${lastCause}. Raise 'timeout', or set 'fail-on-timeout: false' to go on`,
      )
    }
  }
  return lines.length > 0 ? lines.join('\n') : undefined
}

/** The warning when rows still processing at the timeout pass (fail-on-timeout: false). */
export function lateWarning(verdict: Verdict, context: ReportContext): string | undefined {
  if (verdict.late.length === 0) return undefined
  const shown = listed(verdict.late.map((row) => forLog(rowName(row))))
  return `${shown} still processing at the timeout of ${formatDuration(context.timeoutMs)}; going on because fail-on-timeout is false`
}
