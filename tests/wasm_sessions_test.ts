// JsonlSessionVerifier / verifyJsonlSessions: one chain per tenant/session in
// a JSONL export, fed in arbitrary chunks, against verifyChain per session.
import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesToBase64, hexToBytes } from "../src/encoding.ts";
import { Envelope } from "../src/envelope.ts";
import { verifyChain } from "../src/verify.ts";
import { JsonlSessionVerifier, loadWasmCore, verifyJsonlSessions } from "../src/wasm/loader.ts";

const core = loadWasmCore();
const enc = new TextEncoder();

function test(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ name, ignore: !core, fn });
}

interface Vec {
  wire: string;
  hash: string;
}
const text = await Deno.readTextFile(
  new URL("../../shared/vectors/aegisd-chains.jsonl", import.meta.url),
);
// The wrapper's keys carry no escapes, so JSON.parse reads them safely here.
const vecs = text.trim().split("\n").map((l) => JSON.parse(l) as Vec);
const line = (v: Vec) => {
  const end = v.wire.lastIndexOf("}");
  return v.wire.slice(0, end) + `,"hash":"${bytesToBase64(hexToBytes(v.hash))}"` +
    v.wire.slice(end);
};
const lines = vecs.map(line);

/** verifyChain per session (grouped by the TS reader), in order of first appearance. */
function reference(ls: string[]) {
  const groups = new Map<string, { t: string; s: string; items: Envelope[] }>();
  for (const l of ls) {
    const e = Envelope.parse(l);
    const k = JSON.stringify([e.tenantId, e.sessionId]);
    if (!groups.has(k)) groups.set(k, { t: e.tenantId, s: e.sessionId, items: [] });
    groups.get(k)!.items.push(e);
  }
  return [...groups.values()].map((g) => ({
    tenantId: g.t,
    sessionId: g.s,
    ...verifyChain(g.items),
  }));
}

function interleave(ls: string[]): string[] {
  const bySession = new Map<string, string[]>();
  for (const l of ls) {
    const e = Envelope.parse(l);
    const k = e.tenantId + "/" + e.sessionId;
    if (!bySession.has(k)) bySession.set(k, []);
    bySession.get(k)!.push(l);
  }
  const queues = [...bySession.values()];
  const out: string[] = [];
  while (queues.some((q) => q.length)) for (const q of queues) if (q.length) out.push(q.shift()!);
  return out;
}

test("three sessions back to back verify, each from seq 0", async () => {
  const got = await verifyJsonlSessions(core!, lines.join("\n") + "\n");
  assert.deepEqual(got, reference(lines));
  assert.deepEqual(got.map((r) => [r.valid, r.checked]), [[true, 2], [true, 4], [true, 200]]);
});

test("interleaved sessions verify; chunks cut anywhere (bytes, strings, a stream)", async () => {
  const ls = interleave(lines);
  const want = reference(ls);
  const all = enc.encode(ls.join("\r\n"));
  assert.deepEqual(await verifyJsonlSessions(core!, all), want);
  for (const size of [1, 7, 64, 1000, 4096]) {
    const v = new JsonlSessionVerifier(core!);
    for (let i = 0; i < all.length; i += size) v.push(all.subarray(i, i + size));
    assert.deepEqual(v.finish(), want, `chunks of ${size} bytes`);
    const s = new JsonlSessionVerifier(core!);
    const str = ls.join("\n");
    for (let i = 0; i < str.length; i += size) s.push(str.slice(i, i + size));
    assert.deepEqual(s.finish(), want, `string chunks of ${size}`);
  }
  const stream = new Blob([all]).stream();
  assert.deepEqual(await verifyJsonlSessions(core!, stream), want);
});

test("a tampered session fails at its seq; the other sessions stay valid", () => {
  fc.assert(
    fc.property(fc.nat(lines.length - 1), fc.constantFrom("ts", "drop", "prev"), (k, how) => {
      const e = Envelope.parse(lines[k]);
      let ls = lines.slice();
      if (how === "ts") {
        ls[k] = ls[k].replace(/"ts_unix_ms":(\d+)/, (_, d) => `"ts_unix_ms":${Number(d) + 1}`);
      } else if (how === "drop") ls = ls.filter((_, j) => j !== k);
      else {
        ls[k] = ls[k].replace(
          /"prev_hash":("[^"]*"|\[[^\]]*\])/,
          `"prev_hash":"${"A".repeat(43)}="`,
        );
      }
      ls = interleave(ls);
      const want = reference(ls);
      assert.deepEqual(new JsonlSessionVerifier(core!).finish(), []);
      const v = new JsonlSessionVerifier(core!);
      v.push(ls.join("\n"));
      const got = v.finish();
      assert.deepEqual(got, want);
      const bad = got.filter((r) => !r.valid);
      // A content change always breaks exactly that session.
      if (how === "ts") {
        assert.equal(bad.length, 1);
        assert.equal(bad[0].sessionId, e.sessionId);
        assert.equal(bad[0].firstBadSeq, e.seq);
      }
    }),
    { numRuns: 60, seed: 7 },
  );
});

test("unreadable lines: attributed to the session being read, or to an unnamed entry first", () => {
  const ls = [...lines.slice(0, 2), "not json", ...lines.slice(2)];
  const got = new JsonlSessionVerifier(core!);
  got.push(ls.join("\n"));
  const r = got.finish();
  assert.equal(r[0].valid, false);
  assert.equal(r[0].firstBadSeq, 2);
  assert.match(r[0].error!, /^seq 2: unreadable envelope: /);
  assert.deepEqual(r.slice(1).map((x) => x.valid), [true, true]);
  const first = new JsonlSessionVerifier(core!);
  first.push(["{]", ...lines].join("\n"));
  const r2 = first.finish();
  assert.equal(r2[0].tenantId, null);
  assert.equal(r2[0].valid, false);
  assert.deepEqual(r2.slice(1).map((x) => [x.valid, x.checked]), [[true, 2], [true, 4], [
    true,
    200,
  ]]);
});
