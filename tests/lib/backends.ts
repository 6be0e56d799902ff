/**
 * Runs a test body once per available backend ("ts" always, "wasm" when the
 * WebAssembly core loads), restoring automatic selection afterwards.
 *
 * @module
 */

import { type BackendName, setBackend } from "../../mod.ts";

/** The backends this runtime can use. */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = ["ts"];
  try {
    setBackend("wasm");
    out.push("wasm");
  } catch {
    // WASM core not available here: only the TS path runs.
  } finally {
    setBackend("auto");
  }
  return out;
}

/** Registers `Deno.test(`${name} [backend]`)` for every available backend. */
export function testBothBackends(
  name: string,
  fn: (backend: BackendName) => void | Promise<void>,
): void {
  for (const b of availableBackends()) {
    Deno.test(`${name} [${b}]`, async () => {
      setBackend(b);
      try {
        await fn(b);
      } finally {
        setBackend("auto");
      }
    });
  }
}

const VECTORS = new URL("../../../shared/vectors/", import.meta.url);

/** Reads a file under `../shared/vectors/`. */
export function readVector(path: string): string {
  return Deno.readTextFileSync(new URL(path, VECTORS));
}

/** Parses a JSONL vector file into records (test-side only; the code under test never uses JSON.parse). */
export function readJsonl<T>(path: string): T[] {
  return readVector(path).trim().split("\n").map((l) => JSON.parse(l) as T);
}
