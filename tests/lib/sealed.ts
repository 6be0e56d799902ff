/**
 * Reading the results of the WASM core's sealing calls in tests.
 *
 * @module
 */

import { bytesToHex } from "../../mod.ts";
import type { SealedChain } from "../../src/backend.ts";

const dec = new TextDecoder();

/** Record `i`'s canonical text, for every record of `s`. */
export function sealedTexts(s: SealedChain): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.count; i++) {
    out.push(dec.decode(s.text.subarray(i ? s.ends[i - 1] : 0, s.ends[i])));
  }
  return out;
}

/** Record `i`'s hash as hex, for every record of `s`. */
export function sealedHashes(s: SealedChain): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.count; i++) out.push(bytesToHex(s.hashes.subarray(32 * i, 32 * i + 32)));
  return out;
}
