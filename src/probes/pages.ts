// One way to read a CynosDB listing (Limit/Offset, TotalCount): DescribeInstances, DescribeTasks.
import type { Page, Traced } from '../tencent/cynosdb.ts'

/** The largest page the listings take (Limit). */
export const PAGE = 100

/**
 * Reads pages from offset 0 until TotalCount is reached, a page is empty, or `maxPages` were read: a page past what
 * the step can use only comes from a server that counts wrong (or a listing whose order is not documented).
 */
export async function readPages<T>(
  read: (page: { readonly limit: number; readonly offset: number }) => Promise<Traced<Page<T>>>,
  maxPages: number,
): Promise<{ items: T[]; requestId: string | undefined }> {
  const items: T[] = []
  let requestId: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const answer = await read({ limit: PAGE, offset: page * PAGE })
    requestId = answer.requestId ?? requestId
    items.push(...answer.value.items)
    if ((page + 1) * PAGE >= answer.value.total || answer.value.items.length === 0) break
  }
  return { items, requestId }
}
