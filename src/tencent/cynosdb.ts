// CynosDB DescribeFlow (API version 2019-01-07) on top of callApi, with the one fix-up that belongs to signing:
// a runner whose clock is off by more than 5 minutes gets AuthFailure.SignatureExpire, and the answer's Date
// header tells the server's time, so the call is signed again with the corrected clock.
import type { Dispatcher } from 'undici'
import { formatDuration } from '../duration.ts'
import { callApi, type Credentials } from './client.ts'
import { ApiError, UnexpectedResponseError } from './errors.ts'

export const FLOW_STATUS = { succeeded: 0, failed: 1, processing: 2 } as const
export type FlowStatus = (typeof FLOW_STATUS)[keyof typeof FLOW_STATUS]

export interface FlowAnswer {
  readonly status: FlowStatus
  readonly requestId: string
}

export interface CynosdbClientOptions {
  readonly endpoint: URL
  readonly region: string
  /** Called before every request, so temporary credentials can be refreshed. */
  readonly credentials: () => Promise<Credentials>
  readonly timeoutMs: number
  readonly dispatcher: Dispatcher
  /** Milliseconds since the epoch. */
  readonly now: () => number
  readonly log: (message: string) => void
}

export interface CynosdbClient {
  describeFlow(flowId: string, signal?: AbortSignal): Promise<FlowAnswer>
}

export function createCynosdbClient(options: CynosdbClientOptions): CynosdbClient {
  let skewMs = 0
  return {
    async describeFlow(flowId, signal) {
      for (let corrected = false; ; corrected = true) {
        const sentAt = options.now()
        try {
          const answer = await callApi({
            endpoint: options.endpoint,
            service: 'cynosdb',
            version: '2019-01-07',
            action: 'DescribeFlow',
            region: options.region,
            // flowId is validated digits; written by hand so an ID beyond 2^53 keeps every digit.
            payload: `{"FlowId":${flowId}}`,
            credentials: await options.credentials(),
            timestamp: Math.floor((sentAt + skewMs) / 1000),
            timeoutMs: options.timeoutMs,
            dispatcher: options.dispatcher,
            signal,
          })
          return parseFlowAnswer(answer)
        } catch (error) {
          if (
            !corrected &&
            error instanceof ApiError &&
            error.code === 'AuthFailure.SignatureExpire' &&
            error.serverTime !== undefined
          ) {
            skewMs = error.serverTime - sentAt
            options.log(
              `The runner's clock is ${formatDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'behind' : 'ahead of'} Tencent Cloud's; signing with the server's time from now on`,
            )
            continue
          }
          throw error
        }
      }
    },
  }
}

function parseFlowAnswer(answer: Record<string, unknown>): FlowAnswer {
  const status = answer.Status
  const requestId = typeof answer.RequestId === 'string' ? answer.RequestId : ''
  if (status !== 0 && status !== 1 && status !== 2) {
    // Nothing but 0, 1 and 2 is documented; an unknown value is treated like a garbled answer and retried.
    throw new UnexpectedResponseError(
      `DescribeFlow answered with an undocumented Status ${JSON.stringify(status)}${requestId ? ` (RequestId ${requestId})` : ''}`,
    )
  }
  return { status, requestId }
}
