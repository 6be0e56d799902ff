// Deno itself, in a fresh process (as a user runs it): the TypeScript sources
// pass the aegisd vectors on the WASM backend and with AEGIS_BACKEND=ts.
import { checkAndRecord } from "./lib/compat.ts";
import { assertReport, probeChecks, VECTORS_DIR } from "./lib/expect.ts";
import { run } from "./lib/tools.ts";
import type { ProbeReport } from "./probe/vectors_probe.ts";

const MAIN = new URL("./deno/main.ts", import.meta.url).pathname;

for (const mode of ["wasm", "ts"] as const) {
  Deno.test(`Deno runs the TypeScript sources on the ${mode} backend and passes the vectors`, async () => {
    await checkAndRecord({
      runtime: "Deno",
      version: Deno.version.deno,
      loadedAs: "TypeScript sources (`mod.ts`)",
      backend: mode,
      selection: mode === "ts" ? "`AEGIS_BACKEND=ts`" : "automatic (sync compile)",
      checked: probeChecks(),
      testedBy: "tests/runtimes/deno_test.ts",
    }, async () => {
      const env: Record<string, string> = { NO_COLOR: "1" };
      if (mode === "ts") env.AEGIS_BACKEND = "ts";
      const out = await run(Deno.execPath(), [
        "run",
        "--quiet",
        "--no-lock",
        "--allow-read",
        "--allow-env=AEGIS_BACKEND",
        MAIN,
        VECTORS_DIR,
      ], { env, cleanEnv: true });
      assertReport(JSON.parse(out) as ProbeReport, mode);
    });
  });
}
