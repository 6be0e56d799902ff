/** The CLI as users run it: a `deno run src/cli.ts …` subprocess. */

import assert from "node:assert/strict";

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const VECTORS = new URL("../../shared/vectors/aegisd-chains.jsonl", import.meta.url);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], stdin?: string): Promise<Run> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-net=127.0.0.1",
      "--allow-write",
      "--unstable-kv",
      CLI,
      ...args,
    ],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const vectors = Deno.readTextFileSync(VECTORS).trim().split("\n").map((l) =>
  JSON.parse(l) as { wire: string; hash: string }
);
const example = vectors.filter((v) => v.wire.includes('"sess-example"'));

Deno.test("cli seal: type/payload lines → sealed wire JSONL with aegisd's hashes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = example.map((v) => {
      const w = JSON.parse(v.wire);
      return JSON.stringify({
        event_type: w.event_type,
        payload: w.payload,
        ts_unix_ms: w.ts_unix_ms,
      });
    }).join("\n") + "\n\n";
    await Deno.writeTextFile(`${dir}/events.jsonl`, input);
    const r = await cli([
      "seal",
      `${dir}/events.jsonl`,
      "--tenant",
      "acme",
      "--session",
      "sess-example",
      "--user",
      "u1",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).hash),
      example.map((v) => {
        const bytes = new Uint8Array(v.hash.match(/../g)!.map((x) => parseInt(x, 16)));
        return btoa(String.fromCharCode(...bytes));
      }),
    );
    assert.match(r.stderr, /sealed 4 events/);
    assert.match(r.stderr, new RegExp(`last hash ${example[3].hash}`));

    // Resuming with --next-seq/--prev-hash continues the chain; stdin works as "-".
    const more = await cli(
      [
        "seal",
        "-",
        "--tenant",
        "acme",
        "--session",
        "sess-example",
        "--user",
        "u1",
        "--next-seq",
        "4",
        "--prev-hash",
        example[3].hash,
      ],
      '{"event_type":"MODEL_CALL_STARTED","payload":{"again":true}}\n',
    );
    assert.equal(more.code, 0, more.stderr);
    await Deno.writeTextFile(`${dir}/sealed.jsonl`, r.stdout + more.stdout);
    const v = await cli(["verify", `${dir}/sealed.jsonl`]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /OK +acme\/sess-example: 5 events, seq 0\.\.4/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli seal: a bad line stops with its line number; usage errors exit 2", async () => {
  const r = await cli(
    ["seal", "-", "--tenant", "t", "--session", "s"],
    '{"event_type":"X","payload":1}\n{"event_type":"X","payload":NaN}\n',
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 2:/);
  assert.equal(r.stdout.trim().split("\n").length, 1);
  const u = await cli(["seal", "-"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--tenant and --session/);
  assert.equal((await cli(["frobnicate"])).code, 2);
  assert.equal((await cli(["verify", "/nonexistent/file.jsonl"])).code, 2);
});

Deno.test("cli verify: per-session report; a tampered line → exit 1 naming the seq", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/all.jsonl`, vectors.map((v) => v.wire).join("\n") + "\n");
    // The vector wires carry no hash: verify refuses unsealed events.
    const unsealed = await cli(["verify", `${dir}/all.jsonl`]);
    assert.equal(unsealed.code, 1);
    assert.match(unsealed.stdout, /not sealed/);

    const sealed = vectors.map((v) => {
      const w = JSON.parse(v.wire);
      const bytes = new Uint8Array(v.hash.match(/../g)!.map((x) => parseInt(x, 16)));
      return JSON.stringify({ ...w, hash: btoa(String.fromCharCode(...bytes)) });
    });
    await Deno.writeTextFile(`${dir}/ok.jsonl`, sealed.join("\n"));
    const ok = await cli(["verify", `${dir}/ok.jsonl`]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /OK +acme\/sess-001: 2 events/);
    assert.match(ok.stdout, /OK +acme\/sess-example: 4 events/);
    assert.match(ok.stdout, /OK +acme\/bench-42: 200 events/);
    assert.match(ok.stdout, /3 session\(s\), all chains intact/);

    const bad = [...sealed];
    const idx = bad.findIndex((l) => l.includes('"bench-42"') && l.includes('"seq":117'));
    bad[idx] = bad[idx].replace('"seq":117', '"seq":117,"user_id":"mallory"').replace(
      '"user_id":"u1",',
      "",
    );
    await Deno.writeTextFile(`${dir}/bad.jsonl`, bad.join("\n"));
    const b = await cli(["verify", `${dir}/bad.jsonl`]);
    assert.equal(b.code, 1);
    assert.match(b.stdout, /BROKEN +acme\/bench-42: first bad seq 117/);
    assert.match(b.stdout, /OK +acme\/sess-example/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli verify: reads ledger / aegisd listed events too", async () => {
  const lines = example.map((v) => {
    const w = JSON.parse(v.wire);
    const hex = (h: string) =>
      btoa(String.fromCharCode(...new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)))));
    return JSON.stringify({
      TenantID: w.tenant_id,
      UserID: w.user_id,
      SessionID: w.session_id,
      Seq: w.seq,
      TsUnixMs: w.ts_unix_ms,
      EventType: w.event_type,
      PayloadJSON: btoa(
        String.fromCharCode(...new TextEncoder().encode(JSON.stringify(w.payload))),
      ),
      Hash: hex(v.hash),
      PrevHash: w.prev_hash ?? null,
    });
  });
  const r = await cli(["verify", "-"], lines.join("\n"));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /OK +acme\/sess-example: 4 events/);
});

Deno.test("cli serve: answers on a free port; demo runs end to end", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      "--unstable-kv",
      CLI,
      "serve",
      "--port",
      "0",
      "--db",
      `${dir}/ledger.kv`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let banner = "";
    while (!/listening on (http:\S+)/.test(banner)) {
      const { value, done } = await reader.read();
      if (done) break;
      banner += value;
    }
    const url = /listening on (http:\S+)/.exec(banner)![1];
    assert.match(banner, /Deno KV/);
    const health = await fetch(`${url}/healthz`);
    assert.deepEqual(await health.json(), { status: "ok" });
    const post = await fetch(`${url}/v1/events`, {
      method: "POST",
      body: example[0].wire,
    });
    assert.equal(post.status, 201);
    assert.deepEqual(await post.json(), { seq: 0, hash: example[0].hash });
    reader.releaseLock();
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel().catch(() => {});
    assert.equal(status.code, 0);
    await Deno.remove(dir, { recursive: true });
  }
  const demo = await cli(["demo"]);
  assert.equal(demo.code, 0, demo.stdout + demo.stderr);
  assert.match(demo.stdout, /"firstBadSeq":2/);
  assert.match(demo.stdout, /9ae0f85cc641121168f936b246d81820577ef96406c3fdf500b916afebcc22a1/);
});
