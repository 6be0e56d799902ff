// Runs under Node: imports the npm build as a consumer would (`@aegis/sdk`
// from node_modules), runs the vector probe, prints the report as JSON.
// Usage: node main.mjs <vectors dir> <probe module path>   (AEGIS_BACKEND=ts forces the TS path)
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as sdk from "@aegis/sdk";

const [dir, probe] = process.argv.slice(2);
const { loadProbeVectors, runProbe } = await import(pathToFileURL(probe).href);
const vectors = await loadProbeVectors((p) => readFileSync(`${dir}/${p}`, "utf8"));
const report = runProbe(sdk, vectors, `node ${process.version}`);
process.stdout.write(JSON.stringify(report));
