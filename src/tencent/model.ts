// The CynosDB API model the action bundles: every action's request struct and its answer's field names, from the
// official SDK (scripts/gen-api-model.ts writes cynosdb-requests.json; a test fails when it and the SDK disagree).
import type { ApiModel } from './api-model.ts'
import cynosdbRequests from './cynosdb-requests.json' with { type: 'json' }

export const CYNOSDB_MODEL = cynosdbRequests as ApiModel
