/**
 * Loading the WebAssembly core: synchronously and lazily where the runtime
 * compiles bytes synchronously (Deno, Node, Bun), or through `await init()`
 * (browsers, which refuse synchronous compiles over 4 KB on the main thread)
 * and `init({ module })` (Cloudflare Workers, which refuse to compile bytes
 * at run time and import `.wasm` files as `WebAssembly.Module`s).
 *
 * Importing this module registers the loader with `src/backend.ts`. When the
 * core cannot load (compilation refused, no SIMD128), everything uses the
 * pure-TypeScript path: the loader returns `null`.
 *
 * @module
 */

import { type ChainState, installAccelerator, registerAccelerator } from "../backend.ts";
import { WASM_BASE64 } from "./aegis_core_wasm.generated.ts";
import { instantiate, instantiateAsync, type WasmCore } from "./core.ts";

export type { Accelerator, ChainState, SealedChain, VerifyResult } from "../backend.ts";
export type { CanonicalProfile } from "../canon/profile.ts";
export {
  type CoreExports,
  describeFailure,
  encodeSealRecords,
  type JsonlChainVerification,
  JsonlSessionVerifier,
  type SessionVerification,
  VerifyErrorCode,
  verifyJsonlChain,
  verifyJsonlSessions,
  WasmCore,
} from "./core.ts";

let syncCore: WasmCore | null | undefined;

function decodeBase64(b64: string): Uint8Array {
  // deno-lint-ignore no-explicit-any
  const U8 = Uint8Array as any;
  if (typeof U8.fromBase64 === "function") return U8.fromBase64(b64);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * The embedded module's bytes (decoded from base64 on each call).
 *
 * @example
 * ```ts
 * import { wasmBytes } from "./loader.ts";
 * WebAssembly.validate(wasmBytes()); // true where SIMD128 is supported
 * ```
 */
export function wasmBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(WASM_BASE64) as Uint8Array<ArrayBuffer>;
}

/**
 * The core, compiled and instantiated synchronously on first use; `null`
 * when the runtime refuses (no synchronous compilation, no SIMD128, no
 * WebAssembly at all).
 *
 * @example
 * ```ts
 * import { loadWasmCore } from "./loader.ts";
 * const core = loadWasmCore();
 * console.log(core ? "wasm" : "ts");
 * ```
 */
export function loadWasmCore(): WasmCore | null {
  if (syncCore !== undefined) return syncCore;
  syncCore = null;
  try {
    if (typeof WebAssembly !== "object") return null;
    const bytes = wasmBytes();
    if (!WebAssembly.validate(bytes)) return null; // e.g. no SIMD128
    syncCore = instantiate(new WebAssembly.Module(bytes));
  } catch {
    syncCore = null;
  }
  return syncCore;
}

/** Where {@link init} takes the module from. */
export interface InitOptions {
  /**
   * A compiled module (Cloudflare Workers: `import wasm from
   * "./aegis_core.wasm"`), its bytes, or a `Response` for them. Defaults to
   * the embedded module.
   */
  module?: WebAssembly.Module | BufferSource | Response | Promise<Response>;
}

/**
 * Loads the core asynchronously and makes it the active backend. Resolves
 * to `true` when it loaded, `false` when the pure-TS path stays in use
 * (never rejects).
 *
 * @example
 * ```ts
 * import { init } from "./loader.ts";
 * import { backend } from "../backend.ts";
 * await init(); // browsers: compile off the main thread's sync path
 * console.log(backend()); // "wasm" where WebAssembly SIMD is available
 * // Cloudflare Workers:
 * // import wasmModule from "./aegis_core.wasm";
 * // await init({ module: wasmModule });
 * ```
 */
export async function init(options?: InitOptions): Promise<boolean> {
  try {
    if (typeof WebAssembly !== "object") throw new Error("no WebAssembly");
    let src = options?.module;
    let module: WebAssembly.Module;
    if (src instanceof WebAssembly.Module) module = src;
    else {
      if (src === undefined) src = wasmBytes();
      if (src instanceof Promise) src = await src;
      const bytes = typeof Response !== "undefined" && src instanceof Response
        ? new Uint8Array(await src.arrayBuffer())
        : src as BufferSource;
      if (!WebAssembly.validate(bytes)) throw new Error("module does not validate (no SIMD128?)");
      module = await WebAssembly.compile(bytes);
    }
    const core = await instantiateAsync(module);
    syncCore = core;
    installAccelerator(core);
    return true;
  } catch {
    if (syncCore === undefined) syncCore = null;
    installAccelerator(syncCore ?? null);
    return syncCore != null;
  }
}

/**
 * A fresh chain-verification state for {@link WasmCore.verifyJsonl}: from
 * seq 0, or after a trusted event `from`.
 *
 * @example
 * ```ts
 * import { newChainState } from "./loader.ts";
 * newChainState(); // { nextSeq: 0, prevHash: null, identity: null, checked: 0 }
 * ```
 */
export function newChainState(from?: { seq: number; hash: Uint8Array }): ChainState {
  return from
    ? { nextSeq: from.seq + 1, prevHash: from.hash.slice(), identity: null, checked: 0 }
    : { nextSeq: 0, prevHash: null, identity: null, checked: 0 };
}

registerAccelerator(loadWasmCore);
