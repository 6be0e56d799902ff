/**
 * Backend selection: the WebAssembly core when it can load, the pure
 * TypeScript implementation otherwise. Both produce identical bytes.
 *
 * The WASM side registers itself through {@link registerAccelerator}; this
 * module never imports it, so the pure-TS core has no dependency on it.
 *
 * @module
 */

import type { CanonicalProfile } from "./canon/profile.ts";

/** Name of an implementation backend. */
export type BackendName = "wasm" | "ts";

/**
 * What the WebAssembly core offers the rest of the module. Every method must
 * give exactly the bytes (and the same error class and message) as the
 * TypeScript implementation.
 */
export interface Accelerator {
  /** SHA-256 of one message. */
  sha256(data: Uint8Array): Uint8Array;
  /** Canonical form of a UTF-8 JSON text; throws `SyntaxError` like the TS parser. */
  canonicalizeText(text: Uint8Array, profile: CanonicalProfile): string;
  /** SHA-256 of many independent messages (multi-buffer). */
  sha256Many(messages: readonly Uint8Array[]): Uint8Array[];
  /**
   * Seals a chain in one call: `recordsJson` is the JSON text of
   * `[[event_type, payload, seq, session_id, tenant_id, ts_unix_ms, user_id], …]`,
   * `prevHash` the first record's previous hash (`null` at seq 0). With
   * `wantText` false, `text` and `ends` come back empty.
   */
  sealChain(
    recordsJson: string | Uint8Array,
    prevHash: Uint8Array | null,
    wantText?: boolean,
  ): SealedChain;
  /**
   * Hashes records that each carry their own `prev_hash` independently
   * (multi-buffer): the JSON text of `[[event_type, payload, prev_hash, seq,
   * session_id, tenant_id, ts_unix_ms, user_id], …]`, `prev_hash` `null` or 64
   * lowercase hex. With `wantText` false, `text` and `ends` come back empty.
   * Verification uses it.
   */
  hashRecords(recordsJson: string | Uint8Array, wantText?: boolean): SealedChain;
  /**
   * Verifies newline-separated wire envelopes as one chain continuing
   * `state` (updated in place); `null` when all check, else the failure.
   */
  verifyJsonl(
    input: Uint8Array | string,
    state: ChainState,
    mode?: { stopAtSwitch?: boolean; skip?: boolean },
  ): VerifyResult | null;
}

/** Result of {@link Accelerator.sealChain}; copies, safe to keep. */
export interface SealedChain {
  /** Number of records sealed. */
  count: number;
  /** The canonical texts (the exact hashed bytes), back to back; empty when not asked for. */
  text: Uint8Array;
  /** End offset of record `i`'s text in `text` (it starts at `ends[i - 1]`, or 0); empty when not asked for. */
  ends: Uint32Array;
  /** SHA-256 of record `i` at `hashes[32 i .. 32 i + 32]`. */
  hashes: Uint8Array;
}

/** Chain-verification state carried from one input chunk to the next. */
export interface ChainState {
  /** The seq the next record must have. */
  nextSeq: number;
  /** Hash of the last record checked (`null` before the first, or a trusted start). */
  prevHash: Uint8Array | null;
  /** SHA-256 of the chain's canonical tenant "\n" session, once known. */
  identity: Uint8Array | null;
  /** Records checked so far. */
  checked: number;
}

/** The first record that failed {@link Accelerator.verifyJsonl}. */
export interface VerifyResult {
  /**
   * 1–11: malformed JSON (`JsonErrorCode`); 12 wrong field type; 20 seq; 21
   * prev_hash linkage; 22 hash mismatch; 23 other tenant/session; 25 digest
   * not 32 bytes of hex/base64/byte array; 26 key differs from a field only
   * in case; 27 no hash; 28 empty tenant/session or ts_unix_ms ≤ 0; 29 (with
   * `stopAtSwitch`, not an error) the record belongs to another session.
   */
  code: number;
  /** With code 29: the identity (see {@link ChainState.identity}) of that record's session. */
  switchIdentity: Uint8Array | null;
  /** The seq expected at the failing position. */
  expectedSeq: number;
  /** The seq the failing record carries (0 when unreadable). */
  foundSeq: number;
  /** Byte offset of the problem in the input (for JSON errors). */
  errorOffset: number;
  /** Byte offset where the failing record starts in the input. */
  recordOffset: number;
}

/** How an accelerator is obtained: synchronously, or `null` when it cannot load. */
export type AcceleratorLoader = () => Accelerator | null;

let loader: AcceleratorLoader | null = null;
let loaded: Accelerator | null | undefined;
let forced: BackendName | null = readForcedFromEnv();

function readForcedFromEnv(): BackendName | null {
  try {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const v = g.Deno?.env?.get?.("AEGIS_BACKEND") ?? g.process?.env?.AEGIS_BACKEND;
    return v === "ts" || v === "wasm" ? v : null;
  } catch {
    return null; // no permission to read the environment: automatic selection
  }
}

/** Registers the synchronous loader of the WebAssembly core (done by `src/wasm/`). */
export function registerAccelerator(load: AcceleratorLoader): void {
  loader = load;
  loaded = undefined;
}

/** Installs an already-loaded accelerator (after an async `init()`). */
export function installAccelerator(acc: Accelerator | null): void {
  loaded = acc;
}

/** The active accelerator, or `null` when the pure-TS path is in use. */
export function accelerator(): Accelerator | null {
  if (forced === "ts") return null;
  if (loaded === undefined) {
    try {
      loaded = loader ? loader() : null;
    } catch {
      loaded = null;
    }
  }
  if (forced === "wasm" && loaded === null) {
    throw new Error('AEGIS backend forced to "wasm" but the WebAssembly core could not load');
  }
  return loaded;
}

/**
 * The backend in use: `"wasm"` when the WebAssembly core is loaded and not
 * disabled, `"ts"` otherwise.
 *
 * @example
 * ```ts
 * import { backend } from "@aegis/sdk";
 * console.log(backend()); // "wasm" on Deno, Node and Bun; "ts" where WASM is refused
 * ```
 */
export function backend(): BackendName {
  return accelerator() ? "wasm" : "ts";
}

/**
 * Forces a backend (`"ts"` or `"wasm"`), or returns to automatic selection
 * with `"auto"`. The environment variable `AEGIS_BACKEND=ts|wasm` does the
 * same at start-up.
 *
 * @throws {TypeError} on an unknown name.
 * @throws {Error} when `"wasm"` is asked for and the core cannot load; the
 * previous selection then stays in force.
 * @example
 * ```ts
 * import { backend, setBackend } from "@aegis/sdk";
 * setBackend("ts");
 * console.log(backend()); // "ts"
 * setBackend("auto");
 * ```
 */
export function setBackend(name: BackendName | "auto"): void {
  if (name !== "ts" && name !== "wasm" && name !== "auto") {
    throw new TypeError(`unknown backend ${JSON.stringify(name)}; use "ts", "wasm" or "auto"`);
  }
  const previous = forced;
  forced = name === "auto" ? null : name;
  if (forced === "wasm") {
    try {
      accelerator();
    } catch (err) {
      forced = previous;
      throw err;
    }
  }
}
