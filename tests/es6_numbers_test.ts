/**
 * ES6 number serialization (RFC 8785 §3.2.2.3) over the reference test-data
 * stream of `shared/vectors/es6-numbers.md`: the generator in
 * `lib/es6_numbers.ts` must reproduce the published checksums (hashed with
 * this module's `sha256`), then every one of the first 100,000 values must
 * canonicalize to its expected text from its shortest form and from several
 * non-shortest number texts, under both profiles and both backends.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  bytesToHex,
  canonicalize,
  canonicalizeText,
  type CanonicalProfile,
  sha256,
} from "../mod.ts";
import {
  bitsToDouble,
  doubleToHex,
  type Es6Value,
  expectedText,
  lineOf,
  parseStaticValues,
  takeValues,
} from "./lib/es6_numbers.ts";

// Every test runs once per backend (see tests/lib/backends.ts: only the
// forced one under AEGIS_BACKEND).
import { testBothBackends } from "./lib/backends.ts";

// ---------------------------------------------------------------------------
// The stream

const STATIC_PATH = new URL("../../shared/vectors/es6-static-values.txt", import.meta.url);
const STATIC_BITS = parseStaticValues(Deno.readTextFileSync(STATIC_PATH));
const N = 100_000;
const ENC = new TextEncoder();
const PROFILES: readonly CanonicalProfile[] = ["rfc8785", "aegisd"];

const PUBLISHED: readonly { lines: number; sha256: string; bytes: number }[] = [
  {
    lines: 1_000,
    sha256: "be18b62b6f69cdab33a7e0dae0d9cfa869fda80ddc712221570f9f40a5878687",
    bytes: 37_967,
  },
  {
    lines: 10_000,
    sha256: "b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892",
    bytes: 399_022,
  },
  {
    lines: 100_000,
    sha256: "22776e6d4b49fa294a0d0f349268e5c28808fe7e0cb2bcbe28f63894e494d4c7",
    bytes: 4_031_728,
  },
];

/** The first N values, generated with this module's sha256 (under the current backend). */
function values(): Es6Value[] {
  return takeValues(STATIC_BITS, sha256, N);
}

/** Lines [0, n) joined, as UTF-8 bytes. */
function fileBytes(vals: readonly Es6Value[], n: number): Uint8Array {
  let text = "";
  for (let i = 0; i < n; i++) text += lineOf(vals[i]);
  return new TextEncoder().encode(text);
}

// ---------------------------------------------------------------------------
// Non-shortest number texts

/** Sign, mantissa digits (no dot, no leading zeros) and decimal exponent of `|d|` (d ≠ 0). */
function decompose(d: number): { sign: string; digits: string; exp: number } {
  const s = Math.abs(d).toExponential(); // shortest round-trip digits, "D.DDDe±X"
  const [mant, e] = s.split("e");
  return { sign: d < 0 ? "-" : "", digits: mant.replace(".", ""), exp: Number(e) };
}

/** Inserts trailing fraction zeros into an ES6 number text. */
function withTrailingZeros(s: string): string {
  const e = s.search(/e/i);
  const mant = e < 0 ? s : s.slice(0, e);
  const tail = e < 0 ? "" : s.slice(e);
  return (mant.includes(".") ? mant + "000" : mant + ".000") + tail;
}

/** Textual forms of `d` (nonzero, finite) that all denote exactly `d`. */
function formsOf(d: number): string[] {
  const { sign, digits, exp } = decompose(d);
  const forms = [
    String(d),
    d.toPrecision(17),
    d.toExponential(20).toUpperCase(),
    withTrailingZeros(String(d)),
    withTrailingZeros(d.toPrecision(17)),
    // 0.DDDDe(X+1): mantissa below one.
    `${sign}0.${digits}e${exp + 1}`,
    // DDDDe(X-k): integer mantissa, explicit "+" on the exponent when non-negative.
    `${sign}${digits}E${exp - (digits.length - 1) >= 0 ? "+" : ""}${exp - (digits.length - 1)}`,
    // Leading zeros in the fraction: 0.000DDDDe(X+4).
    `${sign}0.000${digits}00e${exp + 4}`,
  ];
  return forms;
}

/** Checks that `formsOf(d)` are all valid JSON number texts denoting `d` (guards the test itself). */
function assertFormsDenote(d: number, forms: readonly string[]): void {
  const NUM = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
  for (const f of forms) {
    assert.ok(NUM.test(f), `not a JSON number text: ${f}`);
    assert.ok(Object.is(Number(f), d), `${f} does not denote ${String(d)}`);
  }
}

const NEG_ZERO_FORMS = ["-0", "-0.0", "-0e0", "-0E+00", "-0.000e-5", "-0.0E10", "-0e-0"];
const POS_ZERO_FORMS = ["0", "0.0", "0e0", "0E+00", "0.000e-5", "0.0E10", "0e+0"];

interface Mismatch {
  hex: string;
  input: string;
  profile: CanonicalProfile;
  want: string;
  got: string;
}

function report(what: string, bad: readonly Mismatch[], total: number): void {
  if (bad.length === 0) return;
  const shown = bad.slice(0, 20).map((m) =>
    `  ${m.hex} ${m.profile}: ${JSON.stringify(m.input)} -> ${JSON.stringify(m.got)}, want ${
      JSON.stringify(m.want)
    }`
  );
  assert.fail(`${what}: ${bad.length} of ${total} checks failed; first ones:\n${shown.join("\n")}`);
}

/** The result of `f`, or a description of what it threw. */
function attempt(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `<threw ${(e as Error).name}: ${(e as Error).message}>`;
  }
}

function want(v: Es6Value, profile: CanonicalProfile): string {
  return profile === "aegisd" && Object.is(v.value, -0) ? "-0" : expectedText(v.value);
}

// ---------------------------------------------------------------------------
// Tests

Deno.test("es6 numbers: static values file has 168 values including +0 and -0", () => {
  assert.equal(STATIC_BITS.length, 168);
  assert.equal(STATIC_BITS[0], 0n);
  assert.equal(STATIC_BITS[1], 0x8000000000000000n);
  assert.ok(Object.is(bitsToDouble(STATIC_BITS[1]), -0));
  // Only the static part can hold zeros.
  const zeros = STATIC_BITS.filter((b) => bitsToDouble(b) === 0);
  assert.equal(zeros.length, 2);
});

Deno.test("es6 numbers: hex format is lowercase without leading zeros", () => {
  assert.equal(doubleToHex(0), "0");
  assert.equal(doubleToHex(-0), "8000000000000000");
  assert.equal(doubleToHex(5e-324), "1");
  assert.equal(doubleToHex(2.2250738585072014e-308), "10000000000000");
  assert.equal(doubleToHex(1), "3ff0000000000000");
  assert.equal(doubleToHex(-1.5), "bff8000000000000");
});

testBothBackends("es6 numbers: generated file matches published SHA-256 and byte counts", () => {
  const vals = values();
  assert.equal(vals.length, N);
  for (const p of PUBLISHED) {
    const bytes = fileBytes(vals, p.lines);
    assert.equal(bytes.length, p.bytes, `byte count of the first ${p.lines} lines`);
    assert.equal(bytesToHex(sha256(bytes)), p.sha256, `SHA-256 of the first ${p.lines} lines`);
  }
  // Shape: static part, serial part, then the hash stream with no zeros or non-finite values.
  assert.equal(lineOf(vals[0]), "0,0\n");
  assert.equal(lineOf(vals[1]), "8000000000000000,0\n");
  assert.equal(lineOf(vals[2]), "1,5e-324\n");
  assert.equal(vals[168].hex, "10000000000000");
  assert.equal(vals[168 + 1999].hex, (0x0010000000000000n + 1999n).toString(16));
  for (let i = 168; i < N; i++) {
    assert.ok(vals[i].value !== 0 && Number.isFinite(vals[i].value), `value ${i}`);
  }
});

testBothBackends("es6 numbers: -0 and +0 in both profiles", () => {
  for (const f of NEG_ZERO_FORMS) {
    assert.equal(canonicalizeText(f, { profile: "rfc8785" }), "0", `rfc8785 ${f}`);
    assert.equal(canonicalizeText(f, { profile: "aegisd" }), "-0", `aegisd ${f}`);
    assert.equal(canonicalizeText(f), "0", `default profile ${f}`);
    assert.equal(canonicalizeText(`[${f}]`, { profile: "aegisd" }), "[-0]", `aegisd [${f}]`);
    assert.equal(canonicalizeText(`{"z":${f}}`, { profile: "rfc8785" }), '{"z":0}');
  }
  for (const f of POS_ZERO_FORMS) {
    assert.equal(canonicalizeText(f, { profile: "rfc8785" }), "0", `rfc8785 ${f}`);
    assert.equal(canonicalizeText(f, { profile: "aegisd" }), "0", `aegisd ${f}`);
  }
  assert.equal(canonicalize(-0), "0");
  assert.equal(canonicalize(-0, { profile: "rfc8785" }), "0");
  assert.equal(canonicalize(-0, { profile: "aegisd" }), "-0");
  assert.equal(canonicalize(0, { profile: "aegisd" }), "0");
  assert.equal(canonicalize([-0, 0], { profile: "aegisd" }), "[-0,0]");
  // The static values file carries both zeros; check them through the stream too.
  const [pz, nz] = [bitsToDouble(STATIC_BITS[0]), bitsToDouble(STATIC_BITS[1])];
  assert.ok(Object.is(pz, 0) && Object.is(nz, -0));
  assert.equal(canonicalize(nz, { profile: "aegisd" }), "-0");
  assert.equal(canonicalize(nz, { profile: "rfc8785" }), "0");
});

testBothBackends("es6 numbers: canonicalizeText of 100,000 values in many textual forms", () => {
  const vals = values();
  const bad: Mismatch[] = [];
  let checks = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    const d = v.value;
    let forms: string[];
    if (d === 0) {
      forms = Object.is(d, -0) ? NEG_ZERO_FORMS : POS_ZERO_FORMS;
    } else {
      forms = formsOf(d);
      if (i < 3000 || i % 97 === 0) assertFormsDenote(d, forms);
    }
    for (const profile of PROFILES) {
      const w = want(v, profile);
      const opts = { profile };
      for (let k = 0; k < forms.length; k++) {
        const f = forms[k];
        checks++;
        const got = attempt(() => canonicalizeText(f, opts));
        if (got !== w) bad.push({ hex: v.hex, input: f, profile, want: w, got });
        if (k < 2) {
          // The first two forms also go in as UTF-8 bytes (the other input path).
          checks++;
          const gotBytes = attempt(() => canonicalizeText(ENC.encode(f), opts));
          if (gotBytes !== w) {
            bad.push({ hex: v.hex, input: `bytes:${f}`, profile, want: w, got: gotBytes });
          }
        }
      }
    }
  }
  report("canonicalizeText", bad, checks);
});

testBothBackends("es6 numbers: canonicalizeText of the values inside arrays (batched)", () => {
  const vals = values();
  const bad: Mismatch[] = [];
  const B = 500;
  let checks = 0;
  for (let start = 0; start < vals.length; start += B) {
    const chunk = vals.slice(start, start + B);
    for (const profile of PROFILES) {
      const input = `[${
        chunk.map((v) =>
          v.value === 0 ? (Object.is(v.value, -0) ? "-0.0" : "0.0") : v.value.toPrecision(17)
        )
          .join(" , ")
      }]`;
      const w = `[${chunk.map((v) => want(v, profile)).join(",")}]`;
      checks++;
      const got = attempt(() => canonicalizeText(input, { profile }));
      if (got !== w) {
        bad.push({ hex: chunk[0].hex, input: `[batch at ${start}]`, profile, want: w, got });
      }
    }
  }
  report("canonicalizeText (batched)", bad, checks);
});

testBothBackends("es6 numbers: canonicalize(number) of 100,000 values", () => {
  const vals = values();
  const bad: Mismatch[] = [];
  let checks = 0;
  for (const v of vals) {
    for (const profile of PROFILES) {
      checks++;
      const w = want(v, profile);
      const got = attempt(() => canonicalize(v.value, { profile }));
      if (got !== w) bad.push({ hex: v.hex, input: String(v.value), profile, want: w, got });
    }
  }
  report("canonicalize", bad, checks);
});

// ---------------------------------------------------------------------------
// Short number texts: the stream above rarely yields texts of 15 or fewer
// significant digits, which a canonicalizer may copy through unchanged
// (the WASM core does); check that shortcut's edges against `String(Number(t))`.

/** Expected canonical text of a JSON number text, via the engine's own conversion. */
function expectedOfText(t: string, profile: CanonicalProfile): string {
  const d = Number(t);
  if (Object.is(d, -0)) return profile === "aegisd" ? "-0" : "0";
  return String(d);
}

const SHORT_TEXTS = [
  "0",
  "-0",
  "1",
  "-1",
  "7",
  "10",
  "100",
  "1.0",
  "-1.0",
  "1.50",
  "0.1",
  "0.10",
  "-0.5",
  "0.000001",
  "0.0000001",
  "0.0000010",
  "-0.000001",
  "0.00001234",
  "0.000001234",
  "123456789012345",
  "-123456789012345",
  "1234567890123456",
  "12345678901234567",
  "9007199254740993",
  "999999999999999",
  "9999999999999999",
  "99999999999999999",
  "100000000000000000000",
  "1000000000000000000000",
  "-1000000000000000000000",
  "123456789012345.6",
  "12345678901234.5",
  "1.23456789012345",
  "1.234567890123456",
  "1.2345678901234567",
  "0.123456789012345",
  "0.1234567890123456",
  "0.30000000000000004",
  "0.3000000000000000",
  "5e-324",
  "1e0",
  "1E1",
  "1e+2",
  "1e-2",
  "1e21",
  "1e-7",
  "12e-1",
  "0e5",
  "-0e-5",
  "1.7976931348623157e308",
  "2.2250738585072014e-308",
];

testBothBackends("es6 numbers: short and boundary number texts (copy-through edges)", () => {
  const bad: Mismatch[] = [];
  for (const t of SHORT_TEXTS) {
    for (const profile of PROFILES) {
      const w = expectedOfText(t, profile);
      for (const input of [t, `[${t}]`, `{"k":${t}}`]) {
        const wrapped = input === t ? w : input[0] === "[" ? `[${w}]` : `{"k":${w}}`;
        const got = attempt(() => canonicalizeText(input, { profile }));
        if (got !== wrapped) bad.push({ hex: "-", input, profile, want: wrapped, got });
      }
    }
  }
  report("canonicalizeText (short texts)", bad, SHORT_TEXTS.length * 6);
});

testBothBackends("es6 numbers: random short decimal texts (fast-check)", () => {
  const digits = (min: number, max: number) =>
    fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((a) =>
      a.join("")
    );
  const numberText = fc.record({
    neg: fc.boolean(),
    int: fc.oneof(
      fc.constant("0"),
      fc.tuple(fc.constantFrom(..."123456789"), digits(0, 20)).map(([a, b]) => a + b),
    ),
    frac: fc.option(digits(1, 20), { nil: undefined }),
    exp: fc.option(
      fc.tuple(
        fc.constantFrom("e", "E"),
        fc.constantFrom("", "+", "-"),
        fc.integer({ min: 0, max: 30 }),
      ),
      {
        nil: undefined,
      },
    ),
  }).map(({ neg, int, frac, exp }) =>
    `${neg ? "-" : ""}${int}${frac === undefined ? "" : "." + frac}${
      exp === undefined ? "" : exp[0] + exp[1] + String(exp[2])
    }`
  );
  fc.assert(
    fc.property(
      numberText,
      fc.constantFrom<CanonicalProfile>("rfc8785", "aegisd"),
      (t, profile) => {
        assert.equal(canonicalizeText(t, { profile }), expectedOfText(t, profile), t);
      },
    ),
    { numRuns: 5000, seed: 8785 },
  );
});
