// Keyless OIDC, several flows in one step and the shared rate limit (the step in-process), and networks: HTTPS and
// proxies through the bundle, which reads NODE_EXTRA_CA_CERTS at start as a runner's Node does.
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.ts'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { requestsOf, githubIdToken, type Step } from '../../scripts/lib/stand-in.ts'
import { afterTasks, closeAfter, inputs, keyless, OIDC, standIn } from '../support/e2e.ts'
import { busiestWindow } from '../support/hostile-server.ts'
import { startProxy } from '../support/proxy.ts'
import { makeCertificate } from '../support/tls.ts'

describe('keyless OIDC', () => {
  it('gets the GitHub ID token, assumes the role at STS unsigned, and signs DescribeFlow with the temporary keys', async () => {
    const fake = await standIn({ flows: { '77': [2, afterTasks(1, 0)] } })
    const run = await runInProcess(keyless(fake.url, { 'flow-id': '77' }))
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('succeeded')
    const [sts, ...flows] = fake.requests
    expect(sts?.action).toBe('AssumeRoleWithWebIdentity')
    expect(sts?.headers).toMatchObject({
      authorization: 'SKIP',
      'x-tc-version': '2018-08-13',
      'x-tc-region': 'ap-guangzhou',
    })
    expect(JSON.parse(sts?.body ?? '')).toEqual({
      ProviderId: OIDC.providerId,
      WebIdentityToken: githubIdToken(OIDC.idToken, 'sts.tencentcloudapi.com'), // the stand-in's token for the default audience
      RoleArn: OIDC.roleArn,
      RoleSessionName: 'github-octo-org-octo-repo-4242',
      DurationSeconds: 3600,
    })
    expect(requestsOf({ requests: flows }).map((r) => r.answer)).toEqual(['2', '0'])
    expect(requestsOf({ requests: flows }, 'DescribeTasks')).toHaveLength(1)
    // one STS call for the whole step; every CynosDB call signed with the temporary key and its token
    for (const r of flows) {
      expect(r.headers.authorization).toContain('Credential=AKIDtmp')
      expect(r.headers['x-tc-token']).toMatch(/^tmptoken/)
    }
    expect(run.stdout).toContain(`credentials: OIDC: role ${OIDC.roleArn} through provider github`)
  })

  it('ends at once when STS refuses the role, with a trust-policy hint', async () => {
    const fake = await standIn({ flows: { '77': [0] } })
    const run = await runInProcess(
      keyless(fake.url, { 'flow-id': '77', 'role-arn': 'qcs::cam::uin/100000000001:roleName/other' }),
    )
    expect(run.code).toBe(1)
    expect(fake.requests.map((r) => r.action)).toEqual(['AssumeRoleWithWebIdentity'])
    expect(run.stdout).toMatch(
      /::error::Flow 77 .*AssumeRoleWithWebIdentity failed with InvalidParameter.ParamError.*trust policy/,
    )
  })
})

describe('several flows in one step', () => {
  it('stops waiting for all once one failed, and reports each', async () => {
    const fake = await standIn({ flows: { '1': [2], '2': [2, 1], '3': [0] } })
    const run = await runInProcess({ inputs: inputs(fake.url, { 'flow-id': '1, 2\n3,1' }) })
    expect(run.code).toBe(1)
    // flow 1 never ends: the step ends with flow 2's failure, not at the timeout
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({ '1': 'processing', '2': 'failed', '3': 'succeeded' })
    expect(run.outputs).toMatchObject({ status: '1', result: 'failed', 'timed-out': 'false' })
    expect(run.outputs['request-id']).toBe(
      fake.requests.filter((r) => JSON.parse(r.body).FlowId === 2).at(-1)?.requestId,
    )
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(
        /^::error::Flow 2 \(region ap-guangzhou\) failed \(RequestId [^)]+\), after .*%0AFlow 1 \(region ap-guangzhou\): not waited for further once flow 2 ended the wait/,
      ),
    ])
    expect(run.stdout).toMatch(/Flow 2 ended the wait: not waiting for the rest/)
    for (const id of ['1', '2', '3']) expect(run.summary).toContain(`<td>Flow ${id}</td>`)
    expect(run.summary).toMatch(/Flow 2 ended the wait: failed/)
    expect(run.summary).toMatch(/processing &#40;not waited for further&#41;/)
  })

  it('times out if any flow is still processing, and says which', async () => {
    const fake = await standIn({ flows: { '1': [0], '2': [2] } })
    const run = await runInProcess({ inputs: inputs(fake.url, { 'flow-id': '1,2', timeout: '300ms' }) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({
      result: 'processing',
      'timed-out': 'true',
      results: '{"1":"succeeded","2":"processing"}',
    })
    expect(run.stdout).toMatch(/::error::Flow 2 \(region ap-guangzhou\): still processing at the timeout/)
  })

  it('paces 40 flows under 20 requests in any second, and finishes them all', async () => {
    const flows: Record<string, Step[]> = {}
    for (let id = 1; id <= 40; id++) flows[String(id)] = [2, afterTasks(1, 0)]
    const fake = await standIn({ flows })
    // The bundle, not in-process: a server in the step's own event loop would record arrivals late and bunched.
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': Object.keys(flows).join(',') }) })
    expect(run.code).toBe(0)
    expect(Object.values(JSON.parse(run.outputs.results ?? '{}'))).toEqual(Array(40).fill('succeeded'))
    // two DescribeFlow calls a flow, and one DescribeTasks listing shared by all 40 flows seen processing
    expect(requestsOf(fake)).toHaveLength(80)
    expect(requestsOf(fake, 'DescribeTasks')).toHaveLength(1)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
    expect(busiestWindow(fake.requests)).toBeGreaterThanOrEqual(15) // paced, not crawling
  })
})

describe('networks', () => {
  const proxyTo = async (fake: { host: string }) => closeAfter(await startProxy(Number(fake.host.split(':')[1])))

  it('speaks HTTPS to a host-name endpoint and verifies the certificate', async () => {
    const tls = makeCertificate([])
    const fake = await standIn({ flows: { '5': [2, 0] }, tls })
    const endpoint = fake.host // no scheme: https, as for cynosdb.tencentcloudapi.com
    // not trusted: fails at once, saying what to set, instead of retrying a certificate that will not change
    const untrusted = await runAction({ inputs: inputs(endpoint, { 'flow-id': '5', timeout: '1m' }) })
    expect(untrusted.code).toBe(1)
    expect(untrusted.stdout).toMatch(
      /::error::Flow 5 \(region ap-guangzhou\): DescribeFlow to \S+ failed: self[- ]signed certificate.*NODE_EXTRA_CA_CERTS/,
    )
    expect(untrusted.stdout).not.toMatch(/retrying/)
    expect(fake.requests).toHaveLength(0)

    const run = await runAction({
      inputs: inputs(endpoint, { 'flow-id': '5' }),
      env: { NODE_EXTRA_CA_CERTS: tls.certFile },
    })
    expect(run.code).toBe(0)
    expect(requestsOf(fake)).toHaveLength(2)
  })

  it('tunnels HTTPS through HTTPS_PROXY, as a self-hosted runner behind a proxy does', async () => {
    const tls = makeCertificate(['cynosdb.behind-proxy.test'])
    const fake = await standIn({ flows: { '5': [2, 0] }, tls })
    const proxy = await proxyTo(fake)
    const run = await runAction({
      inputs: inputs('cynosdb.behind-proxy.test:8443', { 'flow-id': '5' }),
      env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: tls.certFile },
    })
    expect(run.code).toBe(0)
    // every call through a CONNECT tunnel to the endpoint, signed for the endpoint's host
    expect(new Set(proxy.seen)).toEqual(new Set(['cynosdb.behind-proxy.test:8443']))
    expect(requestsOf(fake)).toHaveLength(2)
    expect(new Set(fake.requests.map((r) => r.headers.host))).toEqual(new Set(['cynosdb.behind-proxy.test:8443']))
  })

  it('reaches an endpoint only a proxy can reach, through HTTP_PROXY', async () => {
    const fake = await standIn({ flows: { '5': [2, 0] } })
    const proxy = await proxyTo(fake)
    const endpoint = 'http://cynosdb.behind-proxy.test:8080'
    const direct = await runAction({ inputs: inputs(endpoint, { 'flow-id': '5', timeout: '1s' }) })
    expect(direct.code).toBe(1) // without the proxy the name does not resolve
    expect(fake.requests).toHaveLength(0)

    const run = await runAction({ inputs: inputs(endpoint, { 'flow-id': '5' }), env: { HTTP_PROXY: proxy.url } })
    expect(run.code).toBe(0)
    expect(proxy.seen.length).toBeGreaterThan(0)
    expect(proxy.seen.every((host) => host === 'cynosdb.behind-proxy.test:8080')).toBe(true)
    // the signature covers the Host the client meant, not the proxy's
    expect(requestsOf(fake)).toHaveLength(2)
    expect(new Set(fake.requests.map((r) => r.headers.host))).toEqual(new Set(['cynosdb.behind-proxy.test:8080']))
  })

  it('honours lower-case http_proxy, and NO_PROXY to go around it', async () => {
    const fake = await standIn({ flows: { '5': [0] } })
    const proxy = await proxyTo(fake)
    const through = await runAction({
      inputs: inputs('http://cynosdb.lower-case.test:8081', { 'flow-id': '5' }),
      env: { http_proxy: proxy.url },
    })
    expect(through.code).toBe(0)
    expect(proxy.seen).toEqual(['cynosdb.lower-case.test:8081'])

    const around = await runAction({
      inputs: inputs(fake.url, { 'flow-id': '5' }),
      env: { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' },
    })
    expect(around.code).toBe(0)
    expect(proxy.seen).toHaveLength(1) // the second run did not go through it
    expect(fake.requests).toHaveLength(2)
  })
})
