// CynosDB DescribeFlow (API version 2019-01-07) on top of callApi, with the one fix-up that belongs to signing:
// a runner whose clock is off by more than 5 minutes gets AuthFailure.SignatureExpire, and the answer's Date
// header tells the server's time. The client corrects its clock from it and says so on the error; the caller
// sends the call again (through its rate limiter, counted like any other request).
import type { Dispatcher } from 'undici'
import { formatDuration } from '../duration.ts'
import { forLog } from '../foreign-text.ts'
import { callApi, type Credentials } from './client.ts'
import { ApiError, UnexpectedResponseError, type RequestTrace } from './errors.ts'

export const FLOW_STATUS = { succeeded: 0, failed: 1, processing: 2 } as const
export type FlowStatus = (typeof FLOW_STATUS)[keyof typeof FLOW_STATUS]

export interface FlowAnswer {
  readonly status: FlowStatus
  readonly requestId: string
  readonly trace?: RequestTrace | undefined
}

export interface CynosdbClientOptions {
  readonly endpoint: URL
  readonly region: string
  /** Called before every request, so temporary credentials can be refreshed. */
  readonly credentials: () => Promise<Credentials>
  readonly dispatcher: Dispatcher
  /** Milliseconds since the epoch. */
  readonly now: () => number
  readonly log: (message: string) => void
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined
  /** Connect, headers and body together. */
  readonly timeoutMs: number
}

export interface CynosdbClient {
  describeFlow(flowId: string, options: CallOptions): Promise<FlowAnswer>
}

/** A server clock further than this from the runner's is not believed: a broken Date header, not a skew. */
export const MAX_PLAUSIBLE_SKEW_MS = 24 * 3600_000
/** Below this, a new reading changes nothing: the server accepts 5 minutes either way. */
const SKEW_RESOLUTION_MS = 60_000

export function createCynosdbClient(options: CynosdbClientOptions): CynosdbClient {
  let skewMs = 0
  return {
    async describeFlow(flowId, call) {
      const sentAt = options.now()
      const signedWithSkew = skewMs
      try {
        const { fields, trace } = await callApi({
          endpoint: options.endpoint,
          service: 'cynosdb',
          version: '2019-01-07',
          action: 'DescribeFlow',
          region: options.region,
          // flowId is validated digits; written by hand so an ID beyond 2^53 keeps every digit.
          payload: `{"FlowId":${flowId}}`,
          credentials: await options.credentials(),
          timestamp: Math.floor((sentAt + skewMs) / 1000),
          timeoutMs: call.timeoutMs,
          dispatcher: options.dispatcher,
          signal: call.signal,
        })
        return parseFlowAnswer(fields, trace)
      } catch (error) {
        if (
          error instanceof ApiError &&
          error.code === 'AuthFailure.SignatureExpire' &&
          error.serverTime !== undefined
        ) {
          const measured = error.serverTime - sentAt
          if (Math.abs(measured) <= MAX_PLAUSIBLE_SKEW_MS && Math.abs(measured - skewMs) >= SKEW_RESOLUTION_MS) {
            skewMs = measured
            error.clockCorrected = true
            options.log(
              `The runner's clock is ${formatDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'behind' : 'ahead of'} Tencent Cloud's; signing with the server's time from now on`,
            )
          } else if (signedWithSkew !== skewMs) {
            // signed before another call corrected the clock: the next attempt is signed right
            error.clockCorrected = true
          }
        }
        throw error
      }
    },
  }
}

function parseFlowAnswer(answer: Record<string, unknown>, trace: RequestTrace): FlowAnswer {
  const status = answer.Status
  const requestId = typeof answer.RequestId === 'string' ? answer.RequestId.slice(0, 128) : ''
  if (status !== 0 && status !== 1 && status !== 2) {
    // Nothing but 0, 1 and 2 is documented; an unknown value is treated like a garbled answer and retried.
    const error = new UnexpectedResponseError(
      `DescribeFlow answered with an undocumented Status ${forLog((JSON.stringify(status) ?? 'undefined').slice(0, 60))}${requestId ? ` (RequestId ${forLog(requestId)})` : ''}`,
    )
    error.trace = trace
    throw error
  }
  return { status, requestId, trace }
}
