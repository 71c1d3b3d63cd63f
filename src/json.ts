// JSON that keeps every digit. Flow and task IDs may pass 2^53, where a JSON number read as a double rounds to a
// neighbour (an ID ending in 993 would read as 992). Integers beyond the safe range are read as BigInt from their
// source text (JSON.parse's source access, Node 22+) and written back digit for digit.

interface ReviverContext {
  readonly source?: string
}
declare global {
  interface JSON {
    rawJSON(text: string): unknown
  }
}

/** JSON.parse, with every integer beyond 2^53 as a BigInt. Throws SyntaxError as JSON.parse does. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, (_key: string, value: unknown, context?: ReviverContext) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? BigInt(context.source)
      : value,
  )
}

/** JSON.stringify that writes a BigInt as the integer it is; undefined when there is nothing to write. */
export function toJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? JSON.rawJSON(item.toString()) : item,
  )
}

/** An ID as decimal text: a non-negative integer JSON number or BigInt, else undefined. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value >= 0n ? value.toString() : undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  return undefined
}
