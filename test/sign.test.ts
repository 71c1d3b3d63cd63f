import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sign, utcDate } from '../src/tencent/sign.ts'

// Tencent's signature v3 documentation, as quoted in shared/reference/TENCENT-CLOUD-API.md.
// The \u escapes are literal characters of the body, hence String.raw.
const body = String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

describe('sign: official test vectors', () => {
  it('reproduces the current vector (content-type;host;x-tc-action)', () => {
    const signed = sign({
      secretId: `AKID${'*'.repeat(32)}`,
      secretKey: '*'.repeat(32),
      service: 'cvm',
      timestamp: 1551113065,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        Host: 'cvm.tencentcloudapi.com',
        'X-TC-Action': 'DescribeInstances',
      },
      payload: body,
    })
    expect(sha256(body)).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064')
    expect(signed.canonicalRequest).toContain('x-tc-action:describeinstances\n')
    expect(sha256(signed.canonicalRequest)).toBe('7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84')
    expect(signed.stringToSign).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n' +
        '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
    )
    expect(signed.signature).toBe('10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f')
    expect(signed.authorization).toBe(
      `TC3-HMAC-SHA256 Credential=AKID${'*'.repeat(32)}/2019-02-25/cvm/tc3_request, ` +
        'SignedHeaders=content-type;host;x-tc-action, ' +
        'Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f',
    )
  })

  it('reproduces the older vector (content-type;host)', () => {
    const signed = sign({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      timestamp: 1551113065,
      headers: { host: 'cvm.tencentcloudapi.com', 'content-type': 'application/json; charset=utf-8' },
      payload: body,
    })
    expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168')
  })
})

describe('sign: details that broke other clients', () => {
  const base = {
    secretId: 'AKIDtest',
    secretKey: 'key',
    service: 'cynosdb',
    headers: { 'content-type': 'application/json', host: '127.0.0.1:8080' },
    payload: '{"FlowId":1}',
  }

  it.each([
    { name: 'just before UTC midnight', timestamp: Date.UTC(2026, 0, 1, 23, 59, 59) / 1000, date: '2026-01-01' },
    { name: 'just after UTC midnight', timestamp: Date.UTC(2026, 0, 2, 0, 0, 0) / 1000, date: '2026-01-02' },
  ])('scopes with the UTC date, $name', ({ timestamp, date }) => {
    expect(utcDate(timestamp)).toBe(date)
    expect(sign({ ...base, timestamp }).authorization).toContain(`Credential=AKIDtest/${date}/cynosdb/tc3_request`)
  })

  it('keeps the service it is given whatever the host (an IP address here)', () => {
    expect(sign({ ...base, timestamp: 1_700_000_000 }).stringToSign).toContain('/cynosdb/tc3_request')
  })

  it('refuses a fractional timestamp', () => {
    expect(() => sign({ ...base, timestamp: 1_700_000_000.5 })).toThrow(/integer/)
  })

  it('changes the signature when the body changes', () => {
    const a = sign({ ...base, timestamp: 1_700_000_000 })
    const b = sign({ ...base, timestamp: 1_700_000_000, payload: '{"FlowId":2}' })
    expect(a.signature).not.toBe(b.signature)
  })
})
