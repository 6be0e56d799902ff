// Bun (npm package `bun`, pinned in tests/runtimes/tools) runs the TypeScript
// sources directly and passes the aegisd vectors with the WASM backend and
// with it forced off (AEGIS_BACKEND=ts).
import { checkAndRecord, NOT_STARTED } from "./lib/compat.ts";
import { assertReport, probeChecks, VECTORS_DIR } from "./lib/expect.ts";
import { bunPath, run, versionOf } from "./lib/tools.ts";
import type { ProbeReport } from "./probe/vectors_probe.ts";

const MAIN = new URL("./bun/main.ts", import.meta.url).pathname;

for (const mode of ["wasm", "ts"] as const) {
  Deno.test(`Bun runs the TypeScript sources on the ${mode} backend and passes the vectors`, async () => {
    const row = {
      runtime: "Bun",
      version: NOT_STARTED,
      loadedAs: "TypeScript sources (`mod.ts`)",
      backend: mode,
      selection: mode === "ts" ? "`AEGIS_BACKEND=ts`" : "automatic (sync compile)",
      checked: probeChecks(),
      testedBy: "tests/runtimes/bun_test.ts",
    };
    await checkAndRecord(row, async () => {
      const bun = await bunPath();
      row.version = await versionOf(bun);
      const cache = await Deno.makeTempDir({ prefix: "aegis-bun-cache-" });
      try {
        const env: Record<string, string> = { BUN_INSTALL_CACHE_DIR: cache, DO_NOT_TRACK: "1" };
        if (mode === "ts") env.AEGIS_BACKEND = "ts";
        const out = await run(bun, ["run", MAIN, VECTORS_DIR], { env, cleanEnv: true });
        assertReport(JSON.parse(out) as ProbeReport, mode);
      } finally {
        await Deno.remove(cache, { recursive: true });
      }
    });
  });
}
