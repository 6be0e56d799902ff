/**
 * The two canonical JSON forms this module speaks.
 *
 * - `"rfc8785"`: RFC 8785 as written — keys sorted by UTF-16 code units,
 *   numbers in ES6 form with `-0` → `0`, strings escaped as `JSON.stringify`.
 * - `"aegisd"`: what aegisd's Go code emits — keys sorted by Unicode code
 *   point (UTF-8 byte order), `< > &` U+2028 U+2029 escaped as `\u003c`
 *   `\u003e` `\u0026` `\u2028` `\u2029`, and `-0` printed as `-0`.
 *
 * @module
 */

/** Name of a canonical JSON profile. */
export type CanonicalProfile = "rfc8785" | "aegisd";

/** Options accepted by the canonicalization functions. */
export interface CanonicalizeOptions {
  /** Which canonical form to produce. Defaults to `"rfc8785"`. */
  profile?: CanonicalProfile;
}

/** Resolves and validates `options.profile`. */
export function resolveProfile(options: CanonicalizeOptions | undefined): CanonicalProfile {
  const p = options?.profile ?? "rfc8785";
  if (p !== "rfc8785" && p !== "aegisd") {
    throw new TypeError(
      `unknown canonical profile ${JSON.stringify(p)}; use "rfc8785" or "aegisd"`,
    );
  }
  return p;
}
