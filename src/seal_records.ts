/**
 * The record text the WebAssembly core seals: the JSON text of
 * `[[event_type, payload, seq, session_id, tenant_id, ts_unix_ms, user_id], …]`,
 * in the hashed key order so the core writes each envelope in one pass.
 * Pure TypeScript, shared by the envelope layer and the WASM glue.
 *
 * @module
 */

import { accelerator } from "./backend.ts";
import { canonicalizeAt } from "./canon/value.ts";
import { hexToBytes } from "./encoding.ts";

/** The fields of one record to seal. */
export interface SealRecord {
  /** Event type name. */
  eventType: string;
  /** Any JSON value. */
  payload: unknown;
  /** Position in the chain. */
  seq: number;
  /** Session identifier. */
  sessionId: string;
  /** Tenant identifier. */
  tenantId: string;
  /** Milliseconds since the Unix epoch. */
  tsUnixMs: number;
  /** User identifier. */
  userId: string;
}

/**
 * True when `JSON.stringify(v)` is already exact for canonicalization: no
 * `-0` (which `JSON.stringify` prints as `0`), no non-finite number, BigInt,
 * function, symbol or Map/Set (which `JSON.stringify` drops or empties
 * silently, where canonicalization refuses them), no `toJSON` to call.
 * Cheap next to the serialization itself.
 */
function plain(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "number":
      return v === 0 ? 1 / v > 0 : Number.isFinite(v);
    case "string":
    case "boolean":
    case "undefined":
      return true;
    case "object":
      break;
    default:
      return false; // bigint, function, symbol: the TS path names them
  }
  if (v === null) return true;
  if (depth > 64 || v instanceof Map || v instanceof Set) return false;
  if (v instanceof WeakMap || v instanceof WeakSet) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plain(v[i], depth + 1)) return false;
    return true;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  for (const k in v) if (!plain((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/**
 * Encodes records for {@link WasmCore.sealChain}: the JSON text of
 * `[[event_type, payload, seq, session_id, tenant_id, ts_unix_ms, user_id], …]`.
 * Payloads go through `JSON.stringify` when that is exact, and through the
 * TypeScript canonicalizer otherwise (`-0`, `toJSON`, deep nesting), which
 * also throws its path-naming `TypeError` for what JSON cannot carry (NaN,
 * ±Infinity, BigInt, cycles). Lone surrogates survive as escapes and make
 * the core throw a `JsonSyntaxError`; the TypeScript path names them.
 *
 * @example
 * ```ts
 * import { encodeSealRecords } from "./seal_records.ts";
 * encodeSealRecords([{
 *   eventType: "TERMINATION", payload: { d: -0 }, seq: 0, sessionId: "s",
 *   tenantId: "acme", tsUnixMs: 1700000000000, userId: "",
 * }]);
 * // '[["TERMINATION",{"d":-0},0,"s","acme",1700000000000,""]]'
 * ```
 */
export function encodeSealRecords(records: readonly SealRecord[]): string {
  let out = "[";
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    out += (i ? ",[" : "[") + JSON.stringify(r.eventType) + "," + payloadText(r.payload) + "," +
      JSON.stringify([r.seq, r.sessionId, r.tenantId, r.tsUnixMs, r.userId]).slice(1);
  }
  return out + "]";
}

/** The payload's JSON text, exact for canonicalization (see {@link encodeSealRecords}). */
function payloadText(payload: unknown): string {
  const p = payload === undefined ? null : payload;
  return plain(p, 0) ? JSON.stringify(p) : canonicalizeAt(p, "aegisd", "$.payload");
}

/** A record to hash on its own: its fields and its own previous hash. */
export interface HashRecord extends SealRecord {
  /** The previous event's hash as 64 lowercase hex, or `null` at seq 0. */
  prevHash: string | null;
}

/**
 * Encodes records for {@link WasmCore.hashRecords}: the JSON text of
 * `[[event_type, payload, prev_hash, seq, session_id, tenant_id, ts_unix_ms, user_id], …]`
 * (the hashed key order), `prev_hash` as given (64 lowercase hex, or
 * `null`; the core refuses anything else). Payloads as in
 * {@link encodeSealRecords}.
 *
 * @example
 * ```ts
 * import { encodeHashRecords } from "./seal_records.ts";
 * encodeHashRecords([{
 *   eventType: "TERMINATION", payload: null, prevHash: null, seq: 0, sessionId: "s",
 *   tenantId: "acme", tsUnixMs: 1700000000000, userId: "",
 * }]);
 * // '[["TERMINATION",null,null,0,"s","acme",1700000000000,""]]'
 * ```
 */
export function encodeHashRecords(records: readonly HashRecord[]): string {
  let out = "[";
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    out += (i ? ",[" : "[") + JSON.stringify(r.eventType) + "," + payloadText(r.payload) + "," +
      (r.prevHash === null ? "null" : '"' + r.prevHash + '"') + "," +
      JSON.stringify([r.seq, r.sessionId, r.tenantId, r.tsUnixMs, r.userId]).slice(1);
  }
  return out + "]";
}

/** Hashed texts and hashes of a sealed run of records (see {@link sealRecords}). */
export interface SealedRecords {
  /** The canonical texts, back to back (empty when not asked for). */
  text: Uint8Array;
  /** End offset of record `i`'s text in `text` (empty when not asked for). */
  ends: Uint32Array;
  /** SHA-256 of record `i` at `hashes[32 i .. 32 i + 32]`. */
  hashes: Uint8Array;
}

/**
 * Seals `records` as one chain with the WebAssembly core in a single call
 * (record `i + 1`'s `prev_hash` is record `i`'s hash; `firstPrev` is the
 * first record's, hex or `null`). With `wantText` false only `hashes` is
 * filled (no copy of the texts). Returns `null` when the core is not
 * active or refuses the input (a lone surrogate, a value JSON cannot carry):
 * the caller then takes the TypeScript path, which throws the precise,
 * path-naming error. Records must already satisfy the sealing rules.
 */
export function sealRecords(
  records: readonly SealRecord[],
  firstPrev: string | null,
  wantText = true,
): SealedRecords | null {
  const acc = accelerator();
  if (acc === null || records.length === 0) return null;
  try {
    const sealed = acc.sealChain(
      encodeSealRecords(records),
      firstPrev === null ? null : hexToBytes(firstPrev),
      wantText,
    );
    return sealed.count === records.length ? sealed : null;
  } catch {
    return null;
  }
}

/**
 * Hashes each record on its own, with its own `prevHash`, in one call to
 * the WebAssembly core, which computes the hashes four at a time (SIMD
 * multi-buffer). With `wantText` false only `hashes` is filled. Returns
 * `null` when the core is not active, lacks the entry point, or refuses
 * the input; the caller then takes another path. Records must already
 * satisfy the sealing rules.
 */
export function hashRecords(
  records: readonly HashRecord[],
  wantText: boolean,
): SealedRecords | null {
  const acc = accelerator();
  if (acc === null || records.length === 0) return null;
  try {
    const sealed = acc.hashRecords(encodeHashRecords(records), wantText);
    return sealed.count === records.length ? sealed : null;
  } catch {
    return null;
  }
}
