// Every example under examples/ runs here, as a user would start it, and its
// output is checked: the agent loop (in-process ledger, and against the Deno
// Deploy ledger example on a temporary KV file), batch sealing + audit (with
// a tampered line), and the Workers example built by the pinned wrangler
// (`deploy --dry-run`, the exact upload) and served by workerd on loopback.
import assert from "node:assert/strict";
import { AegisClient, Builder, createLedgerHandler, Envelope, MemoryStore } from "../../mod.ts";
import { checkAndRecord, NOT_STARTED } from "./lib/compat.ts";
import {
  freePort,
  type Service,
  startService,
  versionOf,
  waitForHttp,
  workerdPath,
  wranglerBuild,
} from "./lib/tools.ts";

const ROOT = new URL("../../", import.meta.url);
const EX = new URL("examples/", ROOT);
const DENO = Deno.execPath();

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function deno(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const out = await new Deno.Command(DENO, {
    args: ["run", "--quiet", "--no-lock", ...args],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

function ok(r: Result, what: string): string {
  assert.equal(r.code, 0, `${what} exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface AgentRun {
  events: number;
  executed: string[];
  denied: { tool: string; reason: string }[];
  stoppedBecause: string;
  snapshotsRead: number;
  lastSnapshot: { toolCallsConsumed: number; stepsConsumed: number; isTainted: boolean } | null;
  serverVerify: { valid: boolean };
  offlineVerify: { valid: boolean; checked: number };
}

function assertAgentRun(run: AgentRun): void {
  // The scripted model: list_dir, read_file ×2, send_email (denied: tainted), then read_file
  // of the first file again, which aegisd's loop detector flags as an identical call.
  assert.deepEqual(run.executed, ["list_dir", "read_file", "read_file"]);
  assert.equal(run.denied.length, 1);
  assert.equal(run.denied[0].tool, "send_email");
  assert.match(run.denied[0].reason, /tainted/);
  assert.equal(run.stoppedBecause, "loop_violation: LOOP_IDENTICAL_CALL");
  assert.equal(run.snapshotsRead, 5, "one snapshot read before each of the 5 tool calls");
  assert.equal(run.lastSnapshot?.toolCallsConsumed, 5);
  assert.equal(run.lastSnapshot?.isTainted, true);
  // 3 executed × 5 events + 1 denied × 4 + stopped × 3 + TERMINATION
  assert.equal(run.events, 3 * 5 + 4 + 3 + 1);
  assert.equal(run.serverVerify.valid, true);
  assert.deepEqual(run.offlineVerify, { valid: true, checked: run.events });
}

Deno.test("examples/agent_loop.ts against the in-process ledger", async () => {
  const out = ok(
    await deno([
      "--allow-net=127.0.0.1",
      "--allow-env=AEGIS_BACKEND",
      `${EX.pathname}agent_loop.ts`,
      "--json",
      "--session",
      "example-agent",
    ]),
    "agent_loop.ts",
  );
  assertAgentRun(JSON.parse(out));
});

Deno.test("examples/batch_seal.ts seals a JSONL stream and examples/audit_chain.ts verifies it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aegis-batch-" });
  try {
    const N = 50_000;
    ok(
      await deno([
        `--allow-write=${dir}`,
        `${EX.pathname}batch_seal.ts`,
        "generate",
        `${dir}/events.jsonl`,
        "--count",
        String(N),
        "--sessions",
        "40",
      ]),
      "generate",
    );
    const sealRun = await deno([
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      "--allow-env=AEGIS_BACKEND",
      `${EX.pathname}batch_seal.ts`,
      "seal",
      `${dir}/events.jsonl`,
      `${dir}/sealed.jsonl`,
      "--progress-every",
      "10000",
    ]);
    const summary = JSON.parse(ok(sealRun, "seal"));
    assert.equal(summary.events, N);
    assert.equal(summary.sessions, 120); // 3 tenants × 40 session ids (i % 3, i % 40)
    assert.equal(sealRun.stderr.match(/^sealed [\d,]+ events/gm)?.length, 5, "progress lines");
    assert.ok(summary.peakRssMiB < 400, `peak RSS ${summary.peakRssMiB} MiB`);

    // Independent check of one chain: rebuild session tenant-0/batch-0 with Builder
    // from the input lines (JSON.parse is fine here: plain ASCII keys) and compare hashes.
    const input = (await Deno.readTextFile(`${dir}/events.jsonl`)).trim().split("\n");
    const sealed = (await Deno.readTextFile(`${dir}/sealed.jsonl`)).trim().split("\n");
    assert.equal(sealed.length, N);
    let ts = 0;
    const b = new Builder({
      tenantId: "tenant-0",
      sessionId: "batch-0",
      userId: "batch",
      clock: () => ts,
    });
    let compared = 0;
    input.forEach((line, i) => {
      const ev = JSON.parse(line);
      if (ev.tenant_id !== "tenant-0" || ev.session_id !== "batch-0") return;
      ts = ev.ts_unix_ms;
      const want = b.append(ev.event_type, ev.payload);
      const got = Envelope.parse(sealed[i]);
      assert.equal(got.hash, want.hash, `line ${i + 1}`);
      compared++;
    });
    assert.ok(compared > 100);

    const audit = [
      `--allow-read=${dir}`,
      "--allow-env=AEGIS_BACKEND",
      `${EX.pathname}audit_chain.ts`,
    ];
    const good = JSON.parse(ok(await deno([...audit, `${dir}/sealed.jsonl`, "--json"]), "audit"));
    assert.deepEqual(good, { checked: N, sessions: 120, valid: true, broken: [] });

    // Tamper with one event's payload (line 30 001): the audit names its session and seq,
    // and every other session still verifies.
    const at = 30_000;
    const victim = Envelope.parse(sealed[at]);
    sealed[at] = sealed[at].replace(
      /"call_id":"([mt])(\d+)"/,
      (_, p, n) => `"call_id":"${p}${Number(n) + 1}"`,
    );
    assert.notEqual(Envelope.parse(sealed[at]).computeHash(), victim.hash);
    await Deno.writeTextFile(`${dir}/tampered.jsonl`, sealed.join("\n") + "\n");
    const bad = await deno([...audit, `${dir}/tampered.jsonl`, "--json"]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    const report = JSON.parse(bad.stdout);
    assert.equal(report.valid, false);
    assert.equal(report.broken.length, 1);
    assert.equal(report.broken[0].session, `${victim.tenantId}/${victim.sessionId}`);
    assert.equal(report.broken[0].firstBadSeq, victim.seq);
    assert.equal(report.broken[0].checked, victim.seq);
    assert.equal(report.sessions, 120);
    const victimEvents = sealed.filter((l) => {
      const e = Envelope.parse(l);
      return e.tenantId === victim.tenantId && e.sessionId === victim.sessionId;
    }).length;
    assert.equal(report.checked, N - victimEvents + victim.seq);
    assert.match(report.broken[0].error, /hash/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/deploy (ledger on Deno KV) serves the agent loop and the audit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aegis-deploy-" });
  const port = freePort();
  const token = "example-token";
  const ledger = startService(DENO, [
    "run",
    "--quiet",
    "--no-lock",
    "--unstable-kv",
    "--allow-net=127.0.0.1",
    `--allow-read=${dir}`,
    `--allow-write=${dir}`,
    "--allow-env",
    `${EX.pathname}deploy/main.ts`,
  ], {
    cwd: ROOT.pathname,
    env: { AEGIS_KV_PATH: `${dir}/ledger.kv`, PORT: String(port), AEGIS_LEDGER_TOKEN: token },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/readyz`, 20_000, ledger);
    const denied = await fetch(`${url}/v1/events?tenant_id=acme`);
    assert.equal(denied.status, 401, "requests without the token are refused");
    await denied.body?.cancel();

    const run = JSON.parse(ok(
      await deno([
        "--allow-net=127.0.0.1",
        "--allow-env=AEGIS_BACKEND",
        `${EX.pathname}agent_loop.ts`,
        "--ledger",
        url,
        "--token",
        token,
        "--session",
        "deploy-agent",
        "--json",
      ]),
      "agent_loop.ts --ledger",
    ));
    assertAgentRun(run);
    const audit = JSON.parse(ok(
      await deno([
        "--allow-net=127.0.0.1",
        "--allow-env=AEGIS_BACKEND",
        `${EX.pathname}audit_chain.ts`,
        "--ledger",
        url,
        "--token",
        token,
        "--tenant",
        "acme",
        "--session",
        "deploy-agent",
        "--json",
      ]),
      "audit_chain.ts --ledger",
    ));
    assert.deepEqual(audit, { checked: run.events, sessions: 1, valid: true, broken: [] });
  } finally {
    await ledger.stop();
    await Deno.remove(dir, { recursive: true });
    const output = ledger.logs.join("");
    assert.doesNotMatch(output, /internal error/, output);
  }
});

Deno.test("examples/workers: the wrangler build runs in workerd and forwards to a ledger", async () => {
  const out = await Deno.makeTempDir({ prefix: "aegis-wrangler-" });
  // The ledger the worker forwards to, in this process.
  const store = new MemoryStore();
  const ledger = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createLedgerHandler(store),
  );
  const ledgerUrl = `http://127.0.0.1:${ledger.addr.port}`;
  let service: Service | null = null;
  const logs = (): string => service?.logs.join("") ?? "";
  try {
    const row = {
      runtime: "Cloudflare Workers (workerd)",
      version: NOT_STARTED,
      loadedAs: "`examples/workers` built by `wrangler deploy --dry-run`",
      backend: "wasm",
      selection: "`.wasm` module import + `init({ module })`",
      checked: "example: seal, verify, tamper, forward to a ledger",
      testedBy: "tests/runtimes/examples_test.ts",
    };
    await checkAndRecord(row, async () => {
      const workerd = await workerdPath();
      row.version = await versionOf(workerd);
      const { main: mainName, wasm: wasmName } = await wranglerBuild(
        new URL("workers/", EX).pathname,
        out,
      );
      assert.ok(wasmName, "wrangler uploads the .wasm as a module");

      const ports = { forward: freePort(), local: freePort() };
      const worker = (aegisd: string) =>
        `(
    modules = [
      (name = "${mainName}", esModule = embed "${mainName}"),
      (name = "${wasmName}", wasm = embed "${wasmName}"),
    ],
    compatibilityDate = "2026-11-01",
    bindings = [(name = "AEGISD_URL", text = "${aegisd}")],
    globalOutbound = "loopback",
  )`;
      await Deno.writeTextFile(
        `${out}/config.capnp`,
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "forward", worker = ${worker(ledgerUrl)}),
    (name = "local", worker = ${worker("")}),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [
    (name = "forward", address = "127.0.0.1:${ports.forward}", http = (), service = "forward"),
    (name = "local", address = "127.0.0.1:${ports.local}", http = (), service = "local"),
  ],
);
`,
      );
      const workerdProc = service = startService(workerd, ["serve", `${out}/config.capnp`], {
        cwd: out,
      });
      const local = `http://127.0.0.1:${ports.local}`;
      const forward = `http://127.0.0.1:${ports.forward}`;
      await waitForHttp(`${local}/`, 20_000, workerdProc);

      assert.deepEqual(await (await fetch(`${local}/`)).json(), { backend: "wasm" }, logs());

      // Seal at the edge; the test recomputes the same chain with the SDK here.
      const events = [
        {
          event_type: "MODEL_CALL_STARTED",
          payload: { model_id: "gpt-4o", call_id: "m1" },
          ts_unix_ms: 1700000000000,
        },
        {
          event_type: "TOOL_CALL_PROPOSED",
          payload: { tool_name: "sh", call_id: "t1", args: { cmd: "a && b <x>", n: -0, f: 1.5 } },
          ts_unix_ms: 1700000000001,
        },
        { event_type: "TERMINATION", payload: { reason: "done ✓" }, ts_unix_ms: 1700000000002 },
      ];
      const request = { tenant_id: "acme", session_id: "edge-1", user_id: "u1", events };
      // JSON.stringify writes -0 as 0; the body must carry -0 (aegisd hashes it as -0).
      const body = (r: unknown) => JSON.stringify(r).replace('"n":0,', '"n":-0,');
      assert.match(body(request), /"n":-0,/);
      const res = await fetch(`${local}/seal`, { method: "POST", body: body(request) });
      const jsonl = await res.text();
      assert.equal(res.status, 200, jsonl + logs());
      let i = 0;
      const b = new Builder({
        tenantId: "acme",
        sessionId: "edge-1",
        userId: "u1",
        clock: () => events[i++].ts_unix_ms,
      });
      const want = events.map((e) => b.append(e.event_type, e.payload));
      const got = jsonl.trim().split("\n").map((l) => Envelope.parse(l));
      assert.deepEqual(got.map((e) => e.hash), want.map((e) => e.hash));

      // Verify at the edge, intact and tampered.
      const v = await fetch(`${local}/verify`, { method: "POST", body: jsonl });
      assert.deepEqual(await v.json(), { valid: true, firstBadSeq: null, error: null, checked: 3 });
      const tampered = jsonl.replace('"reason":"done ✓"', '"reason":"done"');
      const tv = await (await fetch(`${local}/verify`, { method: "POST", body: tampered })).json();
      assert.equal(tv.valid, false);
      assert.equal(tv.firstBadSeq, 2);

      // Forward to the ledger through workerd's loopback-only outbound network.
      const fres = await fetch(`${forward}/seal`, {
        method: "POST",
        body: body({ ...request, session_id: "edge-2" }),
      });
      const stored = await fres.json();
      assert.equal(fres.status, 200, JSON.stringify(stored) + logs());
      assert.equal(stored.length, 3);
      const client = new AegisClient(ledgerUrl);
      assert.deepEqual(await client.verifyChain("acme", "edge-2"), {
        valid: true,
        firstBadSeq: null,
        error: null,
      });
      const page = await client.listEvents({ tenantId: "acme", sessionId: "edge-2" });
      assert.deepEqual(page.events.map((e) => e.hash), stored.map((s: { hash: string }) => s.hash));
      // The same events in another session give other hashes (session id is hashed).
      assert.notDeepEqual(stored.map((s: { hash: string }) => s.hash), want.map((e) => e.hash));
    });
  } finally {
    await (service as Service | null)?.stop();
    await ledger.shutdown();
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
});
