/**
 * Backend switching for benchmarks, tolerant of a WASM core that is not
 * there yet, and lookup of optional exports (`verifyJsonl`, a batch
 * SHA-256) that only exist once the WASM core has landed.
 *
 * @module
 */

import * as mod from "../../mod.ts";

/** Shown in place of a WASM figure when the core does not load. */
export const WASM_NA = "n/a (WASM core not loaded)";

/**
 * Selects `name` and reports whether it is really active. `setBackend("wasm")`
 * throws while the WASM core is not registered; that is caught and `false`
 * returned (the backend is then left on `"ts"`).
 */
export function useBackend(name: "ts" | "wasm"): boolean {
  selected = null;
  try {
    mod.setBackend(name);
    return mod.backend() === name;
  } catch {
    mod.setBackend("ts");
    return false;
  }
}

let selected: "ts" | "wasm" | null = null;

/**
 * As {@link useBackend}, but only calls `setBackend` when the selection
 * changes — cheap enough to call inside a sub-microsecond `deno bench`
 * function. Assumes nothing else switches the backend meanwhile.
 */
export function ensureBackend(name: "ts" | "wasm"): void {
  if (selected !== name) {
    useBackend(name);
    selected = name;
  }
}

/** True when the WASM core can be selected (leaves the backend on automatic selection). */
export function wasmAvailable(): boolean {
  const ok = useBackend("wasm");
  mod.setBackend("auto");
  selected = null;
  return ok;
}

/** Verification result shape shared by `verifyChain` and `verifyJsonl`. */
export interface VerifyResultLike {
  /** True when every event passed. */
  valid: boolean;
  /** Events that passed. */
  checked?: number;
}

/** `verifyJsonl` over a string, when mod.ts exports it (the WASM work adds it). */
export type VerifyJsonl = (source: string) => VerifyResultLike | VerifyResultLike[] | unknown;

const exported = mod as unknown as Record<string, unknown>;

/** `mod.verifyJsonl`, or `null` while it does not exist. */
export function optionalVerifyJsonl(): VerifyJsonl | null {
  const f = exported["verifyJsonl"];
  return typeof f === "function" ? f as VerifyJsonl : null;
}

/** A batch SHA-256 export: many independent messages in, one digest per message out. */
export interface BatchSha256 {
  /** Export name in mod.ts. */
  name: string;
  /** The function. */
  fn: (messages: Uint8Array[]) => unknown;
}

/**
 * The batch SHA-256 export of mod.ts, if any: a function other than `sha256`
 * whose name mentions sha256 and batch/many/multi.
 */
export function optionalBatchSha256(): BatchSha256 | null {
  for (const [name, f] of Object.entries(exported)) {
    if (typeof f === "function" && /sha256/i.test(name) && /batch|many|multi|all/i.test(name)) {
      return { name, fn: f as BatchSha256["fn"] };
    }
  }
  return null;
}

/**
 * Whether a `verifyJsonl`/`verifyChain` result says the whole input is valid
 * (a single result, an array of per-session results, or a Map of them).
 */
export function allValid(result: unknown): boolean {
  if (result instanceof Map) return [...result.values()].every(allValid);
  if (Array.isArray(result)) return result.length > 0 && result.every(allValid);
  if (result !== null && typeof result === "object" && "valid" in result) {
    return (result as VerifyResultLike).valid === true;
  }
  if (result !== null && typeof result === "object") {
    const vals = Object.values(result as Record<string, unknown>);
    return vals.length > 0 && vals.every(allValid);
  }
  return false;
}
