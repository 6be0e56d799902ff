/**
 * Canonical form of a JSON *text*, computed without `JSON.parse`.
 *
 * @module
 */

import { accelerator } from "../backend.ts";
import { type CanonicalizeOptions, resolveProfile } from "./profile.ts";
import { decodeJsonInput, JsonReader } from "./reader.ts";
import { isWellFormed } from "./string.ts";

const ENCODER = new TextEncoder();

/**
 * The canonical form of a JSON text (string or UTF-8 bytes), read by this
 * module's own parser — never `JSON.parse`, whose key decoding is broken on
 * some Deno versions. Any valid number text becomes the ES6 form of the
 * nearest double (`4.50` → `4.5`, `1E30` → `1e+30`); escapes are decoded and
 * re-emitted canonically.
 *
 * @throws {JsonSyntaxError} (a `SyntaxError`) with the UTF-8 byte offset for
 * malformed JSON, duplicate keys, invalid UTF-8, lone-surrogate escapes,
 * numbers beyond the double range, nesting over 1000, and trailing data.
 * @example
 * ```ts
 * import { canonicalizeText } from "@aegis/sdk";
 * canonicalizeText('{ "b": 4.50, "a": "\\u0041" }'); // '{"a":"A","b":4.5}'
 * canonicalizeText('{"x":1E30,"y":"<"}', { profile: "aegisd" }); // '{"x":1e+30,"y":"\\u003c"}'
 * ```
 */
export function canonicalizeText(json: string | Uint8Array, options?: CanonicalizeOptions): string {
  const profile = resolveProfile(options);
  const acc = accelerator();
  if (acc) {
    if (typeof json !== "string") return acc.canonicalizeText(json, profile);
    if (isWellFormed(json)) return acc.canonicalizeText(ENCODER.encode(json), profile);
  }
  return canonicalizeTextTs(json, profile === "aegisd" ? "aegisd" : "rfc8785");
}

/** The pure-TypeScript implementation of {@link canonicalizeText}. */
export function canonicalizeTextTs(
  json: string | Uint8Array,
  profile: "rfc8785" | "aegisd",
): string {
  const r = new JsonReader(decodeJsonInput(json));
  r.ws();
  const out = r.canon(profile);
  r.end();
  return out;
}
