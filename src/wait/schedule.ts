// When to poll next. With no poll-interval input the gap is a tenth of the time already waited, at least 1.25 s
// and at most 10 s:
//   0, 1.25, 2.5, … 12.5 s, then each gap 10% longer, reaching 10 s at 100 s.
// So a flow is seen at most max(1.25 s, 10% of its length) after it ended (the goal: max(1.5 s, 10%)), and a
// long one costs 6 calls a minute. The goals and the measurements are in the README's Performance section
// (npm run bench, which simulates flows of 1 s to 6 h on the real engine).
export type Schedule = (elapsedMs: number) => number

export const MIN_GAP_MS = 1250
export const MAX_GAP_MS = 10_000

export const adaptiveSchedule: Schedule = (elapsedMs) => Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, elapsedMs / 10))

export const fixedSchedule =
  (gapMs: number): Schedule =>
  () =>
    gapMs
