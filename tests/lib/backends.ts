/**
 * Runs a test body once per available backend ("ts" always, "wasm" when the
 * WebAssembly core loads), restoring the run's selection afterwards.
 *
 * `AEGIS_BACKEND=ts|wasm` (how the backend matrix forces one) narrows every
 * {@link testBothBackends} test to that backend; with `wasm`, a core that
 * cannot load fails those tests instead of skipping them.
 *
 * @module
 */

// Registers the WebAssembly core, so both backends exist whatever mod.ts imports.
import "../../src/wasm/loader.ts";
import { backend, type BackendName, setBackend } from "../../mod.ts";

function readForced(): BackendName | null {
  const v = Deno.env.get("AEGIS_BACKEND");
  if (v === undefined || v === "") return null;
  if (v !== "ts" && v !== "wasm") {
    throw new Error(`AEGIS_BACKEND must be "ts" or "wasm", got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The backend `AEGIS_BACKEND` forces for this run, or `null` (automatic selection). */
export const FORCED_BACKEND: BackendName | null = readForced();

/** Returns to the selection the run started with: `AEGIS_BACKEND`'s, or automatic. */
export function restoreBackend(): void {
  setBackend(FORCED_BACKEND ?? "auto");
}

/**
 * The backends to test: the forced one alone under `AEGIS_BACKEND`, else
 * "ts" and, when the core loads, "wasm".
 */
export function availableBackends(): BackendName[] {
  if (FORCED_BACKEND !== null) return [FORCED_BACKEND];
  const out: BackendName[] = ["ts"];
  try {
    setBackend("wasm");
    out.push("wasm");
  } catch {
    // WASM core not available here: only the TS path runs.
  } finally {
    restoreBackend();
  }
  return out;
}

/**
 * Registers `Deno.test(`${name} [backend]`)` for every backend of
 * {@link availableBackends}. Selecting the backend is part of the test, so
 * a forced "wasm" that cannot load is a failure.
 */
export function testBothBackends(
  name: string,
  fn: (backend: BackendName) => void | Promise<void>,
): void {
  for (const b of availableBackends()) {
    Deno.test(`${name} [${b}]`, async () => {
      setBackend(b);
      try {
        if (backend() !== b) throw new Error(`backend() is ${backend()} after setBackend("${b}")`);
        await fn(b);
      } finally {
        restoreBackend();
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
