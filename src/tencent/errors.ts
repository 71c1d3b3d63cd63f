// The one error the Tencent Cloud API itself reports: `Response.Error`, with a code worth reading. Failures of the
// transport (network, HTTP status, garbled answers) are http.ts's.
import { forLog } from '../foreign-text.ts'
import { RequestError } from '../http.ts'
import { errorClass, type ErrorClass } from './meaning.ts'

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

/** The class of an API error's code (meaning.ts); undefined for any other failure. */
export const classOf = (error: unknown): ErrorClass | undefined =>
  error instanceof ApiError ? errorClass(error.code) : undefined

/** Throttled: the API refused the request for the rate, without carrying it out (LimitExceeded.* is a quota). */
export const isThrottled = (error: unknown): boolean => classOf(error) === 'throttled'

/** The key or role lacks a CAM permission for the action. */
export const isDenied = (error: unknown): boolean => classOf(error) === 'permission'
