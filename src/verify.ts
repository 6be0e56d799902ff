/**
 * Offline verification of a hash chain: every content hash recomputed,
 * seq contiguity, `prev_hash` linkage, one tenant and session.
 *
 * @module
 */

import { Envelope, type WireEnvelope } from "./envelope.ts";
import { checkHashFields, readDigest } from "./envelope_bytes.ts";
import { accelerator } from "./backend.ts";
import { hashRecords } from "./seal_records.ts";
import { bytesToHex, describe } from "./encoding.ts";

/** Result of a chain verification. */
export interface ChainVerification {
  /** True when every event passed. */
  valid: boolean;
  /**
   * The seq expected at the first position that failed (every event below it
   * is intact), or `null` when valid.
   */
  firstBadSeq: number | null;
  /** Which rule broke, or `null` when valid. */
  error: string | null;
  /** How many events passed before the first failure (all of them when valid). */
  checked: number;
}

/** Options of {@link verifyChain}. */
export interface VerifyChainOptions {
  /**
   * Start mid-chain after a trusted event: the first envelope must then have
   * seq `from.seq + 1` and `prev_hash` equal to `from.hash` (hex or base64).
   */
  from?: { seq: number; hash: string | Uint8Array };
}

/**
 * Verifies a chain offline. Envelopes may be {@link Envelope} instances or
 * wire objects (`Envelope.fromJSON` input).
 *
 * Rules, checked in this order at each position: the item is a readable
 * envelope; same tenant and session as the first; seq equals the expected
 * seq; `prev_hash` is absent at seq 0 and equals the previous hash after;
 * the stored `hash` equals the recomputed one.
 *
 * @throws {TypeError} only for bad `options`; a broken chain is a result.
 * @example
 * ```ts
 * import { Builder, verifyChain } from "@aegis/sdk";
 * const b = new Builder({ tenantId: "acme", sessionId: "s1" });
 * const chain = [b.append("MODEL_CALL_STARTED", { n: 1 }), b.append("TERMINATION")];
 * verifyChain(chain); // { valid: true, firstBadSeq: null, error: null, checked: 2 }
 * chain[0].payload = { n: 2 };
 * verifyChain(chain).firstBadSeq; // 0
 * ```
 */
export function verifyChain(
  envelopes: Iterable<Envelope | WireEnvelope>,
  options?: VerifyChainOptions,
): ChainVerification {
  let expectedSeq = 0;
  let expectedPrev: string | null = null;
  if (options?.from !== undefined) {
    const { seq, hash } = options.from;
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new TypeError(`options.from.seq must be a non-negative integer, got ${describe(seq)}`);
    }
    expectedPrev = readDigest("options.from.hash", hash);
    if (expectedPrev === null) throw new TypeError("options.from.hash is required");
    expectedSeq = seq + 1;
  }
  // Read every item first (a failure here is reported at its position below).
  const items: (Envelope | Error)[] = [];
  for (const item of envelopes) {
    try {
      items.push(item instanceof Envelope ? item : Envelope.fromJSON(item));
    } catch (err) {
      items.push(err as Error);
    }
  }
  const precomputed = precompute(items, expectedSeq, expectedPrev);
  let tenant: string | null = null;
  let session: string | null = null;
  let checked = 0;
  const fail = (error: string): ChainVerification => ({
    valid: false,
    firstBadSeq: expectedSeq,
    error,
    checked,
  });
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    if (e instanceof Error) {
      return fail(`seq ${expectedSeq}: unreadable envelope: ${e.message}`);
    }
    if (tenant === null) {
      tenant = e.tenantId;
      session = e.sessionId;
    } else if (e.tenantId !== tenant || e.sessionId !== session) {
      return fail(
        `seq ${expectedSeq}: tenant/session ${JSON.stringify(e.tenantId)}/${
          JSON.stringify(e.sessionId)
        } differs from the chain's ${JSON.stringify(tenant)}/${JSON.stringify(session)}`,
      );
    }
    if (e.seq !== expectedSeq) {
      return fail(
        e.seq > expectedSeq
          ? `seq gap: expected seq ${expectedSeq}, found ${e.seq} (event ${expectedSeq} is missing)`
          : `seq out of order: expected seq ${expectedSeq}, found ${e.seq}`,
      );
    }
    if (e.prevHash !== expectedPrev) {
      return fail(
        expectedPrev === null
          ? `seq ${expectedSeq}: the first event must not have a prev_hash`
          : `seq ${expectedSeq}: prev_hash does not match the hash of seq ${expectedSeq - 1}`,
      );
    }
    if (e.hash === null) return fail(`seq ${expectedSeq}: event is not sealed (no hash)`);
    let actual: string;
    if (precomputed !== null && i < precomputed.length) {
      // Record i was sealed after record i - 1's recomputed hash; the checks so
      // far make that the stored prev hash, so this is the event's own hash.
      actual = precomputed[i];
    } else {
      try {
        actual = e.computeHash();
      } catch (err) {
        return fail(`seq ${expectedSeq}: cannot be hashed: ${(err as Error).message}`);
      }
    }
    if (actual !== e.hash) {
      return fail(`seq ${expectedSeq}: hash mismatch: the event's content was changed`);
    }
    checked++;
    expectedSeq++;
    expectedPrev = e.hash;
  }
  return { valid: true, firstBadSeq: null, error: null, checked };
}

/**
 * With the WebAssembly core active, recomputes the hashes of the longest
 * prefix of well-formed, contiguous, single-session envelopes in one call.
 * Each envelope is hashed with its STORED `prev_hash`, so the hashes are
 * independent and computed four at a time (SIMD multi-buffer); the caller's
 * linkage check (`prev_hash` equals the previous hash) makes that the
 * envelope's own hash. `null` without the core or when it refuses the
 * input; the caller then hashes one by one.
 */
function precompute(
  items: readonly (Envelope | Error)[],
  firstSeq: number,
  firstPrev: string | null,
): string[] | null {
  if (accelerator() === null) return null;
  const run: Envelope[] = [];
  for (const e of items) {
    if (e instanceof Error || e.seq !== firstSeq + run.length) break;
    if (run.length > 0 && (e.tenantId !== run[0].tenantId || e.sessionId !== run[0].sessionId)) {
      break;
    }
    try {
      checkHashFields(e);
    } catch {
      break;
    }
    run.push(e);
  }
  if (run.length === 0) return null;
  if (run[0].prevHash !== firstPrev) return null;
  const sealed = hashRecords(run, false);
  if (sealed === null) return null;
  const out = new Array<string>(run.length);
  for (let i = 0; i < run.length; i++) {
    out[i] = bytesToHex(sealed.hashes.subarray(32 * i, 32 * i + 32));
  }
  return out;
}
