// Tencent Cloud's own model of an API, generated from the official SDK's type definitions by
// scripts/gen-api-model.ts, and the one check of a request against it. Pure and free of I/O: the model comes in as
// data (scripts/lib/api-model/*.json for the stand-in and tests, cynosdb-requests.json to bundle with the action).
//
// The problems are the API's own error codes with the API's own message wording, so a request refused here reads
// like the answer Tencent Cloud would have sent. Wordings seen in real answers:
//   MissingParameter  "The request is missing a required parameter `Timestamp`."
//                     (TencentCloud/tencentcloud-sdk-nodejs#99, TencentCloud/tencentcloud-sdk-php#114)
//   UnknownParameter  "The parameter `$schema` is not recognized." (NewFuture/DDNS#575)
//   InvalidParameter  "The value type of parameter `PersonExDescriptionInfos.0.PersonExDescriptionIndex` is not valid."
//                     (tccli's documented examples for iai/bda; nested fields are named with dots and indexes)
//   InvalidAction     "The request action=`X` is invalid or not found in service=`tcbr` and version=`2022-02-17`."
//                     (TencentCloudBase/CloudBase-AI-Toolkit#301, as the API answered it)
//   InvalidParameterValue
//                     "The Limit parameter value is invalid and should meet the rule: [0,100]"
//                     (tencentcloudstack/terraform-provider-tencentcloud#772; a PostgreSQL answer: CynosDB's own
//                     wording for a value out of range is not documented)
// Only the top-level name is documented for MissingParameter and UnknownParameter; a nested one is named here as
// InvalidParameter names it (`Filters.0.Names`).

/** `string`, `number`, `boolean`, a struct's name, or any of those followed by `[]`. */
export type FieldType = string

export interface FieldModel {
  readonly type: FieldType
  readonly required: boolean
  /** The SDK marks the field "may return null": null then means absent. */
  readonly nullable?: boolean
}

export type StructModel = Readonly<Record<string, FieldModel>>

export interface ActionModel {
  /** The struct of the action's parameters. */
  readonly request: string
  /** The struct of its answer (the full model in scripts/lib/api-model/). */
  readonly response?: string
  /** The answer's top-level fields but RequestId (the bundled model, which carries no response structs). */
  readonly answers?: readonly string[]
  /** What the answer holds to wait on, found by scanning it (the bundled model; src/tencent/meaning.ts). */
  readonly handles?: readonly { readonly path: string; readonly names: string; readonly nullable: boolean }[]
}

export interface ApiModel {
  /** Where the model comes from, e.g. `tencentcloud-sdk-nodejs@4.1.313`. */
  readonly sdk: string
  readonly service: string
  readonly version: string
  readonly actions: Readonly<Record<string, ActionModel>>
  readonly structs: Readonly<Record<string, StructModel>>
}

export type ProblemCode =
  'InvalidAction' | 'UnknownParameter' | 'InvalidParameter' | 'MissingParameter' | 'InvalidParameterValue'

export interface ModelProblem {
  readonly code: ProblemCode
  /** Where, for people: `Filters[0].Names`; empty for the action or the whole body. */
  readonly path: string
  /** As the API words it. */
  readonly message: string
  /** Valid names nearest to an unknown one (action or parameter), nearest first. */
  readonly suggestions: string[]
  /** For a wrong type: what the model expects and what was given, beyond the API's own words. */
  readonly expected?: string
}

/**
 * What the docs say about a value beyond its JSON type. The SDK's model has one `number` for the docs' Integer and
 * Float, so `integer` comes from the doc pages, which give the type of each parameter.
 */
interface ValueRule {
  readonly integer?: boolean
  readonly min?: number
  readonly max?: number
  /** For strings: the whole value must match. */
  readonly pattern?: RegExp
  /** How the rule reads in the InvalidParameterValue message. */
  readonly rule?: string
}

/** service -> action -> top-level parameter -> rule. Each one cites where it is documented. */
const VALUE_RULES: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, ValueRule>>>>>> = {
  cynosdb: {
    // DescribeFlow page: "FlowId Yes Integer".
    DescribeFlow: { FlowId: { integer: true } },
    // DescribeTasks page (tencentcloud.com/document/product/1098/74199): Limit and Offset are Integer; no range and
    // no default are documented, so none is checked.
    DescribeTasks: { Limit: { integer: true }, Offset: { integer: true } },
    // cynosdb_models.d.ts, DescribeInstancesRequest: Limit "默认为 20，取值范围为(0,100]" (default 20, range (0,100]);
    // Offset "默认值为0" (default 0), no range documented. Both Integer on the DescribeInstances page.
    DescribeInstances: { Limit: { integer: true, min: 1, max: 100, rule: '(0,100]' }, Offset: { integer: true } },
  },
  sts: {
    AssumeRoleWithWebIdentity: {
      // sts_models.d.ts: DurationSeconds "默认 7200 秒，最长可设定有效期为 43200 秒" (default 7200, at most 43200);
      // Integer on the AssumeRoleWithWebIdentity page. No minimum is documented.
      DurationSeconds: { integer: true, max: 43200, rule: '<=43200' },
      // Documented for AssumeRole's RoleSessionName (tccli's api.json for sts 2018-08-13: "长度在2到128之间，可包含大小写
      // 字符，数字以及特殊字符：=,.@_-"): 2 to 128 letters, digits and =,.@_-. The AssumeRoleWithWebIdentity page only
      // says "Session name"; the same rule is assumed for it.
      RoleSessionName: { pattern: /^[\w=,.@-]{2,128}$/, rule: '[\\w=,.@-]{2,128}' },
    },
  },
}

type Segment = string | number

/** `Filters.0.Names`, as the API names a nested parameter in its messages. */
const apiName = (path: readonly Segment[]): string => path.join('.')
/** `Filters[0].Names`, for people. */
const displayPath = (path: readonly Segment[]): string =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const problem = (
  code: ProblemCode,
  path: readonly Segment[],
  message: string,
  suggestions: string[] = [],
): ModelProblem => ({ code, path: displayPath(path), message, suggestions })

/** A model type in words: `an array of strings`, `a number`, `an object (Tag)`. */
function typeWords(type: FieldType): string {
  if (type.endsWith('[]'))
    return `an array of ${typeWords(type.slice(0, -2))
      .replace(/^an? /, '')
      .replace(/^(\w+)/, '$1s')}`
  if (type === 'string' || type === 'number' || type === 'boolean') return `a ${type}`
  return `an object (${type})`
}

/** A JSON value's type in words: `a string`, `an array`, `null`. */
function valueWords(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'bigint') return 'a number'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** The API's wording, and apart from it what the model expects and what was given (a new user's commonest mistake). */
const typeProblem = (path: readonly Segment[], type?: FieldType, value?: unknown): ModelProblem => ({
  ...problem('InvalidParameter', path, `The value type of parameter \`${apiName(path)}\` is not valid.`),
  ...(type === undefined ? {} : { expected: `expected ${typeWords(type)}, got ${valueWords(value)}` }),
})

/**
 * Every way `params` breaks the model of `action`, at any depth: an unknown action or parameter (with the nearest
 * valid names), a wrong JSON type, a missing required parameter, a value outside its documented range. Empty when
 * the request fits. Numbers may be bigints (IDs past 2^53, parsed without losing digits).
 */
export function checkRequest(model: ApiModel, action: string, params: unknown): ModelProblem[] {
  if (!Object.hasOwn(model.actions, action)) {
    return [
      problem(
        'InvalidAction',
        [],
        `The request action=\`${action}\` is invalid or not found in service=\`${model.service}\` and version=\`${model.version}\`.`,
        nearestNames(action, Object.keys(model.actions)),
      ),
    ]
  }
  // The API's wording for a body that is not a JSON object is not documented.
  if (!isObject(params)) return [problem('InvalidParameter', [], 'The request body must be a JSON object.')]
  const actionModel = model.actions[action] as ActionModel
  const problems = checkStruct(model, actionModel.request, params)
  const rules = Object.hasOwn(VALUE_RULES, model.service) ? VALUE_RULES[model.service]?.[action] : undefined
  for (const [name, rule] of Object.entries(rules ?? {})) {
    // a value of the wrong type has its problem already
    if (!problems.some((p) => p.path === name)) problems.push(...checkRule(name, params[name], rule))
  }
  return problems
}

/**
 * Every way `value` breaks struct `name` of the model: unknown fields, wrong types, missing required fields.
 * Also checks answers against a response struct, whose fields are all optional (`answer`: then null is allowed
 * where the model marks a field "may return null").
 */
export function checkStruct(
  model: ApiModel,
  name: string,
  value: unknown,
  path: readonly Segment[] = [],
  answer = false,
): ModelProblem[] {
  const struct = Object.hasOwn(model.structs, name) ? model.structs[name] : undefined
  if (struct === undefined) throw new Error(`the ${model.service} model has no struct ${name}`)
  if (!isObject(value)) return [typeProblem(path, name, value)]
  const problems: ModelProblem[] = []
  const fields = Object.keys(struct)
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue // absent, as JSON.stringify would send it
    const at = [...path, key]
    if (!Object.hasOwn(struct, key)) {
      problems.push(
        problem(
          'UnknownParameter',
          at,
          `The parameter \`${apiName(at)}\` is not recognized.`,
          nearestNames(key, fields),
        ),
      )
    } else if (!(answer && field === null && struct[key]?.nullable)) {
      // in a request, null is not absent: the official SDK drops nulls before sending, so the API's answer to one
      // is not known
      problems.push(...checkType(model, (struct[key] as FieldModel).type, field, at, answer))
    }
  }
  for (const [key, field] of Object.entries(struct)) {
    if (field.required && value[key] === undefined) {
      const at = [...path, key]
      problems.push(problem('MissingParameter', at, `The request is missing a required parameter \`${apiName(at)}\`.`))
    }
  }
  return problems
}

function checkType(
  model: ApiModel,
  type: FieldType,
  value: unknown,
  path: readonly Segment[],
  answer: boolean,
): ModelProblem[] {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return [typeProblem(path, type, value)]
    return value.flatMap((item, i) => checkType(model, type.slice(0, -2), item, [...path, i], answer))
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? [] : [typeProblem(path, type, value)]
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint'
        ? []
        : [typeProblem(path, type, value)]
    case 'boolean':
      return typeof value === 'boolean' ? [] : [typeProblem(path, type, value)]
    default:
      return checkStruct(model, type, value, path, answer)
  }
}

function checkRule(name: string, value: unknown, rule: ValueRule): ModelProblem[] {
  if (value === undefined) return []
  // A number that is not a whole one where the docs say Integer is a wrong type, as the API's own typing sees it.
  if (rule.integer && !(typeof value === 'bigint' || Number.isInteger(value))) return [typeProblem([name])]
  const n = typeof value === 'bigint' ? Number(value) : value
  const outside =
    (typeof n === 'number' && ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max))) ||
    (typeof value === 'string' && rule.pattern !== undefined && !rule.pattern.test(value))
  if (!outside) return []
  return [
    problem(
      'InvalidParameterValue',
      [name],
      `The ${name} parameter value is invalid and should meet the rule: ${rule.rule ?? ''}`,
    ),
  ]
}

/**
 * Up to `max` of `candidates` nearest to `name` by edit distance, ignoring case, nearest first (ties by name).
 * Only close ones count (a quarter of the name's length in edits, at least 2): a name far from every
 * candidate gets no suggestion rather than three unrelated ones.
 */
export function nearestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const wanted = name.toLowerCase()
  const limit = Math.max(2, Math.floor(wanted.length / 4))
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(wanted, candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= limit)
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0))
    .slice(0, max)
    .map(({ candidate }) => candidate)
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
