// Tencent Cloud's own model of an API, generated from the official SDK's type definitions by
// scripts/gen-api-model.ts: scripts/lib/api-model/*.json for the stand-in and tests, cynosdb-requests.json to bundle
// with the action.

/** `string`, `number`, `boolean`, a struct's name, or any of those followed by `[]`. */
export type FieldType = string

export interface FieldModel {
  readonly type: FieldType
  readonly required: boolean
}

export type StructModel = Readonly<Record<string, FieldModel>>

export interface ActionModel {
  /** The struct of the action's parameters. */
  readonly request: string
  /** The struct of its answer (the full model in scripts/lib/api-model/). */
  readonly response?: string
  /** The answer's top-level fields but RequestId (the bundled model, which carries no response structs). */
  readonly answers?: readonly string[]
}

export interface ApiModel {
  /** Where the model comes from, e.g. `tencentcloud-sdk-nodejs@4.1.313`. */
  readonly sdk: string
  readonly service: string
  readonly version: string
  readonly actions: Readonly<Record<string, ActionModel>>
  readonly structs: Readonly<Record<string, StructModel>>
}
