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

/** One task of DescribeTasks (BizTaskInfo), the fields this action shows. Text is foreign: neutralise it. */
export interface TaskInfo {
  readonly flowId: number | undefined
  readonly taskType: string
  readonly clusterId: string
  readonly instanceId: string
  /** BizTaskInfo.Process, the task's progress, when it is a number. */
  readonly progress: number | undefined
  readonly errMsg: string
}

export interface TaskQuery {
  /** `YYYY-MM-DD HH:MM:SS`: tasks started at or after it. */
  readonly startTimeBegin?: string
  readonly limit: number
  readonly offset: number
}

/** What DescribeResourcesByDealName answers for one deal (BillingResourceInfo). */
export interface DealResources {
  readonly dealName: string
  readonly clusterId: string
  readonly instanceIds: readonly string[]
}

export interface InstanceState {
  readonly instanceId: string
  /** creating, running, isolating, isolated, activating, offlining, offlined (cynosdb_models.d.ts). */
  readonly status: string
}

export interface Traced<T> {
  readonly value: T
  readonly requestId: string
  readonly trace: RequestTrace
}

export interface CynosdbClient {
  describeFlow(flowId: string, options: CallOptions): Promise<FlowAnswer>
  describeTasks(query: TaskQuery, options: CallOptions): Promise<Traced<{ tasks: TaskInfo[]; total: number }>>
  describeResourcesByDealName(dealNames: readonly string[], options: CallOptions): Promise<Traced<DealResources[]>>
  describeInstances(instanceIds: readonly string[], options: CallOptions): Promise<Traced<InstanceState[]>>
}

/** A server clock further than this from the runner's is not believed: a broken Date header, not a skew. */
export const MAX_PLAUSIBLE_SKEW_MS = 24 * 3600_000
/** Below this, a new reading changes nothing: the server accepts 5 minutes either way. */
const SKEW_RESOLUTION_MS = 60_000

export function createCynosdbClient(options: CynosdbClientOptions): CynosdbClient {
  let skewMs = 0

  /** One signed CynosDB call, with the clock fix-up; the payload is JSON written by the caller. */
  async function request(action: string, payload: string, call: CallOptions) {
    const sentAt = options.now()
    const signedWithSkew = skewMs
    try {
      return await callApi({
        endpoint: options.endpoint,
        service: 'cynosdb',
        version: '2019-01-07',
        action,
        region: options.region,
        payload,
        credentials: await options.credentials(),
        timestamp: Math.floor((sentAt + skewMs) / 1000),
        timeoutMs: call.timeoutMs,
        dispatcher: options.dispatcher,
        signal: call.signal,
      })
    } catch (error) {
      if (error instanceof ApiError && error.code === 'AuthFailure.SignatureExpire' && error.serverTime !== undefined) {
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
  }

  /** The answer's fields through `parse`; an answer `parse` cannot read is a garbled one, retried like the rest. */
  async function traced<T>(
    action: string,
    payload: string,
    call: CallOptions,
    parse: (fields: Record<string, unknown>) => T | undefined,
  ): Promise<Traced<T>> {
    const { fields, trace } = await request(action, payload, call)
    const requestId = typeof fields.RequestId === 'string' ? fields.RequestId.slice(0, 128) : ''
    const value = parse(fields)
    if (value === undefined) {
      const error = new UnexpectedResponseError(`${action} answered without the fields it documents`)
      error.trace = trace
      throw error
    }
    return { value, requestId, trace }
  }

  return {
    async describeFlow(flowId, call) {
      // flowId is validated digits; written by hand so an ID beyond 2^53 keeps every digit.
      const { fields, trace } = await request('DescribeFlow', `{"FlowId":${flowId}}`, call)
      return parseFlowAnswer(fields, trace)
    },

    describeTasks(query, call) {
      const payload = {
        ...(query.startTimeBegin === undefined ? {} : { StartTimeBegin: query.startTimeBegin }),
        Limit: query.limit,
        Offset: query.offset,
      }
      return traced('DescribeTasks', JSON.stringify(payload), call, (fields) => {
        if (!Array.isArray(fields.TaskList)) return undefined
        const tasks = fields.TaskList.filter(isObject).map(parseTask)
        return { tasks, total: typeof fields.TotalCount === 'number' ? fields.TotalCount : tasks.length }
      })
    },

    describeResourcesByDealName(dealNames, call) {
      return traced('DescribeResourcesByDealName', JSON.stringify({ DealNames: dealNames }), call, (fields) => {
        if (!Array.isArray(fields.BillingResourceInfos)) return undefined
        const resources = fields.BillingResourceInfos.filter(isObject).map((info) => ({
          dealName: text(info.DealName),
          clusterId: text(info.ClusterId),
          instanceIds: Array.isArray(info.InstanceIds) ? info.InstanceIds.map(text) : [],
        }))
        // IDs go into outputs and later API calls: one that is not an ID makes the whole answer a garbled one
        const ids = resources.flatMap((r) => [...r.instanceIds, ...(r.clusterId ? [r.clusterId] : [])])
        return ids.every((id) => RESOURCE_ID.test(id)) ? resources : undefined
      })
    },

    describeInstances(instanceIds, call) {
      const payload = JSON.stringify({ InstanceIds: instanceIds, Limit: 100, Offset: 0 })
      return traced('DescribeInstances', payload, call, (fields) => {
        if (!Array.isArray(fields.InstanceSet)) return undefined
        const instances = fields.InstanceSet.filter(isObject).map((instance) => ({
          instanceId: text(instance.InstanceId),
          status: text(instance.Status),
        }))
        return instances.every((i) => RESOURCE_ID.test(i.instanceId)) ? instances : undefined
      })
    },
  }
}

/** What CynosDB resource IDs look like (cynosdbmysql-ins-…): letters, digits, `_` and `-`. */
export const RESOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
/** A string field, cut to a sane length; anything else is empty. */
const text = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 1000) : '')

function parseTask(task: Record<string, unknown>): TaskInfo {
  return {
    flowId: typeof task.FlowId === 'number' ? task.FlowId : undefined,
    taskType: text(task.TaskType),
    clusterId: text(task.ClusterId),
    instanceId: text(task.InstanceId),
    progress: typeof task.Process === 'number' && Number.isFinite(task.Process) ? task.Process : undefined,
    errMsg: text(task.ErrMsg),
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
