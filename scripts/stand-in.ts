// npm run stand-in -- [options]: the stand-in Tencent Cloud API as a process, for trying the action by hand and
// for the CI job that runs it with `uses: ./`. Runs on the project's Node 24 (npm puts it first on the PATH).
import { parseArgs } from 'node:util'
import {
  PlanError,
  startFakeTencent,
  type ChangeStep,
  type DealPlan,
  type Key,
  type Step,
  type TaskPlan,
} from './lib/stand-in.ts'

const HELP = `Usage: npm run stand-in -- [--port 8080] [--key ID:SECRET[:TOKEN]]... [--region REGION] --flows JSON
                          [--task-list JSON] [--deny-tasks] [--deals JSON --instances JSON] [--changes JSON]
                          [--rate-limit N]

A stand-in for the CynosDB API on 127.0.0.1: DescribeFlow, DescribeTasks, DescribeResourcesByDealName,
DescribeInstances, and the answers of any other CynosDB action (--changes). It checks every request as Tencent Cloud does (TC3-HMAC-SHA256 signature, credential scope,
timestamp within 5 minutes, token, and the body against Tencent's model of the API: unknown, missing or mistyped
parameters are refused) and answers each flow from a plan.

  --flows JSON   flow ID -> plan: one answer per DescribeFlow call for that flow; the last one repeats.
                 A flow that is not in the plan answers InvalidParameterValue.FlowNotFound. An answer is:
                   0, 1, 2              Status: succeeded, failed, processing
                   {"error":"Code"}     an API error, e.g. {"error":"RequestLimitExceeded"} (retried by the action)
                                        or {"error":"AuthFailure.SignatureFailure"} (ends the wait at once)
                   {"http":502}         an HTML page with that HTTP status
                   {"status":7}         a Status that DescribeFlow does not document
                   "reset"              the connection is dropped without an answer
                   "hang"               no answer at all (the action's request-timeout ends the call)
                   "not-json"           a body that is not JSON
                   "no-response"        JSON without the Response object
                   {"step":0,"heldUntil":{"action":"DescribeTasks","answered":1}}
                                        that step, answered once DescribeTasks has been answered once
                 Example: '{"123":[2,2,0],"456":[2,{"error":"InternalError"},1]}'
  --task-list JSON
                 task ID -> the task as DescribeTasks lists it: {"flowId":"123","taskType":"ModifyInstance",
                 "instanceId":"cynosdbmysql-ins-x","clusterId":"…","errMsg":"why it failed","statuses":["running",
                 "success"],"progress":[10,40,80],"listedAfter":2,"startedAt":"2026-01-01 00:00:00"}. Only taskType
                 is required; statuses and progress move on each time the task is listed (default status
                 "success"), listedAfter hides it from that many listings first. DescribeTasks honours
                 StartTimeBegin/StartTimeEnd, its filters (ClusterId, ClusterName, InstanceId, InstanceName,
                 Status, TaskId, TaskType), Limit and Offset.
  --deny-tasks   DescribeTasks answers UnauthorizedOperation.PermissionDenied, as for a key without that CAM action.
  --deals JSON   deal name -> what it delivers, one cluster or several (as in the API's example), and after
                 how many calls: {"clusters":[{"clusterId":"cynosdbmysql-x","instanceIds":["cynosdbmysql-ins-x"]},
                 {"clusterId":"cynosdbmysql-y","instanceIds":["cynosdbmysql-ins-y"]}],"deliveredAfter":3}, or for
                 one cluster {"clusterId":"cynosdbmysql-x","instanceIds":["cynosdbmysql-ins-x"]}.
                 DescribeResourcesByDealName answers DealNameNotFound for deliveredAfter calls, then one
                 BillingResourceInfo per cluster.
  --instances JSON
                 instance ID -> its Status per DescribeInstances answer that lists it, the last one repeating, e.g.
                 '{"cynosdbmysql-ins-x":["creating","creating","running"]}' (creating, running, isolating,
                 isolated, activating, offlining, offlined). DescribeInstances lists the instances with a plan and
                 honours InstanceIds, Status, Filters (ClusterId, InstanceId, InstanceName, status), Limit
                 (default 20, at most 100) and Offset.
  --changes JSON action -> one answer per call of that CynosDB action, the last one repeating: the answer's
                 fields ({"answer":{"FlowId":123}}, checked against the action's response in Tencent's model) or
                 a fault as in --flows. E.g. '{"ModifyInstanceParam":[{"answer":{"FlowId":123}}],
                 "CreateClusters":[{"error":"RequestLimitExceeded"},{"answer":{"DealNames":["d1"]}}]}'.
                 Any other valid call answers its RequestId alone; an action Tencent does not have, InvalidAction.
  --rate-limit N each action lets N requests through in any second and answers RequestLimitExceeded past
                 that, as Tencent Cloud does for an account over its limit (20 for DescribeFlow); refused
                 requests do not count. Default: no limit.
  --key ID:SECRET[:TOKEN]
                 a key pair the stand-in accepts; repeat for more. With TOKEN, the pair is temporary and
                 needs that X-TC-Token. Default: ${'AKIDstandin:stand-in-secret'}, the pair in .env.stand-in.
  --region R     answer FlowNotFound unless DescribeFlow is called for region R, as the real API does for a flow
                 of another region. Default: any region.
  --port N       port on 127.0.0.1 (default 8080; 0 for any free one).
  --help         this text.

Every request is printed as it is answered. Ctrl-C stops the stand-in.`

const DEFAULT_KEY = 'AKIDstandin:stand-in-secret'

function fail(message: string): never {
  console.error(`stand-in: ${message}\n\n${HELP}`)
  process.exit(2)
}

// the flow-keyed --tasks of earlier versions: say what replaced it rather than "unknown option"
if (process.argv.includes('--tasks'))
  fail('--tasks was replaced by --task-list, keyed by task ID: \'{"4001":{"flowId":"123","taskType":"X"}}\'')

let values
try {
  ;({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      key: { type: 'string', multiple: true, default: [] },
      flows: { type: 'string', default: '{}' },
      region: { type: 'string' },
      'task-list': { type: 'string', default: '{}' },
      'deny-tasks': { type: 'boolean', default: false },
      deals: { type: 'string', default: '{}' },
      instances: { type: 'string', default: '{}' },
      changes: { type: 'string', default: '{}' },
      'rate-limit': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }))
} catch (error) {
  fail((error as Error).message)
}
if (values.help) {
  console.log(HELP)
  process.exit(0)
}

const keys: Record<string, Key> = {}
for (const pair of values.key.length > 0 ? values.key : [DEFAULT_KEY]) {
  const [id = '', secretKey = '', token, ...rest] = pair.split(':')
  if (!id || !secretKey || rest.length > 0)
    fail(`--key must be ID:SECRET or ID:SECRET:TOKEN, got ${JSON.stringify(pair)}`)
  keys[id] = token ? { secretKey, token } : { secretKey }
}
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a port number, got ${JSON.stringify(values.port)}`)
let flows: Record<string, Step[]>
try {
  flows = JSON.parse(values.flows) as Record<string, Step[]>
} catch (error) {
  fail(`--flows must be JSON, e.g. '{"123":[2,2,0]}': ${(error as Error).message}`)
}
for (const [flowId, plan] of Object.entries(flows)) {
  if (!/^[1-9]\d*$/.test(flowId) || !Array.isArray(plan) || plan.length === 0) {
    fail(
      `--flows maps flow IDs (positive integers) to non-empty lists of answers; got ${JSON.stringify(flowId)}: ${JSON.stringify(plan)}`,
    )
  }
}

const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit'])
if (rateLimit !== undefined && (!Number.isInteger(rateLimit) || rateLimit < 1))
  fail(
    `--rate-limit must be a whole number of requests a second, 1 or more; got ${JSON.stringify(values['rate-limit'])}`,
  )

/** A JSON option, or a usage error naming it. */
function json<T>(name: string, text: string): T {
  try {
    return JSON.parse(text) as T
  } catch (error) {
    fail(`--${name} must be JSON: ${(error as Error).message}`)
  }
}

const server = await startFakeTencent({
  port,
  keys,
  flows,
  region: values.region,
  taskList: json<Record<string, TaskPlan>>('task-list', values['task-list']),
  denyTasks: values['deny-tasks'],
  deals: json<Record<string, DealPlan>>('deals', values.deals),
  instances: json<Record<string, string[]>>('instances', values.instances),
  changes: json<Record<string, ChangeStep[]>>('changes', values.changes),
  rateLimit,
  onRequest: (request) => {
    const flow = /"FlowId"\s*:\s*(\d+)/.exec(request.body)?.[1]
    console.log(`${new Date(request.at).toISOString()} ${request.action}${flow ? ` ${flow}` : ''} -> ${request.answer}`)
  },
}).catch((error: unknown) =>
  fail(error instanceof PlanError ? error.message : `cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`),
)
console.log(
  `stand-in Tencent Cloud API listening on ${server.url} (keys: ${Object.keys(keys).join(', ')}; region: ${values.region ?? 'any'}${rateLimit ? `; at most ${rateLimit} requests a second per action` : ''})`,
)
