/**
 * Hashes of JSON values: SHA-256 over their canonical JSON.
 *
 * @module
 */

import { canonicalJson } from "../canon/value.ts";
import type { CanonicalizeOptions } from "../canon/profile.ts";
import { bytesToHex } from "../encoding.ts";
import { sha256 } from "./sha256.ts";

/**
 * SHA-256 of `canonicalJson(value, options)`.
 *
 * @throws {TypeError} as `canonicalize` for values JSON cannot carry.
 * @example
 * ```ts
 * import { bytesToHex, hashObject } from "@aegis/sdk";
 * bytesToHex(hashObject({ b: 1, a: 2 })) === bytesToHex(hashObject({ a: 2, b: 1 })); // true
 * ```
 */
export function hashObject(value: unknown, options?: CanonicalizeOptions): Uint8Array {
  return sha256(canonicalJson(value, options));
}

/**
 * Lowercase hex of {@link hashObject}.
 *
 * @example
 * ```ts
 * import { hashObjectHex } from "@aegis/sdk";
 * hashObjectHex({ a: 1 }, { profile: "aegisd" }).length; // 64
 * ```
 */
export function hashObjectHex(value: unknown, options?: CanonicalizeOptions): string {
  return bytesToHex(hashObject(value, options));
}
