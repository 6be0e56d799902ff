/**
 * Preload (`deno test --preload tests/lib/refuse_wasm.ts`) that makes this
 * isolate refuse WebAssembly code generation the way Cloudflare Workers do:
 * every entry point that compiles bytes throws (or rejects with) a
 * `WebAssembly.CompileError` "Wasm code generation disallowed by embedder".
 * `WebAssembly.validate` still answers, as it does on Workers, and modules
 * that already exist could still be instantiated — none can be made here.
 *
 * Used by `tests/backend_matrix_test.ts` for its "WASM refused" run.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const W = WebAssembly as any;

function refusal(api: string): WebAssembly.CompileError {
  return new WebAssembly.CompileError(`${api}: Wasm code generation disallowed by embedder`);
}

const RealModule = WebAssembly.Module;
const RealInstance = WebAssembly.Instance;
const realInstantiate = WebAssembly.instantiate;

function Module(): never {
  throw refusal("WebAssembly.Module()");
}
Module.prototype = RealModule.prototype;
for (const k of ["customSections", "exports", "imports"] as const) {
  // deno-lint-ignore no-explicit-any
  (Module as any)[k] = (RealModule as any)[k];
}
W.Module = Module;

// Instantiating an existing Module is allowed on Workers; from bytes it is compilation.
function Instance(module: unknown, imports?: WebAssembly.Imports): WebAssembly.Instance {
  if (!(module instanceof RealModule)) throw refusal("WebAssembly.Instance()");
  return new RealInstance(module, imports);
}
Instance.prototype = RealInstance.prototype;
W.Instance = Instance;

W.compile = () => Promise.reject(refusal("WebAssembly.compile()"));
W.compileStreaming = () => Promise.reject(refusal("WebAssembly.compileStreaming()"));
W.instantiateStreaming = () => Promise.reject(refusal("WebAssembly.instantiateStreaming()"));
W.instantiate = (source: unknown, imports?: WebAssembly.Imports) =>
  source instanceof RealModule
    ? realInstantiate(source, imports)
    : Promise.reject(refusal("WebAssembly.instantiate()"));

/** Marks the isolate, so tests can tell a real refusal from a missing preload. */
(globalThis as { __aegisWasmRefused?: true }).__aegisWasmRefused = true;
