// The scalar inputs: durations, booleans, the region and the endpoints. Pure; each throws an InputError that names
// the input and says what it accepts.
import { DURATION_SYNTAX, durationMs, formatDuration } from '../duration.ts'
import { InputError, show } from './input-error.ts'

/** Regions where CynosDB offers DescribeFlow (shared reference); others get a warning, not an error. */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  'ap-bangkok',
  'ap-beijing',
  'ap-chengdu',
  'ap-chongqing',
  'ap-guangzhou',
  'ap-hongkong',
  'ap-jakarta',
  'ap-nanjing',
  'ap-seoul',
  'ap-shanghai',
  'ap-shenzhen-fsi',
  'ap-singapore',
  'ap-tokyo',
  'eu-frankfurt',
  'na-ashburn',
  'na-siliconvalley',
  'sa-saopaulo',
])

/** A duration input (see duration.ts for the syntax), in milliseconds, always > 0 and at most maxMs. */
export function parseDuration(value: string, name: string, maxMs = Number.POSITIVE_INFINITY): number {
  const ms = durationMs(value)
  if (ms === undefined) throw new InputError(`Input '${name}' must be ${DURATION_SYNTAX}; got ${show(value)}`)
  if (!(ms > 0))
    throw new InputError(`Input '${name}' must be longer than zero (${DURATION_SYNTAX}); got ${show(value)}`)
  if (ms > maxMs) {
    throw new InputError(`Input '${name}' must be at most ${formatDuration(maxMs)}; got ${show(value)}`)
  }
  return ms
}

export function parseBoolean(value: string, name: string, fallback: boolean): boolean {
  const text = value.trim().toLowerCase()
  if (text === '') return fallback
  if (text === 'true') return true
  if (text === 'false') return false
  throw new InputError(`Input '${name}' must be true or false; got ${show(value)}`)
}

export function parseRegion(value: string, name = 'region'): string {
  const text = value.trim()
  if (text === '') {
    throw new InputError(
      `Input '${name}' is required (e.g. ap-guangzhou): set it, or the TENCENTCLOUD_REGION environment variable`,
    )
  }
  if (!/^[a-z]{2,}(-[a-z0-9]+)+$/.test(text)) {
    throw new InputError(
      `Input '${name}' must be a Tencent Cloud region name such as ap-guangzhou or ap-shenzhen-fsi (lower-case letters, digits and hyphens); got ${show(value)}`,
    )
  }
  return text
}

/** A host name (`cynosdb.tencentcloudapi.com`, `host:port`) or an `https://` / `http://` URL without a path. */
export function parseEndpoint(value: string, name: string): URL {
  const text = value.trim()
  const accepts = `a host name (e.g. cynosdb.ap-guangzhou.tencentcloudapi.com) or an https:// URL without a path`
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
  let url: URL
  try {
    url = new URL(hasScheme ? text : `https://${text}`)
  } catch {
    throw new InputError(`Input '${name}' must be ${accepts}; got ${show(value)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      `Input '${name}' must use https:// (or http:// for a local stand-in or proxy), not ${url.protocol}//; it accepts ${accepts}`,
    )
  }
  if (text === '' || url.username || url.password || url.pathname !== '/' || /[?#]/.test(text)) {
    throw new InputError(`Input '${name}' must be ${accepts} (no path, query or user info); got ${show(value)}`)
  }
  return url
}
