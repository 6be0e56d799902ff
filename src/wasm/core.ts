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

/** Error codes of the chain verifier beyond the JSON ones (`wasm/src/envelope.rs`). */
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
} as const;

interface Exports {
  memory: WebAssembly.Memory;
  input(len: number): number;
  header(): number;
  sha256(len: number): number;
  sha256_many(len: number, count: number): number;
  canonicalize(len: number, profile: number): number;
  seal_chain(len: number): number;
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

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** The module's imports: the host's ES6 number conversion (see `wasm/src/number.rs`). */
function imports(core: { mem: () => Uint8Array }): WebAssembly.Imports {
  return {
    env: {
      number(ptr: number, len: number, out: number): number {
        const m = core.mem();
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

/** Instantiates a compiled core module; throws when the module does not fit. */
export function instantiate(module: WebAssembly.Module): WasmCore {
  const core = new WasmCore();
  const instance = new WebAssembly.Instance(module, imports(core));
  core.attach(instance.exports as unknown as Exports);
  return core;
}

/** Instantiates asynchronously (for hosts that refuse large synchronous instantiation). */
export async function instantiateAsync(module: WebAssembly.Module): Promise<WasmCore> {
  const core = new WasmCore();
  const instance = await WebAssembly.instantiate(module, imports(core));
  core.attach(instance.exports as unknown as Exports);
  return core;
}

/**
 * The loaded core, implementing {@link Accelerator}. Not reentrant (nor
 * needs to be: JavaScript is single-threaded per instance).
 */
export class WasmCore implements Accelerator {
  #x!: Exports;
  #buf: ArrayBuffer | null = null;
  #u8 = new Uint8Array(0);
  #dv = new DataView(new ArrayBuffer(0));
  #h = 0;

  /** @internal */
  attach(x: Exports): void {
    this.#x = x;
    this.#h = x.header();
  }

  /** The current view of linear memory (recreated after memory grows). */
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
   * record's hash becomes the next record's `prev_hash`.
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
  sealChain(recordsJson: string | Uint8Array, prevHash: Uint8Array | null): SealedChain {
    return this.#call(() => {
      const n = typeof recordsJson === "string"
        ? this.#putString(recordsJson)
        : this.#putBytes(recordsJson);
      const dv = this.#view();
      const h = this.#h;
      if (prevHash) {
        if (prevHash.length !== 32) throw new RangeError("prevHash must have 32 bytes");
        this.mem().set(prevHash, h + H_PREV);
        dv.setUint32(h + H_FLAGS, 1, true);
      } else dv.setUint32(h + H_FLAGS, 0, true);
      if (this.#x.seal_chain(n) !== 0) this.#jsonError();
      const count = this.#u32(H_COUNT);
      const tp = this.#u32(H_PTR);
      const mem = this.mem();
      const text = mem.slice(tp, tp + this.#u32(H_LEN));
      const ep = this.#u32(H_PTR2);
      const ends = new Uint32Array(count);
      const dv2 = this.#view();
      for (let i = 0; i < count; i++) ends[i] = dv2.getUint32(ep + i * 4, true);
      const hp = this.#u32(H_PTR3);
      const hashes = mem.slice(hp, hp + count * 32);
      return { count, text, ends, hashes };
    });
  }

  /**
   * Verifies newline-separated wire envelopes (aegisd's POST /v1/events
   * bodies) as one chain continuing `state`, which is updated in place with
   * every record that checks, so a stream can be fed chunk by chunk (each
   * chunk made of whole records). Never uses `JSON.parse`. Content hashes
   * are recomputed four at a time (SIMD multi-buffer).
   *
   * Returns `null` when every record in the input checks, or the failure:
   * its error code, the expected seq, and where the record starts.
   *
   * @example
   * ```ts
   * import { loadWasmCore, newChainState } from "./loader.ts";
   * const state = newChainState();
   * loadWasmCore()?.verifyJsonl(new TextEncoder().encode(""), state); // null
   * ```
   */
  verifyJsonl(input: Uint8Array | string, state: ChainState): VerifyResult | null {
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
      };
    });
  }
}

/**
 * Encodes records for {@link WasmCore.sealChain}: the JSON text of
 * `[[event_type, payload, seq, session_id, tenant_id, ts_unix_ms, user_id], …]`.
 * The payload goes through `JSON.stringify`, so the caller must already have
 * rejected what JSON cannot carry (NaN, ±Infinity, BigInt, cycles); lone
 * surrogates survive as escapes and make the core throw.
 *
 * @example
 * ```ts
 * import { encodeSealRecords } from "./core.ts";
 * encodeSealRecords([{
 *   eventType: "TERMINATION", payload: null, seq: 0, sessionId: "s",
 *   tenantId: "acme", tsUnixMs: 1700000000000, userId: "",
 * }]);
 * // '[["TERMINATION",null,0,"s","acme",1700000000000,""]]'
 * ```
 */
export function encodeSealRecords(
  records: readonly {
    eventType: string;
    payload: unknown;
    seq: number;
    sessionId: string;
    tenantId: string;
    tsUnixMs: number;
    userId: string;
  }[],
): string {
  const rows = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    rows[i] = [
      r.eventType,
      r.payload === undefined ? null : r.payload,
      r.seq,
      r.sessionId,
      r.tenantId,
      r.tsUnixMs,
      r.userId,
    ];
  }
  return JSON.stringify(rows);
}
