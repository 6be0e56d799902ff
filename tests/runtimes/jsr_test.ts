// JSR readiness, checked offline: `deno publish --dry-run` (slow-type check and
// the file list JSR would receive), `deno doc --lint mod.ts`, and the HTML
// docs that `deno task doc:html` writes.
import assert from "node:assert/strict";
import { run } from "./lib/tools.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("deno publish --dry-run passes and ships only the package files", async () => {
  // --allow-dirty: a working tree with uncommitted changes is normal while developing.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  // deno publish reports on stderr.
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `deno publish --dry-run failed:\n${text}`);
  assert.match(text, /Checking for slow types in the public API/);
  assert.match(text, /Success Dry run complete/);
  const files = [...text.matchAll(/file:\/\/\S+/g)].map((m) => m[0].slice(ROOT.length + 7));
  assert.ok(files.includes("mod.ts"), files.join("\n"));
  assert.ok(files.includes("src/wasm/aegis_core_wasm.generated.ts"), "the embedded core ships");
  // The compiled core ships as a plain file too (Workers import it as a module); its sources do not.
  assert.ok(files.includes("wasm/aegis_core.wasm"), "the .wasm file ships");
  for (const f of files) {
    if (f === "wasm/aegis_core.wasm") continue;
    assert.ok(!/^(tests|examples|bench|scripts|dist|docs|wasm)\//.test(f), `${f} must not ship`);
  }
});

Deno.test("deno doc --lint mod.ts is clean and deno doc --html renders", async () => {
  await run(Deno.execPath(), ["doc", "--lint", "mod.ts"], { cwd: ROOT, env: { NO_COLOR: "1" } });
  const out = await Deno.makeTempDir({ prefix: "aegis-doc-" });
  try {
    await run(Deno.execPath(), [
      "doc",
      "--html",
      "--name=@aegis/sdk",
      `--output=${out}`,
      "mod.ts",
    ], { cwd: ROOT, env: { NO_COLOR: "1" } });
    const index = await Deno.readTextFile(`${out}/index.html`);
    assert.match(index, /@aegis\/sdk/);
    for (const name of ["Builder", "Envelope", "verifyChain", "AegisClient"]) {
      assert.ok(
        [...Deno.readDirSync(`${out}/~`)].some((e) => e.name.startsWith(name)),
        `${name} documented`,
      );
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
