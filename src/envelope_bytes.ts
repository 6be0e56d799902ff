/**
 * Hash-input encoding of an envelope: how a 32-byte hash field is read
 * (hex, base64, or an array of byte values) and the exact text aegisd
 * hashes.
 *
 * @module
 */

import { canonicalizeAt } from "./canon/value.ts";
import { quoteString } from "./canon/string.ts";
import { base64ToBytes, bytesToBase64, bytesToHex, describe, hexToBytes } from "./encoding.ts";
import { EnvelopeError } from "./errors.ts";
import { isWellFormed } from "./canon/string.ts";

const HEX64 = /^[0-9a-f]{64}$/;
const HEX64_ANY_CASE = /^[0-9a-fA-F]{64}$/;

/** True for a lowercase 64-hex digest string. */
export function isHexDigest(v: unknown): v is string {
  return typeof v === "string" && HEX64.test(v);
}

/**
 * Reads a 32-byte digest given as 64-hex (either case), standard base64, an
 * array of byte values (the Python SDK's form) or bytes. `null`,
 * `undefined`, `""` and `[]` mean "no digest", as Go's `omitempty` treats an
 * empty `[]byte`. Returns lowercase hex or `null`.
 *
 * @throws {EnvelopeError} for anything else, or a digest that is not 32 bytes.
 */
export function readDigest(field: string, v: unknown): string | null {
  if (v === null || v === undefined || v === "") return null;
  let bytes: Uint8Array;
  if (typeof v === "string") {
    if (HEX64_ANY_CASE.test(v)) return v.toLowerCase();
    try {
      bytes = base64ToBytes(v);
    } catch {
      throw new EnvelopeError(field, `expected 64-hex or standard base64, got ${describe(v)}`);
    }
  } else if (v instanceof Uint8Array) {
    bytes = v;
  } else if (Array.isArray(v)) {
    if (v.length === 0) return null;
    bytes = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const b = v[i];
      if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) {
        throw new EnvelopeError(field, `byte array element ${i} is not an integer 0–255`);
      }
      bytes[i] = b;
    }
  } else {
    throw new EnvelopeError(field, `expected a digest string or byte array, got ${describe(v)}`);
  }
  if (bytes.length === 0) return null;
  if (bytes.length !== 32) {
    throw new EnvelopeError(field, `a SHA-256 digest has 32 bytes, got ${bytes.length}`);
  }
  return bytesToHex(bytes);
}

/** Standard base64 of a hex digest (Go's JSON form of `[]byte`). */
export function digestToBase64(hex: string): string {
  return bytesToBase64(hexToBytes(hex));
}

/** The envelope fields that enter the hash. */
export interface HashFields {
  tenantId: string;
  userId: string;
  sessionId: string;
  seq: number;
  tsUnixMs: number;
  eventType: string;
  payload: unknown;
  prevHash: string | null;
}

function checkString(field: string, v: unknown, nonEmpty: boolean): string {
  if (typeof v !== "string") {
    throw new EnvelopeError(field, `expected a string, got ${describe(v)}`);
  }
  if (nonEmpty && v === "") throw new EnvelopeError(field, "must not be empty");
  if (!isWellFormed(v)) throw new EnvelopeError(field, "contains a lone surrogate");
  return v;
}

/**
 * Validates the fields for sealing: non-empty tenant and session, seq a
 * non-negative safe integer, ts a positive safe integer (aegisd replaces 0
 * with its own clock), and the prev-hash rule (none at seq 0, required
 * after).
 *
 * @throws {EnvelopeError} naming the field.
 */
export function checkHashFields(f: HashFields): void {
  checkString("tenant_id", f.tenantId, true);
  checkString("session_id", f.sessionId, true);
  checkString("user_id", f.userId, false);
  checkString("event_type", f.eventType, false);
  if (!Number.isSafeInteger(f.seq) || f.seq < 0) {
    throw new EnvelopeError("seq", `must be a non-negative safe integer, got ${describe(f.seq)}`);
  }
  if (!Number.isSafeInteger(f.tsUnixMs) || f.tsUnixMs <= 0) {
    throw new EnvelopeError(
      "ts_unix_ms",
      `must be a positive safe integer (aegisd replaces 0 with its clock), got ${
        describe(f.tsUnixMs)
      }`,
    );
  }
  if (f.prevHash !== null && !isHexDigest(f.prevHash)) {
    throw new EnvelopeError(
      "prev_hash",
      `must be 64 lowercase hex or null, got ${describe(f.prevHash)}`,
    );
  }
  if (f.seq === 0 && f.prevHash !== null) {
    throw new EnvelopeError("prev_hash", "seq 0 starts a chain and must not have a prev hash");
  }
  if (f.seq > 0 && f.prevHash === null) {
    throw new EnvelopeError("prev_hash", `seq ${f.seq} must carry the previous event's hash`);
  }
}

/**
 * The exact text aegisd hashes: the aegisd-profile canonical JSON of
 * `{event_type, payload, prev_hash, seq, session_id, tenant_id, ts_unix_ms,
 * user_id}`. The top-level key order is fixed, so only the payload is
 * canonicalised generically. Fields must have passed {@link checkHashFields}.
 */
export function envelopeHashText(f: HashFields, payloadCanonical?: string): string {
  const payload = payloadCanonical ??
    canonicalizeAt(f.payload === undefined ? null : f.payload, "aegisd", "$.payload");
  return '{"event_type":' + quoteString(f.eventType, "aegisd") +
    ',"payload":' + payload +
    (f.prevHash === null ? "" : ',"prev_hash":"' + digestToBase64(f.prevHash) + '"') +
    ',"seq":' + f.seq +
    ',"session_id":' + quoteString(f.sessionId, "aegisd") +
    ',"tenant_id":' + quoteString(f.tenantId, "aegisd") +
    ',"ts_unix_ms":' + f.tsUnixMs +
    ',"user_id":' + quoteString(f.userId, "aegisd") + "}";
}
