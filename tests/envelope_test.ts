import assert from "node:assert/strict";
import {
  Builder,
  Envelope,
  EnvelopeError,
  EventType,
  isEventType,
  JsonSyntaxError,
} from "../mod.ts";
import { testBothBackends } from "./lib/backends.ts";

const BASE = {
  tenantId: "acme",
  userId: "user-42",
  sessionId: "sess-001",
  seq: 0,
  tsUnixMs: 1700000000000,
  eventType: EventType.MODEL_CALL_STARTED,
  payload: { model_id: "gpt-4o", call_id: "m1" },
};
// From ../shared/vectors/aegisd-chains.jsonl (the seed's first example).
const SEED_HASH = "679549e9c85d32befa732d27da33b4dace2c9bf854b2608a84d1455a9c7ff283";

Deno.test("EventType has the 17 aegisd types, value = name", () => {
  const names = Object.keys(EventType);
  assert.equal(names.length, 17);
  for (const n of names) assert.equal(EventType[n as keyof typeof EventType], n);
  assert.ok(isEventType("TOOL_RESULT"));
  assert.ok(!isEventType("tool_result"));
});

testBothBackends("Envelope.seal computes aegisd's hash; verify detects any change", () => {
  const e = new Envelope(BASE).seal();
  assert.equal(e.hash, SEED_HASH);
  assert.ok(e.verify());
  for (
    const mutate of [
      (x: Envelope) => (x.tenantId = "acme2"),
      (x: Envelope) => (x.userId = ""),
      (x: Envelope) => (x.sessionId = "sess-002"),
      (x: Envelope) => (x.tsUnixMs += 1),
      (x: Envelope) => (x.eventType = "TERMINATION"),
      (x: Envelope) => (x.payload = { model_id: "gpt-4o", call_id: "m2" }),
      (x: Envelope) => (x.hash = "0".repeat(64)),
    ]
  ) {
    const c = new Envelope({ ...BASE, hash: SEED_HASH });
    assert.ok(c.verify());
    mutate(c);
    assert.equal(c.verify(), false, String(mutate));
  }
  assert.equal(new Envelope(BASE).verify(), false, "unsealed");
});

Deno.test("Envelope.seal refuses what aegisd would not hash the same way", () => {
  const prev = "ab".repeat(32);
  const cases: [Partial<typeof BASE> & { prevHash?: string | null }, string][] = [
    [{ seq: 0, prevHash: prev }, "prev_hash"],
    [{ seq: 3 }, "prev_hash"],
    [{ seq: -1 }, "seq"],
    [{ seq: 1.5, prevHash: prev }, "seq"],
    [{ seq: 2 ** 53, prevHash: prev }, "seq"],
    [{ tsUnixMs: 0 }, "ts_unix_ms"],
    [{ tsUnixMs: -5 }, "ts_unix_ms"],
    [{ tsUnixMs: 1.5 }, "ts_unix_ms"],
    [{ tenantId: "" }, "tenant_id"],
    [{ sessionId: "" }, "session_id"],
    [{ sessionId: "\ud800" }, "session_id"],
  ];
  for (const [over, field] of cases) {
    const e = new Envelope({ ...BASE, ...over });
    assert.throws(
      () => e.seal(),
      (err: unknown) => err instanceof EnvelopeError && err.field === field,
      JSON.stringify(over),
    );
    assert.equal(e.hash, null, "nothing stored on failure");
    assert.equal(e.verify(), false);
  }
  assert.throws(
    () => new Envelope({ ...BASE, payload: { x: NaN } }).seal(),
    /^TypeError: \$\.payload\.x: NaN/,
  );
  assert.throws(() => new Envelope({ ...BASE, prevHash: "xyz" }), EnvelopeError);
  assert.throws(() => new Envelope({ ...BASE, prevHash: [1, 2, 3] }), /32 bytes, got 3/);
});

Deno.test("Envelope.toJSON is aegisd's wire body; fromJSON accepts every digest form", () => {
  const b = new Builder({
    tenantId: "acme",
    userId: "u",
    sessionId: "s",
    clock: () => 1700000000000,
  });
  b.append(EventType.MODEL_CALL_STARTED, { a: 1 });
  const e = b.append(EventType.TOOL_RESULT, { ok: true });
  const w = e.toJSON();
  assert.deepEqual(Object.keys(w), [
    "tenant_id",
    "user_id",
    "session_id",
    "seq",
    "ts_unix_ms",
    "event_type",
    "payload",
    "prev_hash",
    "hash",
  ]);
  assert.match(w.prev_hash!, /^[A-Za-z0-9+/]{43}=$/);
  const first = new Envelope({ ...BASE });
  assert.equal("prev_hash" in first.toJSON(), false);
  assert.equal("hash" in first.toJSON(), false);
  const bytes = Uint8Array.from(atob(w.prev_hash!), (c) => c.charCodeAt(0));
  for (const prev of [w.prev_hash, e.prevHash, e.prevHash!.toUpperCase(), [...bytes], bytes]) {
    const r = Envelope.fromJSON({ ...w, prev_hash: prev });
    assert.equal(r.prevHash, e.prevHash);
    assert.ok(r.verify());
  }
  // Zero values for absent or null fields, as Go decodes them.
  const z = Envelope.fromJSON({
    tenant_id: "t",
    session_id: "s",
    ts_unix_ms: 5,
    user_id: null,
    payload: null,
    prev_hash: "",
  });
  assert.deepEqual([z.userId, z.seq, z.eventType, z.payload, z.prevHash], ["", 0, "", null, null]);
});

Deno.test("Envelope.fromJSON / parse reject bad input with typed errors", () => {
  const ok = { tenant_id: "t", session_id: "s", seq: 0, ts_unix_ms: 1, event_type: "X" };
  const bad: [unknown, string][] = [
    [null, ""],
    [[1], ""],
    ["str", ""],
    [{ ...ok, seq: "1" }, "seq"],
    [{ ...ok, seq: -1 }, "seq"],
    [{ ...ok, seq: 0.5 }, "seq"],
    [{ ...ok, ts_unix_ms: "now" }, "ts_unix_ms"],
    [{ ...ok, tenant_id: 7 }, "tenant_id"],
    [{ ...ok, prev_hash: 42 }, "prev_hash"],
    [{ ...ok, prev_hash: [256, ...new Array(31).fill(0)] }, "prev_hash"],
    [{ ...ok, prev_hash: "AAAA" }, "prev_hash"],
    [{ ...ok, hash: "not base64!" }, "hash"],
    [{ ...ok, Tenant_ID: "other" }, "tenant_id"],
    [{ ...ok, "ſession_id": "other" }, "session_id"],
  ];
  for (const [v, field] of bad) {
    assert.throws(
      () => Envelope.fromJSON(v),
      (e: unknown) => e instanceof EnvelopeError && e.field === field,
      JSON.stringify(v),
    );
  }
  assert.throws(() => Envelope.parse('{"tenant_id":"t",'), JsonSyntaxError);
  assert.throws(() => Envelope.parse('{"tenant_id":"t","tenant_id":"u"}'), /duplicate object key/);
  assert.throws(() => Envelope.parse("[]"), EnvelopeError);
  // Unknown keys are ignored, as aegisd does.
  assert.equal(Envelope.fromJSON({ ...ok, extra: 1 }).seal().verify(), true);
});

testBothBackends("Builder: chains, resumes, validates, and is all-or-nothing", () => {
  let t = 1700000000000;
  const b = new Builder({ tenantId: "acme", userId: "u1", sessionId: "s", clock: () => t++ });
  assert.equal(b.nextSeq, 0);
  assert.equal(b.lastHash, null);
  const e0 = b.append(EventType.MODEL_CALL_STARTED, { m: 1 });
  const e1 = b.append(EventType.TOOL_RESULT);
  assert.equal(e1.prevHash, e0.hash);
  assert.equal(e1.payload, null);
  assert.equal(b.nextSeq, 2);
  assert.equal(b.lastHash, e1.hash);
  // Failed appends leave the builder unchanged.
  assert.throws(() => b.append(EventType.TOOL_RESULT, { bad: 1n }), /\$\.payload\.bad: BigInt/);
  assert.throws(() => b.append(""), EnvelopeError);
  assert.throws(
    () => b.appendBatch([["A", 1], ["B", { x: NaN }]]),
    /batch item 1: \$\.payload\.x: NaN/,
  );
  assert.equal(b.nextSeq, 2);
  assert.equal(b.lastHash, e1.hash);
  const batch = b.appendBatch([["A", 1], { eventType: "B", payload: [2] }]);
  assert.deepEqual(batch.map((e) => e.seq), [2, 3]);
  assert.equal(batch[0].prevHash, e1.hash);
  // Resume from the last stored event, with hex, base64 or bytes.
  const hex = batch[1].hash!;
  const b64 = batch[1].toJSON().hash!;
  for (const prevHash of [hex, b64, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]) {
    const r = new Builder({
      tenantId: "acme",
      userId: "u1",
      sessionId: "s",
      nextSeq: 4,
      prevHash,
      clock: () => t,
    });
    const e4 = r.append(EventType.TERMINATION);
    assert.equal(e4.seq, 4);
    assert.equal(e4.prevHash, hex);
  }
  // A bad clock is refused at append time.
  const bad = new Builder({ tenantId: "a", sessionId: "s", clock: () => 0 });
  assert.throws(
    () => bad.append("X"),
    (e: unknown) => e instanceof EnvelopeError && e.field === "ts_unix_ms",
  );
});

Deno.test("Builder constructor validation", () => {
  const hex = "cd".repeat(32);
  assert.throws(() => new Builder({ tenantId: "", sessionId: "s" }), /tenant_id/);
  assert.throws(() => new Builder({ tenantId: "t", sessionId: "" }), /session_id/);
  assert.throws(() => new Builder({ tenantId: "t", sessionId: "s", nextSeq: -1 }), /seq/);
  assert.throws(
    () => new Builder({ tenantId: "t", sessionId: "s", nextSeq: 3 }),
    /needs the last event's hash/,
  );
  assert.throws(
    () => new Builder({ tenantId: "t", sessionId: "s", prevHash: hex }),
    /no prev hash/,
  );
  assert.throws(
    () => new Builder({ tenantId: "t", sessionId: "s", nextSeq: 1, prevHash: "beef" }),
    EnvelopeError,
  );
});
