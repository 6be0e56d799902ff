// Loading paths of the WebAssembly core: synchronous lazy init, async
// init() from the embedded bytes, a compiled WebAssembly.Module (how
// Cloudflare Workers pass it), bytes and a Response; and the silent
// fallback to TypeScript when compilation is refused.
import assert from "node:assert/strict";
import { accelerator, backend, registerAccelerator, setBackend } from "../src/backend.ts";
import { bytesToHex } from "../src/encoding.ts";
import { init, loadWasmCore, wasmBytes } from "../src/wasm/loader.ts";

/** Backend-selection tests need automatic selection and a runtime that loads the core. */
const AUTO = !Deno.env.get("AEGIS_BACKEND") && loadWasmCore() !== null;
function test(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ name, ignore: !AUTO, fn });
}

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const abc = new TextEncoder().encode("abc");

test("the committed wasm/aegis_core.wasm is the embedded module", async () => {
  const file = await Deno.readFile(new URL("../wasm/aegis_core.wasm", import.meta.url));
  assert.deepEqual(file, wasmBytes());
});

test("synchronous lazy init: the registered loader makes wasm the automatic backend", () => {
  setBackend("auto");
  assert.equal(backend(), "wasm");
  assert.equal(accelerator(), loadWasmCore());
  assert.equal(bytesToHex(accelerator()!.sha256(abc)), ABC);
});

test("init(): embedded bytes, a WebAssembly.Module, bytes, a Response, a Promise<Response>", async () => {
  const file = await Deno.readFile(new URL("../wasm/aegis_core.wasm", import.meta.url));
  const module = await WebAssembly.compile(file);
  const sources = [
    undefined,
    module,
    file,
    new Response(file, { headers: { "content-type": "application/wasm" } }),
    Promise.resolve(new Response(file)),
  ];
  try {
    for (const m of sources) {
      assert.equal(await init(m === undefined ? undefined : { module: m }), true);
      assert.equal(backend(), "wasm");
      assert.equal(bytesToHex(accelerator()!.sha256(abc)), ABC);
    }
  } finally {
    registerAccelerator(loadWasmCore);
  }
});

test("init() with a module that is not the core never throws; TS stays when nothing loaded", async () => {
  const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]); // valid, but none of the core's exports
  try {
    // A fresh copy of the loader, so no core was loaded before.
    const fresh = await import("../src/wasm/loader.ts?bad-module");
    assert.equal(await fresh.init({ module: empty }), false);
    assert.equal(backend(), "ts");
    assert.equal(await fresh.init({ module: Promise.reject(new Error("offline")) }), false);
    assert.equal(backend(), "ts");
    // With a core already loaded, a bad module leaves it in place.
    assert.equal(await init({ module: empty }), true);
    assert.equal(backend(), "wasm");
  } finally {
    registerAccelerator(loadWasmCore);
  }
  assert.equal(backend(), "wasm");
});

test("refused compilation (Workers: 'Wasm code generation disallowed by embedder') → TS, silently", async () => {
  const RealModule = WebAssembly.Module;
  // deno-lint-ignore no-explicit-any
  const W = WebAssembly as any;
  W.Module = function () {
    throw new WebAssembly.CompileError(
      "WebAssembly.Module(): Wasm code generation disallowed by embedder",
    );
  };
  W.Module.prototype = RealModule.prototype;
  try {
    // A fresh copy of the loader, so its cache starts empty.
    const fresh = await import("../src/wasm/loader.ts?refused");
    assert.equal(fresh.loadWasmCore(), null);
    setBackend("auto");
    assert.equal(backend(), "ts");
    assert.equal(accelerator(), null);
    assert.throws(() => setBackend("wasm"));
  } finally {
    W.Module = RealModule;
    registerAccelerator(loadWasmCore);
    setBackend("auto");
  }
  assert.equal(backend(), "wasm");
});
