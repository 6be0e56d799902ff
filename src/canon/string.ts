/**
 * String rules of both canonical profiles: escaping, well-formedness, and
 * key order (UTF-16 code units for RFC 8785, code points for aegisd).
 *
 * @module
 */

import type { CanonicalProfile } from "./profile.ts";

const AEGISD_EXTRA = /[<>&\u2028\u2029]/;
const AEGISD_EXTRA_G = /[<>&\u2028\u2029]/g;
const AEGISD_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// deno-lint-ignore no-explicit-any
const nativeWellFormed: ((this: string) => boolean) | undefined = (String.prototype as any)
  .isWellFormed;

/** True when `s` has no lone surrogate (so it has an exact UTF-8 form). */
export function isWellFormed(s: string): boolean {
  return nativeWellFormed ? nativeWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

/**
 * The canonical JSON string literal for `s` (quotes included). `s` must be
 * well formed. RFC 8785 escapes exactly as `JSON.stringify`; aegisd adds
 * `< > &` U+2028 U+2029 as `\u003c \u003e \u0026 \u2028 \u2029` (Go's
 * `encoding/json` HTML-safe escaping).
 */
export function quoteString(s: string, profile: CanonicalProfile): string {
  const q = JSON.stringify(s);
  if (profile === "aegisd" && AEGISD_EXTRA.test(q)) {
    return q.replace(AEGISD_EXTRA_G, (c) => AEGISD_ESCAPES[c]);
  }
  return q;
}

/**
 * Compares two strings by Unicode code point (equivalently, by UTF-8 bytes),
 * the order of Go's `sort.Strings`. Differs from the default UTF-16 order
 * only when a surrogate pair meets a code unit in U+E000–U+FFFF.
 *
 * @example
 * ```ts
 * import { compareCodePoints } from "@aegis/sdk";
 * compareCodePoints("\u{1F600}", "\uE000") > 0; // true (JS `<` orders them the other way)
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates above U+E000–U+FFFF: astral code points sort last.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Compares two strings by UTF-16 code units (RFC 8785 key order). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const HIGH_BMP = /[\ud800-\uffff]/;

/** Sorts `keys` in place in the key order of `profile`. */
export function sortKeys(keys: string[], profile: CanonicalProfile): string[] {
  if (keys.length < 2) return keys;
  if (profile === "aegisd") {
    for (let i = 0; i < keys.length; i++) {
      if (HIGH_BMP.test(keys[i])) return keys.sort(compareCodePoints);
    }
  }
  return keys.sort();
}
