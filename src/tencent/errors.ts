// The one error the Tencent Cloud API itself reports: `Response.Error`, with a code worth reading. Failures of the
// transport (network, HTTP status, garbled answers) are http.ts's.
import { forLog } from '../foreign-text.ts'
import { RequestError } from '../http.ts'

/** The API answered with `Response.Error`: a code worth reading, and a RequestId for Tencent's support. */
export class ApiError extends RequestError {
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

/**
 * Throttled: the API refused the call for the request rate, without carrying it out. (LimitExceeded.* is a quota,
 * such as too many instances: asking again does not help, and it is not proof of anything.)
 */
export const isThrottled = (error: unknown): boolean =>
  error instanceof ApiError && /^RequestLimitExceeded(\.|$)/.test(error.code)

/** The key or role lacks the CAM permission for the action. */
export const isDenied = (error: unknown): boolean =>
  error instanceof ApiError && /^(AuthFailure\.)?UnauthorizedOperation/.test(error.code)
