/**
 * End-to-end: the real ledger server (`Deno.serve` on a free loopback port,
 * Deno KV in a temp dir) and the real client.
 */

import assert from "node:assert/strict";
import { AegisClient, AegisHttpError, Builder, Envelope, EventType, verifyChain } from "../mod.ts";
import { KvStore } from "../src/ledger/kv_store.ts";
import { MemoryStore } from "../src/ledger/memory_store.ts";
import type { LedgerStore } from "../src/ledger/store.ts";
import { type RunningLedger, serveLedger } from "../src/cli.ts";
import { SEED_EXAMPLE } from "../src/demo.ts";

const VECTORS = new URL("../../shared/vectors/aegisd-chains.jsonl", import.meta.url);

interface Vector {
  wire: string;
  canonical: string;
  hash: string;
}

function loadVectors(): Vector[] {
  return Deno.readTextFileSync(VECTORS).trim().split("\n").map((l) => JSON.parse(l) as Vector);
}

async function withLedger(
  kind: "kv" | "memory",
  fn: (ledger: RunningLedger, client: AegisClient, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aegis-e2e-" });
  const store: LedgerStore = kind === "kv"
    ? await KvStore.open(`${dir}/ledger.kv`)
    : new MemoryStore();
  const ledger = await serveLedger({ port: 0, store, onError: (e) => console.error(e) });
  try {
    await fn(ledger, new AegisClient(ledger.url, { retries: 0 }), dir);
  } finally {
    await ledger.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function seqClock(start: number, step = 1): () => number {
  let t = start;
  return () => (t += step);
}

Deno.test("e2e: the seed walkthrough gives aegisd's hashes, snapshot and verification", async () => {
  const expected = loadVectors().filter((v) => v.wire.includes('"session_id":"sess-example"'));
  assert.equal(expected.length, 4);
  await withLedger("kv", async (_ledger, client) => {
    assert.deepEqual(await client.health(), { status: "ok" });
    assert.deepEqual(await client.ready(), { status: "ready" });
    let ts = 0;
    const b = new Builder({
      tenantId: "acme",
      userId: "u1",
      sessionId: "sess-example",
      clock: () => ts,
    });
    for (const [i, [type, payload, at]] of SEED_EXAMPLE.entries()) {
      ts = at;
      const res = await client.appendEvent(b.append(type, payload));
      assert.deepEqual(res, { seq: i, hash: expected[i].hash });
    }
    const snap = await client.getSnapshot("acme", "sess-example");
    assert.ok(snap);
    assert.equal(snap.stepsConsumed, 4);
    assert.equal(snap.toolCallsConsumed, 1);
    assert.equal(snap.modelCallsConsumed, 1);
    assert.equal(snap.wallTimeMs, 900);
    assert.equal(snap.isTainted, false); // TOOL_RESULT tainted it, TERMINATION cleared it
    assert.equal(snap.loopViolation, null);
    assert.equal(snap.lastSeq, 3);
    assert.deepEqual(await client.verifyChain("acme", "sess-example"), {
      valid: true,
      firstBadSeq: null,
      error: null,
    });
    const page = await client.listEvents({ tenantId: "acme", sessionId: "sess-example" });
    assert.equal(page.nextToken, "");
    assert.deepEqual(page.events.map((e) => e.hash), expected.map((v) => v.hash));
    assert.deepEqual(page.events.map((e) => e.userId), ["u1", "u1", "u1", "u1"]);
    assert.deepEqual(
      page.events.map((e) => e.toWireText()),
      expected.map((v) => Envelope.parse(v.wire).seal().toWireText()),
    );
    assert.equal(verifyChain(page.events).valid, true);
    // The snapshot mid-session: tainted after the TOOL_RESULT.
    assert.equal(await client.getSnapshot("acme", "nope"), null);
  });
});

Deno.test("e2e: the aegisd vector chains ingest byte-for-byte and re-verify offline", async () => {
  await withLedger("memory", async (ledger, client) => {
    for (const v of loadVectors()) {
      const res = await fetch(`${ledger.url}/v1/events`, { method: "POST", body: v.wire });
      assert.equal(res.status, 201, await res.clone().text());
      assert.equal((await res.json()).hash, v.hash);
    }
    const all: Envelope[] = [];
    for await (const e of client.events({ tenantId: "acme", limit: 7 })) all.push(e);
    assert.equal(all.length, loadVectors().length);
    for (const sid of ["sess-001", "sess-example", "bench-42"]) {
      const chain = all.filter((e) => e.sessionId === sid);
      assert.equal(verifyChain(chain).valid, true, sid);
      assert.equal((await client.verifyChain("acme", sid)).valid, true);
    }
  });
});

Deno.test("e2e: a chain of 10,000 events over HTTP into Deno KV", async () => {
  await withLedger("kv", async (_ledger, client) => {
    const b = new Builder({
      tenantId: "acme",
      userId: "bulk",
      sessionId: "long",
      clock: seqClock(1_700_000_000_000, 3),
    });
    const N = 10_000;
    const types = [
      EventType.MODEL_CALL_STARTED,
      EventType.TOOL_CALL_PROPOSED,
      EventType.TOOL_RESULT,
      EventType.MODEL_CALL_FINISHED,
    ];
    // 8 appends in flight at a time would race; the chain is sequential by nature,
    // so send in order but pipeline the sealing.
    for (let i = 0; i < N; i++) {
      const env = b.append(types[i % 4], { i, note: `step ${i} <&> ü`, args: { n: i % 7 } });
      const r = await client.appendEvent(env);
      if (r.seq !== i || r.hash !== env.hash) assert.fail(`append ${i}: ${JSON.stringify(r)}`);
    }
    const v = await client.verifyChain("acme", "long");
    assert.deepEqual(v, { valid: true, firstBadSeq: null, error: null });
    const listed: Envelope[] = [];
    for await (const e of client.events({ tenantId: "acme", sessionId: "long", limit: 1000 })) {
      listed.push(e);
    }
    assert.equal(listed.length, N);
    const off = verifyChain(listed);
    assert.equal(off.valid, true, off.error ?? "");
    assert.equal(off.checked, N);
    assert.equal(listed[N - 1].hash, b.lastHash);
    const snap = await client.getSnapshot("acme", "long");
    assert.equal(snap?.stepsConsumed, N);
    assert.equal(snap?.toolCallsConsumed, N / 4);
    assert.equal(snap?.loopViolation, "BUDGET_TOOL_CALLS_EXCEEDED");
  });
});

Deno.test("e2e: 8 concurrent appenders racing on one session make one gap-free chain", async () => {
  await withLedger("kv", async (_ledger, client) => {
    const T = "acme";
    const S = "race";
    const PER = 15;
    let conflicts = 0;
    // Round 0: all eight start the session at once — exactly one wins.
    const starts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, w) =>
        client.appendEvent(
          new Builder({ tenantId: T, userId: `w${w}`, sessionId: S }).append(
            EventType.MODEL_CALL_STARTED,
            { worker: w },
          ),
        )),
    );
    const won = starts.filter((s) => s.status === "fulfilled");
    assert.equal(won.length, 1);
    for (const s of starts) {
      if (s.status === "rejected") {
        assert.ok(s.reason instanceof AegisHttpError, String(s.reason));
        assert.equal(s.reason.status, 409);
        assert.ok(s.reason.isChainConflict);
        conflicts++;
      }
    }
    const written = new Map<number, number>(); // worker → events written
    async function worker(w: number): Promise<void> {
      let done = 0;
      let head = { seq: -1, hash: "" };
      while (done < PER) {
        // Catch up from the last head this worker knew.
        for await (
          const e of client.events({
            tenantId: T,
            sessionId: S,
            pageToken: head.seq >= 0 ? String(head.seq) : undefined,
          })
        ) head = { seq: e.seq, hash: e.hash! };
        const b = new Builder({
          tenantId: T,
          userId: `w${w}`,
          sessionId: S,
          nextSeq: head.seq + 1,
          prevHash: head.hash,
        });
        const env = b.append(EventType.TOOL_CALL_PROPOSED, { worker: w, n: done });
        try {
          await client.appendEvent(env);
          head = { seq: env.seq, hash: env.hash! };
          done++;
        } catch (e) {
          if (!(e instanceof AegisHttpError) || e.status !== 409) throw e;
          conflicts++;
        }
      }
      written.set(w, done);
    }
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    const all: Envelope[] = [];
    for await (const e of client.events({ tenantId: T, sessionId: S })) all.push(e);
    assert.equal(all.length, 1 + 8 * PER);
    assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => i));
    assert.equal(verifyChain(all).valid, true);
    assert.equal((await client.verifyChain(T, S)).valid, true);
    for (let w = 0; w < 8; w++) {
      assert.equal(
        all.filter((e) => (e.payload as { worker: number }).worker === w).length >= PER,
        true,
      );
    }
    assert.ok(conflicts >= 7, `losers got 409 (${conflicts})`);
  });
});

Deno.test("e2e: restart mid-session, resume the Builder from listEvents", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aegis-restart-" });
  const path = `${dir}/ledger.kv`;
  try {
    const clock = seqClock(1_700_000_000_000, 10);
    let ledger = await serveLedger({ port: 0, store: await KvStore.open(path) });
    let client = new AegisClient(ledger.url, { retries: 0 });
    const first = new Builder({ tenantId: "acme", userId: "u1", sessionId: "s", clock });
    for (let i = 0; i < 5; i++) {
      await client.appendEvent(first.append(EventType.MODEL_CALL_STARTED, { i }));
    }
    await ledger.close();

    ledger = await serveLedger({ port: 0, store: await KvStore.open(path) });
    client = new AegisClient(ledger.url, { retries: 0 });
    try {
      const { events } = await client.listEvents({ tenantId: "acme", sessionId: "s" });
      const last = events[events.length - 1];
      assert.equal(last.seq, 4);
      assert.equal(last.hash, first.lastHash);
      const resumed = new Builder({
        tenantId: "acme",
        userId: "u1",
        sessionId: "s",
        nextSeq: last.seq + 1,
        prevHash: last.hash,
        clock,
      });
      for (let i = 5; i < 10; i++) {
        const r = await client.appendEvent(resumed.append(EventType.TOOL_RESULT, { i }));
        assert.equal(r.seq, i);
      }
      // A builder that did not resume (stale head) is refused with 409.
      const stale = new Builder({
        tenantId: "acme",
        userId: "u1",
        sessionId: "s",
        nextSeq: 5,
        prevHash: last.hash,
        clock,
      });
      await assert.rejects(
        client.appendEvent(stale.append(EventType.TOOL_RESULT, { stale: true })),
        (e: unknown) => e instanceof AegisHttpError && e.isChainConflict,
      );
      const all: Envelope[] = [];
      for await (const e of client.events({ tenantId: "acme", sessionId: "s" })) all.push(e);
      assert.deepEqual(all.map((e) => e.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(verifyChain(all).valid, true);
      assert.equal((await client.verifyChain("acme", "s")).valid, true);
    } finally {
      await ledger.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("e2e: tampering with KV records directly is named by verifyChain", async () => {
  await withLedger("kv", async (ledger, client, dir) => {
    const b = new Builder({
      tenantId: "acme",
      sessionId: "t",
      clock: seqClock(1_700_000_000_000),
    });
    for (let i = 0; i < 8; i++) {
      await client.appendEvent(b.append(EventType.TOOL_RESULT, { i, text: "original" }));
    }
    assert.equal((await client.verifyChain("acme", "t")).valid, true);
    // A second handle on the same database file, bypassing the ledger.
    const kv = await Deno.openKv(`${dir}/ledger.kv`);
    try {
      const key = KvStore.eventKey("acme", "t", 5);
      const rec = await kv.get<Record<string, unknown>>(key);
      assert.ok(rec.value);
      const original = rec.value;
      await kv.set(key, { ...original, payloadJson: '{"i":5,"text":"forged"}' });
      let v = await client.verifyChain("acme", "t");
      assert.equal(v.valid, false);
      assert.equal(v.firstBadSeq, 5);
      assert.match(v.error ?? "", /hash/);

      // Re-sealing the forged record (new hash) breaks the link at the next seq instead.
      const forged = new Envelope({
        tenantId: "acme",
        sessionId: "t",
        seq: 5,
        tsUnixMs: original.tsUnixMs as number,
        eventType: original.eventType as string,
        payload: { i: 5, text: "forged" },
        prevHash: original.prevHash as string,
      }).seal();
      await kv.set(key, { ...original, payloadJson: '{"i":5,"text":"forged"}', hash: forged.hash });
      v = await client.verifyChain("acme", "t");
      assert.equal(v.firstBadSeq, 6);

      // Restoring it makes the chain valid again; deleting the tail is caught by the head.
      await kv.set(key, original);
      assert.equal((await client.verifyChain("acme", "t")).valid, true);
      await kv.delete(KvStore.eventKey("acme", "t", 7));
      v = await client.verifyChain("acme", "t");
      assert.equal(v.valid, false);
      assert.equal(v.firstBadSeq, 7);
    } finally {
      kv.close();
    }
    assert.ok(ledger.url.startsWith("http://127.0.0.1:"));
  });
});

// ------------------------------------------------------------ malformed requests

interface BadCase {
  name: string;
  method?: string;
  path?: string;
  body?: string | Uint8Array;
  status: number;
  message?: RegExp;
}

function sealed(init: Partial<ConstructorParameters<typeof Envelope>[0]>): Envelope {
  return new Envelope({
    tenantId: "acme",
    sessionId: "s",
    seq: 0,
    tsUnixMs: 1_700_000_000_000,
    eventType: "MODEL_CALL_STARTED",
    payload: { a: 1 },
    ...init,
  }).seal();
}

function badCases(head0: string, head1: string): BadCase[] {
  const next = sealed({ seq: 2, prevHash: head1, payload: { ok: true } });
  const wire = (e: Envelope, patch: Record<string, unknown> = {}) =>
    JSON.stringify({ ...e.toJSON(), ...patch });
  const text = next.toWireText();
  return [
    { name: "truncated JSON", body: '{"tenant_id":', status: 400, message: /malformed JSON/ },
    { name: "empty body", body: "", status: 400, message: /malformed JSON/ },
    { name: "array body", body: "[]", status: 400, message: /object/ },
    { name: "string body", body: '"event"', status: 400 },
    { name: "trailing garbage", body: text + " x", status: 400, message: /malformed JSON/ },
    {
      name: "duplicate key",
      body: text.replace('{"event_type"', '{"seq":2,"event_type"'),
      status: 400,
    },
    {
      name: "missing tenant_id",
      body: wire(next, { tenant_id: undefined }),
      status: 400,
      message: /tenant_id/,
    },
    {
      name: "missing session_id",
      body: wire(next, { session_id: undefined }),
      status: 400,
      message: /session_id/,
    },
    {
      name: "numeric tenant_id",
      body: wire(next, { tenant_id: 7 }),
      status: 400,
      message: /tenant_id/,
    },
    { name: "negative seq", body: wire(next, { seq: -1 }), status: 400, message: /seq/ },
    { name: "fractional seq", body: wire(next, { seq: 2.5 }), status: 400, message: /seq/ },
    { name: "string seq", body: wire(next, { seq: "2" }), status: 400, message: /seq/ },
    { name: "missing seq", body: wire(next, { seq: undefined }), status: 400, message: /seq/ },
    { name: "missing event_type", body: wire(next, { event_type: undefined }), status: 400 },
    {
      name: "user_id over 4 KiB",
      body: wire(next, { user_id: "u".repeat(5000) }),
      status: 400,
      message: /user_id/,
    },
    { name: "numeric user_id", body: wire(next, { user_id: 5 }), status: 400, message: /user_id/ },
    {
      name: "fractional ts",
      body: wire(next, { ts_unix_ms: 1.5 }),
      status: 400,
      message: /ts_unix_ms/,
    },
    {
      name: "zero ts with a hash",
      body: wire(next, { ts_unix_ms: 0 }),
      status: 400,
      message: /ts_unix_ms/,
    },
    { name: "case-folded key", body: wire(next, { Seq: 2 }), status: 400, message: /case/ },
    {
      name: "wrong hash",
      body: wire(next, { hash: next.toJSON().prev_hash }),
      status: 400,
      message: /hash verification failed/,
    },
    {
      name: "payload changed after sealing",
      body: wire(next, { payload: { ok: false } }),
      status: 400,
      message: /hash verification failed/,
    },
    { name: "prev_hash not base64", body: wire(next, { prev_hash: "not base64!" }), status: 400 },
    {
      name: "prev_hash 31 bytes",
      body: wire(next, { prev_hash: "A".repeat(40) + "AA==" }),
      status: 400,
    },
    { name: "hash not 32 bytes", body: wire(next, { hash: "AAAA" }), status: 400 },
    {
      name: "prev_hash at seq 0",
      body: wire(sealed({ sessionId: "new", seq: 0 }), { prev_hash: next.toJSON().prev_hash }),
      status: 400,
      message: /seq 0/,
    },
    {
      name: "no prev_hash at seq 2",
      body: wire(next, { prev_hash: undefined, hash: undefined }),
      status: 400,
    },
    {
      name: "links to an older event",
      body: sealed({ seq: 2, prevHash: head0 }).toWireText(),
      status: 409,
      message: /hash chain mismatch/,
    },
    {
      name: "seq gap",
      body: sealed({ seq: 5, prevHash: head1 }).toWireText(),
      status: 409,
      message: /hash chain mismatch/,
    },
    {
      name: "replayed seq 1",
      body: sealed({ seq: 1, prevHash: head0, payload: { other: 1 } }).toWireText(),
      status: 409,
    },
    {
      name: "second seq 0",
      body: sealed({ seq: 0, payload: { again: 1 } }).toWireText(),
      status: 409,
    },
    {
      name: "new session starting at seq 3",
      body: sealed({ sessionId: "new", seq: 3, prevHash: head1 }).toWireText(),
      status: 409,
    },
    {
      name: "lone surrogate escape",
      body: text.replace('"ok":true', '"ok":"\\ud800"'),
      status: 400,
    },
    {
      name: "invalid UTF-8",
      body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      status: 400,
    },
    { name: "nesting 2000 deep", body: "[".repeat(2000) + "]".repeat(2000), status: 400 },
    {
      name: "body over 1 MiB",
      body: wire(next, { payload: { big: "x".repeat(1024 * 1024) } }),
      status: 413,
    },
    {
      name: "GET without tenant_id",
      method: "GET",
      path: "/v1/events",
      status: 400,
      message: /tenant_id/,
    },
    { name: "limit 0", method: "GET", path: "/v1/events?tenant_id=acme&limit=0", status: 400 },
    {
      name: "limit 1001",
      method: "GET",
      path: "/v1/events?tenant_id=acme&limit=1001",
      status: 400,
    },
    { name: "limit abc", method: "GET", path: "/v1/events?tenant_id=acme&limit=abc", status: 400 },
    {
      name: "bad page token",
      method: "GET",
      path: "/v1/events?tenant_id=acme&page_token=zz",
      status: 400,
    },
    {
      name: "snapshot without tenant",
      method: "GET",
      path: "/v1/sessions/s/snapshot",
      status: 400,
    },
    {
      name: "other tenant's snapshot",
      method: "GET",
      path: "/v1/sessions/s/snapshot?tenant_id=evil",
      status: 404,
    },
    {
      name: "other tenant's verify",
      method: "GET",
      path: "/v1/sessions/s/verify?tenant_id=evil",
      status: 404,
    },
    { name: "PUT events", method: "PUT", path: "/v1/events", body: text, status: 405 },
    {
      name: "DELETE verify",
      method: "DELETE",
      path: "/v1/sessions/s/verify?tenant_id=acme",
      status: 405,
    },
    { name: "unknown route", method: "GET", path: "/v2/events", status: 404 },
  ];
}

async function tenantDump(url: string, tenant: string): Promise<string> {
  const res = await fetch(`${url}/v1/events?tenant_id=${tenant}&limit=1000`);
  return await res.text();
}

for (const kind of ["kv", "memory"] as const) {
  Deno.test(`e2e: malformed requests get the right status and change nothing [${kind}]`, async () => {
    await withLedger(kind, async (ledger, client) => {
      const b = new Builder({
        tenantId: "acme",
        sessionId: "s",
        clock: seqClock(1_700_000_000_000),
      });
      const e0 = b.append(EventType.MODEL_CALL_STARTED, { a: 1 });
      const e1 = b.append(EventType.TOOL_CALL_PROPOSED, { tool_name: "ls", args: {} });
      await client.appendEvent(e0);
      await client.appendEvent(e1);
      const before = await tenantDump(ledger.url, "acme");
      const cases = badCases(e0.hash!, e1.hash!);
      assert.ok(cases.length >= 20);
      for (const c of cases) {
        const res = await fetch(ledger.url + (c.path ?? "/v1/events"), {
          method: c.method ?? "POST",
          body: c.body as BodyInit | undefined,
        });
        const body = await res.text();
        assert.equal(res.status, c.status, `${c.name}: ${res.status} ${body.slice(0, 200)}`);
        if (c.message) assert.match(body, c.message, c.name);
        if (res.status >= 400) {
          assert.equal(typeof JSON.parse(body).error, "string", `${c.name}: error field`);
        }
        assert.equal(await tenantDump(ledger.url, "acme"), before, `${c.name} changed the store`);
      }
      assert.equal(await ledger.store.head("acme", "new"), null);
      assert.equal(await tenantDump(ledger.url, "evil"), '{"Events":[],"NextToken":""}');
      // The valid next event still goes in afterwards.
      const r = await client.appendEvent(b.append(EventType.TERMINATION, {}));
      assert.equal(r.seq, 2);
    });
  });
}
