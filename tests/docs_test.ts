// Every code example in the README and in the core modules' JSDoc type-checks and runs.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const FILES = [
  "README.md",
  "mod.ts",
  "src/canon/errors.ts",
  "src/canon/parse.ts",
  "src/canon/text.ts",
  "src/canon/value.ts",
  "src/hash/sha256.ts",
  "src/hash/object.ts",
  "src/envelope.ts",
  "src/builder.ts",
  "src/verify.ts",
  "src/encoding.ts",
  "src/event_type.ts",
  "src/errors.ts",
  "src/backend.ts",
];

Deno.test("README and JSDoc examples run", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--doc", "--allow-read", "--allow-env", ...FILES],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  const m = /ok \| (\d+) passed/.exec(text);
  assert.ok(m && Number(m[1]) >= 20, `expected at least 20 doc examples to run:\n${text}`);
});
