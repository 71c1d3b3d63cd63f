// A stand-in for Tencent Cloud's API on 127.0.0.1: CynosDB, STS AssumeRoleWithWebIdentity and GitHub's OIDC token
// endpoint. It checks every request the way the real API does (signature.ts) and every body against Tencent's own
// model of the API (scripts/lib/api-model/, generated from the official SDK), so it refuses what Tencent Cloud
// refuses, not just what this action happens not to send. It answers from plans (plans.ts), one handler per action:
// flows, tasks, purchases, and any other action from its change plans.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { ApiModel } from '../../../src/tencent/api-model.ts'
import { changeCall } from './changes.ts'
import { toJson, type Handler, type Reply, type StandIn } from './context.ts'
import { checkFlows, describeFlow } from './flows.ts'
import type { FakeTencentOptions, RecordedRequest } from './plans.ts'
import { describeInstances, describeResourcesByDealName } from './purchases.ts'
import { checkCynosdbCall, checkEnvelope } from './signature.ts'
import { assumeRole, oidcToken } from './sts.ts'
import { describeTasks } from './tasks.ts'

export { githubIdToken } from './sts.ts'
export * from './plans.ts'

const readModel = (service: string): ApiModel =>
  JSON.parse(readFileSync(new URL(`../api-model/${service}.json`, import.meta.url), 'utf8')) as ApiModel
/** Tencent Cloud's models of the two APIs, as the official SDK has them (npm run gen-model). */
export const API_MODELS = { cynosdb: readModel('cynosdb'), sts: readModel('sts') } as const

/** The requests of one action, DescribeFlow by default: tests compare them without the detail lookups. */
export const requestsOf = (
  fake: { requests: readonly RecordedRequest[] },
  action = 'DescribeFlow',
): RecordedRequest[] => fake.requests.filter((r) => r.action === action)

export interface FakeTencent {
  readonly url: string
  readonly host: string
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

/** The CynosDB actions the stand-in answers from its options, and the handler of each. */
function modelledActions(options: FakeTencentOptions): Record<string, Handler> {
  checkFlows(options.flows)
  return {
    DescribeFlow: describeFlow,
    DescribeTasks: describeTasks(options),
    DescribeResourcesByDealName: describeResourcesByDealName(options),
    DescribeInstances: describeInstances(options),
  }
}

/** The shared state every handler gets, and the bookkeeping of what was answered. */
function standInState(options: FakeTencentOptions) {
  const counts = new Map<string, number>()
  const waiting: { action: string; times: number; resolve: () => void }[] = []
  const standIn: StandIn = {
    options,
    models: { cynosdb: options.models?.cynosdb ?? API_MODELS.cynosdb, sts: options.models?.sts ?? API_MODELS.sts },
    keys: new Map(Object.entries(options.keys ?? {})),
    serverNow: () => Date.now() + (options.clockOffsetMs ?? 0),
    counted: (key) => counts.get(key) ?? 0,
    count: (key) => {
      const n = counts.get(key) ?? 0
      counts.set(key, n + 1)
      return n
    },
    answered: (action, times) =>
      standIn.counted(`answered ${action}`) >= times
        ? Promise.resolve()
        : new Promise((resolve) => waiting.push({ action, times, resolve })),
  }
  const onAnswered = (action: string): void => {
    const n = standIn.count(`answered ${action}`) + 1
    for (const waiter of waiting.filter((w) => w.action === action && w.times <= n)) {
      waiting.splice(waiting.indexOf(waiter), 1)
      waiter.resolve()
    }
  }
  return { standIn, onAnswered }
}

/** Writes a reply the way Tencent Cloud answers: HTTP 200 and a Response object, or the fault it plays. */
function send(res: ServerResponse, reply: Reply, requestId: string, serverNow: number): void {
  const json = (body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json', date: new Date(serverNow).toUTCString() })
    res.end(toJson(body))
  }
  if ('error' in reply)
    return json({ Response: { Error: { Code: reply.error, Message: reply.message }, RequestId: requestId } })
  if ('response' in reply) return json({ Response: { ...reply.response, RequestId: requestId } })
  const { fault } = reply
  if (typeof fault === 'object') {
    res.writeHead(fault.http, { 'content-type': 'text/html' })
    return void res.end('<html>bad gateway</html>')
  }
  if (fault === 'reset') return void res.socket?.destroy()
  if (fault === 'hang') return // never answers; close() destroys the socket
  if (fault === 'not-json') return void res.end('<html>not json</html>')
  json({ Status: 0 }) // 'no-response': JSON without the Response object
}

/** What the request log says of a reply. */
const answerOf = (reply: Reply): string =>
  'error' in reply
    ? reply.error
    : 'answer' in reply
      ? reply.answer
      : typeof reply.fault === 'object'
        ? `http ${reply.fault.http}`
        : reply.fault

/**
 * The account's rate limit: per action, the arrival times let through in the last second; past `limit`, the
 * refusal in the real API's words (as quoted in cloud-barista/cb-spider#654). Whether Tencent counts a sliding
 * second or a calendar one is not documented: a sliding one is the stricter, and what this plays.
 */
export function rateLimit(limit: number | undefined): (action: string, at: number) => Reply | undefined {
  const letThrough = new Map<string, number[]>()
  return (action, at) => {
    if (limit === undefined) return undefined
    const times = letThrough.get(action) ?? []
    while ((times[0] ?? Number.POSITIVE_INFINITY) <= at - 1000) times.shift()
    letThrough.set(action, times)
    if (times.length < limit) {
      times.push(at)
      return undefined
    }
    const message = `Your current request times equals to \`${times.length + 1}\` in a second, which exceeds the frequency limit \`${limit}\` for a second. Please reduce the frequency of calls.`
    return { error: 'RequestLimitExceeded', message }
  }
}

export async function startFakeTencent(options: FakeTencentOptions = {}): Promise<FakeTencent> {
  const { standIn, onAnswered } = standInState(options)
  const limited = rateLimit(options.rateLimit)
  const modelled = modelledActions(options)
  const change = changeCall(options, standIn.models.cynosdb, new Set(Object.keys(modelled)))
  const requests: RecordedRequest[] = []

  /** The reply to one POST: the envelope, then STS or the signed CynosDB call and its handler. */
  const reply = async (
    req: IncomingMessage,
    action: string,
    headers: Record<string, string>,
    body: string,
    arrivedAt: number,
  ): Promise<Reply> => {
    const refused = checkEnvelope(req.method, req.url, headers)
    if (refused) return refused
    const throttled = limited(action, arrivedAt)
    if (throttled) return throttled
    if (action === 'AssumeRoleWithWebIdentity') return assumeRole(standIn, headers, body)
    const checked = checkCynosdbCall(standIn, action, headers, body)
    if (!('params' in checked)) return checked
    const handler = modelled[action] ?? change(action)
    return handler(standIn, { params: checked.params, headers, arrivedAt })
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrivedAt = Date.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))
    if (req.method === 'GET' && req.url?.startsWith('/oidc')) return oidcToken(standIn, req, res)
    const action = headers['x-tc-action'] ?? ''
    const requestId = randomUUID()
    const answer = await reply(req, action, headers, body, arrivedAt)
    const request = { at: arrivedAt, action, headers, body, answer: answerOf(answer), requestId }
    requests.push(request)
    options.onRequest?.(request)
    send(res, answer, requestId, standIn.serverNow())
    onAnswered(action)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error))
    })
  }
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest)
  const sockets = new Set<Socket>()
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
