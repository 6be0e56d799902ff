/**
 * Builds `@aegis/sdk` for npm consumers (Node, Bun, browsers, bundlers) into
 * `dist/npm/`:
 *
 *     dist/npm/package.json      "type": "module", exports "." and "./aegis_core.wasm"
 *     dist/npm/esm/mod.js        one ES module (`deno bundle`), no dependencies
 *     dist/npm/types/**.d.ts     declarations (TypeScript's `tsc`, one file per source)
 *     dist/npm/aegis_core.wasm   the core, for hosts that import `.wasm` as a module
 *                                (Cloudflare Workers: `init({ module })`)
 *     dist/npm/README.md, LICENSE
 *
 *     deno task build:npm            # build into dist/npm
 *     deno task build:npm --out=DIR  # build elsewhere
 *
 * `deno bundle` fetches its esbuild, and this script `npm:typescript` (pinned
 * in {@link TYPESCRIPT}), from the npm registry on first use, cached by Deno
 * afterwards. Declarations are emitted against the `dom` + `es2024`
 * libraries, the environment the bundle targets, and their relative
 * specifiers are rewritten from `.ts` to `.js` (which resolves to the
 * `.d.ts` beside it). `deno bundle --declaration` is not used: in Deno 2.9
 * its single-file output keeps imports of `.ts` files that do not ship.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);

/** The TypeScript compiler that emits the declarations. */
export const TYPESCRIPT = "npm:typescript@5.9.3";

/** What {@link buildNpm} wrote. */
export interface NpmBuild {
  /** Output directory (absolute path). */
  dir: string;
  /** Path of the ES module (`esm/mod.js`). */
  module: string;
  /** Path of the `.wasm` file, or `null` when `wasm/aegis_core.wasm` is absent. */
  wasm: string | null;
  /** The generated `package.json`. */
  packageJson: Record<string, unknown>;
}

/** Options of {@link bundle}. */
export interface BundleOptions {
  /** Import specifiers left as imports (e.g. `"./aegis_core.wasm"`). */
  external?: string[];
}

async function exists(path: URL | string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `deno <args>` in the repository root; throws with its output when it fails. */
async function deno(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  if (!out.success) {
    const d = new TextDecoder();
    throw new Error(
      `deno ${args.join(" ")} failed:\n${d.decode(out.stdout)}\n${d.decode(out.stderr)}`,
    );
  }
}

/**
 * Bundles one entry point into one ES module with `deno bundle` (browser
 * platform: no Deno or Node APIs assumed).
 *
 * @example
 * ```ts ignore
 * await bundle("mod.ts", "/tmp/out/mod.js");
 * ```
 */
export async function bundle(
  entry: string | URL,
  outFile: string,
  options: BundleOptions = {},
): Promise<void> {
  const entryPath = entry instanceof URL ? entry.pathname : new URL(entry, ROOT).pathname;
  // A config without `deno.ns`: the bundle targets every runtime.
  const config = await Deno.makeTempFile({ prefix: "aegis-bundle-", suffix: ".json" });
  try {
    await Deno.writeTextFile(
      config,
      JSON.stringify({ compilerOptions: { strict: true, lib: ["dom", "esnext"] } }),
    );
    const args = [
      "bundle",
      "--quiet",
      "--config",
      config,
      "--no-lock",
      "--platform",
      "browser",
      "--format",
      "esm",
      "-o",
      outFile,
    ];
    for (const e of options.external ?? []) args.push("--external", e);
    args.push(entryPath);
    await deno(args);
    if (!(await exists(outFile))) throw new Error(`deno bundle wrote no ${outFile}`);
  } finally {
    await Deno.remove(config).catch(() => {});
  }
}

/**
 * Emits declarations for `entry` and everything it imports into `outDir`
 * with `tsc`, then rewrites relative `.ts` specifiers in them to `.js`.
 *
 * @example
 * ```ts ignore
 * await declarations("mod.ts", "dist/npm/types");
 * ```
 */
export async function declarations(entry: string, outDir: string): Promise<void> {
  const args = [
    "run",
    "--quiet",
    "--no-lock",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    `${TYPESCRIPT}/tsc`,
    "--declaration",
    "--emitDeclarationOnly",
    "--allowImportingTsExtensions",
    "--rewriteRelativeImportExtensions",
    "--strict",
    "--skipLibCheck",
    "--target",
    "es2022",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--lib",
    "es2024,dom",
    "--rootDir",
    ROOT.pathname,
    "--outDir",
    outDir,
    new URL(entry, ROOT).pathname,
  ];
  await deno(args);
  const walk = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".d.ts")) {
        const text = await Deno.readTextFile(path);
        const fixed = text.replace(
          /(\bfrom\s+|\bimport\s*\(\s*)(["'])(\.{1,2}\/[^"']*?)\.ts\2/g,
          (_, lead, q, spec) => `${lead}${q}${spec}.js${q}`,
        );
        if (fixed !== text) await Deno.writeTextFile(path, fixed);
      }
    }
  };
  await walk(outDir);
}

/**
 * Builds the npm package into `outDir` (default `dist/npm`), replacing what
 * was there.
 *
 * @example
 * ```ts ignore
 * const { module } = await buildNpm();
 * // node -e "import('./dist/npm/esm/mod.js').then((m) => console.log(m.backend()))"
 * ```
 */
export async function buildNpm(outDir?: string): Promise<NpmBuild> {
  const dir = outDir ?? new URL("dist/npm", ROOT).pathname;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${dir}/esm`, { recursive: true });

  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const module = `${dir}/esm/mod.js`;
  await Promise.all([bundle("mod.ts", module), declarations("mod.ts", `${dir}/types`)]);

  const wasmSrc = new URL("wasm/aegis_core.wasm", ROOT);
  let wasm: string | null = null;
  if (await exists(wasmSrc)) {
    wasm = `${dir}/aegis_core.wasm`;
    await Deno.copyFile(wasmSrc, wasm);
  }
  for (const f of ["README.md", "LICENSE"]) {
    if (await exists(new URL(f, ROOT))) await Deno.copyFile(new URL(f, ROOT), `${dir}/${f}`);
  }

  const exports: Record<string, unknown> = {
    ".": { types: "./types/mod.d.ts", default: "./esm/mod.js" },
  };
  if (wasm) exports["./aegis_core.wasm"] = "./aegis_core.wasm";
  const packageJson: Record<string, unknown> = {
    name: denoJson.name,
    version: denoJson.version,
    description:
      "Sealed, hash-chained AI-agent event envelopes whose SHA-256 equals aegisd's; WebAssembly core with a pure-TypeScript fallback",
    license: denoJson.license,
    type: "module",
    exports,
    main: "./esm/mod.js",
    types: "./types/mod.d.ts",
    files: ["esm/", "types/", "aegis_core.wasm", "README.md", "LICENSE"],
    engines: { node: ">=20" },
  };
  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(packageJson, null, 2) + "\n");
  return { dir, module, wasm, packageJson };
}

if (import.meta.main) {
  const out = Deno.args.find((a) => a.startsWith("--out="))?.slice("--out=".length);
  const b = await buildNpm(out);
  console.log(`built ${b.packageJson.name}@${b.packageJson.version} into ${b.dir}`);
}
