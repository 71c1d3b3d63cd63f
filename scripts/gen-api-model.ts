// npm run gen-model: Tencent Cloud's model of the CynosDB and STS APIs, read from the official SDK's type definitions
// (devDependency tencentcloud-sdk-nodejs) with the TypeScript compiler, written as JSON:
//   scripts/lib/api-model/cynosdb.json, sts.json  every action and every struct its request or answer uses, for the
//                                                 stand-in and the tests
//   src/tencent/cynosdb-requests.json             CynosDB's requests, the names of each answer's fields, and the
//                                                 handles each answer holds to wait on (bundled, so compact): for
//                                                 the action to check a call before sending it and to read what
//                                                 its answer gives to wait for (src/tencent/meaning.ts)
// Keys are sorted, so regenerating from the same SDK is byte-identical; test/api-model.test.ts fails when the
// committed files are not what the installed SDK says. After updating the SDK, run this and commit the result.
import { readFileSync, writeFileSync } from 'node:fs'
import ts from 'typescript'
import type { ApiModel, FieldModel, StructModel } from '../src/tencent/api-model.ts'
import { HANDLE_FIELDS, type Handle } from '../src/tencent/meaning.ts'

const ROOT = new URL('../', import.meta.url)
const SDK = new URL('node_modules/tencentcloud-sdk-nodejs/', ROOT)

/** The services the project talks to: its directory in the SDK and the API version. */
const SERVICES = [
  { service: 'cynosdb', dir: 'v20190107' },
  { service: 'sts', dir: 'v20180813' },
] as const

export const OUTPUTS = {
  cynosdb: new URL('scripts/lib/api-model/cynosdb.json', ROOT),
  sts: new URL('scripts/lib/api-model/sts.json', ROOT),
  requests: new URL('src/tencent/cynosdb-requests.json', ROOT),
} as const

/** The bundled model: requests only, each action with its answer's top-level field names and its handles. */
export interface RequestModel extends ApiModel {
  readonly actions: Readonly<
    Record<
      string,
      { readonly request: string; readonly answers: readonly string[]; readonly handles?: readonly Handle[] }
    >
  >
}

/** The SDK's mark on a field the API may answer as null: 注意：此字段可能返回 null，表示取不到有效值。 */
const MAY_BE_NULL = '此字段可能返回 null'

/** The files' contents, exactly as they are to be written. */
export function generate(): Record<keyof typeof OUTPUTS, string> {
  const sdk = `tencentcloud-sdk-nodejs@${(JSON.parse(readFileSync(new URL('package.json', SDK), 'utf8')) as { version: string }).version}`
  const [cynosdb, sts] = SERVICES.map(({ service, dir }) => readService(sdk, service, dir)) as [ApiModel, ApiModel]
  return {
    cynosdb: `${JSON.stringify(sorted(cynosdb), null, 2)}\n`,
    sts: `${JSON.stringify(sorted(sts), null, 2)}\n`,
    requests: `${JSON.stringify(sorted(requestsOnly(cynosdb)))}\n`,
  }
}

function readService(sdk: string, service: string, dir: string): ApiModel {
  const file = (kind: string): URL => new URL(`tencentcloud/services/${service}/${dir}/${service}_${kind}.d.ts`, SDK)
  const actions = readActions(parse(file('client')))
  const declared = readStructs(parse(file('models')))
  const structs: Record<string, StructModel> = {}
  const visit = (name: string): void => {
    if (Object.hasOwn(structs, name)) return
    const struct = declared.get(name)
    if (!struct) throw new Error(`${service}: ${name} is used but not declared in ${service}_models.d.ts`)
    structs[name] = struct
    for (const field of Object.values(struct)) {
      const type = field.type.replace(/(\[\])+$/, '')
      if (!['string', 'number', 'boolean'].includes(type)) visit(type)
    }
  }
  for (const action of Object.values(actions)) {
    visit(action.request)
    visit(action.response)
  }
  // v20190107 -> 2019-01-07, the version the client sends (X-TC-Version)
  const version = dir.replace(/^v(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')
  return { sdk, service, version, actions, structs }
}

function parse(file: URL): ts.SourceFile {
  return ts.createSourceFile(file.pathname, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
}

/** The client's methods: `Action(req: ActionRequest, cb?): Promise<ActionResponse>`. */
function readActions(client: ts.SourceFile): Record<string, { request: string; response: string }> {
  const actions: Record<string, { request: string; response: string }> = {}
  const cls = client.statements.find(ts.isClassDeclaration)
  if (!cls) throw new Error(`${client.fileName}: no client class`)
  for (const member of cls.members) {
    if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name)) continue
    const request = member.parameters[0]?.type
    const answer = member.type
    if (
      !request ||
      !ts.isTypeReferenceNode(request) ||
      !answer ||
      !ts.isTypeReferenceNode(answer) ||
      answer.typeName.getText() !== 'Promise' ||
      !answer.typeArguments?.[0]
    ) {
      throw new Error(`${client.fileName}: ${member.name.text} is not Action(req: Request, cb?): Promise<Response>`)
    }
    actions[member.name.text] = { request: request.typeName.getText(), response: answer.typeArguments[0].getText() }
  }
  return actions
}

/** Every interface of the models file as a struct; `type X = null` (an action without parameters) as an empty one. */
function readStructs(models: ts.SourceFile): Map<string, StructModel> {
  const structs = new Map<string, StructModel>()
  for (const statement of models.statements) {
    if (ts.isInterfaceDeclaration(statement)) {
      const fields: Record<string, FieldModel> = {}
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name)) {
          throw new Error(`${statement.name.text}: unexpected member ${member.getText()}`)
        }
        const nullable = ts.getJSDocCommentsAndTags(member).some((doc) => doc.getText().includes(MAY_BE_NULL))
        fields[member.name.text] = {
          type: fieldType(member.type),
          required: member.questionToken === undefined,
          ...(nullable ? { nullable } : {}),
        }
      }
      structs.set(statement.name.text, fields)
    } else if (ts.isTypeAliasDeclaration(statement)) {
      if (statement.type.kind !== ts.SyntaxKind.LiteralType || statement.type.getText() !== 'null') {
        throw new Error(`unexpected type alias ${statement.getText()}`)
      }
      structs.set(statement.name.text, {})
    }
  }
  return structs
}

/** A field's type in the model's notation; anything the SDK has not used so far stops the generator. */
function fieldType(node: ts.TypeNode): string {
  if (node.kind === ts.SyntaxKind.StringKeyword) return 'string'
  if (node.kind === ts.SyntaxKind.NumberKeyword) return 'number'
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return 'boolean'
  if (ts.isArrayTypeNode(node)) return `${fieldType(node.elementType)}[]`
  // `number | bigint`: an integer that may pass 2^53, a JSON number on the wire
  if (ts.isUnionTypeNode(node) && node.types.map((t) => t.getText()).join('|') === 'number|bigint') return 'number'
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText()
    const [item] = node.typeArguments ?? []
    if (name === 'Array' && item && node.typeArguments?.length === 1) return `${fieldType(item)}[]`
    if (!node.typeArguments) return name
  }
  throw new Error(`unexpected field type ${node.getText()}`)
}

function requestsOnly(model: ApiModel): RequestModel {
  const structs: Record<string, StructModel> = {}
  const visit = (name: string): void => {
    if (Object.hasOwn(structs, name)) return
    const struct = model.structs[name] ?? {}
    structs[name] = struct
    for (const field of Object.values(struct)) {
      const type = field.type.replace(/(\[\])+$/, '')
      if (Object.hasOwn(model.structs, type)) visit(type)
    }
  }
  const actions: Record<string, { request: string; answers: string[]; handles?: Handle[] }> = {}
  for (const [name, action] of Object.entries(model.actions)) {
    visit(action.request)
    const answers = Object.keys(model.structs[action.response ?? ''] ?? {}).filter((field) => field !== 'RequestId')
    const handles = handlesIn(model, action.response ?? '')
    actions[name] = { request: action.request, answers: answers.sort(), ...(handles.length > 0 ? { handles } : {}) }
  }
  return { sdk: model.sdk, service: model.service, version: model.version, actions, structs }
}

/**
 * Every field of an answer, at any depth, that names something to wait on (HANDLE_FIELDS): its path
 * (`VaultTask[].TaskId`), what it names, and whether the model says it may be null on the way there.
 */
function handlesIn(model: ApiModel, struct: string, path = '', nullable = false, seen = new Set<string>()): Handle[] {
  const handles: Handle[] = []
  for (const [field, spec] of Object.entries(model.structs[struct] ?? {})) {
    const type = spec.type.replace(/(\[\])+$/, '')
    const here = `${path}${field}${spec.type.slice(type.length)}`
    const mayBeNull = nullable || spec.nullable === true
    const names = HANDLE_FIELDS[field as keyof typeof HANDLE_FIELDS] as Handle['names'] | undefined
    if (names && ['string', 'number', 'string[]', 'number[]'].includes(spec.type)) {
      handles.push({ path: here, names, nullable: mayBeNull })
    } else if (Object.hasOwn(model.structs, type) && !seen.has(type)) {
      handles.push(...handlesIn(model, type, `${here}.`, mayBeNull, new Set([...seen, type])))
    }
  }
  return handles
}

/** A copy with every object's keys in order (arrays keep theirs). */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
  )
}

if (import.meta.main) {
  for (const [name, text] of Object.entries(generate())) {
    const file = OUTPUTS[name as keyof typeof OUTPUTS]
    writeFileSync(file, text)
    console.log(`gen-model: ${file.pathname.slice(ROOT.pathname.length)} (${text.length} bytes)`)
  }
}
