// What the wait came to, row by row, and the step's verdict: which rows fail the step, which only come late. The
// report (report/) formats what this decides.
import { endsTheWait, rowName, type ProbeOutcome, type Result, type Row, type WaitEnd } from './probe.ts'

/** A row with how the wait for it ended and the probe it belongs to (its calls, RequestId, time). */
export interface RowOutcome extends Row {
  readonly end: WaitEnd
  /** `stopped`: what ended the wait. */
  readonly stoppedBy: string | undefined
  /** `error`: the final error; `timeout`: the failure of the last round, if it failed. */
  readonly error: Error | undefined
  readonly probe: ProbeOutcome
}

/** Every row of every probe, in order. A row that ended is `done`; one its own probe gave up on is `stopped`. */
export function rowOutcomes(outcomes: readonly ProbeOutcome[]): RowOutcome[] {
  return outcomes.flatMap((probe) => {
    const failed = probe.rows.find((row) => row.result === 'failed')
    return probe.rows.map((row): RowOutcome => {
      const ended = row.result === 'succeeded' || row.result === 'failed'
      if (ended) return { ...row, end: 'done', stoppedBy: undefined, error: undefined, probe }
      if (probe.end === 'done') {
        // the probe ended because another of its rows failed
        return { ...row, end: 'stopped', stoppedBy: failed ? rowName(failed) : probe.name, error: undefined, probe }
      }
      // a wait that ended in an error knows nothing of the end: what was processing is unknown
      const result = probe.end === 'error' && row.result === 'processing' ? 'unknown' : row.result
      return { ...row, result, end: probe.end, stoppedBy: probe.stoppedBy, error: probe.error, probe }
    })
  })
}

/** The step's result is its worst row's: failed > unknown > processing > succeeded. */
const SEVERITY: readonly Result[] = ['succeeded', 'processing', 'unknown', 'failed']

/** Whether `a` is worse than `b`: the one ranking of results, for the step's result and for contradicting answers. */
export const isWorse = (a: Result, b: Result): boolean => SEVERITY.indexOf(a) > SEVERITY.indexOf(b)

export function worstRow<T extends Row>(rows: readonly T[]): T | undefined {
  return rows.reduce<T | undefined>(
    (worst, row) => (worst === undefined || isWorse(row.result, worst.result) ? row : worst),
    undefined,
  )
}

/**
 * Whether a row fails the step. Failed, a final error, cancelled, or not waited for further: always. At the
 * timeout: a row still processing only with fail-on-timeout; one nothing is known of (never answered, never
 * listed, never delivered) always, since fail-on-timeout: false cannot make the unknown green.
 */
export function failsTheStep(row: RowOutcome, failOnTimeout: boolean): boolean {
  if (row.result === 'failed') return true
  if (row.end === 'done') return false
  if (row.end === 'timeout') return row.result === 'unknown' || failOnTimeout
  return true
}

export interface Verdict {
  /** Rows that fail the step: what ended the wait first, then the others in order. */
  readonly failing: readonly RowOutcome[]
  /** Rows still processing at the timeout that the step lets pass (fail-on-timeout: false). */
  readonly late: readonly RowOutcome[]
}

export function verdict(outcomes: readonly ProbeOutcome[], failOnTimeout: boolean): Verdict {
  const rows = rowOutcomes(outcomes)
  const failing = rows.filter((row) => failsTheStep(row, failOnTimeout))
  const first = (row: RowOutcome): boolean => row.result === 'failed' || (row.end === 'error' && endsTheWait(row.probe))
  return {
    failing: [...failing.filter(first), ...failing.filter((row) => !first(row))],
    late: rows.filter((row) => row.end === 'timeout' && !failsTheStep(row, failOnTimeout)),
  }
}
