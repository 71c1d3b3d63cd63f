// What every handler of the stand-in shares (its options, models, keys and counters) and what it gives back: a
// Reply, which the server turns into the API's answer, an API error, or a fault on the wire.
import type { ApiModel } from '../../../src/tencent/api-model.ts'
import type { Fault, FakeTencentOptions, Key } from './plans.ts'

export interface StandIn {
  readonly options: FakeTencentOptions
  readonly models: { readonly cynosdb: ApiModel; readonly sts: ApiModel }
  /** Secret ID -> key: the options' keys, and the temporary keys STS hands out. */
  readonly keys: Map<string, Key>
  /** The server's clock (ms since the epoch), clockOffsetMs from this machine's. */
  serverNow(): number
  /** How many times `key` was counted before, counting this time. */
  count(key: string): number
  /** How many times `key` was counted, without counting. */
  counted(key: string): number
  /** Resolves once the stand-in has answered `action` this many times in all. */
  answered(action: string, times: number): Promise<void>
}

/** A request as the handlers see it, its body checked against the model. */
export interface Call {
  readonly params: Record<string, unknown>
  readonly headers: Readonly<Record<string, string>>
  /** Date.now() when it arrived. */
  readonly arrivedAt: number
}

export type Reply =
  | { readonly error: string; readonly message: string }
  /** `answer` is what the request log says; `response` the Response object's fields but RequestId. */
  | { readonly answer: string; readonly response: Record<string, unknown> }
  | { readonly fault: Exclude<Fault, { readonly error: string }> }

export type Handler = (standIn: StandIn, call: Call) => Reply | Promise<Reply>

/** A scripted fault as a reply: an API error code is an error answer, the rest are played on the wire. */
export const faultReply = (fault: Fault): Reply =>
  typeof fault === 'object' && 'error' in fault ? { error: fault.error, message: `scripted ${fault.error}` } : { fault }

/** JSON with bigints written as JSON integers with every digit (IDs may pass 2^53). */
export function toJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined)
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * The body as JSON, integers past 2^53 as bigints with every digit (flow IDs may be that big), or undefined when it
 * is not JSON. Any valid JSON is accepted: spaces, any key order.
 */
export function parseBody(body: string): unknown {
  try {
    return JSON.parse(body, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? '')
        ? BigInt(context?.source ?? '')
        : value,
    )
  } catch {
    return undefined
  }
}
