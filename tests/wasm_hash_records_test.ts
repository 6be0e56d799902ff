// The WebAssembly core's independent (multi-buffer) record hashing, used by
// verifyChain and Envelope.computeHash, against aegisd's vectors and the
// chained sealChain.
import assert from "node:assert/strict";
import { Envelope } from "../src/envelope.ts";
import { JsonSyntaxError } from "../src/canon/errors.ts";
import { encodeHashRecords, encodeSealRecords, type HashRecord } from "../src/seal_records.ts";
import { loadWasmCore } from "../src/wasm/loader.ts";
import { sealedHashes, sealedTexts } from "./lib/sealed.ts";

const core = loadWasmCore()!;

/** Registers a test of the core itself; skipped where the core cannot load. */
function test(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ name, ignore: !core, fn });
}

interface Vec {
  wire: string;
  canonical: string;
  hash: string;
}

async function readVectors(p: string): Promise<Vec[]> {
  const text = await Deno.readTextFile(new URL(`../../shared/vectors/${p}`, import.meta.url));
  // The wrapper's keys carry no escapes, so JSON.parse reads them safely here.
  return text.trim().split("\n").map((l) => JSON.parse(l) as Vec);
}

function record(e: Envelope): HashRecord {
  return {
    eventType: e.eventType,
    payload: e.payload,
    prevHash: e.prevHash,
    seq: e.seq,
    sessionId: e.sessionId,
    tenantId: e.tenantId,
    tsUnixMs: e.tsUnixMs,
    userId: e.userId,
  };
}

async function allVectors(): Promise<Vec[]> {
  return [
    ...await readVectors("aegisd-envelopes.jsonl"),
    ...await readVectors("aegisd-chains.jsonl"),
  ];
}

test("hashRecords: every aegisd vector, each with its own prev_hash, in one call", async () => {
  const vecs = await allVectors();
  assert.equal(vecs.length, 80 + 206);
  const recs = vecs.map((v) => record(Envelope.parse(v.wire)));
  const s = core.hashRecords(encodeHashRecords(recs));
  assert.equal(s.count, vecs.length);
  assert.deepEqual(sealedTexts(s), vecs.map((v) => v.canonical));
  assert.deepEqual(sealedHashes(s), vecs.map((v) => v.hash));
  // Hashes only: no text copied, the same digests.
  const h = core.hashRecords(encodeHashRecords(recs), false);
  assert.equal(h.text.length, 0);
  assert.equal(h.ends.length, 0);
  assert.deepEqual(sealedHashes(h), vecs.map((v) => v.hash));
});

test("hashRecords: every batch size 0–13 and every offset agrees with one-by-one hashing", async () => {
  const vecs = (await allVectors()).slice(0, 60);
  const recs = vecs.map((v) => record(Envelope.parse(v.wire)));
  for (let n = 0; n <= 13; n++) {
    for (let at = 0; at + n <= recs.length; at += 7) {
      const s = core.hashRecords(encodeHashRecords(recs.slice(at, at + n)), false);
      assert.equal(s.count, n);
      assert.deepEqual(sealedHashes(s), vecs.slice(at, at + n).map((v) => v.hash));
    }
  }
});

test("hashRecords agrees with sealChain on a long chain (messages of every length class)", () => {
  const recs: HashRecord[] = [];
  for (let i = 0; i < 150; i++) {
    recs.push({
      eventType: "TOOL_RESULT",
      payload: { text: "x".repeat(i * 7), n: -0, f: 1.5e-7, html: "<&>" },
      prevHash: null,
      seq: i,
      sessionId: "s",
      tenantId: "t",
      tsUnixMs: 1700000000000 + i,
      userId: "u",
    });
  }
  const chained = core.sealChain(encodeSealRecords(recs), null);
  const hs = sealedHashes(chained);
  for (let i = 1; i < recs.length; i++) recs[i].prevHash = hs[i - 1];
  const s = core.hashRecords(encodeHashRecords(recs));
  assert.deepEqual(sealedHashes(s), hs);
  assert.deepEqual(sealedTexts(s), sealedTexts(chained));
  // sealChain without the texts: the same hashes.
  const bare = core.sealChain(encodeSealRecords(recs), null, false);
  assert.equal(bare.text.length, 0);
  assert.deepEqual(sealedHashes(bare), hs);
});

test("hashRecords: prev_hash must be null or 64 lowercase hex", () => {
  const base = {
    eventType: "X",
    payload: null,
    seq: 1,
    sessionId: "s",
    tenantId: "t",
    tsUnixMs: 1,
    userId: "",
  };
  const hex = "ab".repeat(32);
  const ok = core.hashRecords(encodeHashRecords([{ ...base, prevHash: hex }]));
  assert.equal(ok.count, 1);
  for (
    const bad of [
      hex.toUpperCase(),
      hex.slice(1),
      hex + "0",
      "q" + hex.slice(1),
      "q6vNq83vq83vq83vq83vq83vq83vq83vq83vq83vq80=",
      "",
    ]
  ) {
    assert.throws(
      () => core.hashRecords(encodeHashRecords([{ ...base, prevHash: bad }])),
      JsonSyntaxError,
      bad,
    );
  }
  for (const text of ['[["X",null,1,1,"s","t",1,""]]', '[["X",null,"' + hex + '",1,"s","t",1]]']) {
    assert.throws(() => core.hashRecords(text), JsonSyntaxError, text);
  }
  // A lone surrogate in the payload is refused, as by sealChain.
  assert.throws(
    () => core.hashRecords(encodeHashRecords([{ ...base, prevHash: null, payload: "\ud800" }])),
    SyntaxError,
  );
});
