// QueryFilter as DescribeTasks and DescribeInstances take it, and the paging both share.
import type { Reply } from './context.ts'

export interface QueryFilter {
  readonly Names?: readonly string[]
  readonly Name?: string
  readonly Values: readonly string[]
  readonly ExactMatch?: boolean
}

/** A filter's field names (Names, or the single Name), lower-cased: QueryFilter's names are not case-sensitive. */
const filterNames = (filter: QueryFilter): string[] =>
  (filter.Names ?? (filter.Name ? [filter.Name] : [])).map((name) => name.toLowerCase())

/**
 * The first filter naming a field outside `known`, or none at all, as an error; the API's answer to one is not
 * documented, so the stand-in refuses it rather than ignore it.
 */
export function unknownFilter(filters: readonly QueryFilter[], known: readonly string[]): Reply | undefined {
  for (const filter of filters) {
    const names = filterNames(filter)
    const unknown = names.find((name) => !known.includes(name))
    if (names.length === 0 || unknown !== undefined) {
      return {
        error: 'InvalidParameterValue',
        message: `The filter field ${unknown === undefined ? '(none)' : JSON.stringify(unknown)} is not supported.`,
      }
    }
  }
  return undefined
}

/**
 * Whether a record passes every filter (AND); within one, any name holding any value (OR), as QueryFilter documents:
 * "多个值为 OR 关系". `fields` maps lower-cased names to the record's values; a `fuzzy` name matches by substring
 * unless ExactMatch.
 */
export const passes = (
  filters: readonly QueryFilter[],
  fields: ReadonlyMap<string, string>,
  fuzzy: ReadonlySet<string>,
): boolean =>
  filters.every((filter) =>
    filterNames(filter).some((name) => {
      const actual = fields.get(name) ?? ''
      return filter.Values.some((v) => (fuzzy.has(name) && !filter.ExactMatch ? actual.includes(v) : actual === v))
    }),
  )

/**
 * Limit and Offset, whole numbers once the model has checked them; the default Limit is the action's. No range is
 * documented for DescribeTasks: a negative one reads as 0 rather than as an invented error.
 */
export const page = (params: Record<string, unknown>, defaultLimit: number): { limit: number; offset: number } => ({
  limit: Math.max(0, params.Limit === undefined ? defaultLimit : Number(params.Limit)),
  offset: Math.max(0, params.Offset === undefined ? 0 : Number(params.Offset)),
})
