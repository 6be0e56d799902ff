// Runs under Deno from the TypeScript sources in a fresh process: imports
// mod.ts, runs the vector probe, prints the report as JSON.
// Usage: deno run --allow-read --allow-env=AEGIS_BACKEND main.ts <vectors dir>
import * as sdk from "../../../mod.ts";
import { runProbe } from "../probe/vectors_probe.ts";

const dir = Deno.args[0];
const report = runProbe(
  sdk,
  Deno.readTextFileSync(`${dir}/aegisd-envelopes.jsonl`),
  Deno.readTextFileSync(`${dir}/aegisd-chains.jsonl`),
  `deno ${Deno.version.deno}`,
);
console.log(JSON.stringify(report));
