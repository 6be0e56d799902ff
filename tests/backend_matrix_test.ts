// Backend matrix (issue 3's acceptance: "Forcing ts, forcing wasm, and a
// simulated 'WASM refused' environment all pass the full test suite"): the
// core test files run in child `deno test` processes, with the permission
// flags of `deno task test`, once per environment:
//
// - AEGIS_BACKEND=ts and AEGIS_BACKEND=wasm (testBothBackends then runs only
//   that backend, and a forced "wasm" that cannot load fails);
// - WebAssembly refused as Cloudflare Workers refuse it: a preload
//   (tests/lib/refuse_wasm.ts) makes every compile entry point throw
//   "Wasm code generation disallowed by embedder", so the core never loads;
// - no WebAssembly at all (V8 --jitless, where the global does not exist),
//   on a few fast files: the whole suite takes ~2 min without the JIT.
//
// The runs go concurrently. Left out: this file; tests/runtimes/ (other
// runtimes, `deno task test:runtimes`); docs_test.ts (runs doc examples in
// its own child); and cli_commands_test.ts, whose CLI children see neither
// AEGIS_BACKEND (no --allow-env) nor the preload, so it would run the same
// way three times. The end-to-end ledger tests are in: client and server
// share the child process, so both run on the forced (or refused) backend.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const EXCLUDED = new Set([
  "backend_matrix_test.ts",
  "docs_test.ts",
  "cli_commands_test.ts",
]);
const FILES = [...Deno.readDirSync(new URL("./", import.meta.url))]
  .filter((e) => e.isFile && e.name.endsWith("_test.ts") && !EXCLUDED.has(e.name))
  .map((e) => `tests/${e.name}`)
  .sort();

/** The flags of `deno task test` (permissions and --unstable-kv), read from deno.json. */
function testTaskFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const task: string = config.tasks.test;
  const flags = task.split(/\s+/).filter((a) => a.startsWith("--"));
  assert.ok(flags.includes("--allow-read"), `unexpected test task: ${task}`);
  return flags;
}

const DEFAULT_TEST = "backend(): 'wasm' by default on Deno";
const FORCED_TEST = "AEGIS_BACKEND forces the backend from the start";
const REFUSED_TEST = "WASM refused: compiling is really refused";

interface Run {
  name: string;
  env: Record<string, string>;
  args: string[];
  files: string[];
  /** Tests (name prefixes) that must have passed, not been ignored. */
  mustPass: string[];
  /** A backend whose testBothBackends variants must not appear. */
  absent: "ts" | "wasm";
}

const RUNS: Run[] = [
  {
    name: "AEGIS_BACKEND=ts",
    env: { AEGIS_BACKEND: "ts", AEGIS_TEST_WASM_REFUSED: "" },
    args: [],
    files: FILES,
    mustPass: [FORCED_TEST],
    absent: "wasm",
  },
  {
    name: "AEGIS_BACKEND=wasm",
    env: { AEGIS_BACKEND: "wasm", AEGIS_TEST_WASM_REFUSED: "" },
    args: [],
    files: FILES,
    mustPass: [FORCED_TEST],
    absent: "ts",
  },
  {
    name: "WebAssembly refused (Workers' CompileError)",
    env: { AEGIS_BACKEND: "", AEGIS_TEST_WASM_REFUSED: "1" },
    args: ["--preload", "tests/lib/refuse_wasm.ts"],
    files: FILES,
    mustPass: [REFUSED_TEST],
    absent: "wasm",
  },
  {
    name: "no WebAssembly at all (V8 --jitless)",
    env: { AEGIS_BACKEND: "", AEGIS_TEST_WASM_REFUSED: "1" },
    // Types were checked by the runs above; the checker is slow without a JIT too.
    args: ["--v8-flags=--jitless", "--no-check"],
    files: [
      "tests/backend_default_test.ts",
      "tests/envelope_test.ts",
      "tests/verify_test.ts",
      "tests/wasm_loader_test.ts",
    ],
    mustPass: [REFUSED_TEST],
    absent: "wasm",
  },
];

async function run(r: Run, signal: AbortSignal): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...testTaskFlags(), ...r.args, ...r.files],
    cwd: ROOT,
    env: { ...r.env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal,
  });
  const o = await child.output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

Deno.test("backend matrix: forced ts, forced wasm and refused WebAssembly pass the core suite", async (t) => {
  assert.ok(FILES.length >= 15, `only ${FILES.length} test files found`);
  for (const f of ["tests/backend_default_test.ts", "tests/verify_jsonl_test.ts"]) {
    assert.ok(FILES.includes(f), `${f} is part of the matrix`);
  }
  const signal = AbortSignal.timeout(240_000);
  const started = performance.now();
  const pending = RUNS.map((r) => run(r, signal));
  try {
    for (let i = 0; i < RUNS.length; i++) {
      const r = RUNS[i];
      await t.step(r.name, async () => {
        const { code, out } = await pending[i];
        const tail = out.slice(-6000);
        assert.equal(code, 0, `${r.name} failed:\n${tail}`);
        const summary = /^ok \| (\d+) passed \| 0 failed/m.exec(out);
        assert.ok(summary, `no passing summary in:\n${tail}`);
        assert.ok(Number(summary[1]) >= (r.files === FILES ? 100 : 5), summary[0]);
        for (const name of r.mustPass) {
          assert.match(
            out,
            new RegExp(`^${escape(name)}.* \\.\\.\\. ok`, "m"),
            `${name} did not pass`,
          );
        }
        assert.doesNotMatch(out, new RegExp(`^${escape(DEFAULT_TEST)}.* \\.\\.\\. ok`, "m"));
        const other = new RegExp(`\\[${r.absent}\\] \\.\\.\\. `, "m");
        assert.doesNotMatch(out, other, `${r.absent} variants ran under ${r.name}`);
      });
    }
  } finally {
    await Promise.allSettled(pending);
  }
  console.log(`matrix: ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
