// Durations as people write them (`900`, `90s`, `1h30m`, `500ms`) and as the log and summary show them.
// One home for both, so the client and the report need not import the input parser to print a time.

/** What durationMs accepts, for error messages. */
export const DURATION_SYNTAX = 'a duration such as 900 (seconds), 90s, 15m, 1h30m or 500ms'

const UNIT_MS: Readonly<Record<string, number>> = { h: 3600_000, m: 60_000, s: 1000, ms: 1 }

/**
 * Plain seconds (`900`, `0.5`) or a duration with units in decreasing order (`90s`, `15m`, `1h30m`, `500ms`),
 * surrounding whitespace ignored. Returns whole milliseconds, or undefined when the text is not a duration.
 */
export function durationMs(value: string): number | undefined {
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  if (text === '' || !/^(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?(\d+ms)?$/.test(text)) return undefined
  let ms = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    ms += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN)
  }
  return Math.round(ms)
}

/** `1h30m`, `42s`, `1.5s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))}s`
  const total = Math.round(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || total === 0 ? `${s}s` : ''}`
}
