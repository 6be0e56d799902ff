// The WebAssembly core directly (no backend selection): SHA-256 against NIST
// and node:crypto, the text canonicalizer against every RFC 8785 vector, and
// the error codes/offsets of the shared reader rules.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { JsonSyntaxError } from "../src/canon/errors.ts";
import { loadWasmCore, wasmBytes } from "../src/wasm/loader.ts";

const core = loadWasmCore();

/** Registers a test of the core itself; skipped where the core cannot load. */
function test(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ name, ignore: !core, fn });
}
const enc = new TextEncoder();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const vector = (p: string) =>
  Deno.readTextFile(new URL(`../../shared/vectors/${p}`, import.meta.url));
const RFC_FILES = ["arrays", "french", "structures", "unicode", "values", "weird"];

test("the core loads synchronously in Deno and is ≤ 48 KiB", () => {
  assert.ok(core, "WASM core did not load");
  assert.ok(wasmBytes().length <= 48 * 1024, `module is ${wasmBytes().length} bytes`);
});

test("SHA-256: NIST FIPS 180-4 examples", () => {
  const nist: [string, string][] = [
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    [
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ],
    ["a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
  ];
  for (const [msg, want] of nist) {
    assert.equal(hex(core!.sha256(enc.encode(msg))), want, `${msg.slice(0, 20)}…`);
  }
  assert.deepEqual(
    core!.sha256Many(nist.map(([m]) => enc.encode(m))).map(hex),
    nist.map(([, h]) => h),
  );
});

test("SHA-256: every length 0..300 and block boundaries, single and 4-lane, vs node:crypto", () => {
  const msgs: Uint8Array[] = [];
  for (let n = 0; n <= 300; n++) {
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) m[i] = (i * 31 + n * 7) & 255;
    msgs.push(m);
  }
  for (const n of [4095, 4096, 4097, 65536, 65600]) msgs.push(new Uint8Array(n).fill(n & 255));
  const want = msgs.map((m) => createHash("sha256").update(m).digest("hex"));
  assert.deepEqual(msgs.map((m) => hex(core!.sha256(m))), want);
  assert.deepEqual(core!.sha256Many(msgs).map(hex), want);
  // Shuffled lengths keep all four lanes busy with different block counts.
  const order = msgs.map((_, i) => (i * 97) % msgs.length);
  assert.deepEqual(core!.sha256Many(order.map((i) => msgs[i])).map(hex), order.map((i) => want[i]));
  assert.deepEqual(core!.sha256Many([]), []);
});

test("SHA-256: inputs larger than the initial memory make it grow", () => {
  const big = new Uint8Array(24 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 255;
  assert.equal(hex(core!.sha256(big)), createHash("sha256").update(big).digest("hex"));
});

test("canonicalizeText: RFC 8785 reference suite", async () => {
  for (const f of RFC_FILES) {
    const input = await vector(`rfc8785/input/${f}.json`);
    const output = await vector(`rfc8785/output/${f}.json`);
    assert.equal(core!.canonicalizeText(enc.encode(input), "rfc8785"), output, f);
  }
});

test("canonicalizeText: rfc8785-random.jsonl", async () => {
  const lines = (await vector("rfc8785-random.jsonl")).trim().split("\n");
  assert.equal(lines.length, 150);
  for (const line of lines) {
    // The wrapper's keys carry no escapes, so JSON.parse reads them safely here.
    const { input, canonical } = JSON.parse(line) as { input: string; canonical: string };
    assert.equal(core!.canonicalizeText(enc.encode(input), "rfc8785"), canonical);
  }
});

test("canonicalizeText: aegisd profile escapes and orders like Go", () => {
  const c = (t: string, p: "rfc8785" | "aegisd") => core!.canonicalizeText(enc.encode(t), p);
  const t = '{"b":"<a href=\\"x\\">&\u2028\u2029</a>","\\ue000":1,"\\ud83d\\ude02":2,"a":-0.0}';
  assert.equal(
    c(t, "aegisd"),
    '{"a":-0,"b":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028\\u2029\\u003c/a\\u003e","\ue000":1,"\u{1f602}":2}',
  );
  assert.equal(
    c(t, "rfc8785"),
    '{"a":0,"b":"<a href=\\"x\\">&\u2028\u2029</a>","\u{1f602}":2,"\ue000":1}',
  );
  assert.equal(
    c('"\\u0000\\u001f\\b\\f\\n\\r\\t\\/\\u007f"', "rfc8785"),
    '"\\u0000\\u001f\\b\\f\\n\\r\\t/\x7f"',
  );
});

test("canonicalizeText: numbers in ES6 form", () => {
  const cases: [string, string][] = [
    ["4.50", "4.5"],
    ["1E30", "1e+30"],
    ["-0.0", "0"],
    ["123456789012345678901234567890", "1.2345678901234568e+29"],
    ["1e21", "1e+21"],
    ["1e20", "100000000000000000000"],
    ["0.000001", "0.000001"],
    ["1e-7", "1e-7"],
    ["0.0000001", "1e-7"],
    ["9007199254740993", "9007199254740992"],
    ["5e-324", "5e-324"],
    ["1.7976931348623157e308", "1.7976931348623157e+308"],
    ["0.1", "0.1"],
    ["100", "100"],
    ["-12.5e-1", "-1.25"],
    ["2e-3", "0.002"],
  ];
  for (const [t, want] of cases) {
    assert.equal(core!.canonicalizeText(enc.encode(t), "rfc8785"), want, t);
  }
  assert.equal(core!.canonicalizeText(enc.encode("-0"), "aegisd"), "-0");
  assert.equal(core!.canonicalizeText(enc.encode("-0e5"), "aegisd"), "-0");
});

test("canonicalizeText: errors carry the shared code and byte offset", () => {
  const cases: [string | Uint8Array, number, number][] = [
    ["", 1, 0],
    ["[1,2", 1, 4],
    ["[1,]", 2, 3],
    ['{"a":1,"a":2}', 9, 7],
    ['{"b":1,"a":2,"b":3,"a":4}', 9, 13],
    ['{"a":1,"a":2,x}', 2, 13], // duplicates are checked when the object closes
    ['"\\ud800"', 4, 1],
    ['"\\udc00"', 4, 1],
    ['"\\ud800\\u0041"', 4, 1],
    ['"\\x"', 5, 1],
    ['"\\u12G4"', 5, 1],
    ['"\\', 5, 1],
    ['"a\nb"', 6, 2],
    ["-", 7, 0],
    ["1.", 7, 0],
    ["[1e+]", 7, 1],
    ["1e400", 8, 0],
    ["-1e400", 8, 0],
    ["[".repeat(1001) + "]".repeat(1001), 10, 1000],
    ["1 2", 11, 2],
    ["tru", 2, 0],
    ["nul", 2, 0],
    ["[01]", 2, 2],
    [new Uint8Array([0x22, 0x61, 0xff, 0x22]), 3, 2],
    [new Uint8Array([0x5b, 0x31, 0x2c, 0xed, 0xa0, 0x80, 0x5d]), 3, 3], // UTF-8-encoded surrogate
    [new Uint8Array([0x7b, 0x7d, 0x20, 0xc0, 0x80]), 3, 3], // invalid UTF-8 wins even after the value
  ];
  for (const [t, code, offset] of cases) {
    const bytes = typeof t === "string" ? enc.encode(t) : t;
    assert.throws(
      () => core!.canonicalizeText(bytes, "rfc8785"),
      (e: unknown) => {
        assert.ok(e instanceof JsonSyntaxError && e instanceof SyntaxError, String(e));
        assert.equal(e.code, code, `${String(t).slice(0, 30)}: ${e.message}`);
        assert.equal(e.offset, offset, `${String(t).slice(0, 30)}: ${e.message}`);
        assert.match(e.message, new RegExp(`at byte ${offset}$`));
        return true;
      },
    );
  }
  // Depth 1000 itself is fine.
  assert.equal(
    core!.canonicalizeText(enc.encode("[".repeat(1000) + "]".repeat(1000)), "aegisd").length,
    2000,
  );
});
