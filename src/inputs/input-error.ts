import { quoted } from '../foreign-text.ts'

/** Bad input: the message names the input and says what it accepts. Nothing has been sent when it is thrown. */
export class InputError extends Error {
  override name = 'InputError'
}

/** Quotes an input for an error message: no line break or other control character gets through (foreign-text.ts). */
export const show = (value: string): string => quoted(value, 60)
