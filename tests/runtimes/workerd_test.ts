// Cloudflare Workers: the real workerd runtime (npm package `workerd`, pinned
// in tests/runtimes/tools) serves two workers on 127.0.0.1 from a config this
// test writes. One imports `aegis_core.wasm` as a module and calls
// `init({ module })`; the other does not, so the SDK must fall back to pure
// TS (workerd refuses to compile WASM bytes at run time). Both seal and verify
// the aegisd vectors sent to them over HTTP and report the backend that ran.
import assert from "node:assert/strict";
import { bundle } from "../../scripts/build_npm.ts";
import { installPackedNpm } from "./lib/build.ts";
import { checkAndRecord, NOT_STARTED } from "./lib/compat.ts";
import { assertReport, PROBE_VECTORS, probeChecks } from "./lib/expect.ts";
import {
  freePort,
  type Service,
  startService,
  versionOf,
  waitForHttp,
  workerdPath,
  wranglerBuild,
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

// An npm consumer's Worker: the packed npm build installed from its tarball,
// `@aegis/sdk/aegis_core.wasm` imported as a module, bundled by the pinned
// wrangler exactly as `wrangler deploy` would upload it, served by workerd.
const CONSUMER_WORKER = `import wasmModule from "@aegis/sdk/aegis_core.wasm";
import { backend, Envelope, init } from "@aegis/sdk";

let ready = null;
export default {
  async fetch(request) {
    ready ??= init({ module: wasmModule });
    const loaded = await ready;
    const hashes = (await request.text()).split("\\n").filter((l) => l !== "")
      .map((line) => Envelope.parse(line).seal().hash);
    return Response.json({ loaded, backend: backend(), hashes });
  },
};
`;

Deno.test("an npm consumer's Worker (npm install of the packed build, wrangler, workerd) seals on WASM", async () => {
  const app = await Deno.makeTempDir({ prefix: "aegis-npm-worker-" });
  const row = {
    runtime: "Cloudflare Workers (workerd)",
    version: NOT_STARTED,
    loadedAs: "npm package (`npm pack`) bundled by `wrangler deploy --dry-run`",
    backend: "wasm",
    selection: "`@aegis/sdk/aegis_core.wasm` import + `init({ module })`",
    checked: "",
    testedBy: "tests/runtimes/workerd_test.ts",
  };
  const vectors = PROBE_VECTORS.chains.trim().split("\n").map((l) =>
    JSON.parse(l) as { wire: string; hash: string }
  );
  row.checked = `${vectors.length} envelopes sealed`;
  let service: Service | null = null;
  try {
    await checkAndRecord(row, async () => {
      const workerd = await workerdPath();
      row.version = await versionOf(workerd);
      await Deno.writeTextFile(`${app}/package.json`, '{"private":true,"type":"module"}\n');
      await installPackedNpm(app);
      await Deno.mkdir(`${app}/src`);
      await Deno.writeTextFile(`${app}/src/index.js`, CONSUMER_WORKER);
      await Deno.writeTextFile(
        `${app}/wrangler.toml`,
        `name = "aegis-npm-consumer"\nmain = "src/index.js"\ncompatibility_date = "${COMPAT_DATE}"\n`,
      );
      const out = `${app}/out`;
      const { main: mainName, wasm: wasmName } = await wranglerBuild(app, out);
      assert.ok(wasmName, "wrangler uploads @aegis/sdk/aegis_core.wasm as a module");
      const port = freePort();
      await Deno.writeTextFile(
        `${out}/config.capnp`,
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (
    modules = [
      (name = "${mainName}", esModule = embed "${mainName}"),
      (name = "${wasmName}", wasm = embed "${wasmName}"),
    ],
    compatibilityDate = "${COMPAT_DATE}",
  ))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
      );
      const proc = service = startService(workerd, ["serve", `${out}/config.capnp`], { cwd: out });
      await waitForHttp(`http://127.0.0.1:${port}/`, 20_000, proc);
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body: vectors.map((v) => v.wire).join("\n"),
      });
      const body = await res.text();
      assert.equal(res.status, 200, `${body}\n${proc.logs.join("")}`);
      const got = JSON.parse(body) as { loaded: boolean; backend: string; hashes: string[] };
      assert.equal(got.loaded, true);
      assert.equal(got.backend, "wasm");
      assert.deepEqual(got.hashes, vectors.map((v) => v.hash));
    });
  } finally {
    await (service as Service | null)?.stop();
    await Deno.remove(app, { recursive: true });
  }
});
