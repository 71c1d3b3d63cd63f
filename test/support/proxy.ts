// An HTTP proxy on 127.0.0.1 for the proxy test: it tunnels CONNECT requests and forwards absolute-form ones,
// sending every `*.test` host to one local port. Those names resolve nowhere, so the stand-in API behind such a
// host is reachable only through this proxy.
import { createServer, request, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

export interface TestProxy {
  readonly url: string
  /** `host:port` of every request that went through, as the client asked for it. */
  readonly seen: string[]
  close(): Promise<void>
}

export async function startProxy(targetPort: number): Promise<TestProxy> {
  const seen: string[] = []
  const sockets = new Set<Socket>()
  const target = (authority: string): number => {
    if (!/^[\w.-]+\.test(:\d+)?$/.test(authority)) throw new Error(`this proxy serves *.test only, not ${authority}`)
    return targetPort
  }
  const server: Server = createServer((req, res) => {
    // absolute-form: GET http://host/path
    const url = new URL(req.url ?? '')
    seen.push(url.host)
    const upstream = request(
      { host: '127.0.0.1', port: target(url.host), method: req.method, path: url.pathname, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(upstream)
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(req.url ?? '')
    const upstream = connect(target(req.url ?? ''), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => socket.destroy())
      socket.on('close', () => sockets.delete(socket))
    }
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
