// What can go wrong in a Tencent Cloud API call, and what to tell the person reading the log.
import { forLog } from '../foreign-text.ts'

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
export class CallError extends Error {
  trace: RequestTrace | undefined
}

/** The API answered with `Response.Error`: a code worth reading, and a RequestId for Tencent's support. */
export class ApiError extends CallError {
  override name = 'ApiError'
  readonly action: string
  readonly code: string
  readonly requestId: string | undefined
  /** The server's clock (ms since epoch) from the response's Date header, used to correct clock skew. */
  readonly serverTime: number | undefined
  /** Set by the client when it corrected its clock from this answer: worth one more try at once. */
  clockCorrected = false

  constructor(action: string, code: string, message: string, requestId: string | undefined, serverTime?: number) {
    // code and message came over the network: they reach the log only neutralised
    super(
      `${action} failed with ${forLog(code)}: ${forLog(message)}${requestId ? ` (RequestId ${forLog(requestId)})` : ''}`,
    )
    this.action = action
    this.code = code
    this.requestId = requestId
    this.serverTime = serverTime
  }
}

/** An answer that is not an API answer: a body that is not JSON, lacks `Response`, is too large or malformed. */
export class UnexpectedResponseError extends CallError {
  override name = 'UnexpectedResponseError'
}

/** An HTTP status other than 200: a gateway, a proxy or a wrong endpoint answered, not the API. */
export class HttpStatusError extends CallError {
  override name = 'HttpStatusError'
  readonly status: number
  readonly host: string
  /** From a Retry-After header (seconds or an HTTP date), when it held a usable value. */
  readonly retryAfterMs: number | undefined

  constructor(action: string, host: string, status: number, retryAfterMs: number | undefined) {
    super(
      `${action} got HTTP ${status} from ${host}${retryAfterMs === undefined ? '' : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)}s)`}`,
    )
    this.status = status
    this.host = host
    this.retryAfterMs = retryAfterMs
  }
}

/** The request got no answer: refused, reset, a DNS or TLS failure, or no complete answer within its timeout. */
export class NetworkError extends CallError {
  override name = 'NetworkError'
  /** The cause's code (ECONNRESET, UND_ERR_SOCKET, CERT_HAS_EXPIRED…), or RequestTimeout. */
  readonly code: string

  constructor(message: string, code: string, cause?: unknown) {
    super(forLog(message), { cause })
    this.code = code
  }
}

/**
 * Node's codes for a server certificate that does not verify (self-signed, unknown issuer, expired, wrong host).
 * Unlike a handshake cut short, these do not pass: a TLS-inspecting proxy's CA stays unknown until it is configured.
 */
const UNTRUSTED_CERTIFICATE_CODE =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_[A-Z_]+|INVALID_CA|HOSTNAME_MISMATCH)$/

export function isUntrustedCertificate(error: unknown): boolean {
  // a proxy tunnel may wrap the TLS error in one of its own
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && UNTRUSTED_CERTIFICATE_CODE.test(code)) return true
  }
  return false
}

/** What to fix, for the errors that end a wait at once. */
export function hintFor(error: Error, context: { readonly region: string }): string {
  if (isUntrustedCertificate(error)) {
    return "The endpoint's TLS certificate is not trusted. Behind a TLS-inspecting proxy, point NODE_EXTRA_CA_CERTS at the proxy's CA certificate (PEM) in the job's env (on a self-hosted runner, in its .env file)."
  }
  if (error instanceof HttpStatusError) {
    return `An HTTP ${error.status} comes from a web server, not the Tencent Cloud API: check that 'endpoint' is a Tencent Cloud API host such as cynosdb.tencentcloudapi.com, and, behind a proxy, that the proxy lets ${error.host} through.`
  }
  if (!(error instanceof ApiError)) return ''
  const { code } = error
  if (error.action === 'AssumeRoleWithWebIdentity') {
    return code.startsWith('RequestLimitExceeded') || code.startsWith('InternalError')
      ? ''
      : "Check role-arn and oidc-provider-id, and that the role's trust policy trusts the OIDC provider with this repository's token (audience, subject)."
  }
  if (code === 'InvalidParameterValue.FlowNotFound' || code === 'FailedOperation.FlowNotFoundError') {
    return `Check the flow ID, and that region '${context.region}' is the region of the cluster whose call returned it.`
  }
  if (code === 'AuthFailure.SignatureExpire') {
    return "The runner's clock is off by more than 5 minutes and could not be corrected from the server's Date header."
  }
  if (code === 'AuthFailure.TokenFailure') {
    return 'The session token is expired or does not belong to this secret ID: fetch fresh temporary credentials.'
  }
  if (code === 'AuthFailure.UnauthorizedOperation' || code.startsWith('UnauthorizedOperation')) {
    return `The key or role lacks permission: grant it the CAM action cynosdb:${error.action} (see the README, "Permissions").`
  }
  if (code.startsWith('AuthFailure')) {
    return 'Check secret-id and secret-key: they must be a current, enabled key pair of the same account (and no stray whitespace).'
  }
  if (code === 'UnsupportedRegion' || code.startsWith('InvalidParameter')) {
    return `Check region '${context.region}' and the flow ID.`
  }
  return ''
}
