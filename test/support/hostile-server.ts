// A server on 127.0.0.1 that misbehaves on purpose, unlike the stand-in: it checks nothing and answers whatever
// a test's handler writes (raw bytes, slow bodies, endless bodies, odd statuses and headers). It records when each
// request arrived, to check the action's rate limit and its count of calls.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { TestContext } from 'vitest'
import { closeAfter } from './e2e.ts'

/** Listens on a free loopback port; close() ends open connections too, so no test waits on a hung one. */
async function listen(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = (): Promise<void> =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return { port, close }
}

export interface HostileRequest {
  /** performance.now() at arrival. */
  readonly at: number
  readonly method: string
  readonly url: string
  readonly body: string
  readonly action: string
  readonly flowId: string
  /** How many requests for this flow (or action, for calls without a FlowId) came before this one. */
  readonly n: number
  readonly headers: IncomingMessage['headers']
}

export type Handler = (request: HostileRequest, res: ServerResponse) => void | Promise<void>

export interface HostileServer {
  readonly url: string
  readonly host: string
  readonly requests: HostileRequest[]
  close(): Promise<void>
}

/** A Tencent-shaped answer, for handlers that only bend one field. */
export const answer = (res: ServerResponse, response: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify({ Response: response }))
}

/** A server answering with `handler`, closed when the test ends (these run at once: their own test's hook). */
export async function startHostileServer(test: TestContext, handler: Handler): Promise<HostileServer> {
  const requests: HostileRequest[] = []
  const perFlow = new Map<string, number>()
  const server = createServer((req, res) => {
    const at = performance.now()
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const action = String(req.headers['x-tc-action'] ?? '')
      const body = Buffer.concat(chunks).toString()
      const flowId = /"FlowId":(\d+)/.exec(body)?.[1] ?? ''
      const key = flowId || action
      const n = perFlow.get(key) ?? 0
      perFlow.set(key, n + 1)
      const request = {
        at,
        method: req.method ?? '',
        url: req.url ?? '',
        body,
        action,
        flowId,
        n,
        headers: req.headers,
      }
      requests.push(request)
      Promise.resolve(handler(request, res)).catch(() => res.destroy())
    })
  })
  const { port, close } = await listen(server)
  return closeAfter({ url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests, close }, test)
}

/**
 * Accepts TCP connections, counting them, and never says a word: an https:// endpoint here never completes its
 * handshake. Closed when the test ends.
 */
export async function startSilentServer(test: TestContext) {
  let connections = 0
  const { port, close } = await listen(createTcpServer(() => (connections += 1)))
  return closeAfter({ host: `127.0.0.1:${port}`, connections: () => connections, close }, test)
}

/** The most requests that arrived within any window of `windowMs`. */
export function busiestWindow(requests: readonly { readonly at: number }[], windowMs = 1000): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

/**
 * A TCP forwarder to `target` that holds back each new connection's first bytes by `delayMs`, as a slow TLS
 * handshake to a distant region does: requests reach the server later than they were sent.
 */
export async function startSlowConnectForwarder(
  target: { host: string; port: number },
  delayMs: number,
  test: TestContext,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createTcpServer((client) => {
    const upstream = connect(target.port, target.host)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
    let held: Buffer[] | undefined = []
    client.on('data', (chunk: Buffer) => (held ? held.push(chunk) : upstream.write(chunk)))
    setTimeout(() => {
      for (const chunk of held ?? []) upstream.write(chunk)
      held = undefined
    }, delayMs)
    upstream.pipe(client)
    client.on('end', () => upstream.end())
  })
  const { port, close } = await listen(server)
  return closeAfter({ url: `http://127.0.0.1:${port}`, close }, test)
}

/** A RequestId of the API's shape (a UUID), numbered. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
