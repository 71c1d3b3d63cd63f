// What the values the step takes in and reads back look like: one home for each shape, shared by the input parser
// and the code that reads the API's answers, so that an ID accepted as an input is the ID accepted in an answer.
import { idText } from './json.ts'

/** The largest flow or task ID: the API's Int64. */
export const MAX_ID = 2n ** 63n - 1n

/** What a DealName looks like: letters, digits, `_` and `-`. */
export const DEAL_NAME = /^[A-Za-z0-9_-]{1,64}$/

/** What CynosDB resource IDs look like (cynosdbmysql-ins-…): letters, digits, `_` and `-`. */
export const RESOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/

/** A UUID: the shape of Tencent Cloud's RequestIds, and of ModifyClusterParam's AsyncRequestId in the API docs. */
export const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/

/** RoleSessionName: 2 to 128 letters, digits or `= , . @ _ -` (the STS docs' rule). */
export const SESSION_NAME = /^[\w=,.@-]{2,128}$/

/** Header values: printable ASCII without spaces, so no key can smuggle a CR/LF into a request. */
export const HEADER_SAFE = /^[\x21-\x7e]+$/

/** Decimal text of an ID from 1 to MAX_ID; undefined for anything else (0, negative, past 2^63-1, not digits). */
export function decimalId(text: string): string | undefined {
  if (!/^\d{1,100}$/.test(text)) return undefined
  const id = BigInt(text)
  return id >= 1n && id <= MAX_ID ? id.toString() : undefined
}

/**
 * An ID from an answer: a JSON integer (a BigInt past 2^53) or decimal text (ClusterTaskId.TaskId is a string in
 * the API model), from 1 to MAX_ID. Zero names nothing; undefined for anything else.
 */
export function answeredId(value: unknown): string | undefined {
  const text = idText(value) ?? (typeof value === 'string' ? value : undefined)
  return text === undefined ? undefined : decimalId(text)
}
