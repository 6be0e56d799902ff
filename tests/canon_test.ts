import assert from "node:assert/strict";
import {
  canonicalize,
  canonicalizeText,
  canonicalJson,
  JsonErrorCode,
  JsonSyntaxError,
  parseJson,
} from "../mod.ts";
import { testBothBackends } from "./lib/backends.ts";

Deno.test("canonicalize: RFC 8785 key order is UTF-16, aegisd is code point", () => {
  const v = { "\ud83d\ude00": 1, "\ue000": 2, a: 3 };
  assert.equal(canonicalize(v), '{"a":3,"\ud83d\ude00":1,"\ue000":2}');
  assert.equal(canonicalize(v, { profile: "aegisd" }), '{"a":3,"\ue000":2,"\ud83d\ude00":1}');
});

Deno.test("canonicalize: string escapes per profile", () => {
  const s = "<a href='x'>&\u2028\u2029\u0000\u001f\b\f\n\r\t\"\\/é😀";
  assert.equal(canonicalize(s), JSON.stringify(s));
  assert.equal(
    canonicalize(s, { profile: "aegisd" }),
    String.raw`"\u003ca href='x'\u003e\u0026\u2028\u2029\u0000\u001f\b\f\n\r\t\"\\/é😀"`,
  );
});

Deno.test("canonicalize: numbers in ES6 form; -0 per profile", () => {
  assert.equal(
    canonicalize([4.5, 1e21, 1e-7, 0.000001, 123456789012345680000, -0, 5e-324]),
    "[4.5,1e+21,1e-7,0.000001,123456789012345680000,0,5e-324]",
  );
  assert.equal(canonicalize(-0, { profile: "aegisd" }), "-0");
  assert.equal(canonicalize(0, { profile: "aegisd" }), "0");
});

Deno.test("canonicalize: follows JSON.stringify for toJSON, wrappers and undefined", () => {
  const v = {
    d: new Date(0),
    n: new Number(2),
    s: new String("x"),
    b: new Boolean(false),
    u: undefined,
    arr: [undefined, 1],
    custom: { toJSON: (key: string) => `key=${key}` },
  };
  assert.equal(canonicalize(v), canonicalize(JSON.parse(JSON.stringify(v))));
  assert.equal(
    canonicalize(v),
    '{"arr":[null,1],"b":false,"custom":"key=custom","d":"1970-01-01T00:00:00.000Z","n":2,"s":"x"}',
  );
  assert.equal(new TextDecoder().decode(canonicalJson({ é: 1 })), '{"é":1}');
});

Deno.test("canonicalize: rejects what JSON cannot carry, naming the path", () => {
  const cases: [unknown, RegExp][] = [
    [{ payload: { args: [1, 2, NaN] } }, /^\$\.payload\.args\[2\]: NaN/],
    [{ x: Infinity }, /^\$\.x: Infinity/],
    [{ x: -Infinity }, /^\$\.x: -Infinity/],
    [{ x: 10n }, /^\$\.x: BigInt/],
    [{ "a b": ["\ud800"] }, /^\$\["a b"\]\[0\]: string contains a lone surrogate/],
    [{ ["\udc00"]: 1 }, /lone surrogate/],
    [{ f: () => 1 }, /^\$\.f: functions/],
    [{ s: Symbol("x") }, /^\$\.s: symbols/],
    [{ m: new Map() }, /^\$\.m: Map would be silently emptied/],
    [undefined, /^\$: undefined/],
  ];
  for (const [v, re] of cases) {
    for (const profile of ["rfc8785", "aegisd"] as const) {
      assert.throws(
        () => canonicalize(v, { profile }),
        (e: unknown) => e instanceof TypeError && re.test((e as Error).message),
      );
    }
  }
  const cyc: Record<string, unknown> = { a: [] };
  (cyc.a as unknown[]).push(cyc);
  assert.throws(() => canonicalize(cyc), /^TypeError: \$\.a\[0\]: cycle/);
  let deep: unknown = 1;
  for (let i = 0; i < 1000; i++) deep = [deep];
  assert.equal(canonicalize(deep).length, 2001); // 1000 levels are fine
  assert.throws(() => canonicalize([deep]), /nesting deeper than 1000/);
  // A repeated (non-cyclic) reference is fine.
  const shared = { x: 1 };
  assert.equal(canonicalize([shared, shared]), '[{"x":1},{"x":1}]');
  assert.throws(
    () => canonicalize(1, { profile: "jcs" as "rfc8785" }),
    /unknown canonical profile/,
  );
});

testBothBackends("canonicalizeText: non-canonical number forms", () => {
  const cases: [string, string, string?][] = [
    ["4.50", "4.5"],
    ["1E30", "1e+30"],
    ["1e-7", "1e-7"],
    ["0.0000010", "0.000001"],
    ["-0.0", "0", "-0"],
    ["-0", "0", "-0"],
    ["123456789012345678901234567890", "1.2345678901234568e+29"],
    ["9007199254740993", "9007199254740992"],
    ["1e-400", "0"],
    ["-1e-400", "0", "-0"],
    ["2.5e+2", "250"],
    ["1e21", "1e+21"],
    ["100000000000000000000", "100000000000000000000"],
  ];
  for (const [input, rfc, aeg = rfc] of cases) {
    assert.equal(canonicalizeText(input), rfc, input);
    assert.equal(canonicalizeText(input, { profile: "aegisd" }), aeg, `${input} aegisd`);
  }
});

testBothBackends("canonicalizeText: escapes decoded and re-emitted", () => {
  assert.equal(canonicalizeText(String.raw`"\u0041\/\ud83d\ude00\u00e9\u001F"`), '"A/😀é\\u001f"');
  assert.equal(
    canonicalizeText(String.raw`"<\u0026>"`, { profile: "aegisd" }),
    String.raw`"\u003c\u0026\u003e"`,
  );
  assert.equal(canonicalizeText(' \t\r\n{ "b" : [ ] , "a" : { } } \n'), '{"a":{},"b":[]}');
  assert.equal(canonicalizeText('{"__proto__":1}'), '{"__proto__":1}');
});

testBothBackends("canonicalizeText: errors carry code and byte offset", () => {
  const E = JsonErrorCode;
  const cases: [string | Uint8Array, number, number][] = [
    ["", E.UNEXPECTED_END, 0],
    ["   ", E.UNEXPECTED_END, 3],
    ['{"a":1,"a":2}', E.DUPLICATE_KEY, 7],
    [String.raw`{"a":1,"\u0061":2}`, E.DUPLICATE_KEY, 7],
    ['{"a":{"b":1,"b":2},"a":3}', E.DUPLICATE_KEY, 12],
    ["[1,]", E.UNEXPECTED_CHAR, 3],
    ['{"a" 1}', E.UNEXPECTED_CHAR, 5],
    ['{"a":1,}', E.UNEXPECTED_CHAR, 7],
    ["[1 2]", E.UNEXPECTED_CHAR, 3],
    ["{1:2}", E.UNEXPECTED_CHAR, 1],
    [String.raw`"\ud800"`, E.LONE_SURROGATE, 1],
    [String.raw`"ab\ud800\u0041"`, E.LONE_SURROGATE, 3],
    [String.raw`"\udc00"`, E.LONE_SURROGATE, 1],
    [String.raw`"\x"`, E.INVALID_ESCAPE, 1],
    [String.raw`"\u12G4"`, E.INVALID_ESCAPE, 1],
    ['"\\u12', E.INVALID_ESCAPE, 1],
    ['"a\u0001"', E.CONTROL_CHAR, 2],
    ['"abc', E.UNEXPECTED_END, 4],
    ["01", E.TRAILING_DATA, 1],
    ["[01]", E.UNEXPECTED_CHAR, 2],
    ["1.", E.INVALID_NUMBER, 0],
    ["-", E.INVALID_NUMBER, 0],
    ["[1e+]", E.INVALID_NUMBER, 1],
    [".5", E.UNEXPECTED_CHAR, 0],
    ["+1", E.UNEXPECTED_CHAR, 0],
    ["1e400", E.NUMBER_OUT_OF_RANGE, 0],
    ["[-1e999]", E.NUMBER_OUT_OF_RANGE, 1],
    ["tru", E.UNEXPECTED_CHAR, 0],
    ["nul", E.UNEXPECTED_CHAR, 0],
    ["NaN", E.UNEXPECTED_CHAR, 0],
    ["[1] x", E.TRAILING_DATA, 4],
    ["{} {}", E.TRAILING_DATA, 3],
    ["\ufeff{}", E.UNEXPECTED_CHAR, 0],
    ['"é" x', E.TRAILING_DATA, 5],
    ["[".repeat(1001) + "]".repeat(1001), E.TOO_DEEP, 1000],
    [new Uint8Array([0x22, 0x61, 0xc3, 0x28, 0x22]), E.INVALID_UTF8, 2],
    [new Uint8Array([0x5b, 0x31, 0x2c, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d]), E.INVALID_UTF8, 4],
    [new Uint8Array([0x7b, 0x7d, 0x20, 0xff]), E.INVALID_UTF8, 3],
    [new Uint8Array([0x22, 0xe2, 0x82]), E.INVALID_UTF8, 1],
    ['"é\ud800"', E.INVALID_UTF8, 3],
  ];
  for (const [input, code, offset] of cases) {
    for (const profile of ["rfc8785", "aegisd"] as const) {
      try {
        canonicalizeText(input, { profile });
        assert.fail(`accepted ${JSON.stringify(typeof input === "string" ? input : [...input])}`);
      } catch (e) {
        assert.ok(e instanceof JsonSyntaxError && e instanceof SyntaxError, String(e));
        assert.deepEqual(
          [e.code, e.offset],
          [code, offset],
          `${
            JSON.stringify(typeof input === "string" ? input.slice(0, 30) : [...input])
          }: ${e.message}`,
        );
        assert.match(e.message, new RegExp(`at byte ${offset}$`));
      }
    }
  }
  assert.equal(canonicalizeText("[".repeat(1000) + "]".repeat(1000)).length, 2000);
});

Deno.test("parseJson: plain values, strict where JSON.parse is lax", () => {
  assert.deepEqual(parseJson('{"a":[1,2.5,"\\u00e9",true,null,{}]}'), {
    a: [1, 2.5, "é", true, null, {}],
  });
  const p = parseJson('{"__proto__":{"x":1}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
  assert.deepEqual(Object.keys(p), ["__proto__"]);
  assert.throws(() => parseJson('{"a":1,"a":1}'), JsonSyntaxError);
  assert.throws(() => parseJson(new Uint8Array([0xff])), /invalid UTF-8 at byte 0/);
  assert.throws(() => parseJson(42 as unknown as string), TypeError);
});
