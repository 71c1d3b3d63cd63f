// Text that came from outside (API answers, error messages of the network stack, echoed inputs) is data. In the
// log, a line break in it would start a new line that the runner reads as a workflow command (`::add-mask::`,
// `::stop-commands::`); in the job summary, markup in it would become the page. One helper for each.

/**
 * Every character the runner could split a line on (CR, LF, VT, FF, NEL, U+2028, U+2029) and every other control
 * character becomes a visible escape (`\n`, `\u2028`), so foreign text stays inside the line it was put in.
 * Idempotent: its output holds no control character.
 */
export function forLog(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    if (c === '\t') return '\\t'
    return `\\u${c.codePointAt(0)?.toString(16).padStart(4, '0') ?? ''}`
  })
}

/** Quotes foreign text for the log, cut to `max` characters: `"abc…"`. */
export function quoted(text: string, max = 200): string {
  return `"${forLog(text.length > max ? `${text.slice(0, max)}…` : text)}"`
}

/**
 * A log line as the runner must see it: one line, and never one that starts with `::` (only the toolkit's own
 * calls write workflow commands, and they escape their data).
 */
export function logLine(message: string): string {
  const line = forLog(message)
  return line.startsWith('::') ? ` ${line}` : line
}

/**
 * For the job summary (HTML that GitHub renders as Markdown): every character but letters, digits, space and
 * `.,:;/=+-_@` becomes an HTML character reference, so no tag, entity, Markdown mark or line break survives.
 */
export function forSummary(text: string): string {
  return forLog(text).replace(/[^\p{L}\p{N} .,:;/=+\-_@]/gu, (c) => `&#${c.codePointAt(0) ?? 0};`)
}
