/**
 * Build outputs the runtime tests load, made once per test process: the npm
 * package (`scripts/build_npm.ts` into `dist/npm`, and its `npm pack`
 * tarball) and the probe as plain JavaScript.
 *
 * @module
 */

import { buildNpm, bundle, type NpmBuild } from "../../../scripts/build_npm.ts";
import { run } from "./tools.ts";

let npm: Promise<NpmBuild> | null = null;
let tarball: Promise<string> | null = null;
let probe: Promise<string> | null = null;

/** The npm build in `dist/npm` (built on first call). */
export function npmBuild(): Promise<NpmBuild> {
  npm ??= buildNpm();
  return npm;
}

/** Path of `vectors_probe.ts` bundled to one ES module (in a temp dir). */
export function probeBundle(): Promise<string> {
  probe ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "aegis-probe-" });
    const out = `${dir}/vectors_probe.js`;
    await bundle(new URL("../probe/vectors_probe.ts", import.meta.url), out);
    return out;
  })();
  return probe;
}

/** `npm pack` of the npm build (once per process, into `dist/pack`): what npm would publish. */
export function packedNpm(): Promise<string> {
  tarball ??= (async () => {
    const { dir } = await npmBuild();
    const dest = `${dir}/../pack`; // dist/pack (gitignored), replaced on each run
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    await Deno.mkdir(dest, { recursive: true });
    const out = await run("npm", ["pack", dir, "--pack-destination", dest, "--json"]);
    return `${dest}/${(JSON.parse(out) as { filename: string }[])[0].filename}`;
  })();
  return tarball;
}

/** Installs the packed npm build into the Node project at `dir`, as a consumer would. */
export async function installPackedNpm(dir: string): Promise<void> {
  await run("npm", [
    "install",
    "--offline",
    "--no-audit",
    "--no-fund",
    "--no-package-lock",
    await packedNpm(),
  ], { cwd: dir });
}
