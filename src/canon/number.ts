/**
 * Number rules: ES6 `Number.prototype.toString` form, which both RFC 8785
 * and Go's `encoding/json` print for float64 — except that aegisd keeps the
 * sign of negative zero.
 *
 * @module
 */

import type { CanonicalProfile } from "./profile.ts";

/** The canonical text of a finite number in `profile`. */
export function formatNumber(n: number, profile: CanonicalProfile): string {
  if (n === 0) return profile === "aegisd" && Object.is(n, -0) ? "-0" : "0";
  return String(n);
}
