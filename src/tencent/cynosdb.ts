// CynosDB (API version 2019-01-07) on top of requestApi: the requests the step makes, each answer read into the few
// fields the step uses, with the one fix-up that belongs to signing: a runner whose clock is off by more than 5
// minutes gets AuthFailure.SignatureExpire, and the answer's Date header tells the server's time. The client
// corrects its clock from it and says so on the error; the caller sends the request again.
import type { Dispatcher } from 'undici'
import { UnexpectedResponseError, type RequestTrace } from '../http.ts'
import { cut, forLog } from '../foreign-text.ts'
import { toJson } from '../json.ts'
import { answeredId, RESOURCE_ID } from '../shapes.ts'
import { requestApi, type Credentials } from './client.ts'
import { ApiError } from './errors.ts'

export const CYNOSDB_VERSION = '2019-01-07'

export const FLOW_STATUS = { succeeded: 0, failed: 1, processing: 2 } as const
export type FlowStatus = (typeof FLOW_STATUS)[keyof typeof FLOW_STATUS]

export interface CynosdbClientOptions {
  readonly endpoint: URL
  readonly region: string
  readonly dispatcher: Dispatcher
  /** Milliseconds since the epoch: signing needs the wall clock. */
  readonly now: () => number
  /** Said once when the clock is corrected. */
  readonly onClockCorrected: (skewMs: number) => void
}

export interface RequestOptions {
  readonly credentials: Credentials
  readonly signal?: AbortSignal | undefined
  /** Connect, headers and body together. */
  readonly timeoutMs: number
}

/** An answer's value, its RequestId and what the request did. */
export interface Traced<T> {
  readonly value: T
  readonly requestId: string | undefined
  readonly trace: RequestTrace
}

/** One task of DescribeTasks (BizTaskInfo), the fields this action shows. Text is foreign: neutralise it. */
export interface TaskInfo {
  /** BizTaskInfo.ID, as decimal text. */
  readonly taskId: string | undefined
  /** The task's flow, as decimal text (exact beyond 2^53); undefined for 0, which names none. */
  readonly flowId: string | undefined
  /** BizTaskInfo.Status: only `success` is documented. */
  readonly status: string
  readonly taskType: string
  readonly clusterId: string
  readonly instanceId: string
  /** BizTaskInfo.Process, the task's progress, when it is a finite number. */
  readonly progress: number | undefined
  readonly errMsg: string
}

/** A QueryFilter of DescribeTasks. */
export interface TaskFilter {
  readonly Names: readonly string[]
  readonly Values: readonly string[]
  readonly ExactMatch?: boolean
}

export interface TaskQuery {
  /** `YYYY-MM-DD HH:MM:SS`: tasks started at or after it. */
  readonly startTimeBegin?: string | undefined
  readonly filters?: readonly TaskFilter[] | undefined
  readonly limit: number
  readonly offset: number
}

/** One BillingResourceInfo of DescribeResourcesByDealName: one cluster a deal delivered. */
export interface DealResources {
  readonly dealName: string
  readonly clusterId: string
  readonly instanceIds: readonly string[]
}

export interface InstanceState {
  readonly instanceId: string
  /** CynosdbInstance.Status: the nine values of the model's comment (tencent/meaning.ts, INSTANCE_STATUSES). */
  readonly status: string
}

export interface Page<T> {
  readonly items: readonly T[]
  /** TotalCount: how many match, over all pages. */
  readonly total: number
}

export interface CynosdbClient {
  describeFlow(flowId: string, options: RequestOptions): Promise<Traced<FlowStatus>>
  describeTasks(query: TaskQuery, options: RequestOptions): Promise<Traced<Page<TaskInfo>>>
  describeResourcesByDealName(dealNames: readonly string[], options: RequestOptions): Promise<Traced<DealResources[]>>
  describeInstances(
    query: { readonly instanceIds: readonly string[]; readonly limit: number; readonly offset: number },
    options: RequestOptions,
  ): Promise<Traced<Page<InstanceState>>>
  /** Any action, with the request's JSON as given: the change the step sends (probes/change.ts). */
  send(action: string, payload: string, options: RequestOptions): Promise<Traced<Record<string, unknown>>>
}

/** A server clock further than this from the runner's is not believed: a broken Date header, not a skew. */
export const MAX_PLAUSIBLE_SKEW_MS = 24 * 3600_000
/** Below this, a new reading changes nothing: the server accepts 5 minutes either way. */
const SKEW_RESOLUTION_MS = 60_000

export function createCynosdbClient(settings: CynosdbClientOptions): CynosdbClient {
  let skewMs = 0

  /** One signed CynosDB request, with the clock fix-up. */
  async function request<T>(
    action: string,
    payload: string,
    options: RequestOptions,
    read: (fields: Record<string, unknown>) => T | Undocumented | undefined,
  ): Promise<Traced<T>> {
    const sentAt = settings.now()
    const signedWithSkew = skewMs
    let answer
    try {
      answer = await requestApi({
        endpoint: settings.endpoint,
        service: 'cynosdb',
        version: CYNOSDB_VERSION,
        action,
        region: settings.region,
        payload,
        credentials: options.credentials,
        timestamp: Math.floor((sentAt + skewMs) / 1000),
        timeoutMs: options.timeoutMs,
        dispatcher: settings.dispatcher,
        signal: options.signal,
      })
    } catch (error) {
      if (error instanceof ApiError && error.code === 'AuthFailure.SignatureExpire' && error.serverTime !== undefined) {
        const measured = error.serverTime - sentAt
        if (Math.abs(measured) <= MAX_PLAUSIBLE_SKEW_MS && Math.abs(measured - skewMs) >= SKEW_RESOLUTION_MS) {
          skewMs = measured
          error.clockCorrected = true
          settings.onClockCorrected(skewMs)
        } else if (signedWithSkew !== skewMs) {
          // signed before another request corrected the clock: the next attempt is signed right
          error.clockCorrected = true
        }
      }
      throw error
    }
    // An answer without the fields the API documents is a garbled one, retried like the rest.
    const garbled = (what: string): UnexpectedResponseError => {
      const error = new UnexpectedResponseError(
        `${action} answered ${what}${answer.requestId ? ` (RequestId ${forLog(answer.requestId)})` : ''}`,
      )
      error.trace = answer.trace
      return error
    }
    const value = read(answer.fields)
    if (value === undefined) throw garbled('without the fields it documents')
    if (value instanceof Undocumented) throw garbled(value.what)
    return { value, requestId: answer.requestId, trace: answer.trace }
  }

  return {
    describeFlow(flowId, options) {
      // flowId is validated digits; written by hand so an ID beyond 2^53 keeps every digit.
      return request('DescribeFlow', `{"FlowId":${flowId}}`, options, (fields) =>
        // Nothing but 0, 1 and 2 is documented; anything else is read as a garbled answer and retried.
        fields.Status === 0 || fields.Status === 1 || fields.Status === 2
          ? fields.Status
          : new Undocumented(`with an undocumented Status ${forLog(cut(toJson(fields.Status) ?? 'undefined', 60))}`),
      )
    },

    describeTasks(query, options) {
      const payload = {
        ...(query.startTimeBegin === undefined ? {} : { StartTimeBegin: query.startTimeBegin }),
        ...(query.filters === undefined ? {} : { Filters: query.filters }),
        Limit: query.limit,
        Offset: query.offset,
      }
      return request('DescribeTasks', JSON.stringify(payload), options, (fields) => {
        if (!Array.isArray(fields.TaskList)) return undefined
        const items = fields.TaskList.filter(isObject).map(readTask)
        return { items, total: typeof fields.TotalCount === 'number' ? fields.TotalCount : items.length }
      })
    },

    describeResourcesByDealName(dealNames, options) {
      return request('DescribeResourcesByDealName', JSON.stringify({ DealNames: dealNames }), options, (fields) => {
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

    describeInstances(query, options) {
      const payload = JSON.stringify({ InstanceIds: query.instanceIds, Limit: query.limit, Offset: query.offset })
      return request('DescribeInstances', payload, options, (fields) => {
        if (!Array.isArray(fields.InstanceSet)) return undefined
        const items = fields.InstanceSet.filter(isObject).map((instance) => ({
          instanceId: text(instance.InstanceId),
          status: text(instance.Status),
        }))
        if (!items.every((i) => RESOURCE_ID.test(i.instanceId))) return undefined
        return { items, total: typeof fields.TotalCount === 'number' ? fields.TotalCount : items.length }
      })
    },

    send(action, payload, options) {
      return request(action, payload, options, (fields) => fields)
    },
  }
}

/** What made an answer one the API does not document. */
class Undocumented {
  readonly what: string
  constructor(what: string) {
    this.what = what
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
/** A string field, cut to a sane length; anything else is empty. */
const text = (value: unknown): string => (typeof value === 'string' ? cut(value, 1000) : '')

function readTask(task: Record<string, unknown>): TaskInfo {
  return {
    taskId: answeredId(task.ID),
    // only an ID of 1 or more names a flow: a task whose FlowId is 0 or absent is decided by its own status
    flowId: answeredId(task.FlowId),
    status: text(task.Status),
    taskType: text(task.TaskType),
    clusterId: text(task.ClusterId),
    instanceId: text(task.InstanceId),
    progress: typeof task.Process === 'number' && Number.isFinite(task.Process) ? task.Process : undefined,
    errMsg: text(task.ErrMsg),
  }
}
