// A change whose end the API shows only as a status (an isolation, the audit service, an audit log file, a spec
// change): each round reads it with its Describe action and judges the answer (tencent/meaning.ts, STATUS_ENDS).
import type { StepApi } from '../api.ts'
import { forLog } from '../foreign-text.ts'
import { classOf } from '../tencent/errors.ts'
import type { StatusEnd, StatusReading } from '../tencent/meaning.ts'
import { rowName, type Probe, type Row } from '../wait/probe.ts'

export function statusProbe(end: StatusEnd, api: Pick<StepApi, 'read'>): Probe {
  const { kind } = end
  const name = rowName(end)
  const payload = JSON.stringify(end.read.parameters)
  return {
    name,
    rows: [{ kind, id: end.id, result: 'unknown', state: `not read yet (${end.read.action})` }],
    async check(budget) {
      const read = await api.read(end.read.action, payload, budget).catch((error: unknown) => {
        if (end.goneIsDone && classOf(error) === 'not-found') return undefined
        throw error
      })
      const reading: StatusReading = read ? end.judge(read.value) : { result: 'succeeded', state: 'no longer listed' }
      const row: Row = {
        kind,
        id: end.id,
        result: reading.result,
        state: reading.state,
        cause: reading.result === 'failed' ? (reading.cause ?? `its status is ${reading.state}`) : undefined,
      }
      return { rows: [row], line: `${forLog(name)}: ${forLog(reading.state)}`, requestId: read?.requestId }
    },
  }
}
