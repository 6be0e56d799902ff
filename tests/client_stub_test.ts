/**
 * AegisClient against a loopback stub that replays aegisd's exact response
 * bodies (shapes from design.md), plus error, timeout and retry behaviour.
 */

import assert from "node:assert/strict";
import {
  AegisClient,
  AegisHttpError,
  AegisNetworkError,
  AegisProtocolError,
  AegisTimeoutError,
  base64ToBytes,
  Builder,
  bytesToBase64,
  Envelope,
  EventType,
  hexToBytes,
  verifyChain,
} from "../mod.ts";

type Responder = (req: Request, body: string) => Response | Promise<Response>;

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: Headers;
}

const ENC = new TextEncoder();

function reply(status: number, body: string, type = "application/json"): Response {
  return new Response(body, { status, headers: { "content-type": type } });
}

/** Serves the responders in order (the last one repeats) and records every request. */
async function withStub(
  responders: Responder[],
  fn: (client: AegisClient, seen: Recorded[], url: string) => Promise<void>,
  clientOptions: ConstructorParameters<typeof AegisClient>[1] = { retries: 0 },
): Promise<void> {
  const seen: Recorded[] = [];
  let i = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const body = await req.text();
    const u = new URL(req.url);
    seen.push({
      method: req.method,
      path: u.pathname,
      query: u.searchParams,
      body,
      headers: req.headers,
    });
    const r = responders[Math.min(i++, responders.length - 1)];
    return await r(req, body);
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  try {
    await fn(new AegisClient(url, clientOptions), seen, url);
  } finally {
    await server.shutdown();
  }
}

interface Vector {
  wire: string;
  hash: string;
}
const VECTORS: Vector[] = Deno.readTextFileSync(
  new URL("../../shared/vectors/aegisd-chains.jsonl", import.meta.url),
).trim().split("\n").map((l) => JSON.parse(l));

/** How aegisd lists a stored event: no UserID, payload as base64 of the payload JSON it received. */
function aegisdListed(wireText: string, hashHex: string): Record<string, unknown> {
  const w = JSON.parse(wireText);
  // The raw payload text as the client sent it (aegisd keeps json.RawMessage bytes).
  const payloadText = JSON.stringify(w.payload);
  return {
    TenantID: w.tenant_id,
    SessionID: w.session_id,
    Seq: w.seq,
    TsUnixMs: w.ts_unix_ms,
    EventType: w.event_type,
    PayloadJSON: bytesToBase64(ENC.encode(payloadText)),
    Hash: bytesToBase64(hexToBytes(hashHex)),
    PrevHash: w.prev_hash ?? null,
  };
}

Deno.test("client: appendEvent posts the wire text and returns {seq, hash}", async () => {
  const env = new Builder({
    tenantId: "acme",
    userId: "u",
    sessionId: "s",
    clock: () => 1700000000000,
  })
    .append(EventType.TOOL_RESULT, { z: -0, q: "<&>", n: [1.5, 1e21] });
  await withStub(
    [() => reply(201, `{"seq":0,"hash":"${env.hash}"}`)],
    async (client, seen, url) => {
      assert.deepEqual(await client.appendEvent(env), { seq: 0, hash: env.hash });
      assert.equal(seen.length, 1);
      assert.equal(seen[0].method, "POST");
      assert.equal(seen[0].path, "/v1/events");
      assert.equal(seen[0].headers.get("content-type"), "application/json");
      assert.equal(seen[0].headers.get("authorization"), "Bearer t0k3n");
      assert.equal(seen[0].body, env.toWireText());
      assert.match(seen[0].body, /"z":-0/); // JSON.stringify would have sent 0 and broken the hash
      assert.equal(Envelope.parse(seen[0].body).verify(), true);
      assert.ok(url.startsWith("http://127.0.0.1:"));
    },
    { retries: 0, headers: { authorization: "Bearer t0k3n" } },
  );
});

Deno.test("client: 400 hash rejection and 409 chain conflict are told apart", async () => {
  const env = new Builder({ tenantId: "acme", sessionId: "s" }).append("TERMINATION", {});
  await withStub([
    () => reply(400, '{"error":"hash verification failed"}'),
    () => reply(409, '{"error":"hash chain mismatch"}'),
    () => reply(400, '{"error":"missing tenant_id or session_id"}'),
  ], async (client, _seen, url) => {
    const e1 = await client.appendEvent(env).catch((e) => e);
    assert.ok(e1 instanceof AegisHttpError);
    assert.equal(e1.status, 400);
    assert.equal(e1.serverMessage, "hash verification failed");
    assert.equal(e1.method, "POST");
    assert.equal(e1.url, `${url}/v1/events`);
    assert.equal(e1.isHashRejected, true);
    assert.equal(e1.isChainConflict, false);
    assert.match(e1.message, /POST .*\/v1\/events failed with 400: hash verification failed/);
    const e2 = await client.appendEvent(env).catch((e) => e);
    assert.ok(e2 instanceof AegisHttpError);
    assert.equal(e2.isChainConflict, true);
    assert.equal(e2.isHashRejected, false);
    const e3 = await client.appendEvent(env).catch((e) => e);
    assert.ok(e3 instanceof AegisHttpError);
    assert.equal(e3.isHashRejected, false);
    assert.equal(e3.serverMessage, "missing tenant_id or session_id");
  });
});

Deno.test("client: listEvents decodes aegisd's page shape without UserID", async () => {
  const chain = VECTORS.filter((v) => v.wire.includes('"sess-example"'));
  const page = { Events: chain.map((v) => aegisdListed(v.wire, v.hash)), NextToken: "" };
  await withStub([() => reply(200, JSON.stringify(page))], async (client, seen) => {
    const { events, nextToken } = await client.listEvents({
      tenantId: "acme",
      sessionId: "sess-example",
      eventType: "TOOL_RESULT",
      toolName: "read_file",
      limit: 50,
      pageToken: "7",
    });
    assert.equal(seen[0].query.get("tenant_id"), "acme");
    assert.equal(seen[0].query.get("session_id"), "sess-example");
    assert.equal(seen[0].query.get("event_type"), "TOOL_RESULT");
    assert.equal(seen[0].query.get("tool_name"), "read_file");
    assert.equal(seen[0].query.get("limit"), "50");
    assert.equal(seen[0].query.get("page_token"), "7");
    assert.equal(nextToken, "");
    assert.equal(events.length, 4);
    for (const [i, e] of events.entries()) {
      const original = Envelope.parse(chain[i].wire);
      assert.equal(e.userId, ""); // aegisd does not store it
      assert.equal(e.hash, chain[i].hash);
      assert.equal(e.prevHash, i === 0 ? null : chain[i - 1].hash);
      assert.deepEqual(e.payload, original.payload);
      assert.equal(e.tsUnixMs, original.tsUnixMs);
    }
    // Without user_id the content hashes cannot be recomputed; with it back they verify.
    assert.equal(verifyChain(events).valid, false);
    for (const e of events) e.userId = "u1";
    assert.deepEqual(verifyChain(events), {
      valid: true,
      firstBadSeq: null,
      error: null,
      checked: 4,
    });
  });
});

Deno.test("client: events() follows NextToken across pages; null Events is an empty page", async () => {
  const chain = VECTORS.filter((v) => v.wire.includes('"bench-42"'));
  const pages = [
    { Events: chain.slice(0, 100).map((v) => aegisdListed(v.wire, v.hash)), NextToken: "99" },
    { Events: chain.slice(100, 200).map((v) => aegisdListed(v.wire, v.hash)), NextToken: "199" },
    { Events: null, NextToken: "" },
  ];
  await withStub(pages.map((p) => () => reply(200, JSON.stringify(p))), async (client, seen) => {
    const got: Envelope[] = [];
    for await (const e of client.events({ tenantId: "acme", sessionId: "bench-42" })) got.push(e);
    assert.equal(got.length, 200);
    assert.deepEqual(seen.map((s) => s.query.get("page_token")), [null, "99", "199"]);
    assert.deepEqual(got.map((e) => e.seq), chain.map((_, i) => i));
    assert.equal(verifyChain(got).firstBadSeq, 0); // aegisd dropped user_id "u1"
    for (const e of got) e.userId = "u1";
    assert.equal(verifyChain(got).valid, true);
  });
});

Deno.test("client: payload keys are decoded without JSON.parse (V8 escaped-key bug)", async () => {
  const b = new Builder({ tenantId: "t", sessionId: "s", clock: () => 1700000000000 });
  const e0 = b.append("MEMORY_READ", { a: 0, "\\": 0 });
  const e1 = b.append("MEMORY_READ", { a: 0, "/": 0 });
  const e2 = b.append("MEMORY_READ", { a: 0, "x\\": 0 });
  const e3 = b.append("MEMORY_READ", { a: 0, "x/": 0 });
  const texts = [
    String.raw`{"a":0,"\\":0}`,
    String.raw`{"a":0,"\u002f":0}`,
    String.raw`{"a":0,"x\\":0}`,
    String.raw`{"a":0,"x\u002f":0}`,
  ];
  const page = {
    Events: [e0, e1, e2, e3].map((e, i) => ({
      ...aegisdListed(e.toWireText(), e.hash!),
      PayloadJSON: bytesToBase64(ENC.encode(texts[i])),
    })),
    NextToken: "",
  };
  await withStub([() => reply(200, JSON.stringify(page))], async (client) => {
    for (let round = 0; round < 50; round++) {
      const { events } = await client.listEvents({ tenantId: "t", sessionId: "s" });
      assert.deepEqual(Object.keys(events[1].payload as object), ["a", "/"]);
      assert.deepEqual(Object.keys(events[3].payload as object), ["a", "x/"]);
      assert.equal(verifyChain(events).valid, true);
    }
  });
});

Deno.test("client: getSnapshot reads aegisd's StateJSON shape, the flat shape, and 404 → null", async () => {
  const state = {
    budgets: {
      steps_consumed: 50,
      model_calls_consumed: 12,
      tool_calls_consumed: 13,
      wall_time_ms: 0,
      session_start_ms: 1700000000000,
    },
    loop_violation: "BUDGET_TOOL_CALLS_EXCEEDED",
    taint: { active_labels: ["tool_output"], sanitized_keys: ["ssn"] },
    last_outcomes: { read_file: "allow" },
    handoff: null,
  };
  const aegisd = {
    TenantID: "acme",
    SessionID: "s",
    LastSeq: 49,
    TsUnixMs: 1700000004000,
    StateJSON: bytesToBase64(ENC.encode(JSON.stringify(state))),
    SnapshotHash: bytesToBase64(new Uint8Array(32).fill(7)),
  };
  const flat = {
    steps_consumed: 4,
    tool_calls_consumed: 1,
    wall_time_ms: 900,
    is_tainted: false,
    sanitized_keys: [],
    loop_violation: "",
  };
  await withStub([
    () => reply(200, JSON.stringify(aegisd)),
    () => reply(200, JSON.stringify(flat)),
    () => reply(404, "404 page not found\n", "text/plain"),
  ], async (client, seen) => {
    const a = await client.getSnapshot("acme", "s/1");
    assert.equal(seen[0].path, "/v1/sessions/s%2F1/snapshot");
    assert.equal(seen[0].query.get("tenant_id"), "acme");
    assert.ok(a);
    assert.equal(a.stepsConsumed, 50);
    assert.equal(a.toolCallsConsumed, 13);
    assert.equal(a.modelCallsConsumed, 12);
    assert.equal(a.isTainted, true);
    assert.deepEqual(a.sanitizedKeys, ["ssn"]);
    assert.equal(a.loopViolation, "BUDGET_TOOL_CALLS_EXCEEDED");
    assert.equal(a.lastSeq, 49);
    assert.deepEqual(a.raw, state);
    const f = await client.getSnapshot("acme", "s");
    assert.deepEqual({ ...f, raw: undefined }, {
      stepsConsumed: 4,
      toolCallsConsumed: 1,
      wallTimeMs: 900,
      isTainted: false,
      sanitizedKeys: [],
      loopViolation: null,
      raw: undefined,
    });
    assert.equal(await client.getSnapshot("acme", "s"), null);
  });
});

Deno.test("client: verifyChain accepts {valid:true} and the full shape", async () => {
  await withStub([
    () => reply(200, '{"valid":true}'),
    () => reply(200, '{"valid":false,"first_bad_seq":3,"error":"prev_hash mismatch at seq 3"}'),
    () => reply(200, '{"ok":1}'),
  ], async (client) => {
    assert.deepEqual(await client.verifyChain("acme", "s"), {
      valid: true,
      firstBadSeq: null,
      error: null,
    });
    assert.deepEqual(await client.verifyChain("acme", "s"), {
      valid: false,
      firstBadSeq: 3,
      error: "prev_hash mismatch at seq 3",
    });
    await assert.rejects(client.verifyChain("acme", "s"), AegisProtocolError);
  });
});

Deno.test("client: decide, health and ready", async () => {
  const env = new Builder({ tenantId: "acme", sessionId: "s" }).append(
    EventType.TOOL_CALL_PROPOSED,
    {
      tool_name: "rm",
      args: { path: "/" },
    },
  );
  await withStub([
    () => reply(200, '{"outcome":"deny","reason":"destructive","constraints":{}}'),
    () => reply(200, '{"status":"ok"}'),
    () => reply(200, '{"status":"ready"}'),
    () => reply(503, '{"status":"not ready"}'),
  ], async (client, seen) => {
    const d = await client.decide({
      event: env,
      snapshot: { steps_consumed: 1 },
      manifest: { deny: ["rm"] },
    });
    assert.deepEqual(d, { outcome: "deny", reason: "destructive", constraints: {} });
    const sent = JSON.parse(seen[0].body);
    assert.equal(seen[0].path, "/v1/policy/decide");
    assert.deepEqual(sent.event, JSON.parse(env.toWireText()));
    assert.deepEqual(sent.snapshot, { steps_consumed: 1 });
    assert.deepEqual(sent.manifest, { deny: ["rm"] });
    assert.deepEqual(await client.health(), { status: "ok" });
    assert.deepEqual(await client.ready(), { status: "ready" });
    const e = await client.ready().catch((x) => x);
    assert.ok(e instanceof AegisHttpError && e.status === 503);
  });
});

Deno.test("client: non-JSON error bodies, network errors and timeouts carry the URL", async () => {
  await withStub(
    [() => reply(500, "internal failure\n", "text/plain")],
    async (client, _s, url) => {
      const e = await client.health().catch((x) => x);
      assert.ok(e instanceof AegisHttpError);
      assert.equal(e.serverMessage, "internal failure");
      assert.equal(e.url, `${url}/healthz`);
    },
  );
  // A port nobody listens on.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const dead = new AegisClient(`http://127.0.0.1:${port}/`, { retries: 0 });
  const ne = await dead.health().catch((x) => x);
  assert.ok(ne instanceof AegisNetworkError, String(ne));
  assert.equal(ne.url, `http://127.0.0.1:${port}/healthz`);
  assert.match(ne.message, new RegExp(`GET http://127.0.0.1:${port}/healthz`));

  await withStub(
    [async () => {
      await new Promise((r) => setTimeout(r, 300));
      return reply(200, '{"status":"ok"}');
    }],
    async (client, _s, url) => {
      const te = await client.health().catch((x) => x);
      assert.ok(te instanceof AegisTimeoutError, String(te));
      assert.equal(te.timeoutMs, 50);
      assert.equal(te.url, `${url}/healthz`);
    },
    { timeoutMs: 50, retries: 0 },
  );
});

Deno.test("client: GETs retry on 503 and on timeouts, then succeed", async () => {
  await withStub([
    () => reply(503, '{"error":"busy"}'),
    () => reply(502, "bad gateway"),
    () => reply(200, '{"status":"ok"}'),
  ], async (client, seen) => {
    assert.deepEqual(await client.health(), { status: "ok" });
    assert.equal(seen.length, 3);
  }, { retries: 2, retryDelayMs: 0 });
  await withStub([() => reply(503, '{"error":"busy"}')], async (client, seen) => {
    const e = await client.health().catch((x) => x);
    assert.ok(e instanceof AegisHttpError && e.status === 503);
    assert.equal(seen.length, 2); // first try + one retry
  }, { retries: 1, retryDelayMs: 0 });
});

/** A stub aegisd that stores appends, with a switch to drop the response of the next append. */
function flakyAegisd(opts: { seq0Repeat500: boolean }) {
  const stored: Envelope[] = [];
  let failNext = 0;
  let intercept: (() => Response) | null = null;
  const responder: Responder = (req, body) => {
    const u = new URL(req.url);
    if (req.method === "GET" && u.pathname === "/v1/events") {
      const after = u.searchParams.get("page_token");
      const from = after === null ? 0 : Number(after) + 1;
      const evs = stored.slice(from, from + 100).map((e) => aegisdListed(e.toWireText(), e.hash!));
      return reply(200, JSON.stringify({ Events: evs, NextToken: "" }));
    }
    if (intercept) {
      const r = intercept();
      intercept = null;
      return r;
    }
    const env = Envelope.parse(body);
    const head = stored.at(-1);
    if (env.seq === 0 && head && opts.seq0Repeat500) {
      return reply(
        500,
        '{"error":"UNIQUE constraint failed: events.tenant_id, events.session_id, events.seq"}',
      );
    }
    if ((head ? head.seq + 1 : 0) !== env.seq || (head?.hash ?? null) !== env.prevHash) {
      return reply(409, '{"error":"hash chain mismatch"}');
    }
    stored.push(env);
    if (failNext > 0) {
      failNext--;
      return reply(502, "upstream connection reset"); // the write landed; the answer was lost
    }
    return reply(201, JSON.stringify({ seq: env.seq, hash: env.hash }));
  };
  return {
    stored,
    responder,
    dropNextResponse: () => void failNext++,
    interceptNext: (fn: () => Response) => void (intercept = fn),
  };
}

Deno.test("client: a retried append whose first attempt landed returns success, once", async () => {
  for (const seq0Repeat500 of [false, true]) {
    const flaky = flakyAegisd({ seq0Repeat500 });
    await withStub([flaky.responder], async (client, seen) => {
      const b = new Builder({ tenantId: "acme", sessionId: "s" });
      flaky.dropNextResponse();
      const e0 = b.append(EventType.MODEL_CALL_STARTED, {});
      assert.deepEqual(await client.appendEvent(e0), { seq: 0, hash: e0.hash });
      flaky.dropNextResponse();
      const e1 = b.append(EventType.TOOL_RESULT, {});
      assert.deepEqual(await client.appendEvent(e1), { seq: 1, hash: e1.hash });
      assert.equal(flaky.stored.length, 2);
      assert.equal(verifyChain(flaky.stored).valid, true);
      // POST (502) → POST (409 / 500) → GET list → success
      assert.deepEqual(seen.slice(0, 3).map((s) => s.method), ["POST", "POST", "GET"]);
      assert.equal(seen[2].query.get("page_token"), null);
      assert.equal(seen[5].query.get("page_token"), "0");
    }, { retries: 2, retryDelayMs: 0 });
  }
});

Deno.test("client: a retry that finds someone else's event at its seq fails with 409", async () => {
  const flaky = flakyAegisd({ seq0Repeat500: false });
  await withStub([flaky.responder], async (client) => {
    const mine = new Builder({ tenantId: "acme", sessionId: "s" });
    const theirs = new Builder({ tenantId: "acme", sessionId: "s" });
    const their0 = theirs.append(EventType.MODEL_CALL_STARTED, { who: "them" });
    // Our first attempt never reaches the store (503); meanwhile their event takes seq 0.
    flaky.interceptNext(() => {
      flaky.stored.push(their0);
      return reply(503, "service unavailable");
    });
    const e = await client.appendEvent(mine.append(EventType.MODEL_CALL_STARTED, { who: "me" }))
      .catch((x) => x);
    assert.ok(e instanceof AegisHttpError && e.isChainConflict, String(e));
    assert.deepEqual(flaky.stored, [their0]);
  }, { retries: 2, retryDelayMs: 0 });
  // A first-attempt 409 is not retried.
  await withStub([() => reply(409, '{"error":"hash chain mismatch"}')], async (client, seen) => {
    const env = new Builder({ tenantId: "acme", sessionId: "s" }).append("TERMINATION", {});
    await assert.rejects(client.appendEvent(env), AegisHttpError);
    assert.equal(seen.length, 1);
  }, { retries: 3, retryDelayMs: 0 });
});

Deno.test("client: malformed success bodies raise AegisProtocolError", async () => {
  await withStub([
    () => reply(201, '{"seq":0}'),
    () => reply(200, '{"Events":[{"TenantID":"a","SessionID":"s","Seq":0}],"NextToken":""}'),
    () => reply(200, '{"Events":[],"NextToken":"'),
    () => reply(201, `{"seq":0,"hash":"${bytesToBase64(base64ToBytes("AAAA"))}"}`),
  ], async (client) => {
    const env = new Builder({ tenantId: "a", sessionId: "s" }).append("TERMINATION", {});
    await assert.rejects(client.appendEvent(env), AegisProtocolError);
    await assert.rejects(client.listEvents({ tenantId: "a" }), /Events\[0\]/);
    await assert.rejects(client.listEvents({ tenantId: "a" }), AegisProtocolError);
    await assert.rejects(client.appendEvent(env), /32-byte/);
  });
});
