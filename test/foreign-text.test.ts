import { describe, expect, it } from 'vitest'
import { bounded, cut, forLog, forSummary, logLine, quoted, redact } from '../src/foreign-text.ts'
import { annotation, line, maskSecret, MAX_ANNOTATION_LINES, MAX_LINE_CHARS } from '../src/log.ts'

describe('forLog: foreign text stays inside its line', () => {
  it.each([
    { name: 'LF', text: 'a\n::error::x', out: 'a\\n::error::x' },
    { name: 'CR', text: 'a\r::add-mask::x', out: 'a\\r::add-mask::x' },
    { name: 'CRLF', text: 'a\r\nb', out: 'a\\r\\nb' },
    { name: 'vertical tab and form feed', text: 'a\vb\fc', out: 'a\\u000bb\\u000cc' },
    { name: 'NEL', text: 'a\u0085b', out: 'a\\u0085b' },
    { name: 'line and paragraph separators', text: 'a\u2028b\u2029c', out: 'a\\u2028b\\u2029c' },
    { name: 'NUL and ESC', text: 'a\u0000b\u001b[31m', out: 'a\\u0000b\\u001b[31m' },
    { name: 'plain text and other scripts', text: 'Task 失败: disk full', out: 'Task 失败: disk full' },
    { name: 'the older command syntax anywhere', text: 'x ##[error]pwned', out: 'x #\\u0023[error]pwned' },
    { name: 'three hashes', text: '###[set-env]', out: '##\\u0023[set-env]' },
    { name: 'bidi overrides', text: 'a\u202ecba\u202c \u2066x\u2069', out: 'a\\u202ecba\\u202c \\u2066x\\u2069' },
    { name: 'zero-width characters and BOM', text: 'a\u200bb\u200dc\ufeffd', out: 'a\\u200bb\\u200dc\\ufeffd' },
    { name: 'a soft hyphen and a word joiner', text: 'a\u00adb\u2060c', out: 'a\\u00adb\\u2060c' },
  ])('escapes $name', ({ text, out }) => {
    expect(forLog(text)).toBe(out)
    expect(forLog(forLog(text))).toBe(out) // idempotent
  })

  it('quotes and cuts long text', () => {
    expect(quoted('x'.repeat(10), 4)).toBe('"xxxx…"')
    expect(quoted('a\nb')).toBe('"a\\nb"')
  })
})

describe('logLine: never a line the runner reads as a command', () => {
  it.each([
    { name: 'a message starting with ::', message: '::set-output name=a::b', out: '\\u003a:set-output name=a::b' },
    { name: ':: after spaces (the runner trims them)', message: '  ::add-mask::x', out: '  \\u003a:add-mask::x' },
    { name: ':: after a no-break space', message: '\u00a0::stop-commands::t', out: '\u00a0\\u003a:stop-commands::t' },
    { name: '##[ inside a line', message: 'Flow 1: ##[add-mask]x', out: 'Flow 1: #\\u0023[add-mask]x' },
    { name: 'a command after a line break', message: 'x\n::stop-commands::t', out: 'x\\n::stop-commands::t' },
    { name: 'an ordinary line', message: 'Flow 1: processing', out: 'Flow 1: processing' },
  ])('$name', ({ message, out }) => {
    expect(logLine(message)).toBe(out)
  })
})

describe('forSummary: no markup survives', () => {
  it.each([
    { name: 'a tag', text: '<img src=x>', out: '&#60;img src=x&#62;' },
    { name: 'a table break-out', text: '</td></table>', out: '&#60;/td&#62;&#60;/table&#62;' },
    { name: 'a heading on a new line', text: 'a\n# b', out: 'a&#92;n&#35; b' },
    { name: 'a link and emphasis', text: '[x](y) *z*', out: '&#91;x&#93;&#40;y&#41; &#42;z&#42;' },
    { name: 'an entity', text: '&amp;', out: '&#38;amp;' },
    { name: 'a RequestId', text: '6b1b4d3a-0c1e-4b6e-9f3d-2a1e5c7d8f90', out: '6b1b4d3a-0c1e-4b6e-9f3d-2a1e5c7d8f90' },
  ])('$name', ({ text, out }) => {
    expect(forSummary(text)).toBe(out)
  })
})

describe('bounds: no line, annotation or cell grows without limit', () => {
  it('cuts text, saying how much was left out', () => {
    expect(bounded('x'.repeat(100), 60)).toMatch(/^x+ … \(\d+ more characters left out\)$/)
    expect(bounded('x'.repeat(100), 60)).toHaveLength(60)
    expect(bounded('short', 60)).toBe('short')
  })

  it('keeps a log line to one neutral line of at most MAX_LINE_CHARS', () => {
    const out = line(`::error::${'a\n'.repeat(MAX_LINE_CHARS)}`)
    expect(out.length).toBeLessThanOrEqual(MAX_LINE_CHARS)
    expect(out).not.toMatch(/[\n\r]/)
    expect(out.startsWith('::')).toBe(false)
  })

  it('keeps an annotation to MAX_ANNOTATION_LINES neutral lines', () => {
    const out = annotation(Array.from({ length: 100 }, (_, i) => `##[warning]line ${i}`).join('\n'))
    const lines = out.split('\n')
    expect(lines).toHaveLength(MAX_ANNOTATION_LINES + 1)
    expect(lines.at(-1)).toBe('… and 70 more lines')
    expect(out).not.toContain('##[')
  })
})

describe('maskSecret and redact: every form the step writes a secret in', () => {
  /** What @actions/core writes for the runner: one ::add-mask:: command a form. */
  const registered = (secrets: string[]): string[] => {
    let written = ''
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => ((written += chunk), true)) as typeof process.stdout.write
    try {
      for (const secret of secrets) maskSecret(secret)
    } finally {
      process.stdout.write = write
    }
    return written
      .split(/\r?\n/)
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice(12))
  }

  it('registers the secret, as the log escapes it, JSON-escaped and HTML-escaped, each once', () => {
    expect(registered(['Pa##[ss\u200bw"0rd!', 'plain-secret', 'plain-secret'])).toEqual([
      'Pa##[ss\u200bw"0rd!',
      'Pa#\\u0023[ss\\u200bw"0rd!', // as the log writes it
      'Pa##[ss\u200bw\\"0rd!', // JSON-escaped, as a quoted answer holds it
      'Pa#\\u0023[ss\\u200bw\\"0rd!', // both
      'Pa&#35;&#92;u0023&#91;ss&#92;u200bw&#34;0rd&#33;', // as the summary writes it
      'Pa\\u0023#[ss\\u200bw\\"0rd!', // as the response and results outputs write it
      'plain-secret',
    ])
  })

  it.each([
    { name: 'as it is', text: 'error: Hunter2!Secret9 refused' },
    { name: 'JSON-escaped inside a quoted answer', text: '{"Message":"bad Hunter2!Secret9\\u0021"}' },
    { name: 'cut by a line bound: no prefix survives', text: `${'x'.repeat(MAX_LINE_CHARS - 5)}Hunter2!Secret9` },
  ])('leaves no secret in a log line: $name', ({ text }) => {
    registered(['Hunter2!Secret9'])
    expect(line(text)).not.toMatch(/Hunter2|Hunte/)
  })

  it.each([
    { name: 'quoted', text: () => quoted(`${'y'.repeat(190)}Hunter2!Secret9`, 200) },
    { name: 'bounded', text: () => bounded(`${'y'.repeat(1990)}Hunter2!Secret9`, 2000) },
    { name: 'cut', text: () => cut(`${'y'.repeat(1990)}Hunter2!Secret9`, 2000) },
  ])('never leaves the first characters of a secret where foreign text is cut: $name', ({ text }) => {
    registered(['Hunter2!Secret9'])
    expect(text()).not.toMatch(/Hunt/)
  })

  it('replaces the HTML-escaped form the summary would write', () => {
    registered(['Hunter2!Secret9'])
    expect(redact(forSummary('Hunter2!Secret9'))).toBe('***')
  })
})
