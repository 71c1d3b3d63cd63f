// Everything the step writes to the runner's log goes through here: each line neutralised (foreign-text.ts) and
// bounded, so no answer, however hostile or large, becomes a workflow command or a megabyte-long line.
import * as core from '@actions/core'
import { addSecretForm, bounded, forSummary, harmlessJson, logLine, redact } from './foreign-text.ts'

/** One log line: room for a few dozen IDs, far below what makes a log unreadable. */
export const MAX_LINE_CHARS = 4000
/** An annotation (error, warning, notice): a few lines a person reads on the run's page. */
export const MAX_ANNOTATION_LINES = 30
export const MAX_ANNOTATION_CHARS = 16_000

/**
 * Hides a secret: registered with the runner (core.setSecret), which masks it and its JSON-, XML-, URI- and
 * base64-encoded forms in the log and the summary, and kept (foreign-text.ts) with the forms the step itself writes
 * it in (as the log escapes it, JSON-escaped inside a quoted answer, HTML-escaped in the summary, as the outputs
 * escape it), so that every one of them is replaced before any bound could cut one into a prefix.
 */
export function maskSecret(secret: string): void {
  if (secret === '') return
  const json = JSON.stringify(secret).slice(1, -1)
  const forms = [secret, logLine(secret), json, logLine(json), forSummary(secret), harmlessJson(json)]
  for (const form of new Set(forms)) if (addSecretForm(form)) core.setSecret(form)
}

/** A message as one neutral, bounded log line. */
export const line = (message: string): string => bounded(logLine(redact(message)), MAX_LINE_CHARS) // bounded redacts the escaped form

/** An annotation's text: our own line breaks kept (the toolkit escapes them), each line neutral and bounded. */
export function annotation(message: string): string {
  const lines = message.split('\n').map(line)
  const kept = lines.slice(0, MAX_ANNOTATION_LINES)
  if (lines.length > kept.length) kept.push(`… and ${lines.length - kept.length} more lines`)
  return bounded(kept.join('\n'), MAX_ANNOTATION_CHARS)
}

export interface Log {
  info(message: string): void
  /** Step debug logging; nothing is built when it is off. */
  readonly debug: ((message: string) => void) | undefined
  warning(message: string): void
  notice(message: string): void
  /** The step's one failure: an error annotation, and a non-zero exit. */
  fail(message: string): void
}

/** The log of one run of the step (whether debug logging is on is read when the step starts). */
export function createLog(): Log {
  return {
    info: (message) => core.info(line(message)),
    debug: core.isDebug() ? (message) => core.debug(line(message)) : undefined,
    warning: (message) => core.warning(annotation(message)),
    notice: (message) => core.notice(annotation(message)),
    fail: (message) => core.setFailed(annotation(message)),
  }
}
