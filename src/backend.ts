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
  forced = name === "auto" ? null : name;
  if (forced === "wasm") accelerator();
}
