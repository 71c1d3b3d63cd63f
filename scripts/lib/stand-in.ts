// A stand-in for Tencent Cloud's API on 127.0.0.1: CynosDB, STS AssumeRoleWithWebIdentity and GitHub's OIDC token
// endpoint. It checks every request the way the real API does (signature, scope, UTC date, timestamp window, token,
// headers) and every body against Tencent's own model of the API (scripts/lib/api-model/, generated from the
// official SDK), so it refuses what Tencent Cloud refuses, not just what this action happens not to send. It answers
// from plans: per flow (statuses, API errors, network faults), per task, deal and instance, and per change action.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { checkRequest, checkStruct, nearestNames, type ApiModel } from '../../src/tencent/api-model.ts'
import { sign, utcDate } from '../../src/tencent/sign.ts'

const readModel = (service: string): ApiModel =>
  JSON.parse(readFileSync(new URL(`api-model/${service}.json`, import.meta.url), 'utf8')) as ApiModel
/** Tencent Cloud's models of the two APIs, as the official SDK has them (npm run gen-model). */
export const API_MODELS = { cynosdb: readModel('cynosdb'), sts: readModel('sts') } as const

/**
 * The content types a JSON call may carry: Tencent's API pages send `application/json`, its signature docs
 * `application/json; charset=utf-8`. Whichever it is, it is signed as sent.
 */
const JSON_CONTENT_TYPES = new Set(['application/json', 'application/json; charset=utf-8'])

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

/** A plan the stand-in cannot play, found when it starts (the CLI prints it as a usage error). */
export class PlanError extends Error {}

/** A cluster a deal delivers: DescribeResourcesByDealName answers one BillingResourceInfo per cluster. */
export interface ClusterPlan {
  readonly clusterId: string
  readonly instanceIds: readonly string[]
}

/**
 * What a deal delivers: several clusters (CreateClusters with Count 2: the documented DescribeResourcesByDealName
 * example answers two BillingResourceInfos with the same DealName), or one cluster given directly.
 */
export type DealPlan = ({ readonly clusters: readonly ClusterPlan[] } | ClusterPlan) & {
  /** DescribeResourcesByDealName answers DealNameNotFound for this many calls first (billing not done). */
  readonly deliveredAfter?: number
}

/** The actions the stand-in answers from its options; any other valid call answers its RequestId alone. */
const MODELLED = new Set(['DescribeFlow', 'DescribeTasks', 'DescribeResourcesByDealName', 'DescribeInstances'])

/**
 * The filters DescribeTasks supports, as cynosdb_models.d.ts lists them ("ClusterId"、"ClusterName"、"InstanceId"、
 * "InstanceName"、"Status"、"TaskId"、"TaskType"), lower-cased: QueryFilter's names are not case-sensitive.
 */
const TASK_FILTERS = ['clusterid', 'clustername', 'instanceid', 'instancename', 'status', 'taskid', 'tasktype']
/**
 * QueryFilter matches InstanceName with LIKE unless ExactMatch is true, and IDs exactly. How DescribeTasks matches
 * ClusterName, Status and TaskType is not documented: ClusterName is matched like InstanceName, the others exactly.
 */
const FUZZY_FILTERS = new Set(['clustername', 'instancename'])
/**
 * StartTimeBegin/StartTimeEnd: the DescribeTasks page gives no format ("Starting value of the task start time").
 * Its example's task times, and the same field of Tencent's other database APIs, are `YYYY-MM-DD HH:MM:SS`, so that
 * is what the stand-in takes; it refuses anything else, and compares as text (the time zone is not documented).
 */
const TASK_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
/** DescribeTasks documents no default Limit; the stand-in uses DescribeInstances's documented 20. */
const DEFAULT_TASK_LIMIT = 20
/**
 * DescribeInstances's filters: the names QueryFilter documents (ClusterId, InstanceId, InstanceName, not
 * case-sensitive) and `status`, which the documented DescribeInstances example uses. Filters are ANDed
 * ("Filter间的关系为逻辑与"); InstanceName matches by substring unless ExactMatch.
 */
const INSTANCE_FILTERS = ['clusterid', 'instanceid', 'instancename', 'status']
const INSTANCE_FUZZY = new Set(['instancename'])
/** DescribeInstancesRequest.Limit: "默认为 20" (its range, (0,100], is checked with the model). */
const DEFAULT_INSTANCE_LIMIT = 20
/** DescribeInstancesRequest.Status's documented values. */
const INSTANCE_STATUSES = new Set([
  'creating',
  'running',
  'isolating',
  'isolated',
  'activating',
  'offlining',
  'offlined',
])

type OtherAnswer =
  | { readonly error: string; readonly message: string }
  | { readonly answer: string; readonly response: Record<string, unknown> }

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
   * Any action but the four modelled above; a valid call of an action without a plan answers its RequestId alone.
   */
  readonly changes?: Readonly<Record<string, readonly ChangeStep[]>>
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

const base64url = (text: string): string => Buffer.from(text).toString('base64url')

/**
 * The ID token the stand-in's GitHub token endpoint hands out: a JWT's shape (header, claims with the audience, and
 * `idToken` as its signature), as GitHub's is. STS accepts the one for audience sts.tencentcloudapi.com.
 */
export function githubIdToken(idToken: string, audience: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const claims = base64url(
    JSON.stringify({
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      sub: 'repo:octo-org/octo-repo',
    }),
  )
  return `${header}.${claims}.${base64url(idToken)}`
}

/** The requests of one action, DescribeFlow by default: tests compare them without the detail lookups. */
export const callsOf = (fake: { requests: readonly RecordedRequest[] }, action = 'DescribeFlow'): RecordedRequest[] =>
  fake.requests.filter((r) => r.action === action)

export interface FakeTencent {
  readonly url: string
  readonly host: string
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

/** JSON with bigints written as JSON integers with every digit (IDs may pass 2^53). */
function toJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined)
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const json = (res: ServerResponse, body: unknown, date: number): void => {
  res.writeHead(200, { 'content-type': 'application/json', date: new Date(date).toUTCString() })
  res.end(toJson(body))
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
const taskTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')

interface QueryFilter {
  readonly Names?: readonly string[]
  readonly Name?: string
  readonly Values: readonly string[]
  readonly ExactMatch?: boolean
}

/** A filter's field names (Names, or the single Name), lower-cased. */
const filterNames = (filter: QueryFilter): string[] =>
  (filter.Names ?? (filter.Name ? [filter.Name] : [])).map((name) => name.toLowerCase())

/**
 * The first filter naming a field outside `known`, or none at all, as an error; the API's answer to one is not
 * documented, so the stand-in refuses it rather than ignore it.
 */
function unknownFilter(filters: readonly QueryFilter[], known: readonly string[]): OtherAnswer | undefined {
  for (const filter of filters) {
    const names = filterNames(filter)
    const unknown = names.find((name) => !known.includes(name))
    if (names.length === 0 || unknown !== undefined) {
      return {
        error: 'InvalidParameterValue',
        message: `The filter field ${unknown === undefined ? '(none)' : JSON.stringify(unknown)} is not supported.`,
      }
    }
  }
  return undefined
}

/**
 * Whether a record passes every filter (AND); within one, any name holding any value (OR), as QueryFilter documents:
 * "多个值为 OR 关系". `fields` maps lower-cased names to the record's values.
 */
const passes = (filters: readonly QueryFilter[], fields: ReadonlyMap<string, string>, fuzzy: ReadonlySet<string>) =>
  filters.every((filter) =>
    filterNames(filter).some((name) => {
      const actual = fields.get(name) ?? ''
      return filter.Values.some((v) => (fuzzy.has(name) && !filter.ExactMatch ? actual.includes(v) : actual === v))
    }),
  )

/** A whole number from the request (checkRequest made sure), or the default. */
const integer = (value: unknown, fallback: number): number => (value === undefined ? fallback : Number(value))

/**
 * The body as JSON, integers past 2^53 as bigints with every digit (flow IDs may be that big), or undefined when it
 * is not JSON. Any valid JSON is accepted: spaces, any key order.
 */
function parseBody(body: string): unknown {
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

/** The tasks DescribeTasks lists, noise first: `otherTasks` tasks of other flows, then `taskList` by task ID. */
function taskListOf(options: FakeTencentOptions, startedAt: string): [string, TaskPlan][] {
  const noise = Array.from({ length: options.otherTasks ?? 0 }, (_, i): [string, TaskPlan] => [
    String(900_000 + i),
    {
      flowId: String(800_000 + i),
      taskType: 'ModifyClusterParam',
      clusterId: `cynosdbmysql-other${i}`,
      errMsg: `the task of flow ${800_000 + i} failed`,
      progress: [100],
      startedAt,
    },
  ])
  const tasks = Object.entries(options.taskList ?? {})
  for (const [taskId, plan] of tasks) {
    const bad = (what: string): never => {
      throw new PlanError(`taskList ${JSON.stringify(taskId)}: ${what}`)
    }
    if (!/^[1-9]\d*$/.test(taskId)) bad('a task ID is a positive decimal integer')
    if (typeof plan !== 'object' || plan === null || typeof plan.taskType !== 'string') bad('needs a taskType')
    if (plan.flowId !== undefined && !/^[1-9]\d*$/.test(plan.flowId)) bad('flowId is a positive decimal integer')
    if (plan.statuses !== undefined && !nonEmpty(plan.statuses, 'string')) bad('statuses is a non-empty list of text')
    if (plan.progress !== undefined && !nonEmpty(plan.progress, 'number'))
      bad('progress is a non-empty list of numbers')
    if (plan.listedAfter !== undefined && !(Number.isInteger(plan.listedAfter) && plan.listedAfter >= 0))
      bad('listedAfter is a whole number')
    if (plan.startedAt !== undefined && !TASK_TIME.test(plan.startedAt)) bad('startedAt is YYYY-MM-DD HH:MM:SS')
  }
  return [...noise, ...tasks.map(([id, plan]): [string, TaskPlan] => [id, { startedAt, ...plan }])]
}

/** The change plans, each answer checked against its action's response in the model: a wrong one stops the start. */
function changesOf(
  plans: Readonly<Record<string, readonly ChangeStep[]>>,
  model: ApiModel,
): Map<string, readonly ChangeStep[]> {
  for (const [action, steps] of Object.entries(plans)) {
    const bad = (what: string): never => {
      throw new PlanError(`changes ${JSON.stringify(action)}: ${what}`)
    }
    const response = Object.hasOwn(model.actions, action) ? model.actions[action]?.response : undefined
    if (response === undefined)
      bad(`not a CynosDB action (nearest: ${nearestNames(action, Object.keys(model.actions)).join(', ') || 'none'})`)
    if (MODELLED.has(action)) bad('the stand-in answers it from its other options')
    if (!Array.isArray(steps) || steps.length === 0) bad('a non-empty list of steps')
    for (const step of steps) {
      if (typeof step === 'object' && step !== null && 'answer' in step) {
        if ('RequestId' in step.answer) bad("RequestId is the stand-in's to give")
        const problems = checkStruct(model, response ?? '', step.answer)
        if (problems.length > 0)
          bad(`${toJson(step.answer)} is not a ${response}: ${problems.map((p) => p.message).join(' ')}`)
      } else if (!isFault(step)) {
        bad(`${JSON.stringify(step)} is neither {"answer":{...}} nor a fault`)
      }
    }
  }
  return new Map(Object.entries(plans))
}

function isFault(step: unknown): step is Fault {
  if (typeof step === 'string') return ['reset', 'hang', 'not-json', 'no-response'].includes(step)
  if (typeof step !== 'object' || step === null || Object.keys(step).length !== 1) return false
  return typeof (step as { error?: unknown }).error === 'string' || Number.isInteger((step as { http?: unknown }).http)
}

/** A deal's clusters, whichever way it was given; a plan the stand-in cannot play throws PlanError. */
function clustersOf(deal: DealPlan): readonly ClusterPlan[] {
  const clusters = 'clusters' in deal ? deal.clusters : [deal]
  const fine =
    Array.isArray(clusters) &&
    clusters.length > 0 &&
    clusters.every(
      (c) =>
        typeof c.clusterId === 'string' &&
        Array.isArray(c.instanceIds) &&
        c.instanceIds.every((id: unknown) => typeof id === 'string'),
    )
  if (!fine) throw new PlanError(`deals: ${JSON.stringify(deal)} is not {clusters: [{clusterId, instanceIds}]}`)
  return clusters
}

/** The instances DescribeInstances lists: those with a non-empty Status plan of documented statuses. */
function instancesOf(options: FakeTencentOptions): [string, readonly string[]][] {
  const instances = Object.entries(options.instances ?? {})
  for (const [id, plan] of instances) {
    if (!Array.isArray(plan) || !plan.every((status) => INSTANCE_STATUSES.has(status)))
      throw new PlanError(`instances ${JSON.stringify(id)}: statuses are ${[...INSTANCE_STATUSES].join(', ')}`)
  }
  return instances.filter(([, plan]) => plan.length > 0)
}

const nonEmpty = (list: unknown, type: 'string' | 'number'): boolean =>
  Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === type)

/** The item of a per-answer sequence for answer n (from 0): the last one repeats. */
const nth = <T>(list: readonly T[], n: number): T | undefined => list[Math.min(n, list.length - 1)]

export async function startFakeTencent(options: FakeTencentOptions = {}): Promise<FakeTencent> {
  const cynosdb = options.models?.cynosdb ?? API_MODELS.cynosdb
  const sts = options.models?.sts ?? API_MODELS.sts
  const tasks = taskListOf(options, taskTime(Date.now()))
  const instances = instancesOf(options)
  const changes = changesOf(options.changes ?? {}, cynosdb)
  /** instance ID -> its cluster, from the deals */
  const clusterOf = new Map(
    Object.values(options.deals ?? {}).flatMap((deal) =>
      clustersOf(deal).flatMap((cluster) => cluster.instanceIds.map((id) => [id, cluster.clusterId] as const)),
    ),
  )
  const keys = new Map(Object.entries(options.keys ?? {}))
  const calls = new Map<string, number>()
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const serverNow = (): number => Date.now() + (options.clockOffsetMs ?? 0)

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrivedAt = Date.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))

    if (req.method === 'GET' && req.url?.startsWith('/oidc')) return oidcToken(req, res)

    const action = headers['x-tc-action'] ?? ''
    const requestId = randomUUID()
    const record = (answer: string): void => {
      const request = { at: arrivedAt, action, headers, body, answer, requestId }
      requests.push(request)
      options.onRequest?.(request)
    }
    const fail = (code: string, message: string): void => {
      record(code)
      json(res, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } }, serverNow())
    }

    /** An API error, or a fault on the wire instead of an answer. */
    const playFault = (fault: Fault): void => {
      if (typeof fault === 'object' && 'error' in fault) return fail(fault.error, `scripted ${fault.error}`)
      record(typeof fault === 'object' ? `http ${fault.http}` : fault)
      if (typeof fault === 'object') {
        res.writeHead(fault.http, { 'content-type': 'text/html' })
        return void res.end('<html>bad gateway</html>')
      }
      if (fault === 'reset') return void req.socket.destroy()
      if (fault === 'hang') return // never answers; close() destroys the socket
      if (fault === 'not-json') return void res.end('<html>not json</html>')
      return json(res, { Status: 0 }, serverNow()) // 'no-response': JSON without the Response object
    }

    if (req.method !== 'POST' || req.url !== '/')
      return fail('InvalidAction', `expected POST /, got ${req.method} ${req.url}`)
    if (!JSON_CONTENT_TYPES.has((headers['content-type'] ?? '').toLowerCase()))
      return fail('InvalidParameter', `content-type ${headers['content-type']}`)
    if (action === 'AssumeRoleWithWebIdentity') return assumeRole(headers, body, fail, record, res, requestId)
    if (!Object.hasOwn(cynosdb.actions, action)) {
      return fail('InvalidAction', checkRequest(cynosdb, action, {})[0]?.message ?? `unknown action ${action}`)
    }
    if (headers['x-tc-version'] !== cynosdb.version)
      return fail('InvalidParameter', `X-TC-Version ${headers['x-tc-version']}`)
    if (options.region && headers['x-tc-region'] !== options.region) {
      return fail('InvalidParameterValue.FlowNotFound', `no such flow in region ${headers['x-tc-region']}`)
    }
    const authError = checkSignature(headers, body)
    if (authError) return fail(authError[0], authError[1])
    const params = parseBody(body)
    // the API's wording for a body that is not JSON is not documented
    if (params === undefined) return fail('InvalidParameter', 'The request body is not JSON.')
    const [problem] = checkRequest(cynosdb, action, params)
    if (problem) return fail(problem.code, problem.message)
    const p = params as Record<string, unknown>
    if (!MODELLED.has(action)) {
      const plan = changes.get(action)
      // an action the stand-in has no plan for: the request was valid, the answer says nothing more
      if (!plan) {
        record('RequestId')
        return json(res, { Response: { RequestId: requestId } }, serverNow())
      }
      const n = calls.get(`change ${action}`) ?? 0
      calls.set(`change ${action}`, n + 1)
      const step = nth(plan, n) as ChangeStep
      if (typeof step === 'object' && 'answer' in step) {
        record(toJson(step.answer))
        return json(res, { Response: { ...step.answer, RequestId: requestId } }, serverNow())
      }
      return playFault(step)
    }
    if (action !== 'DescribeFlow') {
      const answered = others(action, p)
      if ('error' in answered) return fail(answered.error, answered.message)
      record(answered.answer)
      return json(res, { Response: { ...answered.response, RequestId: requestId } }, serverNow())
    }

    // A bigint when past 2^53: every digit is kept. checkRequest has made sure it is a whole number.
    const flowId = String(p.FlowId)
    const endsAt = options.endsAt?.get(flowId)
    if (endsAt !== undefined) {
      const status = arrivedAt >= endsAt ? 0 : 2
      record(String(status))
      return json(res, { Response: { Status: status, RequestId: requestId } }, serverNow())
    }
    const script = options.flows?.[flowId]
    if (!script) return fail('InvalidParameterValue.FlowNotFound', `Taskflow ID doesn't exist: ${flowId}`)
    const n = calls.get(flowId) ?? 0
    calls.set(flowId, n + 1)
    const step = script[Math.min(n, script.length - 1)]
    if (step === undefined) throw new Error(`empty script for flow ${flowId}`)
    if (typeof step === 'number') {
      record(String(step))
      return json(res, { Response: { Status: step, RequestId: requestId } }, serverNow())
    }
    if (typeof step === 'object' && 'status' in step) {
      record(`status ${step.status}`)
      return json(res, { Response: { Status: step.status, RequestId: requestId } }, serverNow())
    }
    return playFault(step)
  }

  /** DescribeTasks, DescribeResourcesByDealName and DescribeInstances, checked as the API documents them. */
  const others = (action: string, p: Record<string, unknown>): OtherAnswer => {
    const count = (key: string): number => {
      const n = calls.get(key) ?? 0
      calls.set(key, n + 1)
      return n
    }
    if (action === 'DescribeTasks') return describeTasks(p)
    if (action === 'DescribeResourcesByDealName') {
      // "DealName与DealNames至少应输入一项，两者都传时以DealName为准": one of them, DealName first. Which error
      // the API gives when both are missing is not documented.
      const names = p.DealName !== undefined ? [p.DealName as string] : ((p.DealNames ?? []) as string[])
      if (names.length === 0)
        return { error: 'MissingParameter', message: 'The request is missing a required parameter `DealName`.' }
      const infos = []
      for (const name of names) {
        const deal = options.deals?.[name]
        if (!deal || count(`deal ${name}`) < (deal.deliveredAfter ?? 0)) {
          return { error: 'InvalidParameterValue.DealNameNotFound', message: `deal ${name} not found` }
        }
        for (const cluster of clustersOf(deal)) {
          infos.push({ DealName: name, ClusterId: cluster.clusterId, InstanceIds: cluster.instanceIds })
        }
      }
      return { answer: 'delivered', response: { BillingResourceInfos: infos } }
    }
    return describeInstances(p)
  }

  /**
   * DescribeInstances: every parameter optional, as the model has them. Lists the instances that have a plan, in
   * the plan's order (the API's default order is not documented), through InstanceIds, Status and Filters, a page
   * at a time. DbType, ClusterType, OrderBy and OrderByType are accepted and not modelled.
   */
  const describeInstances = (p: Record<string, unknown>): OtherAnswer => {
    const filters = (p.Filters ?? []) as readonly QueryFilter[]
    const refused = unknownFilter(filters, INSTANCE_FILTERS)
    if (refused) return refused
    // an empty InstanceIds list is taken as no list (not documented either way)
    const wanted = (p.InstanceIds ?? []) as readonly string[]
    const limit = integer(p.Limit, DEFAULT_INSTANCE_LIMIT)
    const offset = Math.max(0, integer(p.Offset, 0)) // no range documented
    const status = (id: string, plan: readonly string[]): string => nth(plan, calls.get(`instance ${id}`) ?? 0) ?? ''
    const matching = instances.filter(([id, plan]) => {
      if (wanted.length > 0 && !wanted.includes(id)) return false
      if (p.Status !== undefined && status(id, plan) !== p.Status) return false
      const fields = new Map([
        ['clusterid', clusterOf.get(id) ?? ''],
        ['instanceid', id],
        ['status', status(id, plan)],
      ])
      return passes(filters, fields, INSTANCE_FUZZY)
    })
    const page = matching.slice(offset, offset + limit).map(([id, plan]) => {
      const info = { InstanceId: id, ClusterId: clusterOf.get(id), Status: status(id, plan) }
      calls.set(`instance ${id}`, (calls.get(`instance ${id}`) ?? 0) + 1) // its status moves on once listed
      return info
    })
    return {
      answer: `instances ${page.map((i) => i.Status).join(',')}`,
      response: { TotalCount: matching.length, InstanceSet: page },
    }
  }

  /** DescribeTasks: the window, the filters and the page, over the noise tasks and `taskList`. */
  const describeTasks = (p: Record<string, unknown>): OtherAnswer => {
    if (options.denyTasks)
      return { error: 'UnauthorizedOperation.PermissionDenied', message: 'no cynosdb:DescribeTasks' }
    for (const field of ['StartTimeBegin', 'StartTimeEnd'] as const) {
      const value = p[field]
      if (typeof value === 'string' && !TASK_TIME.test(value)) {
        return {
          error: 'InvalidParameterValue',
          message: `${field} ${JSON.stringify(value)} is not YYYY-MM-DD HH:MM:SS`,
        }
      }
    }
    const filters = (p.Filters ?? []) as readonly QueryFilter[]
    const refused = unknownFilter(filters, TASK_FILTERS)
    if (refused) return refused
    const begin = p.StartTimeBegin as string | undefined
    const end = p.StartTimeEnd as string | undefined
    // No range is documented for Limit and Offset: a negative one reads as 0 rather than as an invented error.
    const limit = Math.max(0, integer(p.Limit, DEFAULT_TASK_LIMIT))
    const offset = Math.max(0, integer(p.Offset, 0))

    const status = (id: string, plan: TaskPlan): string =>
      nth(plan.statuses ?? ['success'], calls.get(`task ${id}`) ?? 0) ?? ''
    const matching = tasks.filter(([id, plan]) => {
      const startedAt = plan.startedAt ?? ''
      if ((begin !== undefined && startedAt < begin) || (end !== undefined && startedAt > end)) return false
      const fields = new Map([
        ['clusterid', plan.clusterId ?? ''],
        ['instanceid', plan.instanceId ?? ''],
        ['status', status(id, plan)],
        ['taskid', id],
        ['tasktype', plan.taskType],
      ])
      if (!passes(filters, fields, FUZZY_FILTERS)) return false
      // this answer would list it: not yet, if it is to appear late
      const seen = calls.get(`seen ${id}`) ?? 0
      calls.set(`seen ${id}`, seen + 1)
      return seen >= (plan.listedAfter ?? 0)
    })
    const page = matching.slice(offset, offset + limit).map(([id, plan]) => {
      const listed = calls.get(`task ${id}`) ?? 0
      const info = {
        ID: BigInt(id),
        FlowId: plan.flowId === undefined ? undefined : BigInt(plan.flowId),
        TaskType: plan.taskType,
        ClusterId: plan.clusterId ?? '',
        InstanceId: plan.instanceId ?? '',
        ErrMsg: plan.errMsg ?? '',
        Status: status(id, plan),
        Process: plan.progress === undefined ? undefined : nth(plan.progress, listed),
        StartTime: plan.startedAt,
      }
      calls.set(`task ${id}`, listed + 1) // statuses and progress move on each time the task is listed
      return info
    })
    return {
      answer: `tasks ${page.length} of ${matching.length}`,
      response: { TotalCount: matching.length, TaskList: page },
    }
  }

  const checkSignature = (headers: Record<string, string>, body: string): [string, string] | undefined => {
    const auth =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        headers.authorization ?? '',
      )
    if (!auth) return ['AuthFailure.InvalidAuthorization', 'Authorization header is malformed']
    const [, secretId = '', date, service, signedHeaders = '', signature] = auth
    const key = keys.get(secretId)
    if (!key) return ['AuthFailure.SecretIdNotFound', 'The SecretId is not found']
    const timestamp = headers['x-tc-timestamp'] ?? ''
    if (!/^\d+$/.test(timestamp)) return ['InvalidParameter', 'X-TC-Timestamp must be an integer']
    if (Math.abs(Number(timestamp) * 1000 - serverNow()) > 300_000) {
      return ['AuthFailure.SignatureExpire', 'Signature expired: the timestamp is more than 5 minutes off']
    }
    if (service !== 'cynosdb')
      return ['AuthFailure.SignatureFailure', `credential scope service ${service} is not cynosdb`]
    if (date !== utcDate(Number(timestamp)))
      return ['AuthFailure.SignatureFailure', `credential scope date ${date} is not the UTC date of the timestamp`]
    const names = signedHeaders.split(';')
    if (!names.includes('content-type') || !names.includes('host'))
      return ['AuthFailure.SignatureFailure', 'content-type and host must be signed']
    const expected = sign({
      secretId,
      secretKey: key.secretKey,
      service: 'cynosdb',
      timestamp: Number(timestamp),
      headers: Object.fromEntries(names.map((name) => [name, headers[name] ?? ''])),
      payload: body,
    })
    if (expected.signature !== signature)
      return ['AuthFailure.SignatureFailure', 'The provided credentials could not be validated']
    if ((key.token ?? '') !== (headers['x-tc-token'] ?? ''))
      return ['AuthFailure.TokenFailure', 'Token verification failed']
    return undefined
  }

  const oidcToken = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '', 'http://x')
    if (!options.oidc || req.headers.authorization !== `Bearer ${options.oidc.requestToken}`) {
      res.writeHead(401).end('{"message":"bad request token"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ value: githubIdToken(options.oidc.idToken, url.searchParams.get('audience') ?? '') }))
  }

  const assumeRole = (
    headers: Record<string, string>,
    body: string,
    fail: (code: string, message: string) => void,
    record: (answer: string) => void,
    res: ServerResponse,
    requestId: string,
  ): void => {
    const oidc = options.oidc
    if (!oidc) return fail('InvalidAction', 'STS is not set up in this test')
    if (headers.authorization !== 'SKIP' || 'x-tc-token' in headers)
      return fail('InvalidParameter', 'AssumeRoleWithWebIdentity is sent unsigned')
    if (headers['x-tc-version'] !== sts.version)
      return fail('InvalidParameter', `X-TC-Version ${headers['x-tc-version']}`)
    const params = parseBody(body)
    if (params === undefined) return fail('InvalidParameter', 'The request body is not JSON.')
    const [problem] = checkRequest(sts, 'AssumeRoleWithWebIdentity', params)
    if (problem) return fail(problem.code, problem.message)
    const p = params as Record<string, unknown>
    if (p.WebIdentityToken !== githubIdToken(oidc.idToken, 'sts.tencentcloudapi.com'))
      return fail('InvalidParameter.WebIdentityTokenError', 'token')
    if (p.RoleArn !== oidc.roleArn || p.ProviderId !== oidc.providerId)
      return fail('InvalidParameter.ParamError', 'role or provider')
    const n = keys.size
    const tmp = {
      TmpSecretId: `AKIDtmp${n}x${Date.now()}`,
      TmpSecretKey: `tmpkey${n}-${Math.random()}`,
      Token: `tmptoken${n}-${Math.random().toString(36).slice(2)}`,
    }
    keys.set(tmp.TmpSecretId, { secretKey: tmp.TmpSecretKey, token: tmp.Token })
    record('credentials')
    const expiredTime = Math.floor(Date.now() / 1000) + Number(p.DurationSeconds ?? 7200)
    json(
      res,
      {
        Response: {
          Credentials: tmp,
          ExpiredTime: expiredTime,
          Expiration: new Date(expiredTime * 1000).toISOString(),
          RequestId: requestId,
        },
      },
      serverNow(),
    )
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error))
    })
  }
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
