// The outputs later steps read: bounded, and only values of the shapes they promise (IDs, UUIDs, JSON).
import { harmlessJson, redact } from '../foreign-text.ts'
import { toJson } from '../json.ts'
import { RESOURCE_ID, UUID } from '../shapes.ts'
import type { Result, ProbeOutcome, Row } from '../wait/probe.ts'
import { rowOutcomes, worstRow } from '../wait/verdict.ts'

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
  /** Set by main.ts when the answer is too large for `response` and went to a file. */
  readonly 'response-file': string
  /** `true` in a dry run (main.ts), which sends nothing; `plan` is its summary's Markdown then. */
  readonly 'dry-run': string
  readonly plan: string
  /** Why the step failed, as its error annotation says it (main.ts); empty when it passed. */
  readonly reason: string
}

/** An output a later step reads whole: room for hundreds of IDs, far from the runner's limits. */
export const MAX_OUTPUT_BYTES = 64 * 1024

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
    const entrySize = bytes(harmlessJson(JSON.stringify(key))) + bytes(harmlessJson(JSON.stringify(value))) + 2
    if (size + entrySize > max - 40) break
    kept[key] = value
    size += entrySize
  }
  if (index < entries.length) kept.more = `${entries.length - index} left out`
  return harmlessJson(redact(JSON.stringify(kept))) // keys are IDs from the network
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

/** The answer of the change the step sent, as harmless JSON for a later step's fromJSON; may be over the bound. */
export const responseJson = (answer: Record<string, unknown>): string => harmlessJson(redact(toJson(answer) ?? ''))

/** `response`: the answer, or empty when it is larger than an output holds (main.ts writes it to a file then). */
export function responseOutput(answer: Record<string, unknown> | undefined): string {
  if (answer === undefined) return ''
  const json = responseJson(answer)
  return bytes(json) <= MAX_OUTPUT_BYTES ? json : ''
}

export function stepOutputs(
  outcomes: readonly ProbeOutcome[],
  step: {
    readonly requests: number
    /** The answer of the change the step sent (`call`). */
    readonly answer?: Record<string, unknown> | undefined
  },
): StepOutputs {
  const rows = rowOutcomes(outcomes)
  const worst = worstRow(rows)
  const requestId = worst?.probe.requestId ?? ''
  // what a purchase delivered: its instances, and the cluster of each (probes/purchase.ts)
  const instances = rows.filter((row) => row.kind === 'instance')
  return {
    'cluster-ids': idList([...new Set(instances.flatMap((row) => (row.parent ? [row.parent] : [])))]),
    'instance-ids': idList([...new Set(instances.map((row) => row.id))]),
    status: worst ? STATUS_OF[worst.result] : '',
    result: worst?.result ?? 'unknown',
    'request-id': UUID.test(requestId) ? requestId : '',
    elapsed: String(Math.round(Math.max(0, ...outcomes.map((o) => o.elapsedMs)) / 1000)),
    polls: String(step.requests),
    'timed-out': String(rows.some((row) => row.end === 'timeout')),
    results: boundedObject(
      rows.map((row) => [resultKey(row), row.result]),
      MAX_OUTPUT_BYTES,
    ),
    response: responseOutput(step.answer),
    'response-file': '',
    'dry-run': 'false',
    plan: '',
    reason: '',
  }
}
