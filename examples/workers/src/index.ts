// The Worker's entry module (wrangler.toml `main`). Wrangler and workerd give
// `.wasm` imports as compiled WebAssembly.Module objects; Deno would load the
// same import as a WebAssembly ES module instead, so `deno check` covers
// worker.ts, not this file.
import wasmModule from "../../../wasm/aegis_core.wasm";
import { createWorker } from "./worker.ts";

export default createWorker(wasmModule);
