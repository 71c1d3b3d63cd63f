// TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature (see shared reference TENCENT-CLOUD-API.md).
// Done here with node:crypto rather than through a Tencent SDK: it is forty lines, and the SDK derives the
// credential scope's service from the host name, which is wrong for a custom endpoint or a local stand-in.
import { createHash, createHmac } from 'node:crypto'

export interface SignParams {
  readonly secretId: string
  readonly secretKey: string
  /** Credential scope service, e.g. `cynosdb`; never derived from the host. */
  readonly service: string
  /** Integer unix seconds; the same value goes into X-TC-Timestamp. */
  readonly timestamp: number
  /** The headers to sign, exactly as they are sent (names in any case). Must include content-type and host. */
  readonly headers: Readonly<Record<string, string>>
  readonly payload: string
}

export interface Signed {
  readonly canonicalRequest: string
  readonly stringToSign: string
  readonly signature: string
  readonly authorization: string
}

export const ALGORITHM = 'TC3-HMAC-SHA256'

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest()

/** The UTC calendar date of a unix timestamp: the server checks the scope against UTC, never local time. */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10)
}

export function sign(params: SignParams): Signed {
  if (!Number.isInteger(params.timestamp)) {
    throw new Error(`signing timestamp must be an integer number of seconds, got ${params.timestamp}`)
  }
  const headers = Object.entries(params.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('')
  const signedHeaders = headers.map(([name]) => name).join(';')
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256Hex(params.payload)}`

  const date = utcDate(params.timestamp)
  const scope = `${date}/${params.service}/tc3_request`
  const stringToSign = `${ALGORITHM}\n${params.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`

  const kDate = hmac(`TC3${params.secretKey}`, date)
  const kService = hmac(kDate, params.service)
  const kSigning = hmac(kService, 'tc3_request')
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex')

  const authorization = `${ALGORITHM} Credential=${params.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return { canonicalRequest, stringToSign, signature, authorization }
}
