// What the stand-in is told to answer (its plans), the checks that refuse a plan it cannot play when it starts, and
// the one rule every per-answer list follows: the last item repeats.
import type { ApiModel } from '../../../src/tencent/api-model.ts'

/** An API error code, or a fault on the wire: what any scripted answer may play instead of answering. */
export type Fault =
  { readonly error: string } | { readonly http: number } | 'reset' | 'hang' | 'not-json' | 'no-response'

/** One answer of a flow's script: a status, or a fault. */
export type Step =
  | 0
  | 1
  | 2
  | { readonly status: number } // a status DescribeFlow never documented
  | Fault
  | HeldStep

/**
 * A step the stand-in answers only once it has answered `action` `answered` times in all (held until then): it
 * orders a DescribeFlow answer after the task lookups the step runs beside the wait, which would otherwise race it.
 */
export interface HeldStep {
  readonly heldUntil: { readonly action: string; readonly answered: number }
  readonly step: Exclude<Step, HeldStep>
}

/**
 * One answer of a change call (ModifyInstanceParam, CreateClusters, ...): the answer's fields but RequestId, which
 * must be fields of that action's response in the model (e.g. { FlowId: 123 } or { DealNames: ['d1'] }), or a fault.
 */
export type ChangeStep = { readonly answer: Readonly<Record<string, unknown>> } | Fault

/** A task as DescribeTasks lists it (BizTaskInfo), keyed by its task ID (decimal) in `taskList`. */
export interface TaskPlan {
  /** The flow it belongs to (decimal; may pass 2^53: written into the answer with every digit). */
  readonly flowId?: string
  readonly taskType: string
  readonly clusterId?: string
  readonly instanceId?: string
  readonly errMsg?: string
  /**
   * Status per DescribeTasks answer that lists this task, the last one repeating; default ['success'], the one
   * value documented (BizTaskInfo.Status is only "任务状态", task status).
   */
  readonly statuses?: readonly string[]
  /** Process per DescribeTasks answer that lists this task; the last one repeats. */
  readonly progress?: readonly number[]
  /** Absent from the first N DescribeTasks answers that would list it: a task may appear a moment after the call. */
  readonly listedAfter?: number
  /** StartTime, `YYYY-MM-DD HH:MM:SS`; default: when the stand-in started (UTC). */
  readonly startedAt?: string
}

/** A cluster a deal delivers: DescribeResourcesByDealName answers one BillingResourceInfo per cluster. */
export interface ClusterPlan {
  readonly clusterId: string
  readonly instanceIds: readonly string[]
}

/**
 * What a deal delivers: several clusters (the documented DescribeResourcesByDealName
 * example answers two BillingResourceInfos with the same DealName), or one cluster given directly.
 */
export type DealPlan = ({ readonly clusters: readonly ClusterPlan[] } | ClusterPlan) & {
  /** DescribeResourcesByDealName answers DealNameNotFound for this many calls first (billing not done). */
  readonly deliveredAfter?: number
}

export interface Key {
  readonly secretKey: string
  /** Temporary keys only work with their token. */
  readonly token?: string
}

export interface FakeTencentOptions {
  readonly keys?: Readonly<Record<string, Key>>
  /** flow ID -> one step per DescribeFlow call; the last step repeats. Unknown flows: FlowNotFound. */
  readonly flows?: Readonly<Record<string, readonly Step[]>>
  /** Region DescribeFlow must be called with. */
  readonly region?: string
  /** How far the server's clock is from this machine's (ms). */
  readonly clockOffsetMs?: number
  /** STS: the GitHub ID token it accepts and the role it lets be assumed. */
  readonly oidc?: {
    readonly idToken: string
    readonly requestToken: string
    readonly roleArn: string
    readonly providerId: string
    /** Played by AssumeRoleWithWebIdentity, one per request, before it hands out keys. */
    readonly faults?: readonly Fault[]
  }
  /** flow ID -> epoch ms: the flow is processing (2) until then and succeeded (0) after; for the benchmark. */
  readonly endsAt?: ReadonlyMap<string, number>
  /** 0 (the default): any free port. */
  readonly port?: number
  /** task ID (decimal) -> the task as DescribeTasks lists it. */
  readonly taskList?: Readonly<Record<string, TaskPlan>>
  /** Tasks of other flows, listed before the ones above: a lookup has to page past them. */
  readonly otherTasks?: number
  /** DescribeTasks answers UnauthorizedOperation.PermissionDenied, as for a key without cynosdb:DescribeTasks. */
  readonly denyTasks?: boolean
  /** deal name -> what it delivers, and after how many calls (DealNameNotFound until then). */
  readonly deals?: Readonly<Record<string, DealPlan>>
  /** instance ID -> its Status per DescribeInstances answer that lists it (the last one repeats); unlisted without. */
  readonly instances?: Readonly<Record<string, readonly string[]>>
  /** Called with every request once it is answered (the CLI prints them). */
  readonly onRequest?: (request: RecordedRequest) => void
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP, as the real API does. */
  readonly tls?: { readonly key: string; readonly cert: string }
  /**
   * CynosDB action -> one step per call of that action, the last one repeating: what a change call answers.
   * Any action but the four the stand-in models; a valid call of an action without a plan answers its RequestId alone.
   */
  readonly changes?: Readonly<Record<string, readonly ChangeStep[]>>
  /**
   * The account's rate limit: each action lets at most this many requests through in any second (counted as they
   * arrive) and answers RequestLimitExceeded past that, as Tencent Cloud does when an account is over its limit.
   * Refused requests do not count. Default: no limit.
   */
  readonly rateLimit?: number
  /** Check requests against these models instead of API_MODELS (a test's modified copy). */
  readonly models?: { readonly cynosdb?: ApiModel; readonly sts?: ApiModel }
}

export interface RecordedRequest {
  readonly at: number
  readonly action: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** What the server answered: a status, an error code, or the fault it played. */
  readonly answer: string
  /** A UUID, as the real API's RequestIds are. */
  readonly requestId: string
}

/** A plan the stand-in cannot play, found when it starts (the CLI prints it as a usage error). */
export class PlanError extends Error {}

/** A PlanError thrower for one plan entry: `what` is said after the entry's name. */
export const planError =
  (option: string, key: string) =>
  (what: string): never => {
    throw new PlanError(`${option} ${JSON.stringify(key)}: ${what}`)
  }

export function isFault(step: unknown): step is Fault {
  if (typeof step === 'string') return ['reset', 'hang', 'not-json', 'no-response'].includes(step)
  if (typeof step !== 'object' || step === null || Object.keys(step).length !== 1) return false
  return typeof (step as { error?: unknown }).error === 'string' || Number.isInteger((step as { http?: unknown }).http)
}

export const nonEmpty = (list: unknown, type: 'string' | 'number'): boolean =>
  Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === type)

/** The item of a per-answer sequence for answer n (from 0): the last one repeats. */
export const nth = <T>(list: readonly T[], n: number): T | undefined => list[Math.min(n, list.length - 1)]
