/** The store contract, run against both implementations. */

import assert from "node:assert/strict";
import { compareCodePoints, type LedgerStore, MemoryStore, type StoredEvent } from "../mod.ts";
import { KvStore } from "../src/ledger/kv_store.ts";

function h(n: number): string {
  return n.toString(16).padStart(64, "0");
}

function ev(
  sessionId: string,
  seq: number,
  extra: Partial<StoredEvent> = {},
  tenantId = "acme",
): StoredEvent {
  return {
    tenantId,
    sessionId,
    userId: "u",
    seq,
    tsUnixMs: 1_700_000_000_000 + seq,
    eventType: seq % 2 ? "TOOL_RESULT" : "MODEL_CALL_STARTED",
    payloadJson: `{"n":${seq}}`,
    hash: h(seq + 1 + sessionId.length * 1000),
    prevHash: seq === 0 ? null : h(seq + sessionId.length * 1000),
    ...extra,
  };
}

async function fill(store: LedgerStore, sessionId: string, n: number, tenantId = "acme") {
  for (let i = 0; i < n; i++) {
    const out = await store.append(ev(sessionId, i, {}, tenantId));
    assert.ok(out.ok, `${sessionId}/${i}`);
  }
}

const STORES: [string, () => Promise<{ store: LedgerStore; cleanup: () => Promise<void> }>][] = [
  ["memory", () => Promise.resolve({ store: new MemoryStore(), cleanup: () => Promise.resolve() })],
  ["kv", async () => {
    const dir = await Deno.makeTempDir({ prefix: "aegis-store-" });
    const store = await KvStore.open(`${dir}/s.kv`);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }],
];

for (const [name, make] of STORES) {
  Deno.test(`store [${name}]: compare-and-set appends`, async () => {
    const { store, cleanup } = await make();
    try {
      assert.equal(await store.head("acme", "s"), null);
      assert.deepEqual(await store.append(ev("s", 1)), { ok: false, head: null });
      assert.deepEqual(await store.append(ev("s", 0)), { ok: true });
      const head0 = { seq: 0, hash: ev("s", 0).hash };
      assert.deepEqual(await store.head("acme", "s"), head0);
      assert.deepEqual(await store.append(ev("s", 0, { hash: h(999) })), {
        ok: false,
        head: head0,
      });
      assert.deepEqual(await store.append(ev("s", 2)), { ok: false, head: head0 });
      assert.deepEqual(await store.append(ev("s", 1, { prevHash: h(12345) })), {
        ok: false,
        head: head0,
      });
      assert.deepEqual(await store.append(ev("s", 1)), { ok: true });
      assert.deepEqual(await store.get("acme", "s", 1), ev("s", 1));
      assert.equal(await store.get("acme", "s", 2), null);
      assert.equal(await store.get("other", "s", 1), null);
      const all: StoredEvent[] = [];
      for await (const e of store.readSession("acme", "s")) all.push(e);
      assert.deepEqual(all, [ev("s", 0), ev("s", 1)]);
    } finally {
      await cleanup();
    }
  });

  Deno.test(`store [${name}]: concurrent appends at one seq — exactly one wins`, async () => {
    const { store, cleanup } = await make();
    try {
      const outs = await Promise.all(
        Array.from({ length: 16 }, (_, i) => store.append(ev("s", 0, { hash: h(100 + i) }))),
      );
      assert.equal(outs.filter((o) => o.ok).length, 1);
      const winner = outs.findIndex((o) => o.ok);
      assert.deepEqual(await store.head("acme", "s"), { seq: 0, hash: h(100 + winner) });
      // Then 16 racers at seq 1, all linking correctly: still one.
      const outs1 = await Promise.all(
        Array.from(
          { length: 16 },
          (_, i) => store.append(ev("s", 1, { prevHash: h(100 + winner), hash: h(200 + i) })),
        ),
      );
      assert.equal(outs1.filter((o) => o.ok).length, 1);
    } finally {
      await cleanup();
    }
  });

  Deno.test(`store [${name}]: many sessions at once, some contested — each CAS decided alone`, async () => {
    const { store, cleanup } = await make();
    try {
      // 40 sessions append concurrently (the KV store commits them in groups); in every
      // fourth session a second writer races with a different event at the same seq.
      const attempts = [];
      for (let s = 0; s < 40; s++) {
        attempts.push(store.append(ev(`m${s}`, 0)).then((o) => ({ s, o, rival: false })));
        if (s % 4 === 0) {
          attempts.push(
            store.append(ev(`m${s}`, 0, { hash: h(9000 + s) })).then((o) => ({
              s,
              o,
              rival: true,
            })),
          );
        }
      }
      const outs = await Promise.all(attempts);
      for (let s = 0; s < 40; s++) {
        const mine = outs.filter((x) => x.s === s);
        assert.equal(mine.filter((x) => x.o.ok).length, 1, `session m${s}`);
        const head = await store.head("acme", `m${s}`);
        const winner = mine.find((x) => x.o.ok)!;
        assert.equal(head?.hash, winner.rival ? h(9000 + s) : ev(`m${s}`, 0).hash);
        const stored = await store.get("acme", `m${s}`, 0);
        assert.equal(stored?.hash, head?.hash);
      }
      // Second round: every session extends its own head, all at once.
      const heads = await Promise.all(
        Array.from({ length: 40 }, (_, s) => store.head("acme", `m${s}`)),
      );
      const round2 = await Promise.all(
        heads.map((hd, s) =>
          store.append(ev(`m${s}`, 1, { prevHash: hd!.hash, hash: h(20000 + s) }))
        ),
      );
      assert.ok(round2.every((o) => o.ok));
      for (let s = 0; s < 40; s++) {
        assert.deepEqual(await store.head("acme", `m${s}`), { seq: 1, hash: h(20000 + s) });
      }
    } finally {
      await cleanup();
    }
  });

  Deno.test(`store [${name}]: listing order, cursors, filters, tenant isolation`, async () => {
    const { store, cleanup } = await make();
    try {
      // Session ids whose UTF-16 order differs from their code point order.
      const sids = ["b", "a", "\u{1F600}", "\uE000", "ab"];
      for (const s of sids) await fill(store, s, 3);
      await fill(store, "a", 2, "evil");
      const order = [...sids].sort(compareCodePoints);
      assert.deepEqual(order, ["a", "ab", "b", "\uE000", "\u{1F600}"]);
      const expected = order.flatMap((s) => [0, 1, 2].map((seq) => `${s}/${seq}`));
      const got: string[] = [];
      let after: { sessionId: string; seq: number } | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.list({ tenantId: "acme", limit: 4, after });
        got.push(...page.events.map((e) => `${e.sessionId}/${e.seq}`));
        assert.ok(page.events.every((e) => e.tenantId === "acme"));
        if (!page.more) break;
        const last = page.events[page.events.length - 1];
        after = { sessionId: last.sessionId, seq: last.seq };
      }
      assert.deepEqual(got, expected);
      const one = await store.list({ tenantId: "acme", sessionId: "ab", limit: 2 });
      assert.deepEqual(one.events.map((e) => e.seq), [0, 1]);
      assert.equal(one.more, true);
      const rest = await store.list({
        tenantId: "acme",
        sessionId: "ab",
        limit: 2,
        after: { sessionId: "ab", seq: 1 },
      });
      assert.deepEqual(rest.events.map((e) => e.seq), [2]);
      assert.equal(rest.more, false);
      const filtered = await store.list({
        tenantId: "acme",
        limit: 100,
        filter: (e) => e.eventType === "TOOL_RESULT",
      });
      assert.deepEqual(filtered.events.map((e) => e.sessionId), order);
      const evil = await store.list({ tenantId: "evil", limit: 100 });
      assert.deepEqual(evil.events.map((e) => `${e.sessionId}/${e.seq}`), ["a/0", "a/1"]);
      assert.equal((await store.list({ tenantId: "nobody", limit: 5 })).events.length, 0);
    } finally {
      await cleanup();
    }
  });
}

Deno.test("store [kv]: payloads over 60 KiB are chunked, and a refused append leaves no chunks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aegis-store-" });
  const store = await KvStore.open(`${dir}/s.kv`);
  try {
    const big = `{"blob":"${"é<".repeat(450_000)}"}`; // ~1.35 MB of UTF-8, over one atomic op
    assert.ok((await store.append(ev("s", 0, { payloadJson: big }))).ok);
    assert.equal((await store.get("acme", "s", 0))?.payloadJson, big);
    const listed = await store.list({ tenantId: "acme", limit: 1 });
    assert.equal(listed.events[0].payloadJson, big);
    const countBlobs = async () => {
      let n = 0;
      for await (const _ of store.kv.list({ prefix: ["aegis", "blob"] })) n++;
      return n;
    };
    const chunks = await countBlobs();
    assert.ok(chunks > 10);
    // A refused append leaves no chunks behind…
    assert.equal((await store.append(ev("s", 0, { payloadJson: big, hash: h(77) }))).ok, false);
    assert.equal(await countBlobs(), chunks);
    // …including racers that wrote their chunks before losing the compare-and-set.
    const racers = await Promise.all(
      [1, 2, 3].map((i) => store.append(ev("s", 1, { payloadJson: big, hash: h(500 + i) }))),
    );
    assert.equal(racers.filter((r) => r.ok).length, 1);
    assert.equal(await countBlobs(), 2 * chunks);
    const all: StoredEvent[] = [];
    for await (const e of store.readSession("acme", "s")) all.push(e);
    assert.deepEqual(all.map((e) => e.payloadJson === big), [true, true]);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
