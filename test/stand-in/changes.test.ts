// Change calls in the stand-in (the `changes` plans): one planned step per call, checked against the action's
// response in the model when the stand-in starts.
import { describe, expect, it } from 'vitest'
import { API_MODELS, requestsOf, startFakeTencent, type FakeTencentOptions } from '../../scripts/lib/stand-in.ts'
import type { ApiModel } from '../../src/tencent/api-model.ts'
import { standIn } from '../support/e2e.ts'
import { answerOf, call, UUID } from '../support/stand-in-client.ts'

// ModifyInstanceParam's documented example request (tencentcloud.com/document/api/1098/*, tccli's examples)
const params = {
  InstanceParamList: [{ CurrentValue: '2', ParamName: 'innodb_stats_transient_sample_pages' }],
  ClusterId: 'cynosdbmysql-ge5ck0jr',
  InstanceIds: ['cynosdbmysql-ins-kzavkukw'],
  IsInMaintainPeriod: 'no',
}

describe('change calls', () => {
  it('answers the planned fields with a RequestId, and records the request with its body', async () => {
    const fake = await standIn({ changes: { ModifyInstanceParam: [{ answer: { FlowId: 1103611 } }] } })
    const answer = await answerOf(fake, 'ModifyInstanceParam', params)
    expect(answer).toEqual({ Response: { FlowId: 1103611, RequestId: expect.stringMatching(UUID) } })
    const sent = requestsOf(fake, 'ModifyInstanceParam')
    expect(sent.map((r) => JSON.parse(r.body))).toEqual([params])
    expect(sent.map((r) => r.answer)).toEqual(['{"FlowId":1103611}'])
  })

  it('plays one step per call, the last repeating, faults included', async () => {
    const fake = await standIn({
      changes: { RestartInstance: [{ error: 'RequestLimitExceeded' }, { http: 502 }, { answer: { FlowId: 147262 } }] },
    })
    for (let i = 0; i < 4; i++) {
      // the 502 is an HTML page: the client cannot read it, the stand-in's record can
      await call(fake, 'RestartInstance', { InstanceId: 'cynosdbmysql-ins-qwerasd' }).catch(() => undefined)
    }
    expect(requestsOf(fake, 'RestartInstance').map((r) => r.answer)).toEqual([
      'RequestLimitExceeded',
      'http 502',
      '{"FlowId":147262}',
      '{"FlowId":147262}',
    ])
  })

  it('writes an ID past 2^53 with every digit', async () => {
    const fake = await standIn({ changes: { ResumeServerless: [{ answer: { FlowId: 9007199254740993n } }] } })
    const { text } = await call(fake, 'ResumeServerless', { ClusterId: 'cynosdbmysql-xxxx' })
    expect(text).toMatch(/^\{"Response":\{"FlowId":9007199254740993,"RequestId":"[0-9a-f-]{36}"\}\}$/)
  })

  it('still checks the request against the model', async () => {
    const fake = await standIn({ changes: { ModifyInstanceParam: [{ answer: { FlowId: 1 } }] } })
    const answer = await answerOf(fake, 'ModifyInstanceParam', { ...params, ClusterID: 'x' })
    expect(answer.Response.Error?.Code).toBe('UnknownParameter')
    expect(fake.requests.map((r) => r.answer)).toEqual(['UnknownParameter'])
  })

  it.each([
    {
      name: 'a field the response does not have',
      changes: { ModifyInstanceParam: [{ answer: { TaskId: 1 } }] },
      error:
        /changes "ModifyInstanceParam": \{"TaskId":1\} is not a ModifyInstanceParamResponse: The parameter `TaskId` is not recognized\./,
    },
    {
      name: 'a field of the wrong type',
      changes: { RestartInstance: [{ answer: { FlowId: '147262' } }] },
      error: /not a RestartInstanceResponse: The value type of parameter `FlowId` is not valid/,
    },
    {
      name: 'a wrong type deep inside',
      changes: { ModifyClusterReadOnly: [{ answer: { ClusterTaskIds: [{ ClusterId: 'c', TaskId: 1 }] } }] },
      error: /`ClusterTaskIds\.0\.TaskId`/,
    },
    {
      name: 'a RequestId',
      changes: { CreateAccounts: [{ answer: { RequestId: 'x' } }] },
      error: /RequestId is the stand-in's to give/,
    },
    {
      name: 'an action the model lacks',
      changes: { ModifyInstanceParams: [{ answer: {} }] },
      error: /not a CynosDB action \(nearest: ModifyInstanceParam/,
    },
    {
      name: 'an action the stand-in models itself',
      changes: { DescribeFlow: [{ answer: { Status: 0 } }] },
      error: /answers it from its other options/,
    },
    { name: 'no steps', changes: { CreateClusters: [] }, error: /a non-empty list of steps/ },
    {
      name: 'a step that is neither',
      changes: { CreateClusters: [{ status: 0 }] },
      error: /neither \{"answer":\{...\}\} nor a fault/,
    },
  ])('refuses, when it starts, $name', async ({ changes, error }) => {
    await expect(startFakeTencent({ changes: changes as unknown as FakeTencentOptions['changes'] })).rejects.toThrow(
      error,
    )
  })

  it("checks answers against the model it is given: a modified copy's response refuses the field it lacks", async () => {
    const model = structuredClone(API_MODELS.cynosdb) as ApiModel & { structs: Record<string, unknown> }
    model.structs.ModifyInstanceParamResponse = { RequestId: { type: 'string', required: false } }
    const changes = { ModifyInstanceParam: [{ answer: { FlowId: 1 } }] }
    await expect(startFakeTencent({ changes, models: { cynosdb: model } })).rejects.toThrow(
      /`FlowId` is not recognized/,
    )
  })
})
