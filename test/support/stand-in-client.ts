// A client for the stand-in's own tests: one CynosDB call signed with TC3-HMAC-SHA256 over exactly the body and
// content type given, with the e2e key, and the API's answer read back.
import { sign } from '../../src/tencent/sign.ts'
import { KEY } from './e2e.ts'

export interface Answer {
  readonly Response: {
    readonly Error?: { readonly Code: string; readonly Message: string }
    readonly RequestId: string
    readonly [field: string]: unknown
  }
}

/** A RequestId as the real API's are: a UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export async function call(
  fake: { readonly url: string; readonly host: string },
  action: string,
  body: string | object,
  contentType = 'application/json',
): Promise<{ status: number; answer: Answer; text: string }> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body)
  const timestamp = Math.floor(Date.now() / 1000)
  const signed = { 'content-type': contentType, host: fake.host, 'x-tc-action': action }
  const key = { secretId: KEY.id, secretKey: KEY.secret }
  const { authorization } = sign({ ...key, service: 'cynosdb', timestamp, headers: signed, payload })
  const res = await fetch(fake.url, {
    method: 'POST',
    headers: {
      ...signed,
      authorization,
      'x-tc-version': '2019-01-07',
      'x-tc-region': 'ap-guangzhou',
      'x-tc-timestamp': String(timestamp),
    },
    body: payload,
  })
  const text = await res.text()
  return { status: res.status, answer: JSON.parse(text) as Answer, text }
}

/** The answer of one call: `call(...)` without the status and text. */
export const answerOf = async (...args: Parameters<typeof call>): Promise<Answer> => (await call(...args)).answer
