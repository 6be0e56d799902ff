// The project's own checks run inside `deno task test` (and so in CI):
// formatting, lint, and documentation lint of the public API.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

async function deno(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `deno ${args.join(" ")} failed:\n${text}`);
  return text;
}

Deno.test("deno fmt --check is clean", async () => {
  await deno("fmt", "--check");
});

Deno.test("deno lint is clean", async () => {
  await deno("lint");
});

Deno.test("deno doc --lint is clean on every entry point", async () => {
  await deno("doc", "--lint", "mod.ts", "src/ledger/kv_store.ts", "src/cli.ts");
});
