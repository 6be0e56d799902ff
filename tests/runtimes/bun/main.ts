// Runs under Bun, straight from the TypeScript sources: imports mod.ts, runs
// the vector probe, prints the report as JSON.
// Usage: bun run main.ts <vectors dir> [--init]   (AEGIS_BACKEND=ts forces the TS path)
import { readFileSync } from "node:fs";
import process from "node:process";
import * as sdk from "../../../mod.ts";
import { loadProbeVectors, runProbe } from "../probe/vectors_probe.ts";

const dir = process.argv[2];
// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;
const vectors = await loadProbeVectors((p) => readFileSync(`${dir}/${p}`, "utf8"));
const report = runProbe(sdk, vectors, `bun ${bun?.version ?? "(Bun global missing)"}`);
process.stdout.write(JSON.stringify(report));
