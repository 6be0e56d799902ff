/** The ledger handler without a socket: list pages, tokens, filters, ingest details. */

import assert from "node:assert/strict";
import {
  AegisClient,
  base64ToBytes,
  Builder,
  bytesToHex,
  createLedgerHandler,
  Envelope,
  EventType,
  MemoryStore,
  parseJson,
} from "../mod.ts";
import { KvStore } from "../src/ledger/kv_store.ts";

function setup(now = () => 1_800_000_000_000) {
  const store = new MemoryStore();
  const handler = createLedgerHandler(store, { now, onError: (e) => console.error(e) });
  const client = new AegisClient("http://ledger", {
    fetch: (input, init) => handler(new Request(input, init)),
    retries: 0,
  });
  const call = async (method: string, path: string, body?: BodyInit) => {
    const res = await handler(new Request(`http://ledger${path}`, { method, body }));
    return { status: res.status, body: parseJson(await res.text()) as Record<string, unknown> };
  };
  return { store, handler, client, call };
}

async function seed(client: AegisClient, tenantId: string, sessionId: string, n: number) {
  let t = 1_700_000_000_000;
  const b = new Builder({ tenantId, userId: `user-${sessionId}`, sessionId, clock: () => ++t });
  for (let i = 0; i < n; i++) {
    const env = i % 3 === 1
      ? b.append(EventType.TOOL_CALL_PROPOSED, { tool_name: i % 2 ? "read" : "write", args: { i } })
      : b.append(EventType.TOOL_RESULT, { i });
    await client.appendEvent(env);
  }
}

Deno.test("handler: list pages use aegisd's shape plus UserID; PrevHash null at seq 0", async () => {
  const { client, call } = setup();
  await seed(client, "acme", "s1", 3);
  const { status, body } = await call("GET", "/v1/events?tenant_id=acme&session_id=s1");
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body), ["Events", "NextToken"]);
  const events = body.Events as Record<string, unknown>[];
  assert.deepEqual(Object.keys(events[0]), [
    "TenantID",
    "UserID",
    "SessionID",
    "Seq",
    "TsUnixMs",
    "EventType",
    "PayloadJSON",
    "Hash",
    "PrevHash",
  ]);
  assert.equal(events[0].PrevHash, null);
  assert.equal(events[0].UserID, "user-s1");
  assert.equal(events[1].PrevHash, events[0].Hash);
  assert.deepEqual(parseJson(base64ToBytes(events[0].PayloadJSON as string)), { i: 0 });
  assert.equal(bytesToHex(base64ToBytes(events[2].Hash as string)).length, 64);
  assert.equal(body.NextToken, "");
});

Deno.test("handler: limit and page tokens, within a session and across sessions", async () => {
  const { client, call } = setup();
  await seed(client, "acme", "s2", 5);
  await seed(client, "acme", "s1", 5);
  await seed(client, "other", "s1", 4);
  // One session: tokens are the last seq, as aegisd's.
  const p1 = await call("GET", "/v1/events?tenant_id=acme&session_id=s1&limit=2");
  assert.equal(p1.body.NextToken, "1");
  const p2 = await call("GET", "/v1/events?tenant_id=acme&session_id=s1&limit=2&page_token=1");
  assert.deepEqual((p2.body.Events as { Seq: number }[]).map((e) => e.Seq), [2, 3]);
  // Across sessions, through the client's iterator, every page size.
  for (const limit of [1, 2, 3, 7, 10, 1000]) {
    const seen: string[] = [];
    for await (const e of client.events({ tenantId: "acme", limit })) {
      seen.push(`${e.sessionId}/${e.seq}`);
      assert.equal(e.verify(), true);
    }
    assert.deepEqual(seen, [
      ...[0, 1, 2, 3, 4].map((s) => `s1/${s}`),
      ...[0, 1, 2, 3, 4].map((s) => `s2/${s}`),
    ], `limit ${limit}`);
  }
  // Exactly a page's worth: no token pointing at an empty page.
  const exact = await call("GET", "/v1/events?tenant_id=other&limit=4");
  assert.equal(exact.body.NextToken, "");
  // Default page size is 100.
  await seed(client, "big", "s", 150);
  const d = await call("GET", "/v1/events?tenant_id=big");
  assert.equal((d.body.Events as unknown[]).length, 100);
  assert.equal(d.body.NextToken, "99.cw");
  // A tenant-wide token does not work for another session.
  const wrong = await call("GET", "/v1/events?tenant_id=big&session_id=t&page_token=99.cw");
  assert.equal(wrong.status, 400);
});

Deno.test("handler: event_type and tool_name filters; tenants never see each other", async () => {
  const { client } = setup();
  await seed(client, "acme", "s", 12);
  await seed(client, "evil", "s", 12);
  const proposals = [];
  for await (
    const e of client.events({ tenantId: "acme", eventType: "TOOL_CALL_PROPOSED", limit: 2 })
  ) {
    proposals.push(e);
  }
  assert.deepEqual(proposals.map((e) => e.seq), [1, 4, 7, 10]);
  const reads = [];
  for await (const e of client.events({ tenantId: "acme", toolName: "read", limit: 1 })) {
    reads.push(e);
  }
  assert.deepEqual(reads.map((e) => e.seq), [1, 7]);
  assert.ok(reads.every((e) => e.tenantId === "acme"));
  const { events } = await client.listEvents({ tenantId: "evil", sessionId: "s", limit: 1000 });
  assert.ok(events.every((e) => e.tenantId === "evil" && e.userId === "user-s"));
  assert.equal(events.length, 12);
});

Deno.test("handler: the hash is computed when absent; ts 0 without a hash gets the clock", async () => {
  const { call } = setup(() => 1_750_000_000_000);
  const r = await call(
    "POST",
    "/v1/events",
    '{"tenant_id":"a","session_id":"s","seq":0,"event_type":"MODEL_CALL_STARTED","payload":{"x":1}}',
  );
  assert.equal(r.status, 201);
  const expected = new Envelope({
    tenantId: "a",
    sessionId: "s",
    seq: 0,
    tsUnixMs: 1_750_000_000_000,
    eventType: "MODEL_CALL_STARTED",
    payload: { x: 1 },
  }).computeHash();
  assert.deepEqual(r.body, { seq: 0, hash: expected });
  // prev_hash as a byte array (the Python SDK's form) is accepted.
  const next = new Envelope({
    tenantId: "a",
    sessionId: "s",
    seq: 1,
    tsUnixMs: 1_750_000_000_001,
    eventType: "TERMINATION",
    payload: null,
    prevHash: expected,
  }).seal();
  const wire = { ...next.toJSON(), prev_hash: Array.from(base64ToBytes(next.toJSON().prev_hash!)) };
  const r2 = await call("POST", "/v1/events", JSON.stringify(wire));
  assert.equal(r2.status, 201, JSON.stringify(r2.body));
  assert.equal(r2.body.hash, next.hash);
});

Deno.test("handler: a streamed body over the limit is cut off with 413", async () => {
  const store = new MemoryStore();
  const handler = createLedgerHandler(store, { maxBodyBytes: 1000 });
  const chunk = new TextEncoder().encode("x".repeat(300));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(chunk);
      c.close();
    },
  });
  const res = await handler(
    new Request("http://ledger/v1/events", { method: "POST", body: stream }),
  );
  assert.equal(res.status, 413);
  assert.match(await res.text(), /exceeds 1000 bytes/);
});

Deno.test("handler: snapshot is live and flat; decide is not implemented here", async () => {
  const { client, call } = setup();
  let t = 1_700_000_000_000;
  const b = new Builder({ tenantId: "acme", sessionId: "s", clock: () => (t += 1000) });
  await client.appendEvent(b.append(EventType.MODEL_CALL_STARTED, {}));
  await client.appendEvent(b.append(EventType.TOOL_RESULT, { r: 1 }));
  let snap = await client.getSnapshot("acme", "s");
  assert.equal(snap?.isTainted, true);
  assert.equal(snap?.stepsConsumed, 2);
  assert.equal(snap?.lastSeq, 1);
  await client.appendEvent(b.append(EventType.TERMINATION, {}));
  snap = await client.getSnapshot("acme", "s");
  assert.equal(snap?.isTainted, false);
  assert.equal(snap?.wallTimeMs, 2000);
  const flat = await call("GET", "/v1/sessions/s/snapshot?tenant_id=acme");
  for (
    const k of [
      "steps_consumed",
      "tool_calls_consumed",
      "wall_time_ms",
      "is_tainted",
      "sanitized_keys",
      "loop_violation",
    ]
  ) assert.ok(k in flat.body, k);
  const d = await call("POST", "/v1/policy/decide", "{}");
  assert.equal(d.status, 501);
});

Deno.test("handler: escaped keys in bodies are decoded without JSON.parse (V8 bug)", async () => {
  const { call, client } = setup();
  // Alternate keys ending in a backslash with same-length escaped keys, many times over:
  // on an affected V8, JSON.parse would hand back the stale "\\" key for the escaped one.
  let prev: string | null = null;
  let ts = 1_700_000_000_000;
  for (let i = 0; i < 40; i++) {
    const key = i % 2 === 0 ? "\\" : "/";
    const raw = i % 2 === 0 ? String.raw`"\\"` : String.raw`"\u002f"`;
    const env = new Envelope({
      tenantId: "t",
      sessionId: "s",
      seq: i,
      tsUnixMs: ++ts,
      eventType: "MEMORY_READ",
      payload: { a: 0, [key]: 0 },
      prevHash: prev,
    }).seal();
    const wire = env.toJSON();
    const body = `{"tenant_id":"t","session_id":"s","seq":${i},"ts_unix_ms":${ts},` +
      `"event_type":"MEMORY_READ","payload":{"a":0,${raw}:0}` +
      (wire.prev_hash ? `,"prev_hash":"${wire.prev_hash}"` : "") + `,"hash":"${wire.hash}"}`;
    const r = await call("POST", "/v1/events", body);
    assert.equal(r.status, 201, `event ${i}: ${JSON.stringify(r.body)}`);
    prev = env.hash;
  }
  assert.equal((await client.verifyChain("t", "s")).valid, true);
  const { events } = await client.listEvents({ tenantId: "t", sessionId: "s" });
  assert.deepEqual(events[1].payload, { a: 0, "/": 0 }); // stored canonically: "/" sorts first
});

Deno.test("handler: verify while appends are in flight never reports a false break", async () => {
  for (const store of [new MemoryStore(), await KvStore.open(":memory:")]) {
    const handler = createLedgerHandler(store);
    const client = new AegisClient("http://ledger", {
      fetch: (input, init) => handler(new Request(input, init)),
      retries: 0,
    });
    const b = new Builder({ tenantId: "t", sessionId: "s" });
    await client.appendEvent(b.append(EventType.MODEL_CALL_STARTED, {}));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 300; i++) {
        await client.appendEvent(b.append(EventType.TOOL_RESULT, { i }));
      }
      writing = false;
    })();
    let checks = 0;
    while (writing) {
      const v = await client.verifyChain("t", "s");
      assert.equal(v.valid, true, `${v.firstBadSeq}: ${v.error}`);
      checks++;
    }
    await writer;
    assert.ok(checks > 1);
    await store.close();
  }
});

Deno.test("handler: readyz is 503 when the store fails; unexpected errors are 500 without details", async () => {
  const broken = new MemoryStore();
  broken.head = () => Promise.reject(new Error("disk on fire"));
  const seen: unknown[] = [];
  const handler = createLedgerHandler(broken, { onError: (e) => seen.push(e) });
  const ready = await handler(new Request("http://ledger/readyz"));
  assert.equal(ready.status, 503);
  assert.equal((await ready.json()).status, "unavailable");
  const snap = await handler(new Request("http://ledger/v1/sessions/s/verify?tenant_id=t"));
  assert.equal(snap.status, 500);
  assert.deepEqual(await snap.json(), { error: "internal error" });
  assert.equal(seen.length, 2);
  assert.match(String(seen[1]), /disk on fire/);
});
