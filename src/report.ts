// What the step leaves behind, formatted: outputs for later steps, a job summary for people, the failure message
// and the warning. What they say was decided elsewhere (outcome.ts); everything here is bounded, and foreign
// text is neutralised for the log and escaped for the summary.
import * as core from '@actions/core'
import { formatDuration } from './duration.ts'
import { bounded, forLog, forSummary } from './foreign-text.ts'
import { changeHint, hintFor, unansweredChangeHint } from './hints.ts'
import { toJson } from './json.ts'
import { rowOutcomes, worstRow, type RowOutcome, type Verdict } from './outcome.ts'
import { callCount, rowName, type ProbeOutcome, type Result, type Row } from './poll.ts'
import { progressText, taskLabel } from './task-details.ts'
import { RESOURCE_ID } from './tencent/cynosdb.ts'

export interface StepOutputs {
  readonly 'cluster-ids': string
  readonly 'instance-ids': string
  readonly status: string
  readonly result: Result
  readonly 'request-id': string
  readonly elapsed: string
  readonly polls: string
  readonly 'timed-out': string
  readonly results: string
  readonly response: string
}

/** An output a later step reads whole: room for hundreds of IDs, far from the runner's limits. */
export const MAX_OUTPUT_BYTES = 64 * 1024
/** The job summary: GitHub drops one over 1 MiB; this leaves room for the other steps of the job. */
export const MAX_SUMMARY_ROWS = 200
export const MAX_SUMMARY_CHARS = 256 * 1024

/** Tencent Cloud's RequestIds are UUIDs: nothing else goes into an output that later steps may interpolate. */
export const REQUEST_ID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/

/** `status`: DescribeFlow's numbers, which the other kinds borrow: 0 succeeded, 1 failed, 2 processing. */
const STATUS_OF: Readonly<Record<Result, string>> = { succeeded: '0', failed: '1', processing: '2', unknown: '' }

/** A row's key in `results`: a flow's bare ID (as in 1.0), every other kind prefixed, so no two can collide. */
export const resultKey = (row: Pick<Row, 'kind' | 'id'>): string =>
  row.kind === 'flow' ? row.id : `${row.kind}:${row.id}`

/** Bytes, as an output file holds text: a CJK character is three. */
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

/** `{"a":"b",…}` with as many entries as fit in `max` bytes, then `"more": "N left out"`. */
function boundedObject(entries: readonly [string, string][], max: number): string {
  const kept: Record<string, string> = {}
  let size = 2
  let index = 0
  for (; index < entries.length; index++) {
    const [key, value] = entries[index] ?? ['', '']
    const entrySize = bytes(JSON.stringify(key)) + bytes(JSON.stringify(value)) + 2
    if (size + entrySize > max - 40) break
    kept[key] = value
    size += entrySize
  }
  if (index < entries.length) kept.more = `${entries.length - index} left out`
  return JSON.stringify(kept)
}

/** IDs, comma-separated, as many whole ones as fit; only what looks like a resource ID. */
function idList(ids: readonly string[]): string {
  const kept: string[] = []
  let size = 0
  for (const id of ids.filter((id) => RESOURCE_ID.test(id))) {
    if (size + id.length + 1 > MAX_OUTPUT_BYTES) break
    kept.push(id)
    size += id.length + 1
  }
  return kept.join(',')
}

export interface Delivered {
  readonly clusterIds: readonly string[]
  readonly instanceIds: readonly string[]
}

/**
 * The answer of the change the step sent, as JSON for a later step's fromJSON, its text made harmless on the way:
 * `::` and `##[` (workflow commands, should a later step echo it) and invisible formatting characters are written
 * as JSON escapes, which read back as the same value. Empty when it would be larger than an output should be.
 */
export function responseOutput(answer: Record<string, unknown> | undefined): string {
  if (answer === undefined) return ''
  const json = (toJson(answer) ?? '')
    .replace(/:(?=:)/g, '\\u003a')
    .replace(/#(?=#\[)/g, '\\u0023')
    .replace(/[\p{Cf}\u2028\u2029]/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
  return bytes(json) <= MAX_OUTPUT_BYTES ? json : ''
}

export function stepOutputs(
  outcomes: readonly ProbeOutcome[],
  step: {
    readonly requests: number
    readonly delivered?: Delivered | undefined
    /** The answer of the change the step sent (`call`). */
    readonly answer?: Record<string, unknown> | undefined
  },
): StepOutputs {
  const rows = rowOutcomes(outcomes)
  const worst = worstRow(rows)
  const requestId = worst?.probe.requestId ?? ''
  return {
    'cluster-ids': idList(step.delivered?.clusterIds ?? []),
    'instance-ids': idList(step.delivered?.instanceIds ?? []),
    status: worst ? STATUS_OF[worst.result] : '',
    result: worst?.result ?? 'unknown',
    'request-id': REQUEST_ID.test(requestId) ? requestId : '',
    elapsed: String(Math.round(Math.max(0, ...outcomes.map((o) => o.elapsedMs)) / 1000)),
    polls: String(step.requests),
    'timed-out': String(rows.some((row) => row.end === 'timeout')),
    results: boundedObject(
      rows.map((row) => [resultKey(row), row.result]),
      MAX_OUTPUT_BYTES,
    ),
    response: responseOutput(step.answer),
  }
}

export interface ReportContext {
  readonly region: string
  readonly timeoutMs: number
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
    const after = `after ${formatDuration(row.probe.elapsedMs)}, ${callCount(row.probe.calls)}`
    const lastCause = row.error ? `; the last call failed: ${row.error.message}` : ''
    if (row.result === 'failed') {
      const requestId = row.probe.requestId ? ` (RequestId ${forLog(row.probe.requestId)})` : ''
      const cause = row.cause ? forLog(row.cause) : ''
      if (row.kind === 'instance') lines.push(`${where} ${cause || `is ${forLog(row.state)}`}${requestId}, ${after}`)
      else if (row.kind === 'flow')
        lines.push(
          `${where} failed${requestId}, ${after}${cause ? `: its task${taskLabel(row.task)} says: ${cause}` : ''}`,
        )
      else lines.push(`${where}${taskLabel(row.task)} failed${requestId}, ${after}${cause ? `: ${cause}` : ''}`)
    } else if (row.end === 'error' && row.error) {
      if (reportedErrors.has(row.probe)) continue
      reportedErrors.add(row.probe)
      const hint = row.kind === 'call' ? changeHint(row.error, context) : hintFor(row.error, context)
      lines.push(`${forLog(row.probe.name)} (region ${context.region}): ${row.error.message}${hint ? `. ${hint}` : ''}`)
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
    } else if (row.kind === 'deal') {
      lines.push(
        `${where}: not delivered by billing within the timeout of ${timeout} (${callCount(row.probe.calls)})${lastCause}`,
      )
    } else if (row.result === 'unknown' && row.probe.calls === 0) {
      // nothing went out: the keys, or the way to the endpoint, failed first
      lines.push(`${where}: nothing could be asked within the timeout of ${timeout}${lastCause}`)
    } else if (row.result === 'unknown') {
      // Nothing is known of it, so fail-on-timeout: false cannot make this green.
      lines.push(
        `${where}: ${forLog(row.state)} within the timeout of ${timeout} (${callCount(row.probe.calls)})${lastCause}`,
      )
    } else {
      lines.push(
        `${where}: still ${forLog(row.state)} at the timeout of ${timeout} (${callCount(row.probe.calls)})${lastCause}. Raise 'timeout', or set 'fail-on-timeout: false' to go on`,
      )
    }
  }
  return lines.length > 0 ? lines.join('\n') : undefined
}

/** The warning when rows still processing at the timeout pass (fail-on-timeout: false). */
export function lateWarning(verdict: Verdict, context: ReportContext): string | undefined {
  if (verdict.late.length === 0) return undefined
  const names = verdict.late.map((row) => forLog(rowName(row)))
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '')
  return `${shown} still processing at the timeout of ${formatDuration(context.timeoutMs)}; going on because fail-on-timeout is false`
}

/** What a row is doing, for the summary: its task, an instance's status. */
function doing(row: RowOutcome): string {
  const task = row.task
  const work = task ? `${task.taskType || 'task'}${task.target ? ` on ${task.target}` : ''}` : ''
  const progress = row.result === 'processing' ? progressText(task) : ''
  if (row.kind === 'flow') return `${work}${progress}`
  if (row.kind === 'task') return `${work ? `${work}, ` : ''}${row.state}${progress}`
  if (row.kind === 'instance') return `${row.state}${row.parent ? ` (cluster ${row.parent})` : ''}`
  return row.state
}

export interface SummaryContext extends ReportContext {
  /** What the step waited for, e.g. `CynosDB task flow 123`, `the instances of CynosDB deal d1`. */
  readonly title: string
  /** Said above the table, e.g. which call was sent with which parameter names. */
  readonly lines?: readonly string[] | undefined
}

export async function writeSummary(outcomes: readonly ProbeOutcome[], context: SummaryContext): Promise<void> {
  const icon: Record<Result, string> = { succeeded: '✅', failed: '❌', processing: '⏳', unknown: '❔' }
  const note: Partial<Record<RowOutcome['end'], string>> = {
    timeout: ' (timed out)',
    cancelled: ' (cancelled)',
    stopped: ' (not waited for further)',
    error: ' (error)',
  }
  const rows = rowOutcomes(outcomes)
  const firstOfProbe = new Set(outcomes.map((probe) => rows.find((row) => row.probe === probe)))
  // Every cell is escaped: IDs, task types and RequestIds came over the network; no foreign text becomes markup.
  // Rows are added while the table stays within MAX_SUMMARY_CHARS (escaping can make hostile text 8 times longer).
  const cells: string[][] = []
  let size = 0
  for (const row of rows.slice(0, MAX_SUMMARY_ROWS)) {
    const cellsOfRow = [
      rowName(row),
      doing(row),
      `${icon[row.result]} ${row.result}${note[row.end] ?? ''}`,
      formatDuration(row.probe.elapsedMs),
      firstOfProbe.has(row) ? String(row.probe.calls) : '',
      firstOfProbe.has(row) ? (row.probe.requestId ?? '') : '',
    ].map((cell) => forSummary(bounded(cell, 200)))
    size += cellsOfRow.reduce((sum, cell) => sum + cell.length + 9, 9) // with <td></td> and <tr></tr>
    if (size > MAX_SUMMARY_CHARS) break
    cells.push(cellsOfRow)
  }
  const ender = outcomes.length > 1 ? rows.find((row) => row.result === 'failed') : undefined
  const intro = [
    `Region <code>${forSummary(context.region)}</code>, timeout ${formatDuration(context.timeoutMs)}.`,
    ...(context.lines ?? []),
    ...(ender ? [`${forSummary(rowName(ender))} ended the wait: ${ender.result}.`] : []),
  ]
  let summary = core.summary
    .addHeading(forSummary(`${context.title.charAt(0).toUpperCase()}${context.title.slice(1)}`), 3)
    .addRaw(intro.join(' '), true)
    .addTable([
      [
        { data: 'Waited for', header: true },
        { data: 'Doing', header: true },
        { data: 'Result', header: true },
        { data: 'Elapsed', header: true },
        { data: 'Calls', header: true },
        { data: 'RequestId', header: true },
      ],
      ...cells,
    ])
  if (rows.length > cells.length) {
    summary = summary.addRaw(
      `${rows.length - cells.length} more rows left out; the log and the results output have them.`,
      true,
    )
  }
  await summary.write()
}
