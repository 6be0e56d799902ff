// Every code example in the README and in the JSDoc of every module under src/ type-checks and runs.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
function sources(dir: URL, out: string[] = []): string[] {
  for (const entry of Deno.readDirSync(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) sources(url, out);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".generated.ts")) {
      out.push(url.pathname.slice(ROOT.pathname.length));
    }
  }
  return out;
}
// Every module under src/ (the generated WASM module has no examples).
const FILES = ["README.md", "mod.ts", ...sources(new URL("src/", ROOT)).sort()];

Deno.test("README and JSDoc examples run", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--doc",
      "--allow-read",
      "--allow-env",
      "--allow-net=127.0.0.1",
      "--unstable-kv",
      ...FILES,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  const m = /ok \| (\d+) passed/.exec(text);
  assert.ok(m && Number(m[1]) >= 80, `expected at least 20 doc examples to run:\n${text}`);
});
