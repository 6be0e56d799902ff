// Differential test: the WebAssembly text canonicalizer and the pure-TS one
// (`canonicalizeTextTs`) must give the same output, or the same error code,
// message and byte offset, on 100,000 generated JSON texts, in both profiles.
import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalizeTextTs } from "../src/canon/text.ts";
import { loadWasmCore } from "../src/wasm/loader.ts";
import { jsonText, jsonValue } from "./lib/arbitraries.ts";

const core = loadWasmCore();
const enc = new TextEncoder();
const PROFILES = ["rfc8785", "aegisd"] as const;

type Outcome = { ok: string } | { err: string; name: string; code: unknown; offset: unknown };

function outcome(f: () => string): Outcome {
  try {
    return { ok: f() };
  } catch (e) {
    const x = e as { message: string; name: string; code?: unknown; offset?: unknown };
    return { err: x.message, name: x.name, code: x.code, offset: x.offset };
  }
}

function same(bytes: Uint8Array): void {
  for (const p of PROFILES) {
    const w = outcome(() => core!.canonicalizeText(bytes, p));
    const t = outcome(() => canonicalizeTextTs(bytes, p));
    if (JSON.stringify(w) !== JSON.stringify(t)) {
      assert.deepEqual(w, t, `${p}: ${JSON.stringify(new TextDecoder().decode(bytes))}`);
    }
  }
}

/** 30-digit integers, long fractions and exponent spellings the value generator never makes. */
const oddNumber = fc.oneof(
  fc.bigInt({ min: 10n ** 29n, max: 10n ** 30n - 1n }).map((b) => b.toString()),
  fc.tuple(
    fc.integer({ min: 0, max: 999999 }),
    fc.integer({ min: 0, max: 99999999 }),
    fc.integer({ min: -400, max: 400 }),
  )
    .map(([a, b, e]) => `${a}.${String(b).padStart(8, "0")}E${e >= 0 ? "+" : ""}${e}`),
  fc.constantFrom("1e400", "-1e400", "1e-400", "0e0", "-0E-0", "4.50", "1E30", "-0.0", "0.0000001"),
);

/** Valid texts: a value spelled non-canonically, sometimes wrapped with odd numbers. */
const validText = fc.oneof(
  { weight: 5, arbitrary: jsonValue().chain((v) => jsonText(v)) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      jsonValue().chain((v) => jsonText(v)),
      fc.array(oddNumber, { maxLength: 4 }),
    )
      .map(([t, ns]) => `{"v":${t},"n":[${ns.join(",")}]}`),
  },
);

const INSERTS = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '"',
  "\\",
  "x",
  "0",
  "-",
  ".",
  "e",
  " ",
  "\u0000",
  "\\ud800",
  "\\udc00",
  "\\u12",
  "tru",
  "1e999",
  '"a":1,"a":2',
];

/** Broken texts: one edit of a valid text, or a duplicated key. */
const brokenText = fc.oneof(
  fc.tuple(validText, fc.nat(), fc.constantFrom(...INSERTS)).map(([t, i, s]) => {
    const at = t.length ? i % (t.length + 1) : 0;
    return enc.encode(t.slice(0, at) + s + t.slice(at));
  }),
  fc.tuple(validText, fc.nat()).map(([t, i]) =>
    enc.encode(t.slice(0, t.length ? i % t.length : 0))
  ),
  fc.tuple(validText, fc.nat()).map(([t, i]) => {
    const at = t.length ? i % t.length : 0;
    return enc.encode(t.slice(0, at) + t.slice(at + 1));
  }),
  fc.tuple(validText, fc.nat(), fc.constantFrom(0xff, 0xc0, 0x80, 0xed, 0xf4, 0xe2)).map(
    ([t, i, b]) => {
      const bytes = enc.encode(t);
      const at = i % (bytes.length + 1);
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes.subarray(0, at));
      out[at] = b;
      out.set(bytes.subarray(at), at + 1);
      return out;
    },
  ),
  fc.tuple(
    jsonValue(),
    jsonValue(),
    fc.constantFrom("a", "\\u0061", "é", "\\u00e9", "😂", "\\ud83d\\ude02"),
  )
    .map(([x, y, k]) =>
      enc.encode(`{"${k}":${JSON.stringify(x)},"z":1,"${k}":${JSON.stringify(y)}}`)
    ),
);

Deno.test({
  name: "WASM and TS canonicalizeText agree on 100,000 generated texts (both profiles)",
  ignore: core === null,
  fn() {
    fc.assert(fc.property(validText, (t) => same(enc.encode(t))), { numRuns: 60_000, seed: 8785 });
    fc.assert(fc.property(brokenText, (b) => same(b)), { numRuns: 40_000, seed: 1000 });
  },
});

Deno.test({
  name: "WASM and TS agree on deep nesting and large inputs",
  ignore: core === null,
  fn() {
    for (const d of [999, 1000, 1001, 5000]) {
      same(enc.encode("[".repeat(d) + "]".repeat(d)));
      same(enc.encode('{"a":'.repeat(d) + "1" + "}".repeat(d)));
    }
    const big = JSON.stringify(
      Array.from({ length: 20000 }, (_, i) => ({ ["k" + (i % 97)]: i / 7, s: "\u2028<&>" + i })),
    );
    same(enc.encode(big));
  },
});
