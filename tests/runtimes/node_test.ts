// Node 20+: the npm build (dist/npm, made by scripts/build_npm.ts), packed
// with `npm pack` and installed from the tarball, imported as `@aegis/sdk`,
// passes the vectors with the WASM backend and with it forced off
// (AEGIS_BACKEND=ts); its declarations type-check a TypeScript consumer.
import { TYPESCRIPT } from "../../scripts/build_npm.ts";
import { checkAndRecord, NOT_STARTED } from "./lib/compat.ts";
import { installPackedNpm, probeBundle } from "./lib/build.ts";
import { assertReport, probeChecks, VECTORS_DIR } from "./lib/expect.ts";
import { run, versionOf, which } from "./lib/tools.ts";
import type { ProbeReport } from "./probe/vectors_probe.ts";

/** A Node project that installed the packed build from its tarball, plus the probe runner. */
async function consumerDir(): Promise<string> {
  const app = await Deno.makeTempDir({ prefix: "aegis-node-" });
  await Deno.writeTextFile(`${app}/package.json`, '{"type":"module","private":true}\n');
  await installPackedNpm(app);
  await Deno.copyFile(await probeBundle(), `${app}/vectors_probe.js`);
  await Deno.copyFile(new URL("./node/main.mjs", import.meta.url), `${app}/main.mjs`);
  return app;
}

for (const mode of ["wasm", "ts"] as const) {
  Deno.test(`Node runs the npm build on the ${mode} backend and passes the vectors`, async () => {
    const row = {
      runtime: "Node",
      version: NOT_STARTED,
      loadedAs: "`dist/npm` ESM build, `npm pack` + `npm install`",
      backend: mode,
      selection: mode === "ts" ? "`AEGIS_BACKEND=ts`" : "automatic (sync compile)",
      checked: probeChecks(),
      testedBy: "tests/runtimes/node_test.ts",
    };
    await checkAndRecord(row, async () => {
      const node = await which("node", "Node 20+; apt-get install nodejs");
      row.version = await versionOf(node);
      const major = Number(/^v(\d+)/.exec(row.version)?.[1]);
      if (!(major >= 20)) throw new Error(`Node ${row.version} is older than 20`);
      const app = await consumerDir();
      try {
        const env: Record<string, string> = {};
        if (mode === "ts") env.AEGIS_BACKEND = "ts";
        const out = await run(node, ["main.mjs", VECTORS_DIR, `${app}/vectors_probe.js`], {
          cwd: app,
          env,
          cleanEnv: true,
        });
        assertReport(JSON.parse(out) as ProbeReport, mode);
      } finally {
        await Deno.remove(app, { recursive: true });
      }
    });
  });
}

Deno.test("the npm build's declarations type-check a Node consumer (tsc, nodenext)", async () => {
  const app = await consumerDir();
  try {
    // The @ts-expect-error lines fail the compile if the types resolve to `any`.
    await Deno.writeTextFile(
      `${app}/consumer.ts`,
      `import { Builder, backend, EventType, verifyChain, type ChainVerification } from "@aegis/sdk";
const b = new Builder({ tenantId: "acme", sessionId: "s1" });
const e = b.append(EventType.MODEL_CALL_STARTED, { model_id: "gpt-4o" });
const r: ChainVerification = verifyChain([e]);
const name: "wasm" | "ts" = backend();
// @ts-expect-error backend() is a string union, not a number
const wrong: number = backend();
// @ts-expect-error tenantId is required
new Builder({ sessionId: "s1" });
export { name, r, wrong };
`,
    );
    await run(Deno.execPath(), [
      "run",
      "--quiet",
      "--no-lock",
      "--allow-read",
      "--allow-env",
      `${TYPESCRIPT}/tsc`,
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--lib",
      "es2024,dom",
      "consumer.ts",
    ], { cwd: app });
  } finally {
    await Deno.remove(app, { recursive: true });
  }
});
