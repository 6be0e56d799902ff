// Runs under Node: imports the npm build as a consumer would (`@aegis/sdk`
// from node_modules), runs the vector probe, prints the report as JSON.
// Usage: node main.mjs <vectors dir> <probe module path>   (AEGIS_BACKEND=ts forces the TS path)
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as sdk from "@aegis/sdk";

const [dir, probe] = process.argv.slice(2);
const { runProbe } = await import(pathToFileURL(probe).href);
const report = runProbe(
  sdk,
  readFileSync(`${dir}/aegisd-envelopes.jsonl`, "utf8"),
  readFileSync(`${dir}/aegisd-chains.jsonl`, "utf8"),
  `node ${process.version}`,
);
process.stdout.write(JSON.stringify(report));
