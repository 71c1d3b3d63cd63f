// The job summary: a table of what was waited for, for people. Every cell is foreign text until escaped, and the
// whole stays within what GitHub keeps.
import * as core from '@actions/core'
import { formatDuration } from '../duration.ts'
import { bounded, forSummary } from '../foreign-text.ts'
import { redact } from '../foreign-text.ts'
import { progressText } from '../probes/task-details.ts'
import { rowName, type ProbeOutcome, type Result } from '../wait/probe.ts'
import { rowOutcomes, type RowOutcome } from '../wait/verdict.ts'

/** The job summary: GitHub drops one over 1 MiB; this leaves room for the other steps of the job. */
export const MAX_SUMMARY_ROWS = 200
export const MAX_SUMMARY_CHARS = 256 * 1024

/** What a row is doing, for the summary: its task, an instance's status. */
function doing(row: RowOutcome): string {
  const work = row.work ?? ''
  const progress = row.result === 'processing' ? progressText(row) : ''
  if (row.kind === 'flow') return `${work}${progress}`
  if (row.kind === 'task') return `${work ? `${work}, ` : ''}${row.state}${progress}`
  if (row.kind === 'instance') return `${row.state}${row.parent ? ` (cluster ${row.parent})` : ''}`
  return row.state
}

export interface SummaryContext {
  readonly region: string
  readonly timeoutMs: number
  /** What the step waited for, e.g. `CynosDB task flow 123`, `the instances of CynosDB deal d1`. */
  readonly title: string
  /** Said above the table, e.g. which change was sent with which parameter names. */
  readonly lines?: readonly string[] | undefined
  /** Why the step failed, as its error annotation says it: the summary is where people look. */
  readonly reason?: string | undefined
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
      firstOfProbe.has(row) ? String(row.probe.requests) : '',
      firstOfProbe.has(row) ? (row.probe.requestId ?? '') : '',
    ].map((cell) => forSummary(bounded(cell, 200))) // bounded replaces a secret before the cut could halve it
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
    .addHeading(forSummary(redact(`${context.title.charAt(0).toUpperCase()}${context.title.slice(1)}`)), 3)
    .addRaw(intro.join(' '), true)
    .addTable([
      [
        { data: 'Waited for', header: true },
        { data: 'Doing', header: true },
        { data: 'Result', header: true },
        { data: 'Elapsed', header: true },
        { data: 'Requests', header: true },
        { data: 'RequestId', header: true },
      ],
      ...cells,
    ])
  if (context.reason) {
    const lines = context.reason.split('\n').slice(0, 30)
    summary = summary.addRaw(
      `<p><strong>Why it failed:</strong></p><ul>${lines.map((line) => `<li>${forSummary(bounded(line, 2000))}</li>`).join('')}</ul>`,
      true,
    )
  }
  if (rows.length > cells.length) {
    summary = summary.addRaw(
      `${rows.length - cells.length} more rows left out; the log and the results output have them.`,
      true,
    )
  }
  await summary.write()
}
