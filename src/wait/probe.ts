// What the waiting engine waits for, and what a wait reports: a probe makes the requests of one round and reads
// their answers into rows; the engine (poll.ts) turns rounds into an outcome. Nothing here knows which API is asked:
// a row's kind is the probe's own word for it (`flow`, `instance`), used to name it.
import type { RequestBudget } from '../budget.ts'

/** What the step says of a thing it waits for; `unknown` when no answer ever said anything of it. */
export const RESULTS = ['succeeded', 'failed', 'processing', 'unknown'] as const
export type Result = (typeof RESULTS)[number]

/** One thing waited for, as the last answer about it said. Text in it came over the network: neutralise it. */
export interface Row {
  /** The probe's word for what it is (`flow`, `task`, `instance`): names the row, `Flow 123`. */
  readonly kind: string
  readonly id: string
  readonly result: Result
  /** What it is doing, in words: `processing`, an instance's `creating`, a task's status, `not listed yet`. */
  readonly state: string
  /** Why it failed, in the API's words. */
  readonly cause?: string | undefined
  /** The work behind it, when known: `ModifyInstance on cynosdbmysql-ins-…`. */
  readonly work?: string | undefined
  /** How far the work is, as the API counts it; shown only while it runs. */
  readonly progress?: number | undefined
  /** What it belongs to: an instance's cluster, a task's flow. */
  readonly parent?: string | undefined
}

/** What one round of a probe found. */
export interface Reading<T = undefined> {
  /** A fresh view of every row: nothing is carried over from earlier answers. */
  readonly rows: readonly Row[]
  /** The state in words, e.g. `Flow 123 (ModifyInstance on …): processing`; logged whenever it changes. */
  readonly line: string
  /** Said after the line but not compared: progress, e.g. `, 40%`. */
  readonly progress?: string | undefined
  /** The RequestId of the round's last answer. */
  readonly requestId?: string | undefined
  /** What the round found beyond its rows (the change's answer), kept in the outcome. */
  readonly found?: T | undefined
}

export interface Probe<T = undefined> {
  /** For log lines: `Flow 123`, `Deal d1`, `Tasks 1, 2`. */
  readonly name: string
  /** What it waits for, before any answer. */
  readonly rows: readonly Row[]
  /** One round: its requests, within the budget, and what their answers say. Throws the failure of a request. */
  check(budget: RequestBudget): Promise<Reading<T>>
  /** Whether a failed round may be tried again: isTransient for reads; a change is sent at most once. */
  readonly retryable?: ((error: unknown) => boolean) | undefined
}

/** How the wait for a probe ended. */
export type WaitEnd = 'done' | 'timeout' | 'cancelled' | 'stopped' | 'error'

export interface ProbeOutcome<T = unknown> {
  readonly name: string
  readonly rows: readonly Row[]
  readonly end: WaitEnd
  /** `error`: the final error. `timeout`: the failure of the last round, if it failed. */
  readonly error: Error | undefined
  /** `stopped`: which row or probe ended the wait. */
  readonly stoppedBy: string | undefined
  /** Tencent Cloud requests this probe sent, failed ones included. */
  readonly requests: number
  /** The RequestId of the last answer, error answers included. */
  readonly requestId: string | undefined
  readonly elapsedMs: number
  /** What the last round that found something found. */
  readonly found: T | undefined
}

/** A row's name in messages: `Flow 123`, `Instance cynosdbmysql-ins-…`. */
export const rowName = (row: Pick<Row, 'kind' | 'id'>): string =>
  `${row.kind.charAt(0).toUpperCase()}${row.kind.slice(1)} ${row.id}`

/** A probe's end that ends the wait for every probe of the step: a failure, or a final error. */
export const endsTheWait = (outcome: Pick<ProbeOutcome, 'end' | 'rows'>): boolean =>
  outcome.end === 'error' || outcome.rows.some((row) => row.result === 'failed')
