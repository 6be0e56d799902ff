/**
 * The runtimes the runtime tests start, and where they come from:
 *
 * - `workerd`, `bun` and `wrangler`: npm packages pinned in `tests/runtimes/tools/package.json`
 *   (+ `package-lock.json`), installed with `npm ci --prefix tests/runtimes/tools`
 *   the first time a test needs them (CI machines start fresh).
 * - `node`: the system Node (`node` on `PATH`), version 20 or later.
 * - `chromium`: Debian's package (`apt-get install chromium`); never downloaded
 *   by the tests.
 *
 * Every lookup throws when the runtime is missing: a runtime test fails, it
 * never skips.
 *
 * @module
 */

// Every Deno the runtime tests start inherits this: its background update check
// would otherwise resolve dl.deno.land (seen with strace). Traffic stays on 127.0.0.1.
Deno.env.set("DENO_NO_UPDATE_CHECK", "1");

const TOOLS = new URL("../tools/", import.meta.url);
const BIN = new URL("node_modules/.bin/", TOOLS);

let installing: Promise<void> | null = null;

async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /**
   * Start from an empty environment (only `PATH`, `HOME`, `DENO_DIR`,
   * `DENO_NO_UPDATE_CHECK` and `env` pass), so a stray `AEGIS_BACKEND` in the caller's environment
   * cannot change which backend a probe runs on.
   */
  cleanEnv?: boolean;
  /** Kill the command after this many ms (default 120 000). */
  timeoutMs?: number;
}

/** Runs a command to completion; throws with its output when it fails. */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  let env = options.env;
  if (options.cleanEnv) {
    env = {};
    for (const k of ["PATH", "HOME", "DENO_DIR", "DENO_NO_UPDATE_CHECK"]) {
      const v = Deno.env.get(k);
      if (v !== undefined) env[k] = v;
    }
    Object.assign(env, options.env);
  }
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env,
    clearEnv: options.cleanEnv,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  });
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${out.code}:\n${text}\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return text;
}

/** Installs the pinned npm runtimes when they are not there yet (once per process). */
export function ensureNpmTools(): Promise<void> {
  installing ??= (async () => {
    const bins = ["workerd", "bun", "wrangler"];
    if ((await Promise.all(bins.map((b) => exists(new URL(b, BIN))))).every(Boolean)) return;
    const prefix = new URL(".", TOOLS).pathname;
    await run("npm", ["ci", "--prefix", prefix, "--no-audit", "--no-fund"], {
      timeoutMs: 300_000,
    });
  })();
  return installing;
}

/** Path of the pinned `workerd` binary (installing it when missing). */
export async function workerdPath(): Promise<string> {
  await ensureNpmTools();
  return new URL("workerd", BIN).pathname;
}

/**
 * The pinned wrangler as a command line (`[bun, wrangler.js]`): wrangler 4
 * needs Node 22.12+, and CI's Node is 20, so it runs under the pinned Bun.
 */
export async function wranglerCommand(): Promise<string[]> {
  await ensureNpmTools();
  return [
    new URL("bun", BIN).pathname,
    new URL("node_modules/wrangler/bin/wrangler.js", TOOLS).pathname,
  ];
}

/** The modules `wrangler deploy --dry-run --outdir` wrote. */
export interface WranglerOutput {
  /** The worker's main module (file name in the output directory). */
  main: string;
  /** The WebAssembly module uploaded beside it, if any. */
  wasm: string | null;
}

/**
 * Builds a Worker project with the pinned wrangler exactly as `wrangler
 * deploy` would upload it (`--dry-run --outdir`), without telemetry or
 * network; throws with wrangler's errors when the build fails.
 */
export async function wranglerBuild(project: string, outDir: string): Promise<WranglerOutput> {
  const wrangler = await wranglerCommand();
  const logDir = await Deno.makeTempDir({ prefix: "aegis-wrangler-log-" });
  try {
    const build = await new Deno.Command(wrangler[0], {
      args: [...wrangler.slice(1), "deploy", "--dry-run", "--outdir", outDir],
      cwd: project,
      env: {
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_LOG_PATH: logDir,
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    const log = `${d.decode(build.stdout)}\n${d.decode(build.stderr)}`
      // deno-lint-ignore no-control-regex
      .replace(/\x1b\[[0-9;]*m/g, "");
    if (!build.success) {
      const errors = log.split("\n").filter((l) => /ERROR|✘/.test(l)).map((l) => l.trim());
      throw new Error(`wrangler failed: ${errors.join(" ")}\n${log}`);
    }
  } finally {
    await Deno.remove(logDir, { recursive: true }).catch(() => {});
  }
  const names = [...Deno.readDirSync(outDir)].map((e) => e.name);
  const main = names.find((n) => n.endsWith(".js"));
  if (!main) throw new Error(`wrangler wrote no worker module: ${names.join(", ")}`);
  return { main, wasm: names.find((n) => n.endsWith(".wasm")) ?? null };
}

/** Path of the pinned `bun` binary (installing it when missing). */
export async function bunPath(): Promise<string> {
  await ensureNpmTools();
  return new URL("bun", BIN).pathname;
}

/** Finds an executable on `PATH`; throws naming the package to install. */
export async function which(name: string, hint: string): Promise<string> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && await exists(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new Error(`${name} not found on PATH (${hint})`);
}

/** First line of `<binary> --version`. */
export async function versionOf(binary: string): Promise<string> {
  return (await run(binary, ["--version"])).trim().split("\n")[0];
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A long-running child process whose output is kept for error messages. */
export interface Service {
  /** stdout and stderr as they arrived. */
  logs: string[];
  /** Resolves with the exit status when the process ends. */
  exited: Promise<Deno.CommandStatus>;
  /** True until the process has exited. */
  alive(): boolean;
  /** Sends SIGTERM (when still running) and waits for the exit and the output. */
  stop(): Promise<void>;
}

/** Starts `cmd` in the background (server processes: workerd, Chromium, a ledger). */
export function startService(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Service {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  let running = true;
  const exited = child.status.then((s) => (running = false, s));
  const drained = Promise.all([collectText(child.stdout, logs), collectText(child.stderr, logs)]);
  return {
    logs,
    exited,
    alive: () => running,
    async stop() {
      if (running) {
        try {
          child.kill("SIGTERM");
        } catch {
          // exited in the meantime
        }
      }
      await exited;
      await drained;
    },
  };
}

/** Waits until `url` answers (any status); throws with the service's output when it exits or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs: number, service: Service): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    if (!service.alive()) {
      await service.stop();
      throw new Error(
        `process serving ${url} exited before it answered:\n${service.logs.join("")}`,
      );
    }
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs} ms: ${last}\n${service.logs.join("")}`,
  );
}

/**
 * Reads a child's output stream as text into `sink` as it arrives (for
 * error messages); resolves when the stream ends.
 */
export async function collectText(
  stream: ReadableStream<Uint8Array>,
  sink: string[],
): Promise<void> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    sink.push(decoder.decode(value, { stream: true }));
  }
  sink.push(decoder.decode());
}
