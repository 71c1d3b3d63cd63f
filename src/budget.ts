// What a request may use of the step, given by whoever asks for it (the waiting engine, the task details, the key
// source): a leaf module, so the engine, the API and the credentials share the type without importing each other.

export interface RequestBudget {
  /** Stop when this aborts: cancellation, or the wait ending. */
  readonly signal: AbortSignal
  /** On the step's monotonic clock: a request that could only start later is refused (DeadlineError). */
  readonly notAfter: number
  /** Told of every Tencent Cloud request that goes out for this budget: the waiting engine counts them. */
  readonly sent?: (() => void) | undefined
}
