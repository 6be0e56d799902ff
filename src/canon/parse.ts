/**
 * A `JSON.parse` replacement for texts whose data gets hashed or verified.
 *
 * @module
 */

import { decodeJsonInput, JsonReader } from "./reader.ts";

/**
 * Parses a JSON text (string or UTF-8 bytes) into plain values with this
 * module's own reader, immune to the `JSON.parse` key-decoding bug of
 * Deno 2.6–2.9. Stricter than `JSON.parse`: duplicate keys, lone-surrogate
 * escapes, invalid UTF-8 and nesting over 1000 are errors. A `"__proto__"`
 * key becomes an ordinary own property.
 *
 * @throws {JsonSyntaxError} (a `SyntaxError`) with the UTF-8 byte offset.
 * @example
 * ```ts
 * import { parseJson } from "@aegis/sdk";
 * parseJson('{"a":[1,2.5,"\\u00e9"]}'); // { a: [1, 2.5, "é"] }
 * ```
 */
export function parseJson(text: string | Uint8Array): unknown {
  const r = new JsonReader(decodeJsonInput(text));
  r.ws();
  const v = r.value();
  r.end();
  return v;
}
