// A change whose end the API shows only as a status (an isolation, the audit service, an audit log file, a spec
// change): each round reads it with its Describe action and judges the answer (tencent/meaning.ts, STATUS_ENDS).
import type { StepApi } from '../api.ts'
import { forLog } from '../foreign-text.ts'
import type { StatusEnd } from '../tencent/meaning.ts'
import type { Probe, Row } from '../wait/probe.ts'

export function statusProbe(end: StatusEnd, api: Pick<StepApi, 'read'>): Probe {
  const kind = end.kind
  const name = `${kind.charAt(0).toUpperCase()}${kind.slice(1)} ${end.id}`
  const payload = JSON.stringify(end.read.parameters)
  return {
    name,
    rows: [{ kind, id: end.id, result: 'unknown', state: `not read yet (${end.read.action})` }],
    async check(budget) {
      const answer = await api.read(end.read.action, payload, budget)
      const reading = end.judge(answer.value)
      const row: Row = {
        kind,
        id: end.id,
        result: reading.result,
        state: reading.state,
        cause: reading.result === 'failed' ? (reading.cause ?? `its status is ${reading.state}`) : undefined,
      }
      return { rows: [row], line: `${forLog(name)}: ${forLog(reading.state)}`, requestId: answer.requestId }
    },
  }
}
