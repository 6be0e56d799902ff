import assert from "node:assert/strict";
import { Builder, Envelope, verifyChain } from "../mod.ts";
import { testBothBackends } from "./lib/backends.ts";

function chain(n: number): Envelope[] {
  let t = 1700000000000;
  const b = new Builder({ tenantId: "acme", userId: "u", sessionId: "s", clock: () => t++ });
  return Array.from({ length: n }, (_, i) => b.append("TOOL_RESULT", { i }));
}

testBothBackends("verifyChain: each rule names itself and the seq", () => {
  const c = chain(5);
  assert.deepEqual(verifyChain([]), { valid: true, firstBadSeq: null, error: null, checked: 0 });
  assert.deepEqual(verifyChain(c), { valid: true, firstBadSeq: null, error: null, checked: 5 });

  const edited = c.map((e) => new Envelope(e));
  edited[2].payload = { i: 99 };
  assert.deepEqual(verifyChain(edited), {
    valid: false,
    firstBadSeq: 2,
    error: "seq 2: hash mismatch: the event's content was changed",
    checked: 2,
  });
  const dropped = [c[0], c[1], c[3], c[4]];
  assert.equal(verifyChain(dropped).firstBadSeq, 2);
  assert.match(verifyChain(dropped).error!, /seq gap: expected seq 2, found 3/);
  const swapped = [c[0], c[2], c[1], c[3]];
  assert.equal(verifyChain(swapped).firstBadSeq, 1);
  const resealed = c.map((e) => new Envelope(e));
  resealed[1].payload = { i: 42 };
  resealed[1].seal(); // a re-sealed edit breaks the link to the next event
  assert.equal(verifyChain(resealed).firstBadSeq, 2);
  assert.match(verifyChain(resealed).error!, /prev_hash does not match the hash of seq 1/);
  const other = new Envelope({ ...c[1], sessionId: "other" }).seal();
  assert.match(verifyChain([c[0], other]).error!, /differs from the chain's/);
  const unsealed = new Envelope({ ...c[1], hash: null });
  assert.match(verifyChain([c[0], unsealed]).error!, /not sealed/);
  assert.match(verifyChain([c[1]]).error!, /seq gap: expected seq 0, found 1/);
  assert.match(verifyChain([null as never]).error!, /^seq 0: unreadable envelope/);
  assert.match(verifyChain([{ nope: 1 } as never]).error!, /^seq 0: event is not sealed/);
});

testBothBackends("verifyChain: wire objects, and starting from a trusted event", () => {
  const c = chain(6);
  assert.equal(verifyChain(c.map((e) => e.toJSON())).valid, true);
  const tail = c.slice(3);
  assert.equal(verifyChain(tail).firstBadSeq, 0);
  const r = verifyChain(tail, { from: { seq: 2, hash: c[2].hash! } });
  assert.deepEqual(r, { valid: true, firstBadSeq: null, error: null, checked: 3 });
  const wrong = verifyChain(tail, { from: { seq: 2, hash: c[1].hash! } });
  assert.equal(wrong.firstBadSeq, 3);
  assert.throws(() => verifyChain(tail, { from: { seq: -1, hash: c[1].hash! } }), TypeError);
});
