// Counting in words, one way everywhere: `1 request`, `3 requests`, `deals`, `a, b and 3 more`.

/** The word for n of it: `deal`, `deals`. */
export const plural = (n: number, word: string): string => (n === 1 ? word : `${word}s`)

/** `1 deal`, `3 deals`. */
export const counted = (n: number, word: string): string => `${n} ${plural(n, word)}`

/** The requests a wait sent, as its log lines and messages count them: `1 request`, `3 requests`. */
export const requestCount = (n: number): string => counted(n, 'request')

/** At most `max` of the items, joined, then how many more: `a, b and 3 more`. */
export function listed(items: readonly string[], max = 10, separator = ', '): string {
  const more = items.length - max
  return `${items.slice(0, max).join(separator)}${more > 0 ? ` and ${more} more` : ''}`
}
