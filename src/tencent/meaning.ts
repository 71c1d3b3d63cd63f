// What CynosDB's answers mean, in one table, from the sources: which fields of an answer name something to wait on
// (found by scanning the API model: scripts/gen-api-model.ts writes them into the bundled model as each action's
// `handles`) and the values they hold, null read as absent; what each documented instance status says; and what
// each error code says of the request it answers (the official error list).
import { cut } from '../foreign-text.ts'
import cynosdbErrors from './cynosdb-errors.json' with { type: 'json' }
import { CYNOSDB_MODEL } from './model.ts'

/** The answer fields that name something to wait on, at any depth of an answer, and what each names. */
export const HANDLE_FIELDS = {
  FlowId: 'flow',
  TaskId: 'task',
  DealNames: 'deal',
  AsyncRequestId: 'async-request',
  ResourceIds: 'resources',
} as const

export interface Handle {
  /** Where in the answer: `FlowId`, `VaultTask[].TaskId`, `ClusterTaskIds[].TaskId`. */
  readonly path: string
  readonly names: (typeof HANDLE_FIELDS)[keyof typeof HANDLE_FIELDS]
  /** The model marks the field, or a field on the way to it, "may return null". */
  readonly nullable: boolean
}

/** The handles of an action's answer, in the model's order; none for an action that answers nothing to wait on. */
export const handlesOf = (action: string): readonly Handle[] =>
  (CYNOSDB_MODEL.actions[action]?.handles as readonly Handle[] | undefined) ?? []

/**
 * Every value at a handle's path: `[]` segments step into arrays, a field ending in `[]` gives its items. Null and
 * absent give nothing, at any depth: the API answers null for "no valid value". `malformed` when the answer is not
 * the shape the path walks (a string where an array belongs): the caller refuses it rather than guess.
 */
export function valuesAt(answer: unknown, path: string): { values: unknown[]; malformed: boolean } {
  let values: unknown[] = [answer]
  let malformed = false
  const present = (value: unknown): boolean => value !== null && value !== undefined
  for (const segment of path.split('.')) {
    const field = segment.replace(/(\[\])+$/, '')
    const depth = (segment.length - field.length) / 2
    const next: unknown[] = []
    for (const value of values) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        malformed = true
        continue
      }
      let items = [(value as Record<string, unknown>)[field]].filter(present)
      for (let level = 0; level < depth; level++) {
        if (!items.every(Array.isArray)) malformed = true
        items = items.flatMap((item) => (Array.isArray(item) ? item.filter(present) : []))
      }
      next.push(...items)
    }
    values = next
  }
  return { values, malformed }
}

/**
 * What an instance's status says of a purchase (CynosdbInstance.Status, whose model comment lists these nine):
 * `running` is the goal; `creating` and `activating` are on their way; the rest an instance does not come back from
 * to running on its own. A status the model does not list is waited on, shown as it is.
 */
export const INSTANCE_STATUSES = {
  running: 'succeeded',
  creating: 'processing',
  activating: 'processing',
  isolating: 'failed',
  isolated: 'failed',
  offlining: 'failed',
  offlined: 'failed',
  deleting: 'failed',
  deleted: 'failed',
} as const satisfies Record<string, 'succeeded' | 'processing' | 'failed'>

/**
 * What an error code says of the request it answers, as the official error list words it (cynosdb-errors.json:
 * every code of tencentcloud-sdk-go's cynosdb errors.go and the common codes, each placed by its description):
 * - throttled: refused for the request rate, not carried out; worth another try.
 * - busy: refused while the resource performs another task (a conflict or a lock), not carried out; a change is
 *   sent again once the resource is free.
 * - quota, refused, bad-request, not-found, auth: refused for good; nothing changed.
 * - permission: refused for good; the key or role lacks a CAM permission.
 * - server-fault: the service failed; a read is tried again, a change sent may have been applied.
 * - not-yet-visible: what was asked for does not exist yet (a deal billing has not delivered): asked again.
 * - unknown: the list gives no cause; final, and a change sent may have been applied.
 */
export type ErrorClass =
  | 'throttled'
  | 'busy'
  | 'quota'
  | 'refused'
  | 'bad-request'
  | 'not-found'
  | 'auth'
  | 'permission'
  | 'server-fault'
  | 'not-yet-visible'
  | 'unknown'

const ERRORS = cynosdbErrors.codes as Readonly<Record<string, { readonly class: ErrorClass; readonly says: string }>>

/** The class of a code; a code the list does not have takes the class of its family (`InternalError.New`). */
export function errorClass(code: string): ErrorClass {
  const known = Object.hasOwn(ERRORS, code) ? ERRORS[code] : undefined
  if (known) return known.class
  const family = code.split('.')[0] ?? ''
  return family !== code && Object.hasOwn(ERRORS, family) ? (ERRORS[family]?.class ?? 'unknown') : 'unknown'
}

/** Every code the list places, with its class and what it says: the README's table is checked against it. */
export const errorCodes = (): readonly { code: string; class: ErrorClass; says: string }[] =>
  Object.entries(ERRORS).map(([code, entry]) => ({ code, ...entry }))

/** What a status read says of the thing waited for. Text in it came over the network: neutralise it. */
export interface StatusReading {
  readonly result: 'succeeded' | 'processing' | 'failed'
  readonly state: string
  readonly cause?: string | undefined
}

/** A change whose end is read from a status: what to read, and what its answer says. */
export interface StatusEnd {
  /** What it waits for (`cluster`, `instance`, `audit`, `audit log file`) and its ID. */
  readonly kind: string
  readonly id: string
  /** The Describe action that shows it, and its parameters. */
  readonly read: { readonly action: string; readonly parameters: Readonly<Record<string, unknown>> }
  /** The read answering that it does not exist (a not-found code) means the goal: gone is beyond isolated. */
  readonly goneIsDone?: boolean
  readonly judge: (answer: Readonly<Record<string, unknown>>) => StatusReading
}

type Fields = Readonly<Record<string, unknown>>
const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields)[name] : undefined
const text = (value: unknown): string => (typeof value === 'string' ? cut(value, 200) : '')
const listed = (answer: Fields, list: string, key: string, id: string): unknown =>
  (Array.isArray(answer[list]) ? (answer[list] as unknown[]) : []).find((item) => field(item, key) === id)

/** A cluster or instance isolated, or further on its way out: the goal of an isolation. */
const ISOLATED = new Set(['isolated', 'offlining', 'offlined', 'deleting', 'deleted'])

const clusterDetail = (id: string) => ({ action: 'DescribeClusterDetail', parameters: { ClusterId: id } })
const instanceDetail = (id: string) => ({ action: 'DescribeInstanceDetail', parameters: { InstanceId: id } })

/** Isolated: DescribeClusterDetail's or DescribeInstanceDetail's Detail.Status (the Terraform provider's wait). */
const isolated = (kind: string, id: string, read: StatusEnd['read']): StatusEnd => ({
  kind,
  id,
  read,
  goneIsDone: true, // as the provider counts a cluster no longer listed
  judge: (answer) => {
    const status = text(field(answer.Detail, 'Status'))
    return { result: ISOLATED.has(status) ? 'succeeded' : 'processing', state: status || 'no status' }
  },
})

/** The audit of an instance switched ON or OFF (InstanceAuditStatus.AuditStatus; the provider's wait). */
const audit = (id: string, goal: 'ON' | 'OFF'): StatusEnd => ({
  kind: 'audit',
  id,
  read: {
    action: 'DescribeAuditInstanceList',
    parameters: { Filters: [{ Name: 'InstanceId', ExactMatch: true, Values: [id] }] },
  },
  judge: (answer) => {
    const status = text(field(listed(answer, 'Items', 'InstanceId', id), 'AuditStatus'))
    return {
      result: status === goal ? 'succeeded' : 'processing',
      state: status ? `audit ${status}` : 'not listed yet',
    }
  },
})

const idsOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((id): id is string => typeof id === 'string' && id !== '')

/**
 * The changes whose end the API shows only as a status, with the Describe action that shows it (as the Terraform
 * provider waits for each), from the change's parameters and answer. A FlowId, where one is answered, decides
 * first; these apply where none is. Empty when the parameters do not name what to read; a note when the change
 * is not meant to end within the step.
 */
export const STATUS_ENDS: Readonly<Record<string, (parameters: Fields, answer: Fields) => StatusEnd[] | string>> = {
  // prepaid: a refund's DealNames and no FlowId; the cluster or its instances go to the recycle bin, `isolated`
  IsolateCluster: (parameters) => idsOf(parameters.ClusterId).map((id) => isolated('cluster', id, clusterDetail(id))),
  IsolateInstance: (parameters) =>
    idsOf(parameters.InstanceIdList).map((id) => isolated('instance', id, instanceDetail(id))),
  OpenAuditService: (parameters) => idsOf(parameters.InstanceId).map((id) => audit(id, 'ON')),
  CloseAuditService: (parameters) => idsOf(parameters.InstanceId).map((id) => audit(id, 'OFF')),
  // AuditLogFile.Status: creating, failed, success (the model's comment)
  CreateAuditLogFile: (parameters, answer) =>
    idsOf(parameters.InstanceId).flatMap((instanceId) =>
      idsOf(answer.FileName).map((fileName): StatusEnd => ({
        kind: 'audit log file',
        id: fileName,
        read: { action: 'DescribeAuditLogFiles', parameters: { InstanceId: instanceId, FileName: fileName } },
        judge: (read) => {
          const file = listed(read, 'Items', 'FileName', fileName)
          const status = text(field(file, 'Status'))
          if (status === 'success') return { result: 'succeeded', state: status }
          if (status === 'failed')
            return { result: 'failed', state: status, cause: text(field(file, 'ErrMsg')) || undefined }
          return { result: 'processing', state: status || 'not listed yet' }
        },
      })),
    ),
  // a spec change is done when the instance shows the Cpu and Memory asked for and runs (the provider's check,
  // which always sends upgradeImmediate); StorageLimit is not compared: the model marks it deprecated here
  UpgradeInstance: (parameters) =>
    parameters.UpgradeType !== 'upgradeImmediate'
      ? `UpgradeInstance with UpgradeType ${text(parameters.UpgradeType) || 'not given'} changes the spec in the maintenance window, not now: the step does not wait for it`
      : idsOf(parameters.InstanceId).map((id): StatusEnd => ({
          kind: 'instance',
          id,
          read: instanceDetail(id),
          judge: (answer) => {
            const detail = answer.Detail
            const [cpu, memory] = [field(detail, 'Cpu'), field(detail, 'Memory')]
            const status = text(field(detail, 'Status'))
            const there = `${status || 'no status'}, Cpu ${String(cpu ?? '?')}, Memory ${String(memory ?? '?')} GB`
            const asked = `asked Cpu ${String(parameters.Cpu)}, Memory ${String(parameters.Memory)} GB`
            const done = status === 'running' && cpu === parameters.Cpu && memory === parameters.Memory
            return { result: done ? 'succeeded' : 'processing', state: done ? there : `${there}; ${asked}` }
          },
        })),
}
