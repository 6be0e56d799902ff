/**
 * Errors raised while reading JSON text. Both backends (TypeScript and the
 * WebAssembly core) report the same code, message and byte offset for the
 * same input, so error handling never depends on the backend.
 *
 * @module
 */

/** Error codes shared with the WebAssembly core (`wasm/src/json.rs`). */
export const JsonErrorCode = {
  UNEXPECTED_END: 1,
  UNEXPECTED_CHAR: 2,
  INVALID_UTF8: 3,
  LONE_SURROGATE: 4,
  INVALID_ESCAPE: 5,
  CONTROL_CHAR: 6,
  INVALID_NUMBER: 7,
  NUMBER_OUT_OF_RANGE: 8,
  DUPLICATE_KEY: 9,
  TOO_DEEP: 10,
  TRAILING_DATA: 11,
} as const;

/** One of the {@link JsonErrorCode} values. */
export type JsonErrorCode = typeof JsonErrorCode[keyof typeof JsonErrorCode];

const MESSAGES: Record<number, string> = {
  1: "unexpected end of JSON input",
  2: "unexpected character",
  3: "invalid UTF-8",
  4: "lone surrogate escape in string",
  5: "invalid escape sequence",
  6: "unescaped control character in string",
  7: "invalid number",
  8: "number out of range for a double",
  9: "duplicate object key",
  10: "nesting deeper than 1000 levels",
  11: "unexpected data after the JSON value",
};

/** Maximum nesting of arrays and objects (the root container is level 1). */
export const MAX_DEPTH = 1000;

/**
 * A malformed or unacceptable JSON text. `offset` is the UTF-8 byte offset
 * where the problem starts (for a string input, the offset in its UTF-8
 * encoding).
 *
 * @example
 * ```ts
 * import { canonicalizeText, JsonSyntaxError } from "@aegis/sdk";
 * try {
 *   canonicalizeText('{"a":1,"a":2}');
 * } catch (e) {
 *   if (e instanceof JsonSyntaxError) console.log(e.code, e.offset); // 9 7
 * }
 * ```
 */
export class JsonSyntaxError extends SyntaxError {
  /** What went wrong, one of {@link JsonErrorCode}. */
  readonly code: JsonErrorCode;
  /** UTF-8 byte offset of the problem in the input. */
  readonly offset: number;

  /** Builds the error with its standard message: `<what> at byte <offset>`. */
  constructor(code: JsonErrorCode, offset: number) {
    super(`${MESSAGES[code] ?? "invalid JSON"} at byte ${offset}`);
    this.name = "JsonSyntaxError";
    this.code = code;
    this.offset = offset;
  }
}
