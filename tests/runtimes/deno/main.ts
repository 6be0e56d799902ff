// Runs under Deno from the TypeScript sources in a fresh process: imports
// mod.ts, runs the vector probe, prints the report as JSON.
// Usage: deno run --allow-read --allow-env=AEGIS_BACKEND main.ts <vectors dir>
import * as sdk from "../../../mod.ts";
import { loadProbeVectors, runProbe } from "../probe/vectors_probe.ts";

const dir = Deno.args[0];
const vectors = await loadProbeVectors((p) => Deno.readTextFile(`${dir}/${p}`));
const report = runProbe(sdk, vectors, `deno ${Deno.version.deno}`);
console.log(JSON.stringify(report));
