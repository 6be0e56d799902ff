// The WebAssembly core's envelope sealing and JSONL chain verification
// against aegisd's vectors, including tampered chains.
import assert from "node:assert/strict";
import { base64ToBytes, bytesToBase64, bytesToHex, hexToBytes } from "../src/encoding.ts";
import { Envelope } from "../src/envelope.ts";
import {
  encodeSealRecords,
  loadWasmCore,
  newChainState,
  VerifyErrorCode,
} from "../src/wasm/loader.ts";
import type { ChainState } from "../src/backend.ts";
import { sealedHashes, sealedTexts } from "./lib/sealed.ts";

const core = loadWasmCore()!;

/** Registers a test of the core itself; skipped where the core cannot load. */
function test(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ name, ignore: !core, fn });
}
const enc = new TextEncoder();
const dec = new TextDecoder();
const vector = (p: string) =>
  Deno.readTextFile(new URL(`../../shared/vectors/${p}`, import.meta.url));

interface Vec {
  wire: string;
  canonical: string;
  hash: string;
}

async function readVectors(p: string): Promise<Vec[]> {
  // The wrapper's keys carry no escapes, so JSON.parse reads them safely here;
  // the wire texts themselves are only ever read by the code under test.
  return (await vector(p)).trim().split("\n").map((l) => JSON.parse(l) as Vec);
}

function record(e: Envelope) {
  return {
    eventType: e.eventType,
    payload: e.payload,
    seq: e.seq,
    sessionId: e.sessionId,
    tenantId: e.tenantId,
    tsUnixMs: e.tsUnixMs,
    userId: e.userId,
  };
}

/** The wire text with a `hash` member appended (base64, or Python's byte array). */
function withHash(wire: string, hash: string, asArray = false): string {
  const h = asArray
    ? `[${Array.from(hexToBytes(hash)).join(",")}]`
    : `"${bytesToBase64(hexToBytes(hash))}"`;
  const end = wire.lastIndexOf("}");
  return wire.slice(0, end) + `,"hash":${h}` + wire.slice(end);
}

function prevOf(e: Envelope): Uint8Array | null {
  return e.prevHash === null ? null : hexToBytes(e.prevHash);
}

test("sealChain: every aegisd envelope vector (canonical bytes and hash)", async () => {
  const vecs = await readVectors("aegisd-envelopes.jsonl");
  assert.equal(vecs.length, 80);
  for (const v of vecs) {
    const e = Envelope.parse(v.wire);
    const s = core.sealChain(encodeSealRecords([record(e)]), prevOf(e));
    assert.equal(s.count, 1);
    assert.equal(sealedTexts(s)[0], v.canonical, v.wire);
    assert.equal(sealedHashes(s)[0], v.hash);
  }
});

test("verifyJsonl: every aegisd envelope vector as a one-event chain (base64 and byte-array hash)", async () => {
  for (const v of await readVectors("aegisd-envelopes.jsonl")) {
    const e = Envelope.parse(v.wire);
    for (const asArray of [false, true]) {
      const state = e.seq === 0
        ? newChainState()
        : newChainState({ seq: e.seq - 1, hash: prevOf(e)! });
      assert.equal(core.verifyJsonl(withHash(v.wire, v.hash, asArray), state), null, v.wire);
      assert.equal(state.checked, 1);
      assert.equal(state.nextSeq, e.seq + 1);
      assert.equal(bytesToHex(state.prevHash!), v.hash);
    }
    // A wrong stored hash is caught.
    const state = e.seq === 0
      ? newChainState()
      : newChainState({ seq: e.seq - 1, hash: prevOf(e)! });
    const bad = core.verifyJsonl(
      withHash(v.wire, v.hash.replace(/^./, (c) => c === "0" ? "1" : "0")),
      state,
    );
    assert.equal(bad?.code, VerifyErrorCode.HASH);
    assert.equal(bad?.expectedSeq, e.seq);
  }
});

async function chains(): Promise<Vec[][]> {
  const groups = new Map<string, Vec[]>();
  for (const v of await readVectors("aegisd-chains.jsonl")) {
    const e = Envelope.parse(v.wire);
    const k = JSON.stringify([e.tenantId, e.sessionId]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(v);
  }
  return [...groups.values()];
}

test("sealChain: each vector chain sealed in one call", async () => {
  const cs = await chains();
  assert.deepEqual(cs.map((c) => c.length).reduce((a, b) => a + b), 206);
  assert.equal(cs.length, 3);
  assert.equal(cs[2].length, 200);
  for (const chain of cs) {
    const s = core.sealChain(
      encodeSealRecords(chain.map((v) => record(Envelope.parse(v.wire)))),
      null,
    );
    assert.deepEqual(sealedTexts(s), chain.map((v) => v.canonical));
    assert.deepEqual(sealedHashes(s), chain.map((v) => v.hash));
    // Continuing a chain: the second half sealed from the first half's last hash.
    const mid = chain.length >> 1;
    const tail = core.sealChain(
      encodeSealRecords(chain.slice(mid).map((v) => record(Envelope.parse(v.wire)))),
      hexToBytes(chain[mid - 1].hash),
    );
    assert.deepEqual(sealedHashes(tail), chain.slice(mid).map((v) => v.hash));
  }
});

function jsonl(chain: Vec[]): string[] {
  return chain.map((v) => withHash(v.wire, v.hash));
}

test("verifyJsonl: each vector chain verifies, whole and chunk by chunk", async () => {
  for (const chain of await chains()) {
    const lines = jsonl(chain);
    const state = newChainState();
    assert.equal(core.verifyJsonl(lines.join("\n") + "\n", state), null);
    assert.equal(state.checked, chain.length);
    assert.equal(bytesToHex(state.prevHash!), chain.at(-1)!.hash);
    const chunked: ChainState = newChainState();
    for (let i = 0; i < lines.length; i += 7) {
      assert.equal(core.verifyJsonl(enc.encode(lines.slice(i, i + 7).join("\r\n")), chunked), null);
    }
    assert.equal(chunked.checked, chain.length);
  }
});

test("verifyJsonl: tampered copies fail at the right seq with the right rule", async () => {
  const chain = (await chains())[2];
  const lines = jsonl(chain);
  const k = 137;
  const check = (ls: string[], code: number, seq: number, checked = seq) => {
    const state = newChainState();
    const r = core.verifyJsonl(ls.join("\n"), state);
    assert.ok(r, `expected failure ${code}`);
    assert.equal(r.code, code, JSON.stringify(r));
    assert.equal(r.expectedSeq, seq);
    assert.equal(state.checked, checked);
    const lineStart = ls.slice(0, ls.findIndex((_, i) => i === seq)).reduce(
      (n, l) => n + enc.encode(l).length + 1,
      0,
    );
    if (code >= 20) assert.equal(r.recordOffset, lineStart);
  };
  const edit = (i: number, f: (l: string) => string) => lines.map((l, j) => (j === i ? f(l) : l));
  // Content change: ts_unix_ms + 1.
  check(
    edit(k, (l) => l.replace(/"ts_unix_ms":(\d+)/, (_, d) => `"ts_unix_ms":${Number(d) + 1}`)),
    VerifyErrorCode.HASH,
    k,
  );
  // A deleted event: the next one has seq k + 1.
  check(lines.filter((_, j) => j !== k), VerifyErrorCode.SEQ, k);
  // Two events swapped.
  check(
    lines.map((l, j) => (j === k ? lines[k + 1] : j === k + 1 ? lines[k] : l)),
    VerifyErrorCode.SEQ,
    k,
  );
  // A prev_hash pointing elsewhere.
  check(
    edit(
      k,
      (l) => l.replace(/"prev_hash":"[^"]+"/, `"prev_hash":"${bytesToBase64(new Uint8Array(32))}"`),
    ),
    VerifyErrorCode.PREV,
    k,
  );
  // Another session.
  check(
    edit(k, (l) => l.replace(/"session_id":"([^"]+)"/, '"session_id":"other"')),
    VerifyErrorCode.SESSION,
    k,
  );
  // No hash.
  check(edit(k, (l) => l.replace(/,"hash":"[^"]+"/, "")), VerifyErrorCode.UNSEALED, k);
  // A truncated line.
  check(edit(k, (l) => l.slice(0, 20)), 1, k);
  // Not JSON.
  check(edit(k, (l) => "x" + l), 2, k);
  // A key that differs from a field only in case.
  check(edit(k, (l) => l.replace('"seq"', '"Seq"')), VerifyErrorCode.CASE, k);
  // The first event carrying a prev_hash.
  check(
    edit(0, (l) => l.replace("{", `{"prev_hash":"${bytesToBase64(new Uint8Array(32))}",`)),
    VerifyErrorCode.PREV,
    0,
  );
  // An event re-sealed with different content: its own hash checks, the next link breaks.
  const e = Envelope.parse(chain[k].wire);
  e.payload = { replaced: true };
  const s = core.sealChain(encodeSealRecords([record(e)]), prevOf(e));
  const forged = edit(
    k,
    () =>
      withHash(
        chain[k].wire.replace(
          /"payload":.*,"prev_hash"/,
          '"payload":{"replaced":true},"prev_hash"',
        ),
        sealedHashes(s)[0],
      ),
  );
  check(forged, VerifyErrorCode.PREV, k + 1);
  // The three chains back to back: the second chain's first event is another session.
  const cs = await chains();
  check(cs.flatMap(jsonl), VerifyErrorCode.SESSION, cs[0].length);
});

test("sealChain and verifyJsonl agree: a chain sealed by the core verifies", () => {
  const recs = Array.from({ length: 500 }, (_, i) => ({
    eventType: i % 3 ? "TOOL_RESULT" : "TOOL_CALL_PROPOSED",
    payload: {
      i,
      x: i / 3,
      s: "<&>\u2028" + "é".repeat(i % 50),
      nested: { b: [i, 0.5, 1e21], a: null },
    },
    seq: i,
    sessionId: "sess",
    tenantId: "t",
    tsUnixMs: 1700000000000 + i,
    userId: i % 2 ? "u" : "",
  }));
  const s = core.sealChain(encodeSealRecords(recs), null);
  const hs = sealedHashes(s);
  const lines = recs.map((r, i) =>
    JSON.stringify({
      tenant_id: r.tenantId,
      session_id: r.sessionId,
      seq: r.seq,
      ts_unix_ms: r.tsUnixMs,
      event_type: r.eventType,
      payload: r.payload,
      user_id: r.userId || undefined,
      prev_hash: i ? bytesToBase64(base64ToBytes(bytesToBase64(hexToBytes(hs[i - 1])))) : undefined,
      hash: bytesToBase64(hexToBytes(hs[i])),
    })
  );
  const state = newChainState();
  assert.equal(core.verifyJsonl(lines.join("\n"), state), null);
  assert.equal(state.checked, 500);
  // And the TS envelope code computes the same hashes.
  for (const i of [0, 1, 250, 499]) {
    const e = new Envelope({ ...recs[i], prevHash: i ? hs[i - 1] : null });
    assert.equal(e.computeHash(), hs[i]);
    assert.equal(dec.decode(e.canonicalJson()), sealedTexts(s)[i]);
  }
});

test("sealChain: -0 keeps its sign (JSON.stringify would drop it)", () => {
  const rec = {
    eventType: "X",
    payload: { d: -0, e: [-0] },
    seq: 0,
    sessionId: "s",
    tenantId: "t",
    tsUnixMs: 1,
    userId: "",
  };
  const s = core.sealChain(encodeSealRecords([rec]), null);
  assert.match(sealedTexts(s)[0], /"payload":\{"d":-0,"e":\[-0\]\}/);
  assert.equal(sealedHashes(s)[0], new Envelope({ ...rec, prevHash: null }).computeHash());
});

test("sealChain: a lone surrogate in the payload is refused", () => {
  assert.throws(
    () =>
      core.sealChain(
        encodeSealRecords([{
          eventType: "X",
          payload: { s: "\ud800" },
          seq: 0,
          sessionId: "s",
          tenantId: "t",
          tsUnixMs: 1,
          userId: "",
        }]),
        null,
      ),
    SyntaxError,
  );
});
