// Cloudflare Workers: the real workerd runtime (npm package `workerd`, pinned
// in tests/runtimes/tools) serves two workers on 127.0.0.1 from a config this
// test writes. One imports `aegis_core.wasm` as a module and calls
// `init({ module })`; the other does not, so the SDK must fall back to pure
// TS (workerd refuses to compile WASM bytes at run time). Both seal and verify
// the aegisd vectors sent to them over HTTP and report the backend that ran.
import assert from "node:assert/strict";
import { bundle } from "../../scripts/build_npm.ts";
import { checkAndRecord, NOT_STARTED } from "./lib/compat.ts";
import { assertReport, PROBE_VECTORS, probeChecks } from "./lib/expect.ts";
import {
  freePort,
  type Service,
  startService,
  versionOf,
  waitForHttp,
  workerdPath,
} from "./lib/tools.ts";
import type { ProbeReport } from "./probe/vectors_probe.ts";

const HERE = new URL("./workerd/", import.meta.url);
const WASM = new URL("../../wasm/aegis_core.wasm", import.meta.url);
const COMPAT_DATE = "2026-11-01";

// The two entry modules (written here, not kept as files: their imports exist
// only in workerd's module list). One imports the core as a module, as Workers
// receive WASM, and hands it to init({ module }); the other has no module, so
// the SDK must fall back to pure TS by itself.
const ENTRY_WASM = `import wasmModule from "./aegis_core.wasm";
import { createApp } from "./app.js";
const app = createApp({ module: wasmModule });
export default { fetch: (request) => app(request) };
`;
const ENTRY_TS = `import { createApp } from "./app.js";
const app = createApp({});
export default { fetch: (request) => app(request) };
`;

function config(ports: { wasm: number; ts: number }): string {
  const worker = (entry: string, wasm: boolean) =>
    `(
    modules = [
      (name = "worker.js", esModule = embed "${entry}"),
      (name = "app.js", esModule = embed "app.js"),${
      wasm ? '\n      (name = "aegis_core.wasm", wasm = embed "aegis_core.wasm"),' : ""
    }
    ],
    compatibilityDate = "${COMPAT_DATE}",
  )`;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "wasm", worker = .wasmWorker),
    (name = "ts", worker = .tsWorker),
  ],
  sockets = [
    (name = "wasm", address = "127.0.0.1:${ports.wasm}", http = (), service = "wasm"),
    (name = "ts", address = "127.0.0.1:${ports.ts}", http = (), service = "ts"),
  ],
);

const wasmWorker :Workerd.Worker = ${worker("worker_wasm.js", true)};

const tsWorker :Workerd.Worker = ${worker("worker_ts.js", false)};
`;
}

Deno.test("workerd runs the SDK with init({ module }) and with the pure-TS fallback", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "aegis-workerd-" });
  const ports = { wasm: freePort(), ts: freePort() };
  let workerdProc: Service | null = null;
  const logs = (): string => workerdProc?.logs.join("") ?? "";
  // Starting workerd happens once for both workers; a failure to start fails (and records) both.
  const started = (async () => {
    const workerd = await workerdPath();
    const version = await versionOf(workerd);
    await bundle(new URL("app.ts", HERE), `${dir}/app.js`);
    await Deno.writeTextFile(`${dir}/worker_wasm.js`, ENTRY_WASM);
    await Deno.writeTextFile(`${dir}/worker_ts.js`, ENTRY_TS);
    await Deno.copyFile(WASM, `${dir}/aegis_core.wasm`);
    await Deno.writeTextFile(`${dir}/config.capnp`, config(ports));
    const proc = workerdProc = startService(workerd, ["serve", `${dir}/config.capnp`], {
      cwd: dir,
    });
    await waitForHttp(`http://127.0.0.1:${ports.ts}/backend`, 20_000, proc);
    return version;
  })().catch((e) => {
    throw new Error(`workerd did not start: ${e}\n--- workerd output ---\n${logs()}`);
  });
  started.catch(() => {}); // awaited (and reported) by each step
  try {
    for (const mode of ["wasm", "ts"] as const) {
      await t.step(`${mode} worker`, async () => {
        const row = {
          runtime: "Cloudflare Workers (workerd)",
          version: NOT_STARTED,
          loadedAs: "bundled worker (ES modules)",
          backend: mode,
          selection: mode === "wasm"
            ? "`.wasm` module import + `init({ module })`"
            : "no `init` (automatic fallback)",
          checked: probeChecks(),
          testedBy: "tests/runtimes/workerd_test.ts",
        };
        await checkAndRecord(row, async () => {
          row.version = await started;
          const base = `http://127.0.0.1:${ports[mode]}`;
          const res = await fetch(`${base}/probe`, {
            method: "POST",
            body: JSON.stringify(PROBE_VECTORS),
          });
          const text = await res.text();
          assert.equal(res.status, 200, `${text}\n--- workerd output ---\n${logs()}`);
          const body = JSON.parse(text) as { init: boolean | null; report: ProbeReport };
          assert.equal(body.init, mode === "wasm" ? true : null, "init() result");
          assertReport(body.report, mode);
          const compile = await (await fetch(`${base}/compile`)).json();
          const late = await (await fetch(`${base}/init`, { method: "POST" })).json();
          // workerd refuses WASM from bytes in both workers: the module import is the only way.
          assert.match(compile.compile, /^refused: .*disallowed by embedder/);
          if (mode === "ts") {
            // So init() without a module gives up quietly and the TS path stays.
            assert.deepEqual(late, { init: false, backend: "ts" });
          } else {
            assert.deepEqual(late, { init: true, backend: "wasm" }, "the loaded core stays");
          }
        });
      });
    }
  } finally {
    await started.catch(() => {}); // never stop before the start has settled
    await (workerdProc as Service | null)?.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
