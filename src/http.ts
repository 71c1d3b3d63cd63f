// One HTTP request over undici, for every call the step makes (Tencent Cloud's APIs and GitHub's ID token): one
// deadline for connecting, headers and body together, an answer read up to a size cap, and every failure a typed
// RequestError that says what the request did. Retrying is the caller's job.
import type { Dispatcher } from 'undici'
import { formatDuration } from './duration.ts'
import { forLog } from './foreign-text.ts'

/** What one request did, for step debug logging: never a key, token or signature. */
export interface RequestTrace {
  readonly action: string
  readonly host: string
  /** Absent when no HTTP answer came (the connection failed or timed out first). */
  readonly httpStatus?: number | undefined
  readonly requestId?: string | undefined
  readonly latencyMs: number
}

/** An error of one request; `trace` says what the request did. */
export class RequestError extends Error {
  trace: RequestTrace | undefined
}

/** An answer that is not what the API sends: not JSON, lacking `Response`, too large, malformed. */
export class UnexpectedResponseError extends RequestError {
  override name = 'UnexpectedResponseError'
}

/** An HTTP status other than 200: a gateway, a proxy or a wrong endpoint answered, not the API. */
export class HttpStatusError extends RequestError {
  override name = 'HttpStatusError'
  readonly action: string
  readonly status: number
  readonly host: string
  /** From a Retry-After header (seconds or an HTTP date), when it held a usable value. */
  readonly retryAfterMs: number | undefined

  constructor(action: string, host: string, status: number, retryAfterMs: number | undefined) {
    super(
      `${action} got HTTP ${status} from ${host}${retryAfterMs === undefined ? '' : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)}s)`}`,
    )
    this.action = action
    this.status = status
    this.host = host
    this.retryAfterMs = retryAfterMs
  }
}

/** The request got no answer: refused, reset, a DNS or TLS failure, or no complete answer within its timeout. */
export class NetworkError extends RequestError {
  override name = 'NetworkError'
  /** The cause's code (ECONNRESET, ENOTFOUND, CERT_HAS_EXPIRED…), or RequestTimeout, or Aborted. */
  readonly code: string
  readonly host: string
  /**
   * The connection failed before the request was written (refused, DNS, no route, certificate): proof that
   * the server never saw it. A reset, a timeout or a stop after connecting proves nothing.
   */
  readonly notSent: boolean

  constructor(message: string, code: string, host: string, notSent: boolean, cause?: unknown) {
    super(forLog(message), { cause })
    this.code = code
    this.host = host
    this.notSent = notSent
  }
}

/**
 * Node's codes for a server certificate that does not verify (self-signed, unknown issuer, expired, wrong host).
 * Unlike a handshake cut short, these do not pass: a TLS-inspecting proxy's CA stays unknown until it is configured.
 */
const UNTRUSTED_CERTIFICATE_CODE =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_[A-Z_]+|INVALID_CA|HOSTNAME_MISMATCH)$/
/** Failures of the connection itself, before a byte of the request could be written. */
const CONNECT_FAILURE_CODE =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME|ENETUNREACH|EHOSTUNREACH|ENETDOWN|EHOSTDOWN|UND_ERR_CONNECT_TIMEOUT)$/

/** The codes along an error's cause chain (a proxy tunnel may wrap the error of the connection behind it). */
function codes(error: unknown): string[] {
  const found: string[] = []
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') found.push(code)
  }
  return found
}

export const isUntrustedCertificate = (error: unknown): boolean =>
  codes(error).some((code) => UNTRUSTED_CERTIFICATE_CODE.test(code))

/** A DNS failure, a refused connection, no route, a connect timeout or a certificate that does not verify. */
export const isConnectFailure = (error: unknown): boolean =>
  error instanceof NetworkError
    ? error.notSent
    : isUntrustedCertificate(error) || codes(error).some((code) => CONNECT_FAILURE_CODE.test(code))

export interface HttpRequest {
  /** What the request is, for messages: `DescribeFlow`, `the GitHub ID token request`. */
  readonly action: string
  readonly url: URL
  readonly method: 'GET' | 'POST'
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
  /** Carries the step's network settings (proxies) and keeps its sockets, so the step can close them. */
  readonly dispatcher: Dispatcher
  readonly signal?: AbortSignal | undefined
  /** Connect, headers and body together. */
  readonly timeoutMs: number
  /** The most the answer may hold. */
  readonly maxBytes: number
}

export interface HttpAnswer {
  readonly text: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** Everything but the RequestId, which only the caller can read from the body. */
  readonly trace: RequestTrace
}

/**
 * Sends the request and reads a 200 answer within one deadline. Any other status is an HttpStatusError (its body
 * is never read); every failure is a RequestError carrying the request's trace.
 */
export async function send(request: HttpRequest): Promise<HttpAnswer> {
  const host = request.url.host
  const startedAt = performance.now()
  let httpStatus: number | undefined
  const trace = (): RequestTrace => ({
    action: request.action,
    host,
    httpStatus,
    latencyMs: performance.now() - startedAt,
  })
  // AbortSignal.timeout takes whole milliseconds only
  const timeoutMs = Math.max(1, Math.ceil(request.timeoutMs))
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout
  try {
    const response = await request.dispatcher.request({
      origin: request.url.origin,
      path: `${request.url.pathname}${request.url.search}`,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal, // one deadline for headers and body; undici's idle timers would restart with every chunk
    })
    httpStatus = response.statusCode
    if (response.statusCode !== 200) {
      discard(response.body) // a web page at best; never read
      throw new HttpStatusError(
        request.action,
        host,
        response.statusCode,
        retryAfterMs(response.headers['retry-after']),
      )
    }
    const text = await readCapped(response.body, Number(response.headers['content-length'] ?? 0), request.maxBytes)
    return { text, headers: response.headers, trace: trace() }
  } catch (caught) {
    const error = asRequestError(caught, request, timeout, timeoutMs)
    error.trace = trace()
    throw error
  }
}

/** Closes a body without reading it; the error its closing emits is expected, not a fault. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined)
  body.destroy()
}

async function readCapped(body: Dispatcher.ResponseData['body'], declared: number, maxBytes: number): Promise<string> {
  const tooLarge = (): UnexpectedResponseError =>
    new UnexpectedResponseError(`the answer is larger than ${Math.round(maxBytes / 1024)} KiB: not an API answer`)
  if (declared > maxBytes) {
    discard(body)
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > maxBytes) throw tooLarge() // leaving the loop closes the stream
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Retry-After as seconds (`120`) or an HTTP date; undefined when absent or unusable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}

/** Any failure of the request as a RequestError: ours as they are, the network stack's wrapped with its code. */
function asRequestError(caught: unknown, request: HttpRequest, timeout: AbortSignal, timeoutMs: number): RequestError {
  if (caught instanceof RequestError) return caught
  const host = request.url.host
  const connectFailure = isConnectFailure(caught)
  if (timeout.aborted && !request.signal?.aborted && !connectFailure) {
    return new NetworkError(
      `${request.action} to ${host} got no complete answer within ${formatDuration(timeoutMs)}`,
      'RequestTimeout',
      host,
      false,
      caught,
    )
  }
  if (request.signal?.aborted) {
    return new NetworkError(`${request.action} to ${host} was stopped`, 'Aborted', host, false, caught)
  }
  const cause = caught instanceof Error ? caught : new Error(String(caught))
  const code = codes(cause)[0] ?? 'Unknown'
  return new NetworkError(`${request.action} to ${host} failed: ${cause.message}`, code, host, connectFailure, cause)
}
