/**
 * JavaScript side of the WebAssembly core (`wasm/`): instantiation, the
 * linear-memory arena protocol, and the {@link Accelerator} methods.
 *
 * Protocol: `input(n)` resets the arena and returns the address of `n`
 * writable bytes; JavaScript writes the input there (strings with
 * `TextEncoder.encodeInto`), calls one operation with the length it wrote,
 * and reads the results in place through the 256-byte header
 * (`header()`), before the next call. Nothing is allocated per call on
 * either side of the boundary beyond the result copies handed to callers.
 *
 * @module
 */

import type { Accelerator, ChainState, SealedChain, VerifyResult } from "../backend.ts";
import type { CanonicalProfile } from "../canon/profile.ts";
import { type JsonErrorCode, JsonSyntaxError } from "../canon/errors.ts";
import { Envelope } from "../envelope.ts";
import { Utf8Chunks } from "../utf8_chunks.ts";

/**
 * Error codes of the chain verifier beyond the JSON ones (`wasm/src/envelope.rs`).
 *
 * @example
 * ```ts
 * import { loadWasmCore, newChainState, VerifyErrorCode } from "./loader.ts";
 * const r = loadWasmCore()?.verifyJsonl('{"tenant_id":"t","session_id":"s","seq":1}', newChainState());
 * r?.code === VerifyErrorCode.SEQ; // true: the chain must start at seq 0
 * ```
 */
export const VerifyErrorCode = {
  TYPE: 12,
  SEQ: 20,
  PREV: 21,
  HASH: 22,
  SESSION: 23,
  BYTES: 25,
  CASE: 26,
  UNSEALED: 27,
  UNHASHABLE: 28,
  SWITCH: 29,
} as const;

/** The raw exports of the core module (ABI documented in `wasm/src/lib.rs`). */
export interface CoreExports {
  /** The linear memory (the arena lives above `__heap_base`). */
  memory: WebAssembly.Memory;
  /** Starts a call: reserves `len` input bytes, returns their address (0: out of memory). */
  input(len: number): number;
  /** Address of the 256-byte header. */
  header(): number;
  /** SHA-256 of the input; digest at header offset 0. */
  sha256(len: number): number;
  /** SHA-256 of `count` messages described by a table at the input's start. */
  sha256_many(len: number, count: number): number;
  /** Canonical form of the input JSON text; profile 0 = rfc8785, 1 = aegisd. */
  canonicalize(len: number, profile: number): number;
  /** Seals a chain of records (see {@link WasmCore.sealChain}). */
  seal_chain(len: number): number;
  /** Hashes records independently (see {@link WasmCore.hashRecords}). */
  hash_records(len: number): number;
  /** Verifies JSONL wire envelopes (see {@link WasmCore.verifyJsonl}). */
  verify(len: number): number;
}

const H_PREV = 0;
const H_IDENTITY = 32;
const H_NEXT_SEQ = 64;
const H_FLAGS = 72;
const H_CHECKED = 76;
const H_BAD_SEQ = 80;
const H_ERROR = 88;
const H_ERROR_AT = 92;
const H_PTR = 96;
const H_LEN = 100;
const H_PTR2 = 104;
const H_PTR3 = 108;
const H_COUNT = 112;
const H_RECORD_AT = 116;
const H_SWITCH_ID = 128;

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();
const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_ENDS = new Uint32Array(0);

/** The module's imports: the host's ES6 number conversion (see `wasm/src/number.rs`). */
function imports(holder: { core: WasmCore | null }): WebAssembly.Imports {
  return {
    env: {
      number(ptr: number, len: number, out: number): number {
        const m = holder.core!.mem();
        let s = "";
        for (let i = 0; i < len; i++) s += String.fromCharCode(m[ptr + i]);
        const v = Number(s);
        if (!Number.isFinite(v)) return -1;
        const t = v === 0 && 1 / v < 0 ? "-0" : String(v);
        for (let i = 0; i < t.length; i++) m[out + i] = t.charCodeAt(i);
        return t.length;
      },
    },
  };
}

/**
 * Instantiates a compiled core module synchronously; throws when the module
 * is not the core.
 *
 * @example
 * ```ts
 * import { instantiate } from "./core.ts";
 * import { wasmBytes } from "./loader.ts";
 * const core = instantiate(new WebAssembly.Module(wasmBytes()));
 * core.sha256(new Uint8Array(0)).length; // 32
 * ```
 */
export function instantiate(module: WebAssembly.Module): WasmCore {
  const holder: { core: WasmCore | null } = { core: null };
  const instance = new WebAssembly.Instance(module, imports(holder));
  return (holder.core = new WasmCore(instance.exports as unknown as CoreExports));
}

/**
 * Instantiates asynchronously (for hosts that refuse large synchronous
 * instantiation).
 *
 * @example
 * ```ts
 * import { instantiateAsync } from "./core.ts";
 * import { wasmBytes } from "./loader.ts";
 * const core = await instantiateAsync(await WebAssembly.compile(wasmBytes()));
 * core.sha256(new Uint8Array(0)).length; // 32
 * ```
 */
export async function instantiateAsync(module: WebAssembly.Module): Promise<WasmCore> {
  const holder: { core: WasmCore | null } = { core: null };
  const instance = await WebAssembly.instantiate(module, imports(holder));
  return (holder.core = new WasmCore(instance.exports as unknown as CoreExports));
}

/**
 * The loaded core, implementing {@link Accelerator}. Not reentrant (nor
 * needs to be: JavaScript is single-threaded per instance).
 *
 * @example
 * ```ts
 * import { loadWasmCore } from "./loader.ts";
 * const core = loadWasmCore(); // a WasmCore, or null where WebAssembly is refused
 * core?.canonicalizeText(new TextEncoder().encode("[1E3]"), "rfc8785"); // "[1000]"
 * ```
 */
export class WasmCore implements Accelerator {
  readonly #x: CoreExports;
  #buf: ArrayBuffer | null = null;
  #u8 = new Uint8Array(0);
  #dv = new DataView(new ArrayBuffer(0));
  readonly #h: number;

  /** Wraps an instance's exports (use {@link instantiate} or the loader). */
  constructor(x: CoreExports) {
    this.#x = x;
    this.#h = x.header();
  }

  /** The current view of linear memory (recreated after memory grows); used by the `env.number` import. */
  mem = (): Uint8Array => {
    const b = this.#x.memory.buffer;
    if (b !== this.#buf) {
      this.#buf = b;
      this.#u8 = new Uint8Array(b);
      this.#dv = new DataView(b);
    }
    return this.#u8;
  };

  #view(): DataView {
    this.mem();
    return this.#dv;
  }

  #u32(at: number): number {
    return this.#view().getUint32(this.#h + at, true);
  }

  #reserve(n: number): number {
    const p = this.#x.input(n);
    if (p === 0 && n > 0) throw new RangeError(`aegis WASM core: cannot allocate ${n} bytes`);
    return p;
  }

  /** Writes bytes as the call's input; returns their length. */
  #putBytes(b: Uint8Array): number {
    const p = this.#reserve(b.length);
    this.mem().set(b, p);
    return b.length;
  }

  /** Writes a string's UTF-8 as the call's input; returns the byte length. */
  #putString(s: string): number {
    const cap = s.length * 3;
    const p = this.#reserve(cap);
    return ENCODER.encodeInto(s, this.mem().subarray(p, p + cap)).written;
  }

  #call<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        throw new RangeError(`aegis WASM core: ${e.message} (out of memory?)`);
      }
      throw e;
    }
  }

  #jsonError(): never {
    const code = this.#u32(H_ERROR);
    throw new JsonSyntaxError(code as JsonErrorCode, this.#u32(H_ERROR_AT));
  }

  /**
   * SHA-256 of one message.
   *
   * @example
   * ```ts
   * import { loadWasmCore } from "./loader.ts";
   * const core = loadWasmCore();
   * core?.sha256(new TextEncoder().encode("abc")); // ba7816bf…
   * ```
   */
  sha256(data: Uint8Array): Uint8Array {
    return this.#call(() => {
      const n = this.#putBytes(data);
      this.#x.sha256(n);
      return this.mem().slice(this.#h + H_PREV, this.#h + H_PREV + 32);
    });
  }

  /**
   * SHA-256 of many independent messages in one call, four at a time in
   * SIMD lanes.
   *
   * @example
   * ```ts
   * import { loadWasmCore } from "./loader.ts";
   * const enc = new TextEncoder();
   * loadWasmCore()?.sha256Many([enc.encode("a"), enc.encode("b")]); // [digest(a), digest(b)]
   * ```
   */
  sha256Many(messages: readonly Uint8Array[]): Uint8Array[] {
    return this.#call(() => {
      const count = messages.length;
      let total = count * 8;
      for (const m of messages) total += m.length;
      const p = this.#reserve(total);
      const mem = this.mem();
      const dv = this.#view();
      let off = count * 8;
      for (let i = 0; i < count; i++) {
        const m = messages[i];
        dv.setUint32(p + i * 8, off, true);
        dv.setUint32(p + i * 8 + 4, m.length, true);
        mem.set(m, p + off);
        off += m.length;
      }
      if (this.#x.sha256_many(total, count) !== 0) {
        throw new RangeError("aegis WASM core: bad sha256_many table");
      }
      const at = this.#u32(H_PTR);
      const all = this.mem().slice(at, at + count * 32);
      const out: Uint8Array[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = all.subarray(i * 32, i * 32 + 32);
      return out;
    });
  }

  /**
   * Canonical form of a UTF-8 JSON text; throws {@link JsonSyntaxError}
   * with the same code, message and offset as the TypeScript reader.
   *
   * @example
   * ```ts
   * import { loadWasmCore } from "./loader.ts";
   * loadWasmCore()?.canonicalizeText(new TextEncoder().encode('{"b":4.50,"a":1}'), "rfc8785");
   * // '{"a":1,"b":4.5}'
   * ```
   */
  canonicalizeText(text: Uint8Array, profile: CanonicalProfile): string {
    return this.#call(() => {
      const n = this.#putBytes(text);
      if (this.#x.canonicalize(n, profile === "aegisd" ? 1 : 0) !== 0) this.#jsonError();
      const p = this.#u32(H_PTR);
      return DECODER.decode(this.mem().subarray(p, p + this.#u32(H_LEN)));
    });
  }

  /**
   * Seals a chain of records in one call. `recordsJson` is the JSON text of
   * `[[event_type, payload, seq, session_id, tenant_id, ts_unix_ms,
   * user_id], …]` (the hashed key order; see {@link encodeSealRecords});
   * `prevHash` is the first record's previous hash (`null` at seq 0). Each
   * record's hash becomes the next record's `prev_hash`. With `wantText`
   * false, `text` and `ends` come back empty (no copy out of memory).
   *
   * @throws {JsonSyntaxError} when the text is not such an array, or the
   * payload holds what JSON cannot carry faithfully (lone surrogates).
   * @example
   * ```ts
   * import { loadWasmCore } from "./loader.ts";
   * const sealed = loadWasmCore()?.sealChain(
   *   JSON.stringify([["TERMINATION", null, 0, "s", "acme", 1700000000000, ""]]),
   *   null,
   * );
   * sealed?.hashes.length; // 32
   * ```
   */
  sealChain(
    recordsJson: string | Uint8Array,
    prevHash: Uint8Array | null,
    wantText = true,
  ): SealedChain {
    return this.#call(() => {
      const n = this.#put(recordsJson);
      const dv = this.#view();
      const h = this.#h;
      if (prevHash) {
        if (prevHash.length !== 32) throw new RangeError("prevHash must have 32 bytes");
        this.mem().set(prevHash, h + H_PREV);
        dv.setUint32(h + H_FLAGS, 1, true);
      } else dv.setUint32(h + H_FLAGS, 0, true);
      if (this.#x.seal_chain(n) !== 0) this.#jsonError();
      return this.#sealed(wantText);
    });
  }

  /**
   * Hashes records each on its own, four at a time in SIMD lanes (what
   * verification needs: a stored envelope carries its own `prev_hash`).
   * `recordsJson` is the JSON text of `[[event_type, payload, prev_hash,
   * seq, session_id, tenant_id, ts_unix_ms, user_id], …]` (the hashed key
   * order; see {@link encodeHashRecords}), `prev_hash` being `null` or 64
   * lowercase hex. With `wantText` false, `text` and `ends` come back
   * empty (no copy out of memory).
   *
   * @throws {JsonSyntaxError} when the text is not such an array, or the
   * payload holds what JSON cannot carry faithfully (lone surrogates).
   * @example
   * ```ts
   * import { loadWasmCore } from "./loader.ts";
   * const sealed = loadWasmCore()?.hashRecords(
   *   JSON.stringify([["TERMINATION", null, null, 0, "s", "acme", 1700000000000, ""]]),
   * );
   * sealed?.hashes.length; // 32
   * ```
   */
  hashRecords(recordsJson: string | Uint8Array, wantText = true): SealedChain {
    return this.#call(() => {
      if (this.#x.hash_records(this.#put(recordsJson)) !== 0) this.#jsonError();
      return this.#sealed(wantText);
    });
  }

  #put(input: string | Uint8Array): number {
    return typeof input === "string" ? this.#putString(input) : this.#putBytes(input);
  }

  /** Copies the sealed records the header describes out of memory. */
  #sealed(wantText: boolean): SealedChain {
    const dv = this.#view();
    const h = this.#h;
    const count = dv.getUint32(h + H_COUNT, true);
    const mem = this.mem();
    const hp = dv.getUint32(h + H_PTR3, true);
    const hashes = mem.slice(hp, hp + count * 32);
    if (!wantText) return { count, text: EMPTY_BYTES, ends: EMPTY_ENDS, hashes };
    const tp = dv.getUint32(h + H_PTR, true);
    const text = mem.slice(tp, tp + dv.getUint32(h + H_LEN, true));
    const ep = dv.getUint32(h + H_PTR2, true);
    const ends = new Uint32Array(count);
    for (let i = 0; i < count; i++) ends[i] = dv.getUint32(ep + i * 4, true);
    return { count, text, ends, hashes };
  }

  /**
   * Verifies newline-separated wire envelopes (aegisd's POST /v1/events
   * bodies) as one chain continuing `state`, which is updated in place with
   * every record that checks, so a stream can be fed chunk by chunk (each
   * chunk made of whole records). Never uses `JSON.parse`. Content hashes
   * are recomputed four at a time (SIMD multi-buffer).
   *
   * Returns `null` when every record in the input checks, or the failure:
   * its error code, the expected seq, and where the record starts. With
   * `mode.stopAtSwitch`, a record of another tenant/session stops it with
   * code 29 and that session's identity (one chain per session, see
   * {@link JsonlSessionVerifier}); with `mode.skip`, this session's records
   * are passed over unchecked (its chain already failed).
   *
   * @example
   * ```ts
   * import { loadWasmCore, newChainState } from "./loader.ts";
   * const state = newChainState();
   * loadWasmCore()?.verifyJsonl(new TextEncoder().encode(""), state); // null
   * ```
   */
  verifyJsonl(
    input: Uint8Array | string,
    state: ChainState,
    mode?: { stopAtSwitch?: boolean; skip?: boolean },
  ): VerifyResult | null {
    return this.#call(() => {
      const n = typeof input === "string" ? this.#putString(input) : this.#putBytes(input);
      const dv = this.#view();
      const h = this.#h;
      const mem = this.mem();
      let flags = 0;
      if (state.prevHash) {
        mem.set(state.prevHash, h + H_PREV);
        flags |= 1;
      }
      if (state.identity) {
        mem.set(state.identity, h + H_IDENTITY);
        flags |= 2;
      }
      if (mode?.stopAtSwitch) flags |= 4;
      if (mode?.skip) flags |= 8;
      dv.setUint32(h + H_FLAGS, flags, true);
      dv.setFloat64(h + H_NEXT_SEQ, state.nextSeq, true);
      const code = this.#x.verify(n);
      const dv2 = this.#view();
      const m2 = this.mem();
      const f = dv2.getUint32(h + H_FLAGS, true);
      state.nextSeq = dv2.getFloat64(h + H_NEXT_SEQ, true);
      state.prevHash = f & 1 ? m2.slice(h + H_PREV, h + H_PREV + 32) : null;
      state.identity = f & 2 ? m2.slice(h + H_IDENTITY, h + H_IDENTITY + 32) : null;
      const checked = dv2.getUint32(h + H_CHECKED, true);
      state.checked += checked;
      if (code === 0) return null;
      return {
        code,
        expectedSeq: state.nextSeq,
        foundSeq: dv2.getFloat64(h + H_BAD_SEQ, true),
        errorOffset: dv2.getUint32(h + H_ERROR_AT, true),
        recordOffset: dv2.getUint32(h + H_RECORD_AT, true),
        switchIdentity: code === VerifyErrorCode.SWITCH
          ? m2.slice(h + H_SWITCH_ID, h + H_SWITCH_ID + 32)
          : null,
      };
    });
  }
}

/** What {@link verifyJsonlChain} reports (the shape of `verifyChain`'s result). */
export interface JsonlChainVerification {
  /** True when every event passed. */
  valid: boolean;
  /** The seq expected at the first position that failed, or `null` when valid. */
  firstBadSeq: number | null;
  /** Which rule broke (the same words as `verifyChain`), or `null` when valid. */
  error: string | null;
  /** How many events passed before the first failure (all of them when valid). */
  checked: number;
}

/**
 * The bytes of the line starting at `at` (without its line feed). Bytes, not
 * decoded text: the TypeScript reader must see invalid UTF-8 to name it.
 */
function lineAt(bytes: Uint8Array, at: number): Uint8Array {
  let end = bytes.indexOf(10, at);
  if (end < 0) end = bytes.length;
  return bytes.subarray(at, end);
}

function errorMessage(f: () => unknown): string {
  try {
    f();
    return "unknown error";
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The message `verifyChain` gives for the failure `r` of
 * {@link WasmCore.verifyJsonl} on `input`; `chainStart` is the input that
 * holds the chain's first record (for the tenant/session in the message),
 * `prevWasNull` whether no previous hash was expected. The failing record is
 * re-read with the TypeScript envelope reader only here, on the failure
 * path, so the words match exactly.
 *
 * @example
 * ```ts
 * import { describeFailure, loadWasmCore, newChainState } from "./loader.ts";
 * const input = new TextEncoder().encode('{"tenant_id":"t","session_id":"s","seq":3}');
 * const r = loadWasmCore()?.verifyJsonl(input, newChainState());
 * if (r) describeFailure(r, input, input, true); // "seq gap: expected seq 0, found 3 (event 0 is missing)"
 * ```
 */
export function describeFailure(
  r: VerifyResult,
  input: Uint8Array,
  chainStart: Uint8Array,
  prevWasNull: boolean,
): string {
  const e = r.expectedSeq;
  const line = () => lineAt(input, r.recordOffset);
  switch (r.code) {
    case VerifyErrorCode.SESSION: {
      const bad = Envelope.parse(line());
      const first = Envelope.parse(lineAt(chainStart, firstRecordOffset(chainStart)));
      return `seq ${e}: tenant/session ${JSON.stringify(bad.tenantId)}/${
        JSON.stringify(bad.sessionId)
      } differs from the chain's ${JSON.stringify(first.tenantId)}/${
        JSON.stringify(first.sessionId)
      }`;
    }
    case VerifyErrorCode.SEQ:
      return r.foundSeq > e
        ? `seq gap: expected seq ${e}, found ${r.foundSeq} (event ${e} is missing)`
        : `seq out of order: expected seq ${e}, found ${r.foundSeq}`;
    case VerifyErrorCode.PREV:
      return prevWasNull
        ? `seq ${e}: the first event must not have a prev_hash`
        : `seq ${e}: prev_hash does not match the hash of seq ${e - 1}`;
    case VerifyErrorCode.UNSEALED:
      return `seq ${e}: event is not sealed (no hash)`;
    case VerifyErrorCode.UNHASHABLE:
      return `seq ${e}: cannot be hashed: ${
        errorMessage(() => Envelope.parse(line()).computeHash())
      }`;
    case VerifyErrorCode.HASH:
      return `seq ${e}: hash mismatch: the event's content was changed`;
    default:
      return `seq ${e}: unreadable envelope: ${errorMessage(() => Envelope.parse(line()))}`;
  }
}

function firstRecordOffset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && (b[i] === 32 || b[i] === 9 || b[i] === 10 || b[i] === 13)) i++;
  return i;
}

/**
 * Verifies a whole JSONL export (newline-separated wire envelopes) as one
 * chain with the WebAssembly core, with the same result as `verifyChain`
 * over the parsed envelopes — never touching `JSON.parse`.
 *
 * @example
 * ```ts
 * import { loadWasmCore, verifyJsonlChain } from "./loader.ts";
 * const core = loadWasmCore();
 * if (core) verifyJsonlChain(core, ""); // { valid: true, firstBadSeq: null, error: null, checked: 0 }
 * ```
 */
export function verifyJsonlChain(
  core: WasmCore,
  input: string | Uint8Array,
  from?: { seq: number; hash: Uint8Array },
): JsonlChainVerification {
  const bytes = typeof input === "string" ? ENCODER.encode(input) : input;
  const state: ChainState = from
    ? { nextSeq: from.seq + 1, prevHash: from.hash.slice(), identity: null, checked: 0 }
    : { nextSeq: 0, prevHash: null, identity: null, checked: 0 };
  const r = core.verifyJsonl(bytes, state);
  if (r === null) return { valid: true, firstBadSeq: null, error: null, checked: state.checked };
  return {
    valid: false,
    firstBadSeq: r.expectedSeq,
    error: describeFailure(r, bytes, bytes, state.prevHash === null),
    checked: state.checked,
  };
}

/** One session's verdict from {@link JsonlSessionVerifier}. */
export interface SessionVerification extends JsonlChainVerification {
  /** The session's tenant (`null` for lines read before any session could be named). */
  tenantId: string | null;
  /** The session's id (`null` as for `tenantId`). */
  sessionId: string | null;
}

interface SessionEntry {
  tenantId: string | null;
  sessionId: string | null;
  state: ChainState;
  failure: { firstBadSeq: number; error: string; checked: number } | null;
}

function hexOf(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

function nextLine(b: Uint8Array, at: number): number {
  const nl = b.indexOf(10, at);
  return nl < 0 ? b.length : nl + 1;
}

/**
 * Verifies a JSONL export (newline-separated wire envelopes) holding any
 * number of sessions, one hash chain per tenant/session, in constant memory:
 * feed it chunks with {@link JsonlSessionVerifier.push} (string or bytes,
 * cut anywhere), then call {@link JsonlSessionVerifier.finish}. Each
 * session's verdict has `verifyChain`'s shape and words; a failed session's
 * later records are skipped, the other sessions go on. Records are read by
 * the WebAssembly core, never by `JSON.parse`.
 *
 * @example
 * ```ts
 * import { JsonlSessionVerifier, loadWasmCore } from "./loader.ts";
 * const core = loadWasmCore();
 * if (core) {
 *   const v = new JsonlSessionVerifier(core);
 *   v.push('{"tenant_id":"t","session_id":"s","seq":1}\n');
 *   v.finish(); // [{ tenantId: "t", sessionId: "s", valid: false, firstBadSeq: 0, … }]
 * }
 * ```
 */
export class JsonlSessionVerifier {
  readonly #core: WasmCore;
  readonly #sessions = new Map<string, SessionEntry>();
  #current: SessionEntry | null = null;
  #carry: Uint8Array = new Uint8Array(0);
  readonly #utf8 = new Utf8Chunks();
  #stops = 0;

  /** A verifier using `core`. */
  constructor(core: WasmCore) {
    this.#core = core;
  }

  /**
   * How many times the core stopped before the end of its input (another
   * session's record, or a failure) and was called again on the rest: a
   * caller feeding pieces of several lines can shrink them when this grows.
   */
  get stops(): number {
    return this.#stops;
  }

  /** Feeds the next piece of the export; complete lines are verified now. */
  push(chunk: string | Uint8Array): void {
    // A surrogate pair cut between two string chunks is joined first.
    const bytes = this.#utf8.bytes(chunk);
    const last = bytes.lastIndexOf(10);
    if (last < 0) {
      this.#carry = concat(this.#carry, bytes);
      return;
    }
    this.#run(concat(this.#carry, bytes.subarray(0, last + 1)));
    this.#carry = bytes.slice(last + 1);
  }

  /** Verifies what is left and returns every session's verdict, in order of first appearance. */
  finish(): SessionVerification[] {
    this.#carry = concat(this.#carry, this.#utf8.flush());
    if (this.#carry.length) this.#run(this.#carry);
    this.#carry = new Uint8Array(0);
    const out: SessionVerification[] = [];
    for (const e of this.#sessions.values()) {
      out.push({
        tenantId: e.tenantId,
        sessionId: e.sessionId,
        valid: e.failure === null,
        firstBadSeq: e.failure ? e.failure.firstBadSeq : null,
        error: e.failure ? e.failure.error : null,
        checked: e.failure ? e.failure.checked : e.state.checked,
      });
    }
    return out;
  }

  #entry(key: string, line: Uint8Array | null): SessionEntry {
    let e = this.#sessions.get(key);
    if (!e) {
      let tenantId: string | null = null;
      let sessionId: string | null = null;
      try {
        if (line !== null) {
          const env = Envelope.parse(line);
          tenantId = env.tenantId;
          sessionId = env.sessionId;
        }
      } catch {
        // unreadable: the names stay null
      }
      e = {
        tenantId,
        sessionId,
        state: { nextSeq: 0, prevHash: null, identity: null, checked: 0 },
        failure: null,
      };
      this.#sessions.set(key, e);
    }
    return e;
  }

  #run(input: Uint8Array): void {
    let off = 0;
    while (off < input.length) {
      const sub = input.subarray(off);
      let cur = this.#current;
      if (cur === null) {
        // The first record names the first session: verify it from seq 0.
        const probe: ChainState = { nextSeq: 0, prevHash: null, identity: null, checked: 0 };
        const r = this.#core.verifyJsonl(sub, probe, { stopAtSwitch: true });
        if (probe.identity === null) {
          // Nothing readable yet: blank input, or a first line that cannot be read.
          if (r === null) return;
          cur = this.#entry("?", null);
          // Its first failure is its verdict, as for any session.
          cur.failure ??= {
            firstBadSeq: 0,
            error: describeFailure(r, sub, sub, true),
            checked: 0,
          };
          off += nextLine(sub, r.recordOffset);
          // The next readable record is probed again as a first record.
          this.#current = null;
          continue;
        }
        cur = this.#entry(hexOf(probe.identity), lineAt(sub, firstRecordOffset(sub)));
        cur.state = probe;
        this.#current = cur;
        if (r === null) return;
        off += this.#after(cur, r, sub);
        continue;
      }
      const r = this.#core.verifyJsonl(sub, cur.state, {
        stopAtSwitch: true,
        skip: cur.failure !== null,
      });
      if (r === null) return;
      off += this.#after(cur, r, sub);
    }
  }

  /** Handles a stop of the core in `sub`; returns how far to advance. */
  #after(cur: SessionEntry, r: VerifyResult, sub: Uint8Array): number {
    this.#stops++;
    if (r.code === VerifyErrorCode.SWITCH) {
      const next = this.#entry(hexOf(r.switchIdentity!), lineAt(sub, r.recordOffset));
      if (next.state.identity === null) next.state.identity = r.switchIdentity;
      this.#current = next;
      return r.recordOffset;
    }
    if (cur.failure === null) {
      cur.failure = {
        firstBadSeq: r.expectedSeq,
        error: describeFailure(r, sub, sub, cur.state.prevHash === null),
        checked: cur.state.checked,
      };
    }
    return nextLine(sub, r.recordOffset);
  }
}

/**
 * Verifies a JSONL export of any number of sessions from a string, bytes, or
 * a `ReadableStream<Uint8Array>` (constant memory: one chunk and one line at
 * a time). See {@link JsonlSessionVerifier}.
 *
 * @example
 * ```ts
 * import { loadWasmCore, verifyJsonlSessions } from "./loader.ts";
 * const core = loadWasmCore();
 * if (core) await verifyJsonlSessions(core, new Blob([""]).stream()); // []
 * ```
 */
export async function verifyJsonlSessions(
  core: WasmCore,
  source: string | Uint8Array | ReadableStream<Uint8Array>,
): Promise<SessionVerification[]> {
  const v = new JsonlSessionVerifier(core);
  if (typeof source === "string" || source instanceof Uint8Array) v.push(source);
  else {
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      v.push(value);
    }
  }
  return v.finish();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export { encodeSealRecords } from "../seal_records.ts";
