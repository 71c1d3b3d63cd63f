import { describe, expect, it } from 'vitest'
import { formatDuration } from '../src/duration.ts'
import { parseDealNames, parseFlowIds } from '../src/inputs/ids.ts'
import { getInputs, InputError, inputNotices, inputWarnings } from '../src/inputs/index.ts'
import { parseBoolean, parseDuration, parseEndpoint, parseRegion } from '../src/inputs/values.ts'

describe('parseFlowIds', () => {
  it.each([
    { name: 'one ID', value: '123', ids: ['123'] },
    { name: 'surrounding space', value: '  42\n', ids: ['42'] },
    { name: 'commas, spaces and new lines', value: '1, 2 3\n4', ids: ['1', '2', '3', '4'] },
    { name: 'duplicates removed, order kept', value: '7,3,7, 3', ids: ['7', '3'] },
    { name: 'leading zeros normalised', value: '007', ids: ['7'] },
    { name: 'the largest int64', value: '9223372036854775807', ids: ['9223372036854775807'] },
  ])('accepts $name', ({ value, ids }) => {
    expect(parseFlowIds(value)).toEqual(ids)
  })

  it.each([
    { name: 'letters', value: 'abc' },
    { name: 'negative', value: '-5' },
    { name: 'fraction', value: '1.5' },
    { name: 'zero', value: '0' },
    { name: 'beyond 2^63-1', value: '9223372036854775808' },
    { name: 'one bad among good', value: '12, x3' },
  ])('rejects $name, naming the input and what it accepts', ({ value }) => {
    expect(() => parseFlowIds(value)).toThrow(InputError)
    expect(() => parseFlowIds(value)).toThrow(/Input 'flow-id' must hold positive integer task flow IDs/)
  })

  it('reads empty as none', () => {
    expect(parseFlowIds(' , \n')).toEqual([])
  })

  it('explains a UUID: the AsyncRequestId the API docs show, which nothing is documented to wait on', () => {
    expect(() => parseFlowIds('3b4f1d2e-9a8c-4e7f-b6a5-d4c3b2a19f80')).toThrow(
      /Input 'flow-id' got "3b4f1d2e-.*", which is not a task flow ID but looks like the AsyncRequestId of ModifyClusterParam .*No CynosDB API is documented to wait on such an ID. A numeric AsyncRequestId is accepted here/,
    )
  })

  it('rejects more than 100 flows', () => {
    expect(() => parseFlowIds(Array.from({ length: 101 }, (_, i) => i + 1).join(','))).toThrow(/at most 100/)
  })
})

describe('parseDuration', () => {
  it.each([
    { name: 'plain seconds', value: '900', ms: 900_000 },
    { name: 'fractional seconds', value: '0.5', ms: 500 },
    { name: 'seconds', value: '90s', ms: 90_000 },
    { name: 'minutes', value: '15m', ms: 900_000 },
    { name: 'hours and minutes', value: '1h30m', ms: 5_400_000 },
    { name: 'all units', value: '1h2m3s4ms', ms: 3_723_004 },
    { name: 'milliseconds', value: '250ms', ms: 250 },
    { name: 'spaces around', value: ' 30s ', ms: 30_000 },
  ])('reads $name', ({ value, ms }) => {
    expect(parseDuration(value, 'timeout')).toBe(ms)
  })

  it.each([
    { name: 'a word', value: 'forever' },
    { name: 'negative', value: '-5' },
    { name: 'negative with unit', value: '-5s' },
    { name: 'units out of order', value: '30s1m' },
    { name: 'unknown unit', value: '3d' },
    { name: 'empty', value: '' },
  ])('rejects $name with what it accepts', ({ value }) => {
    expect(() => parseDuration(value, 'timeout')).toThrow(
      /Input 'timeout' must be a duration such as 900 \(seconds\), 90s, 15m, 1h30m or 500ms/,
    )
  })

  it('rejects zero', () => {
    expect(() => parseDuration('0', 'poll-interval')).toThrow(/Input 'poll-interval' must be longer than zero/)
    expect(() => parseDuration('0s', 'poll-interval')).toThrow(/longer than zero/)
  })

  it('rejects more than the maximum, naming it', () => {
    expect(() => parseDuration('25h', 'timeout', 24 * 3600_000)).toThrow(/Input 'timeout' must be at most 24h/)
  })
})

describe('formatDuration', () => {
  it.each([
    { ms: 50, text: '50ms' },
    { ms: 1500, text: '1.5s' },
    { ms: 42_000, text: '42s' },
    { ms: 90_000, text: '1m30s' },
    { ms: 3_600_000, text: '1h' },
    { ms: 5_430_000, text: '1h30m30s' },
  ])('$ms ms is $text', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('parseBoolean', () => {
  it.each([
    { value: 'true', result: true },
    { value: 'TRUE', result: true },
    { value: 'False', result: false },
    { value: '', result: true },
  ])('reads "$value"', ({ value, result }) => {
    expect(parseBoolean(value, 'fail-on-timeout', true)).toBe(result)
  })

  it.each(['maybe', 'yes', '1'])('rejects "%s"', (value) => {
    expect(() => parseBoolean(value, 'fail-on-timeout', true)).toThrow("Input 'fail-on-timeout' must be true or false")
  })
})

describe('parseRegion', () => {
  it.each(['ap-guangzhou', 'ap-shenzhen-fsi', 'na-siliconvalley', 'eu-frankfurt'])('accepts %s', (region) => {
    expect(parseRegion(region)).toBe(region)
  })

  it.each([
    { name: 'spaces', value: 'ap guangzhou' },
    { name: 'CR/LF (header injection)', value: 'ap-guangzhou\r\nX-Evil: 1' },
    { name: 'a control character', value: 'ap-guang\u0007zhou' },
    { name: 'upper case', value: 'AP-GUANGZHOU' },
    { name: 'no hyphen', value: 'guangzhou' },
  ])('rejects $name', ({ value }) => {
    expect(() => parseRegion(value)).toThrow(/Input 'region' must be a Tencent Cloud region name such as ap-guangzhou/)
  })

  it('quotes a rejected value without its raw line break', () => {
    expect(() => parseRegion('a\nb')).toThrow('got "a\\nb"')
  })

  it('names TENCENTCLOUD_REGION when empty', () => {
    expect(() => parseRegion('')).toThrow(/Input 'region' is required .*TENCENTCLOUD_REGION/)
  })
})

describe('parseEndpoint', () => {
  it.each([
    { name: 'a host name', value: 'cynosdb.tencentcloudapi.com', href: 'https://cynosdb.tencentcloudapi.com/' },
    {
      name: 'a regional host',
      value: 'cynosdb.ap-shenzhen-fsi.tencentcloudapi.com',
      href: 'https://cynosdb.ap-shenzhen-fsi.tencentcloudapi.com/',
    },
    {
      name: 'an https URL',
      value: 'https://cynosdb.intl.tencentcloudapi.com',
      href: 'https://cynosdb.intl.tencentcloudapi.com/',
    },
    {
      name: 'an https URL with a slash',
      value: 'https://cynosdb.intl.tencentcloudapi.com/',
      href: 'https://cynosdb.intl.tencentcloudapi.com/',
    },
    { name: 'http with a port', value: 'http://127.0.0.1:8080', href: 'http://127.0.0.1:8080/' },
    { name: 'host and port', value: 'localhost:8443', href: 'https://localhost:8443/' },
  ])('accepts $name', ({ value, href }) => {
    expect(parseEndpoint(value, 'endpoint').href).toBe(href)
  })

  it.each([
    { name: 'ftp scheme', value: 'ftp://cynosdb.tencentcloudapi.com', message: /must use https:\/\/ .*not ftp:/ },
    { name: 'file scheme', value: 'file:///etc/passwd', message: /must use https:\/\// },
    { name: 'a path', value: 'https://cynosdb.tencentcloudapi.com/v3', message: /no path, query or user info/ },
    { name: 'a path on a host', value: 'cynosdb.tencentcloudapi.com/x', message: /no path, query or user info/ },
    { name: 'a query', value: 'https://cynosdb.tencentcloudapi.com?a=1', message: /no path, query or user info/ },
    { name: 'user info', value: 'https://u:p@cynosdb.tencentcloudapi.com', message: /no path, query or user info/ },
    { name: 'spaces', value: 'not a host', message: /Input 'endpoint' must be a host name/ },
  ])('rejects $name', ({ value, message }) => {
    expect(() => parseEndpoint(value, 'endpoint')).toThrow(message)
  })
})

const KEYS = { 'secret-id': 'AKIDtest', 'secret-key': 'test-key' }

describe('getInputs', () => {
  const reader = (values: Record<string, string>) => (name: string) => ({ ...KEYS, ...values })[name] ?? ''

  it('applies the documented defaults', () => {
    const inputs = getInputs(reader({ 'flow-id': '5', region: 'ap-beijing' }), {}, () => undefined)
    expect(inputs).toMatchObject({
      flowIds: ['5'],
      region: 'ap-beijing',
      timeoutMs: 1_800_000,
      pollIntervalMs: undefined,
      failOnTimeout: true,
      requestTimeoutMs: 15_000,
    })
    expect(inputs.endpoint.href).toBe('https://cynosdb.tencentcloudapi.com/')
    const oidc = getInputs(
      (name) =>
        ({ 'flow-id': '5', region: 'ap-beijing', 'role-arn': 'qcs::cam::uin/1:roleName/r', 'oidc-provider-id': 'gh' })[
          name
        ] ?? '',
      { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/x?a=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' },
      () => undefined,
    )
    expect(oidc.credentials).toMatchObject({ kind: 'oidc', audience: 'sts.tencentcloudapi.com', durationSeconds: 3600 })
    expect(oidc.credentials.kind === 'oidc' && oidc.credentials.stsEndpoint.href).toBe(
      'https://sts.tencentcloudapi.com/',
    )
  })

  it('falls back to TENCENTCLOUD_REGION, and the input wins over it', () => {
    expect(getInputs(reader({ 'flow-id': '5' }), { TENCENTCLOUD_REGION: 'ap-tokyo' }, () => undefined).region).toBe(
      'ap-tokyo',
    )
    expect(
      getInputs(reader({ 'flow-id': '5', region: 'ap-seoul' }), { TENCENTCLOUD_REGION: 'ap-tokyo' }, () => undefined)
        .region,
    ).toBe('ap-seoul')
  })

  it('warns about http:// and an unknown region, not about the defaults', () => {
    const quiet = getInputs(reader({ 'flow-id': '5', region: 'ap-beijing' }), {}, () => undefined)
    expect(inputWarnings(quiet)).toEqual([])
    const loud = getInputs(
      reader({ 'flow-id': '5', region: 'xx-nowhere', endpoint: 'http://127.0.0.1:1' }),
      {},
      () => undefined,
    )
    expect(inputWarnings(loud)).toEqual([
      expect.stringMatching(/'endpoint' uses plain http/),
      expect.stringMatching(/Region 'xx-nowhere' is not one where CynosDB is known to be offered; known: ap-/),
    ])
  })

  it('says which region was meant when one is a typo away (still a warning: new regions appear)', () => {
    const typo = getInputs(reader({ 'flow-id': '5', region: 'ap-guanzhou' }), {}, () => undefined)
    expect(inputWarnings(typo)).toEqual([
      "Region 'ap-guanzhou' is not one where CynosDB is known to be offered; did you mean ap-guangzhou? Trying it anyway",
    ])
  })

  it.each<{ name: string; values: Record<string, string>; env: NodeJS.ProcessEnv; notices: string[] }>([
    {
      name: 'keyless inputs beside keys in the environment',
      values: {
        'flow-id': '5',
        region: 'ap-beijing',
        'secret-id': '',
        'secret-key': '',
        'role-arn': 'qcs::cam::uin/1:roleName/r',
        'oidc-provider-id': 'p',
      },
      env: {
        TENCENTCLOUD_SECRET_ID: 'AKIDenv',
        TENCENTCLOUD_SECRET_KEY: 'k',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/t',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
      },
      notices: [
        "Using keyless OIDC (the 'role-arn' input); TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY in the environment are present and not used",
      ],
    },
    {
      name: 'key inputs beside keys in the environment',
      values: { 'flow-id': '5', region: 'ap-beijing', 'secret-id': 'AKIDin', 'secret-key': 'k' },
      env: { TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'k' },
      notices: [
        'Using static keys from the secret-id/secret-key inputs; TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY in the environment are present and not used',
      ],
    },
    {
      name: 'keys from the environment alone',
      values: { 'flow-id': '5', region: 'ap-beijing', 'secret-id': '', 'secret-key': '' },
      env: { TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'k' },
      notices: [],
    },
  ])('names the credentials used when several are present: $name', ({ values, env, notices }) => {
    expect(inputNotices(getInputs(reader(values), env, () => undefined))).toEqual(notices)
  })
})

describe('deal-names and flow-id', () => {
  it.each([
    { name: 'one deal', value: 'dealid0001', names: ['dealid0001'] },
    { name: 'commas, spaces and new lines, duplicates removed', value: 'a-1, b_2\na-1', names: ['a-1', 'b_2'] },
    { name: 'empty', value: ' \n', names: [] },
  ])('parseDealNames accepts $name', ({ value, names }) => {
    expect(parseDealNames(value)).toEqual(names)
  })

  it.each([
    { name: 'a quote', value: 'deal"1' },
    { name: 'a command', value: '::error::x' },
    { name: 'too long', value: 'x'.repeat(65) },
  ])('parseDealNames rejects $name, naming the input', ({ value }) => {
    expect(() => parseDealNames(value)).toThrow(/Input 'deal-names' must hold the DealNames a purchase returned/)
  })

  const reader =
    (values: Record<string, string>) =>
    (name: string): string =>
      values[name] ?? ''

  it('takes deal-names instead of flow-id, or both', () => {
    expect(
      getInputs(reader({ 'deal-names': 'd1', region: 'ap-guangzhou', ...KEYS }), {}, () => undefined),
    ).toMatchObject({
      flowIds: [],
      dealNames: ['d1'],
    })
    expect(
      getInputs(reader({ 'flow-id': '5', 'deal-names': 'd1', region: 'ap-guangzhou', ...KEYS }), {}, () => undefined),
    ).toMatchObject({
      flowIds: ['5'],
      dealNames: ['d1'],
    })
  })

  it('with none of them, says what to give', () => {
    expect(() => getInputs(reader({ region: 'ap-guangzhou', ...KEYS }), {}, () => undefined)).toThrow(
      /Give what to wait for: 'call' and 'parameters' .*'flow-id' .*'deal-names' .*'task-ids'/,
    )
  })

  it('takes task-ids alone or beside the others, as positive integers', () => {
    expect(
      getInputs(reader({ 'task-ids': '3, 2\n3', region: 'ap-guangzhou', ...KEYS }), {}, () => undefined),
    ).toMatchObject({
      flowIds: [],
      taskIds: ['3', '2'],
    })
    expect(() =>
      getInputs(reader({ 'task-ids': 'abc', region: 'ap-guangzhou', ...KEYS }), {}, () => undefined),
    ).toThrow(/Input 'task-ids' must hold positive integer task IDs/)
  })
})
