/**
 * Hash-chain builder: seals each new event with the previous event's hash.
 *
 * @module
 */

import { isWellFormed } from "./canon/string.ts";
import { bytesToHex, describe } from "./encoding.ts";
import { sealRecords } from "./seal_records.ts";
import { Envelope } from "./envelope.ts";
import { readDigest } from "./envelope_bytes.ts";
import { EnvelopeError } from "./errors.ts";
import type { EventType } from "./event_type.ts";

/** Options of a {@link Builder}. */
export interface BuilderOptions {
  /** Tenant identifier (non-empty). */
  tenantId: string;
  /** User identifier; `""` when omitted. */
  userId?: string;
  /** Session identifier (non-empty). */
  sessionId: string;
  /** Seq of the next event, for resuming a chain (default 0). */
  nextSeq?: number;
  /** Hash of the last event (hex, base64, or bytes), required when `nextSeq > 0`. */
  prevHash?: string | Uint8Array | readonly number[] | null;
  /** Source of `ts_unix_ms` (default `Date.now`). Must return a positive integer. */
  clock?: () => number;
}

/** One item of {@link Builder.appendBatch}: `[eventType, payload?]` or an object. */
export type BatchItem =
  | readonly [eventType: EventType | string, payload?: unknown]
  | { eventType: EventType | string; payload?: unknown };

/**
 * Builds one session's hash chain. Each `append()` returns a sealed
 * {@link Envelope} whose `prevHash` is the previous event's `hash`.
 *
 * @example
 * ```ts
 * import { Builder, EventType, verifyChain } from "@aegis/sdk";
 * const b = new Builder({ tenantId: "acme", userId: "u1", sessionId: "sess-example" });
 * const events = [
 *   b.append(EventType.MODEL_CALL_STARTED, { model_id: "gpt-4o", call_id: "m1" }),
 *   b.append(EventType.TOOL_CALL_PROPOSED, { tool_name: "read_file", call_id: "t1" }),
 * ];
 * b.nextSeq; // 2
 * verifyChain(events).valid; // true
 *
 * // Resume after a restart from the last stored event:
 * const resumed = new Builder({
 *   tenantId: "acme", userId: "u1", sessionId: "sess-example",
 *   nextSeq: events[1].seq + 1, prevHash: events[1].hash,
 * });
 * resumed.append(EventType.TERMINATION, { reason: "done" }).prevHash === events[1].hash; // true
 * ```
 */
export class Builder {
  readonly #tenantId: string;
  readonly #userId: string;
  readonly #sessionId: string;
  readonly #clock: () => number;
  #nextSeq: number;
  #lastHash: string | null;

  /**
   * Starts a new chain, or resumes one at `nextSeq` after `prevHash`.
   *
   * @throws {EnvelopeError} for empty tenant/session, a bad `nextSeq`, or a
   * `prevHash` that does not fit `nextSeq` (required after 0, forbidden at 0).
   */
  constructor(options: BuilderOptions) {
    const { tenantId, userId = "", sessionId, nextSeq = 0, prevHash = null, clock = Date.now } =
      options ?? ({} as BuilderOptions);
    for (const [f, v] of [["tenant_id", tenantId], ["session_id", sessionId]] as const) {
      if (typeof v !== "string" || v === "") {
        throw new EnvelopeError(f, `must be a non-empty string, got ${describe(v)}`);
      }
    }
    if (typeof userId !== "string") {
      throw new EnvelopeError("user_id", `must be a string, got ${describe(userId)}`);
    }
    if (!Number.isSafeInteger(nextSeq) || nextSeq < 0) {
      throw new EnvelopeError(
        "seq",
        `nextSeq must be a non-negative safe integer, got ${describe(nextSeq)}`,
      );
    }
    if (typeof clock !== "function") throw new TypeError("clock must be a function");
    const last = readDigest("prev_hash", prevHash);
    if (nextSeq === 0 && last !== null) {
      throw new EnvelopeError("prev_hash", "a chain starting at seq 0 has no prev hash");
    }
    if (nextSeq > 0 && last === null) {
      throw new EnvelopeError(
        "prev_hash",
        `resuming at seq ${nextSeq} needs the last event's hash`,
      );
    }
    this.#tenantId = tenantId;
    this.#userId = userId;
    this.#sessionId = sessionId;
    this.#clock = clock;
    this.#nextSeq = nextSeq;
    this.#lastHash = last;
  }

  /** Seq the next appended event will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Hash (64 lowercase hex) of the last appended event, or `null` before the first. */
  get lastHash(): string | null {
    return this.#lastHash;
  }

  #unsealed(eventType: string, payload: unknown, seq: number, ts: number): Envelope {
    if (typeof eventType !== "string" || eventType === "") {
      throw new EnvelopeError(
        "event_type",
        `must be a non-empty string, got ${describe(eventType)}`,
      );
    }
    return new Envelope({
      tenantId: this.#tenantId,
      userId: this.#userId,
      sessionId: this.#sessionId,
      seq,
      tsUnixMs: ts,
      eventType,
      payload,
    });
  }

  /**
   * Seals the next event and advances the chain. On error nothing changes.
   *
   * @throws {EnvelopeError} for an empty event type or a bad clock value.
   * @throws {TypeError} naming the payload path for values JSON cannot carry.
   */
  append(eventType: EventType | string, payload?: unknown): Envelope {
    const e = this.#unsealed(eventType, payload, this.#nextSeq, this.#clock());
    e.prevHash = this.#lastHash;
    e.seal();
    this.#nextSeq++;
    this.#lastHash = e.hash;
    return e;
  }

  /**
   * Seals several events in order, all or nothing: if any item fails, the
   * builder is left as it was and the error names the item's index.
   *
   * @throws {EnvelopeError | TypeError} as {@link Builder.append}.
   */
  appendBatch(items: Iterable<BatchItem>): Envelope[] {
    const out: Envelope[] = [];
    let i = 0;
    let fast = true;
    for (const item of items) {
      const [type, payload] = Array.isArray(item)
        ? item as readonly [string, unknown?]
        : [(item as { eventType: string }).eventType, (item as { payload?: unknown }).payload];
      const e = this.#attempt(
        i,
        () => this.#unsealed(type, payload, this.#nextSeq + i, this.#clock()),
      );
      fast &&= isWellFormed(e.eventType) && Number.isSafeInteger(e.tsUnixMs) && e.tsUnixMs > 0;
      out.push(e);
      i++;
    }
    // One crossing into the WebAssembly core for the whole batch when it is active.
    const sealed = fast ? sealRecords(out, this.#lastHash, false) : null;
    let prev = this.#lastHash;
    for (let k = 0; k < out.length; k++) {
      const e = out[k];
      e.prevHash = prev;
      if (sealed) e.hash = bytesToHex(sealed.hashes.subarray(32 * k, 32 * k + 32));
      else this.#attempt(k, () => e.seal());
      prev = e.hash;
    }
    this.#nextSeq += out.length;
    this.#lastHash = prev;
    return out;
  }

  #attempt<T>(index: number, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof Error) err.message = `batch item ${index}: ${err.message}`;
      throw err;
    }
  }
}
