// verifyJsonlChain (WebAssembly core, JSON.parse-free) against the
// TypeScript verifyChain over the same lines: identical
// {valid, firstBadSeq, error, checked} on the vector chain and on
// randomly tampered copies.
import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesToBase64, hexToBytes } from "../src/encoding.ts";
import { Envelope, type WireEnvelope } from "../src/envelope.ts";
import { verifyChain } from "../src/verify.ts";
import { loadWasmCore, verifyJsonlChain } from "../src/wasm/loader.ts";

const core = loadWasmCore();

interface Vec {
  wire: string;
  canonical: string;
  hash: string;
}

const text = await Deno.readTextFile(
  new URL("../../shared/vectors/aegisd-chains.jsonl", import.meta.url),
);
// The wrapper's keys carry no escapes, so JSON.parse reads them safely here.
const vecs = text.trim().split("\n").map((l) => JSON.parse(l) as Vec);
const chain = vecs.slice(-200);
const lines = chain.map((v) => {
  const end = v.wire.lastIndexOf("}");
  return v.wire.slice(0, end) + `,"hash":"${bytesToBase64(hexToBytes(v.hash))}"` +
    v.wire.slice(end);
});

/** verifyChain over the JSONL lines, each read by the TS reader (never JSON.parse). */
function reference(jsonl: string, from?: { seq: number; hash: Uint8Array }) {
  const items = jsonl.split("\n").filter((l) => !/^[ \t\r]*$/.test(l)).map((l) => {
    try {
      return Envelope.parse(l);
    } catch (e) {
      // verifyChain reports an item it cannot read as "unreadable envelope: <message>".
      return new Proxy({}, {
        ownKeys() {
          throw e;
        },
      }) as WireEnvelope;
    }
  });
  return verifyChain(items, from && { from: { seq: from.seq, hash: from.hash } });
}

function same(jsonl: string, from?: { seq: number; hash: Uint8Array }) {
  assert.deepEqual(
    verifyJsonlChain(core!, jsonl, from),
    reference(jsonl, from),
    jsonl.slice(0, 200),
  );
}

Deno.test({
  name: "verifyJsonlChain matches verifyChain on the vector chains",
  ignore: core === null,
  fn() {
    same(lines.join("\n"));
    same(lines.join("\r\n") + "\n\n");
    same(lines.slice(50).join("\n"), { seq: 49, hash: hexToBytes(chain[49].hash) });
    same(lines.slice(50).join("\n"), { seq: 48, hash: hexToBytes(chain[49].hash) });
    same(lines.slice(50).join("\n"), { seq: 49, hash: hexToBytes(chain[48].hash) });
    same(
      vecs.map((v) => {
        const end = v.wire.lastIndexOf("}");
        return v.wire.slice(0, end) + `,"hash":"${bytesToBase64(hexToBytes(v.hash))}"` +
          v.wire.slice(end);
      }).join("\n"),
    );
    same("");
  },
});

const EDITS = [
  "0",
  "1",
  "9",
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  " ",
  "\n",
  "a",
  "A",
  "S",
  "é",
  "-",
  ".",
];

Deno.test({
  name: "verifyJsonlChain matches verifyChain on 400 randomly tampered chains",
  ignore: core === null,
  fn() {
    fc.assert(
      fc.property(
        fc.nat(199),
        fc.nat(),
        fc.constantFrom(...EDITS),
        fc.constantFrom("replace", "insert", "delete"),
        (k, pos, ch, op) => {
          const l = lines[k];
          const at = pos % l.length;
          const edited = op === "replace"
            ? l.slice(0, at) + ch + l.slice(at + 1)
            : op === "insert"
            ? l.slice(0, at) + ch + l.slice(at)
            : l.slice(0, at) + l.slice(at + 1);
          same(lines.map((x, j) => (j === k ? edited : x)).join("\n"));
        },
      ),
      { numRuns: 400, seed: 42 },
    );
  },
});

const MEMBERS = [
  '"x":1,',
  '"x":1,"x":2,',
  '"x":{"a":1,"a":2},',
  '"\\u0078":1,"x":2,',
  '"seq":1,',
  '"hash":null,',
  '"Seq":0,',
  '"ſeq":0,',
  '"payload":null,',
  '"user_id":null,',
  '"user_id":5,',
  '"tenant_id":"",',
  '"session_id":null,',
  '"ts_unix_ms":0,',
  '"ts_unix_ms":-5,',
  '"seq":-1,',
  '"seq":1.5,',
  '"seq":"1",',
  '"seq":1e400,',
  '"hash":[1,2],',
  '"hash":[256],',
  '"hash":"zz",',
  '"prev_hash":"",',
  '"prev_hash":[],',
  '"event_type":"\\ud800",',
];

Deno.test({
  name: "verifyJsonlChain matches verifyChain with odd members added to one event",
  ignore: core === null,
  fn() {
    for (const k of [0, 1, 100, 199]) {
      for (const m of MEMBERS) {
        // Members go first (repeating a later field) and last (repeating an earlier one).
        const first = lines.map((x, j) => (j === k ? x.replace("{", "{" + m) : x));
        same(first.join("\n"));
        const last = lines.map((
          x,
          j,
        ) => (j === k ? x.slice(0, -1) + "," + m.slice(0, -1) + "}" : x));
        same(last.join("\n"));
      }
    }
  },
});
