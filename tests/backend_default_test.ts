// Guard: what the public entry point selects on Deno. Only mod.ts is
// imported, so a build that stopped registering the WebAssembly core fails
// here instead of silently running everything on the TS path. Under the
// backend matrix (tests/backend_matrix_test.ts) the same file checks the
// forced backend, or that a "WASM refused" run really refuses and falls back.
import assert from "node:assert/strict";
import { backend, Builder, setBackend, verifyChain } from "../mod.ts";

const FORCED = Deno.env.get("AEGIS_BACKEND") || null;
const REFUSED = Deno.env.get("AEGIS_TEST_WASM_REFUSED") === "1";

/** Restores the selection this run started with. */
function restore(): void {
  setBackend(FORCED === "ts" || FORCED === "wasm" ? FORCED : "auto");
}

Deno.test({
  name: "backend(): 'wasm' by default on Deno (mod.ts registers the WebAssembly core)",
  ignore: FORCED !== null || REFUSED,
  fn() {
    assert.equal(backend(), "wasm");
    setBackend("auto");
    assert.equal(backend(), "wasm");
  },
});

Deno.test("setBackend('ts') selects the TS path; 'auto' selects again", () => {
  try {
    setBackend("ts");
    assert.equal(backend(), "ts");
    const b = new Builder({ tenantId: "t", sessionId: "s", clock: () => 1700000000000 });
    assert.equal(verifyChain([b.append("TERMINATION")]).valid, true);
    setBackend("auto");
    assert.equal(backend(), REFUSED ? "ts" : "wasm");
  } finally {
    restore();
  }
});

Deno.test({
  name: "AEGIS_BACKEND forces the backend from the start",
  ignore: FORCED === null,
  fn() {
    assert.ok(FORCED === "ts" || FORCED === "wasm", `AEGIS_BACKEND=${FORCED}`);
    assert.equal(backend(), FORCED);
  },
});

Deno.test({
  name: "WASM refused: compiling is really refused, and backend() falls back to 'ts'",
  ignore: !REFUSED,
  async fn() {
    const bytes = await Deno.readFile(new URL("../wasm/aegis_core.wasm", import.meta.url));
    if (typeof WebAssembly === "undefined") {
      // An engine without WebAssembly at all (e.g. V8 --jitless).
    } else {
      assert.throws(() => new WebAssembly.Module(bytes), /disallowed by embedder/);
      await assert.rejects(() => WebAssembly.compile(bytes), /disallowed by embedder/);
    }
    assert.equal(FORCED, null, "the refused run must not force a backend");
    assert.equal(backend(), "ts");
    assert.throws(() => setBackend("wasm"), /could not load/);
    assert.equal(backend(), "ts");
    const b = new Builder({ tenantId: "t", sessionId: "s", clock: () => 1700000000000 });
    assert.equal(verifyChain([b.append("TERMINATION"), b.append("TERMINATION")]).checked, 2);
  },
});
