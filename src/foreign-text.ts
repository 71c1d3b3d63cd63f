// Text that came from outside (API answers, error messages of the network stack, echoed inputs) is data. The
// runner reads two command syntaxes in a step's output (actions/runner, ActionCommand.TryParseV2 and TryParse):
// `::name::data` at the start of a line, leading whitespace trimmed, and the older `##[name]data` anywhere in a
// line. A line break in foreign text would start a line of its own; `##[` needs no line break at all. Invisible
// formatting characters (bidi overrides, zero-width characters) would make a line read other than it is. In the
// job summary, markup in foreign text would become the page. One helper for each.

/** Control characters, the line and paragraph separators, and every format character (bidi, zero-width, BOM). */
const INVISIBLE_OR_BREAKING = /[\p{Cc}\p{Cf}\u2028\u2029]/gu
/** The older command syntax, anywhere in a line: the second `#` of `##[` is escaped. */
const OLD_COMMAND = /(?<=#)#(?=\[)/g
/** A line the runner would read as `::name::`: only whitespace (Unicode's spaces) before the `::`. */
const LEADING_COMMAND = /^(\p{Zs}*):(?=:)/u

const escape = (c: string): string => {
  if (c === '\n') return '\\n'
  if (c === '\r') return '\\r'
  if (c === '\t') return '\\t'
  return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`
}

/**
 * Foreign text as it may appear inside a log line: every character the runner could split a line on (CR, LF,
 * VT, FF, NEL, U+2028, U+2029), every other control character and every invisible formatting character becomes a
 * visible escape (`\n`, `\u202e`), and `##[` becomes `#\u0023[`. Idempotent: its output holds none of them.
 */
export function forLog(text: string): string {
  return text.replace(INVISIBLE_OR_BREAKING, escape).replace(OLD_COMMAND, '\\u0023')
}

/**
 * Every form of every secret of the step (log.ts, maskSecret registers them). Text is redacted before any cut:
 * a bound must never leave a secret's first characters showing, which no mask would recognise.
 */
const secrets = new Set<string>()

export const addSecretForm = (form: string): boolean => !secrets.has(form) && Boolean(secrets.add(form))

/** Text with every form of every secret replaced by `***`, the longest first (a form may hold another). */
export function redact(text: string): string {
  let redacted = text
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) redacted = redacted.replaceAll(secret, '***')
  return redacted
}

/** Foreign text cut to `max` characters, redacted first: the one way text from the network is shortened. */
export const cut = (text: string, max: number): string => redact(text).slice(0, max)

/** Quotes foreign text for the log, cut to `max` characters: `"abc…"`. */
export function quoted(text: string, max = 200): string {
  const clean = redact(text)
  return `"${forLog(clean.length > max ? `${clean.slice(0, max)}…` : clean)}"`
}

/**
 * A log line as the runner must see it: one line that is no workflow command in either syntax (only the
 * toolkit's own calls write commands, and they escape their data).
 */
export function logLine(message: string): string {
  return forLog(message).replace(LEADING_COMMAND, '$1\\u003a')
}

/** Cuts text to at most `max` characters, saying how much was left out. */
export function bounded(raw: string, max: number): string {
  const text = redact(raw)
  if (text.length <= max) return text
  const note = ` … (${text.length - max} more characters left out)`
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`
}

/**
 * For the job summary (HTML that GitHub renders as Markdown): invisible characters shown escaped as in the log,
 * then every character but letters, digits, space and `.,:;/=+-_@` as an HTML character reference, so no tag,
 * entity, Markdown mark or line break survives.
 */
export function forSummary(text: string): string {
  return forLog(text).replace(/[^\p{L}\p{N} .,:;/=+\-_@]/gu, (c) => `&#${c.codePointAt(0) ?? 0};`)
}

/**
 * JSON made harmless for a later step that echoes it: `::` and `##[` (workflow commands) and invisible formatting
 * characters are written as JSON escapes, which read back as the same value (a character past U+FFFF as its
 * surrogate pair, as JSON writes it). Structure is never touched: both sequences occur only inside strings.
 */
export const harmlessJson = (json: string): string =>
  json
    .replace(/:(?=:)/g, '\\u003a')
    .replace(/#(?=#\[)/g, '\\u0023')
    .replace(/[\p{Cf}\u2028\u2029]/gu, (c) =>
      Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
    )
