// The stand-in (scripts/lib/stand-in/) reads requests as Tencent Cloud does: every request checked against the
// model generated from the official SDK and answered in the API's shapes, STS unsigned, and DescribeFlow's plans.
import { describe, expect, it } from 'vitest'
import {
  API_MODELS,
  githubIdToken,
  rateLimit,
  startFakeTencent,
  type FakeTencentOptions,
} from '../../scripts/lib/stand-in.ts'
import type { ApiModel } from '../../src/tencent/api-model.ts'
import { KEY, OIDC, standIn } from '../support/e2e.ts'
import { answerOf, call, UUID, type Answer } from '../support/stand-in-client.ts'

describe('the stand-in reads requests as the API does', () => {
  it.each([
    { name: 'application/json, compact', contentType: 'application/json', body: '{"FlowId":123}' },
    {
      name: "application/json; charset=utf-8, as Tencent's signature docs send it",
      contentType: 'application/json; charset=utf-8',
      body: '{"FlowId":123}',
    },
    { name: 'JSON with spaces and newlines', contentType: 'application/json', body: '{\n  "FlowId" : 123\n}' },
  ])('accepts $name', async ({ contentType, body }) => {
    const { status, answer } = await call(await standIn({ flows: { '123': [2] } }), 'DescribeFlow', body, contentType)
    expect(status).toBe(200)
    expect(answer.Response).toEqual({ Status: 2, RequestId: expect.stringMatching(UUID) })
  })

  it('keeps every digit of a flow ID past 2^53 in any JSON layout', async () => {
    const fake = await standIn({ flows: { '9007199254740993': [0] } })
    expect((await answerOf(fake, 'DescribeFlow', '{ "FlowId": 9007199254740993 }')).Response.Status).toBe(0)
  })

  it('gives every answer a RequestId of its own, a UUID as the real ones are', async () => {
    const fake = await standIn({ flows: { '123': [2] } })
    const ids = [
      (await answerOf(fake, 'DescribeFlow', { FlowId: 123 })).Response.RequestId,
      (await answerOf(fake, 'DescribeFlow', { FlowId: 999 })).Response.RequestId, // an error answer too
    ]
    expect(ids).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)])
    expect(new Set(ids).size).toBe(2)
    expect(fake.requests.map((r) => r.requestId)).toEqual(ids)
  })
})

describe('the stand-in checks every request, against the model', () => {
  it.each([
    {
      name: 'an unknown action',
      action: 'DescribeFlows',
      body: '{"FlowId":1}',
      error: {
        Code: 'InvalidAction',
        Message:
          'The request action=`DescribeFlows` is invalid or not found in service=`cynosdb` and version=`2019-01-07`.',
      },
    },
    {
      name: 'a parameter the model lacks (DescribeFlow)',
      action: 'DescribeFlow',
      body: '{"FlowId":1,"Region":"ap-guangzhou"}',
      error: { Code: 'UnknownParameter', Message: 'The parameter `Region` is not recognized.' },
    },
    {
      name: 'a misspelt parameter (DescribeTasks)',
      action: 'DescribeTasks',
      body: '{"Limit":100,"Ofset":0}',
      error: { Code: 'UnknownParameter', Message: 'The parameter `Ofset` is not recognized.' },
    },
    {
      name: 'a field a filter lacks',
      action: 'DescribeTasks',
      body: '{"Filters":[{"Names":["TaskId"],"Values":["1"],"Exact":true}]}',
      error: { Code: 'UnknownParameter', Message: 'The parameter `Filters.0.Exact` is not recognized.' },
    },
    {
      name: 'a missing required parameter',
      action: 'DescribeFlow',
      body: '{}',
      error: { Code: 'MissingParameter', Message: 'The request is missing a required parameter `FlowId`.' },
    },
    ...['"123"', '12.5'].map((flowId) => ({
      name: `a flow ID of ${flowId}`,
      action: 'DescribeFlow',
      body: `{"FlowId":${flowId}}`,
      error: { Code: 'InvalidParameter', Message: 'The value type of parameter `FlowId` is not valid.' },
    })),
    {
      name: 'a body that is not JSON',
      action: 'DescribeFlow',
      body: 'FlowId=123',
      error: { Code: 'InvalidParameter', Message: 'The request body is not JSON.' },
    },
    {
      name: 'a value outside its documented range',
      action: 'DescribeInstances',
      body: '{"Limit":1000}',
      error: {
        Code: 'InvalidParameterValue',
        Message: 'The Limit parameter value is invalid and should meet the rule: (0,100]',
      },
    },
    {
      name: 'a valid call of an action without a plan, still checked',
      action: 'CreateAccounts',
      body: '{"ClusterId":"cynosdbmysql-x"}',
      error: { Code: 'MissingParameter', Message: 'The request is missing a required parameter `Accounts`.' },
    },
  ])('refuses $name in the API error shape, HTTP 200', async ({ action, body, error }) => {
    const fake = await standIn({ flows: { '1': [0], '123': [0] } })
    const { status, answer } = await call(fake, action, body)
    expect(status).toBe(200)
    expect(answer).toEqual({ Response: { Error: error, RequestId: expect.stringMatching(UUID) } })
    expect(fake.requests.map((r) => r.answer)).toEqual([error.Code])
  })

  it.each<{ name: string; options: FakeTencentOptions; contentType?: string; body?: string; code: string }>([
    { name: 'a content type that is not JSON', options: {}, contentType: 'text/plain', code: 'InvalidParameter' },
    {
      name: 'a bad signature first, whatever the body',
      options: { keys: { [KEY.id]: { secretKey: 'another-key' } } },
      body: '{"Nonsense":1}',
      code: 'AuthFailure.SignatureFailure',
    },
    {
      name: 'a flow of another region',
      options: { region: 'ap-shanghai' },
      code: 'InvalidParameterValue.FlowNotFound',
    },
    {
      name: 'a temporary key without its token',
      options: { keys: { [KEY.id]: { secretKey: KEY.secret, token: 't' } } },
      code: 'AuthFailure.TokenFailure',
    },
  ])('refuses $name', async ({ options, contentType, body, code }) => {
    const fake = await standIn({ flows: { '123': [2] }, ...options })
    expect((await answerOf(fake, 'DescribeFlow', body ?? '{"FlowId":123}', contentType)).Response.Error?.Code).toBe(
      code,
    )
  })

  it('refuses a request that used a field once a modified model lacks it', async () => {
    // the model as it would be if the SDK renamed DescribeFlow's FlowId
    const model = structuredClone(API_MODELS.cynosdb) as ApiModel & { structs: Record<string, unknown> }
    model.structs.DescribeFlowRequest = { FlowID: { type: 'number', required: true } }
    const fake = await standIn({ flows: { '123': [0] }, models: { cynosdb: model } })
    expect((await answerOf(fake, 'DescribeFlow', { FlowId: 123 })).Response.Error).toEqual({
      Code: 'UnknownParameter',
      Message: 'The parameter `FlowId` is not recognized.',
    })
    // the same request is fine with the model as generated
    const plain = await standIn({ flows: { '123': [0] } })
    expect((await answerOf(plain, 'DescribeFlow', { FlowId: 123 })).Response.Status).toBe(0)
  })

  it('answers a valid call of any other CynosDB action with its RequestId alone', async () => {
    const answer = await answerOf(await standIn(), 'DescribeClusters', { DbType: 'MYSQL', Limit: 10 })
    expect(answer).toEqual({ Response: { RequestId: expect.stringMatching(UUID) } })
  })
})

describe('STS AssumeRoleWithWebIdentity against its model', () => {
  const role = {
    ProviderId: OIDC.providerId,
    WebIdentityToken: githubIdToken(OIDC.idToken, 'sts.tencentcloudapi.com'),
    RoleArn: OIDC.roleArn,
    RoleSessionName: 'ci-1',
  }
  const assume = async (url: string, params: Record<string, unknown>): Promise<Answer> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'SKIP',
        'x-tc-action': 'AssumeRoleWithWebIdentity',
        'x-tc-version': '2018-08-13',
        'x-tc-region': 'ap-guangzhou',
        'x-tc-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: JSON.stringify(params),
    })
    return (await res.json()) as Answer
  }

  it.each([
    { name: 'the request the action sends', params: { ...role, DurationSeconds: 3600 }, code: undefined },
    { name: 'no RoleArn', params: { ...role, RoleArn: undefined }, code: 'MissingParameter' },
    { name: 'DurationSeconds past 43200', params: { ...role, DurationSeconds: 43201 }, code: 'InvalidParameterValue' },
    {
      name: 'a RoleSessionName with a slash',
      params: { ...role, RoleSessionName: 'a/b' },
      code: 'InvalidParameterValue',
    },
    { name: 'a field STS does not know', params: { ...role, Audience: 'sts' }, code: 'UnknownParameter' },
    {
      name: 'another role',
      params: { ...role, RoleArn: 'qcs::cam::uin/1:roleName/x' },
      code: 'InvalidParameter.ParamError',
    },
  ])('$name', async ({ params, code }) => {
    const answer = await assume((await standIn()).url, params)
    expect(answer.Response.Error?.Code).toBe(code)
    if (!code) expect(answer.Response).toMatchObject({ Credentials: { TmpSecretId: expect.any(String) } })
  })
})

describe('DescribeFlow: one step of the plan per call, the last repeating', () => {
  const statuses = async (fake: { url: string; host: string }, n: number) => {
    const seen = []
    for (let i = 0; i < n; i++) seen.push((await answerOf(fake, 'DescribeFlow', { FlowId: 1 })).Response.Status)
    return seen
  }

  it('plays statuses and undocumented ones in order', async () => {
    expect(await statuses(await standIn({ flows: { '1': [2, { status: 9 }, 0] } }), 4)).toEqual([2, 9, 0, 0])
  })

  it('holds a step until DescribeTasks has been answered as often as it says', async () => {
    const fake = await standIn({ flows: { '1': [{ step: 0, heldUntil: { action: 'DescribeTasks', answered: 2 } }] } })
    const held = answerOf(fake, 'DescribeFlow', { FlowId: 1 })
    await answerOf(fake, 'DescribeTasks', {})
    await answerOf(fake, 'DescribeTasks', {})
    expect((await held).Response.Status).toBe(0)
    expect(fake.requests.map((r) => `${r.action} ${r.answer}`)).toEqual([
      'DescribeTasks tasks 0 of 0',
      'DescribeTasks tasks 0 of 0',
      'DescribeFlow 0',
    ])
    // once it was answered that often, a held step answers at once
    expect(await statuses(fake, 1)).toEqual([0])
  })

  it.each([
    { name: 'a count of 0', step: { step: 0, heldUntil: { action: 'DescribeTasks', answered: 0 } } },
    { name: 'no action', step: { step: 0, heldUntil: { answered: 1 } } },
    {
      name: 'a held step inside',
      step: { step: { step: 0, heldUntil: { action: 'X', answered: 1 } }, heldUntil: { action: 'X', answered: 1 } },
    },
  ])('refuses, when it starts, a held step with $name', async ({ step }) => {
    const flows = { '1': [step] } as unknown as FakeTencentOptions['flows']
    await expect(startFakeTencent({ flows })).rejects.toThrow(/^flows "1": /)
  })
})

describe('rateLimit: the account refuses past its count in any second (--rate-limit)', () => {
  const refusals = (limit: number, arrivals: readonly (readonly [string, number])[]) => {
    const limited = rateLimit(limit)
    return arrivals.map(([action, at]) => limited(action, at))
  }

  it("lets `limit` through in any second, and refuses the next in the real API's words", () => {
    const [first, second, third] = refusals(2, [
      ['DescribeFlow', 0],
      ['DescribeFlow', 400],
      ['DescribeFlow', 999],
    ])
    expect([first, second]).toEqual([undefined, undefined])
    expect(third).toEqual({
      error: 'RequestLimitExceeded',
      message:
        'Your current request times equals to `3` in a second, which exceeds the frequency limit `2` for a second. Please reduce the frequency of calls.',
    })
  })

  it('counts a sliding second, of the requests let through only, per action', () => {
    const answers = refusals(1, [
      ['DescribeFlow', 0],
      ['DescribeFlow', 500], // refused: does not count
      ['DescribeTasks', 600], // another action's own count
      ['DescribeFlow', 1000], // a second after the one let through
      ['DescribeFlow', 1999],
    ])
    expect(answers.map((answer) => (answer ? 'refused' : 'through'))).toEqual([
      'through',
      'refused',
      'through',
      'through',
      'refused',
    ])
  })

  it('lets everything through without a limit', () => {
    const limited = rateLimit(undefined)
    expect(Array.from({ length: 100 }, () => limited('DescribeFlow', 0)).every((a) => a === undefined)).toBe(true)
  })
})
