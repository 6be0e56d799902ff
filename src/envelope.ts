/**
 * The sealed event envelope: what an agent records for every step, and what
 * aegisd stores and chains.
 *
 * @module
 */

import { parseJson } from "./canon/parse.ts";
import { canonicalizeAt } from "./canon/value.ts";
import { bytesToHex, describe } from "./encoding.ts";
import { checkHashFields, digestToBase64, envelopeHashText, readDigest } from "./envelope_bytes.ts";
import { EnvelopeError } from "./errors.ts";
import type { EventType } from "./event_type.ts";
import { sha256 } from "./hash/sha256.ts";
import { hashRecords } from "./seal_records.ts";

/** Fields of a new {@link Envelope} (camelCase). */
export interface EnvelopeInit {
  /** Tenant the session belongs to. */
  tenantId: string;
  /** User on whose behalf the agent acts; `""` when absent. */
  userId?: string;
  /** Session (chain) identifier. */
  sessionId: string;
  /** Position in the chain, from 0. */
  seq: number;
  /** Milliseconds since the Unix epoch (must be > 0 to seal). */
  tsUnixMs: number;
  /** One of {@link EventType}, or any other string aegisd accepts. */
  eventType: EventType | string;
  /** Any JSON value; `null` when absent. */
  payload?: unknown;
  /** Hash of the previous event (64-hex, base64, or bytes); none at seq 0. */
  prevHash?: string | Uint8Array | readonly number[] | null;
  /** This event's hash, when already sealed. */
  hash?: string | Uint8Array | readonly number[] | null;
}

/** The aegisd wire body of `POST /v1/events` (snake_case, digests in base64). */
export interface WireEnvelope {
  /** Tenant identifier. */
  tenant_id: string;
  /** User identifier (`""` when absent). */
  user_id: string;
  /** Session identifier. */
  session_id: string;
  /** Position in the chain. */
  seq: number;
  /** Milliseconds since the Unix epoch. */
  ts_unix_ms: number;
  /** Event type name. */
  event_type: string;
  /** Any JSON value. */
  payload: unknown;
  /** Standard base64 of the previous hash; omitted at seq 0. */
  prev_hash?: string;
  /** Standard base64 of this event's hash; omitted when unsealed. */
  hash?: string;
}

const ENCODER = new TextEncoder();

const WIRE_FIELDS = [
  "tenant_id",
  "user_id",
  "session_id",
  "seq",
  "ts_unix_ms",
  "event_type",
  "payload",
  "prev_hash",
  "hash",
] as const;
const WIRE_FOLDED = new Map(WIRE_FIELDS.map((f) => [f, f]));

/** Go's `encoding/json` matches struct fields case-insensitively (with simple folding). */
function foldKey(k: string): string {
  return k.replace(/\u017f/g, "s").replace(/\u212a/g, "k").toLowerCase();
}

/**
 * One event envelope. Fields are public and mutable; `seal()` computes
 * `hash` from the others, `verify()` checks it.
 *
 * @example
 * ```ts
 * import { Envelope, EventType } from "@aegis/sdk";
 * const e = new Envelope({
 *   tenantId: "acme", userId: "user-42", sessionId: "sess-001",
 *   seq: 0, tsUnixMs: 1700000000000,
 *   eventType: EventType.MODEL_CALL_STARTED,
 *   payload: { model_id: "gpt-4o", call_id: "m1" },
 * }).seal();
 * e.hash; // "679549e9c85d32befa732d27da33b4dace2c9bf854b2608a84d1455a9c7ff283"
 * e.verify(); // true
 * ```
 */
export class Envelope {
  /** Tenant identifier. */
  tenantId: string;
  /** User identifier (`""` when absent). */
  userId: string;
  /** Session identifier. */
  sessionId: string;
  /** Position in the chain, from 0. */
  seq: number;
  /** Milliseconds since the Unix epoch. */
  tsUnixMs: number;
  /** Event type name. */
  eventType: EventType | string;
  /** Any JSON value (`null` when absent). */
  payload: unknown;
  /** Previous event's hash as 64 lowercase hex, or `null` at seq 0. */
  prevHash: string | null;
  /** This event's hash as 64 lowercase hex, or `null` until sealed. */
  hash: string | null;

  /**
   * Builds an unsealed (or pre-sealed, when `hash` is given) envelope.
   *
   * @throws {EnvelopeError} when a digest cannot be read.
   */
  constructor(init: EnvelopeInit) {
    this.tenantId = init.tenantId;
    this.userId = init.userId ?? "";
    this.sessionId = init.sessionId;
    this.seq = init.seq;
    this.tsUnixMs = init.tsUnixMs;
    this.eventType = init.eventType;
    this.payload = init.payload === undefined ? null : init.payload;
    this.prevHash = readDigest("prev_hash", init.prevHash);
    this.hash = readDigest("hash", init.hash);
  }

  /**
   * The exact UTF-8 bytes aegisd hashes for this envelope (aegisd-profile
   * canonical JSON of every field but `hash`).
   *
   * @throws {EnvelopeError} when a field breaks a sealing rule.
   * @throws {TypeError} naming the payload path for values JSON cannot carry.
   */
  canonicalJson(): Uint8Array {
    checkHashFields(this);
    const sealed = hashRecords([this], true);
    return sealed ? sealed.text : ENCODER.encode(envelopeHashText(this));
  }

  /**
   * The aegisd hash of the current fields as 64 lowercase hex, without
   * storing it.
   *
   * @throws {EnvelopeError | TypeError} as {@link Envelope.canonicalJson}.
   */
  computeHash(): string {
    checkHashFields(this);
    const sealed = hashRecords([this], false);
    if (sealed) return bytesToHex(sealed.hashes);
    return bytesToHex(sha256(ENCODER.encode(envelopeHashText(this))));
  }

  /**
   * Computes and stores `hash`; returns `this`.
   *
   * @throws {EnvelopeError} when seq 0 has a prev hash, seq > 0 has none,
   * seq/ts are not non-negative/positive safe integers, or tenant/session
   * are empty.
   */
  seal(): this {
    this.hash = this.computeHash();
    return this;
  }

  /** True when `hash` is set and equals the hash of the current fields. */
  verify(): boolean {
    if (this.hash === null) return false;
    try {
      return this.computeHash() === this.hash;
    } catch {
      return false;
    }
  }

  /**
   * The aegisd wire body: snake_case, `prev_hash`/`hash` as standard base64
   * (omitted when null), `user_id` and `payload` always present.
   */
  toJSON(): WireEnvelope {
    const w: WireEnvelope = {
      tenant_id: this.tenantId,
      user_id: this.userId,
      session_id: this.sessionId,
      seq: this.seq,
      ts_unix_ms: this.tsUnixMs,
      event_type: this.eventType,
      payload: this.payload,
    };
    if (this.prevHash !== null) w.prev_hash = digestToBase64(this.prevHash);
    if (this.hash !== null) w.hash = digestToBase64(this.hash);
    return w;
  }

  /**
   * The wire body as JSON text, ready to send to aegisd. Prefer it to
   * `JSON.stringify(envelope)`: `JSON.stringify` prints `-0` as `0`, which
   * changes the payload aegisd hashes (aegisd keeps the sign), so the event
   * would be rejected with "hash verification failed".
   *
   * @throws {TypeError} naming the payload path for values JSON cannot carry.
   * @example
   * ```ts
   * import { Envelope } from "@aegis/sdk";
   * const e = new Envelope({
   *   tenantId: "t", sessionId: "s", seq: 0, tsUnixMs: 1700000000000,
   *   eventType: "TOOL_RESULT", payload: { delta: -0 },
   * }).seal();
   * e.toWireText().includes('"delta":-0'); // true
   * JSON.stringify(e).includes('"delta":0'); // true — the sign is lost
   * ```
   */
  toWireText(): string {
    return canonicalizeAt(this.toJSON(), "aegisd", "$");
  }

  /**
   * Reads a wire envelope object as aegisd does: absent or `null` fields
   * take their zero value, `prev_hash`/`hash` may be base64, 64-hex or an
   * array of byte values, unknown keys are ignored.
   *
   * @throws {EnvelopeError} naming the field for a wrong type, or for a key
   * that differs from a field only in case (Go would silently use it).
   * @example
   * ```ts
   * import { Envelope } from "@aegis/sdk";
   * const e = Envelope.fromJSON({
   *   tenant_id: "acme", session_id: "s", seq: 0, ts_unix_ms: 1700000000000,
   *   event_type: "TERMINATION",
   * });
   * e.seal().verify(); // true
   * ```
   */
  static fromJSON(obj: unknown): Envelope {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw new EnvelopeError("", `expected a wire envelope object, got ${describe(obj)}`);
    }
    const o = obj as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (WIRE_FOLDED.has(k as typeof WIRE_FIELDS[number])) continue;
      const f = WIRE_FOLDED.get(foldKey(k) as typeof WIRE_FIELDS[number]);
      if (f) {
        throw new EnvelopeError(
          f,
          `key ${
            JSON.stringify(k)
          } differs from "${f}" only in case; aegisd would read it as "${f}"`,
        );
      }
    }
    const str = (f: string): string => {
      const v = o[f];
      if (v === undefined || v === null) return "";
      if (typeof v !== "string") {
        throw new EnvelopeError(f, `expected a string, got ${describe(v)}`);
      }
      return v;
    };
    const int = (f: string, min: number): number => {
      const v = o[f];
      if (v === undefined || v === null) return 0;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
        throw new EnvelopeError(
          f,
          `expected an integer ≥ ${min} within ±2^53, got ${describe(v)}`,
        );
      }
      return v;
    };
    return new Envelope({
      tenantId: str("tenant_id"),
      userId: str("user_id"),
      sessionId: str("session_id"),
      seq: int("seq", 0),
      tsUnixMs: int("ts_unix_ms", Number.MIN_SAFE_INTEGER),
      eventType: str("event_type"),
      payload: o.payload,
      prevHash: o.prev_hash as EnvelopeInit["prevHash"],
      hash: o.hash as EnvelopeInit["hash"],
    });
  }

  /**
   * Reads a wire envelope from JSON text (string or UTF-8 bytes) with this
   * module's own parser — never `JSON.parse`, whose key decoding is broken
   * on Deno 2.6–2.9.
   *
   * @throws {JsonSyntaxError} for malformed JSON (with the byte offset).
   * @throws {EnvelopeError} for a well-formed text with wrong fields.
   * @example
   * ```ts
   * import { Envelope } from "@aegis/sdk";
   * const e = Envelope.parse(
   *   '{"tenant_id":"acme","session_id":"s","seq":0,"ts_unix_ms":1700000000000,"event_type":"TERMINATION"}',
   * );
   * e.eventType; // "TERMINATION"
   * ```
   */
  static parse(text: string | Uint8Array): Envelope {
    return Envelope.fromJSON(parseJson(text));
  }
}
