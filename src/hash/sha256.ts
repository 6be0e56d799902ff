/**
 * SHA-256 (FIPS 180-4): one-shot `sha256(msg)` and incremental
 * `sha256.create()`. Uses the WebAssembly core when it is active, the pure
 * TypeScript implementation otherwise; both give the same digest.
 *
 * @module
 */

import { accelerator } from "../backend.ts";
import { Sha256, sha256Ts, toBytes } from "./sha256_core.ts";

export { Sha256 };

const ENCODER = new TextEncoder();

/** The one-shot SHA-256 function, with `create()` for incremental hashing. */
export interface Sha256Function {
  /** SHA-256 of `data` (a string is hashed as its UTF-8 bytes). */
  (data: Uint8Array | string): Uint8Array;
  /** A fresh incremental hasher. */
  create(): Sha256;
  /** Digest size in bytes (32). */
  readonly outputLen: number;
  /** Block size in bytes (64). */
  readonly blockLen: number;
}

function sha256Impl(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? ENCODER.encode(data) : toBytes(data);
  const acc = accelerator();
  return acc ? acc.sha256(bytes) : sha256Ts(bytes);
}

/**
 * SHA-256 of a message. Strings are hashed as UTF-8.
 *
 * @example
 * ```ts
 * import { bytesToHex, sha256 } from "@aegis/sdk";
 * bytesToHex(sha256("abc"));
 * // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 *
 * const h = sha256.create();
 * h.update("a").update(new TextEncoder().encode("bc"));
 * bytesToHex(h.digest()); // same digest
 * ```
 */
export const sha256: Sha256Function = Object.assign(sha256Impl, {
  create: (): Sha256 => new Sha256(),
  outputLen: 32,
  blockLen: 64,
});
