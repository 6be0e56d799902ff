import assert from "node:assert/strict";
import fc from "fast-check";
import * as native from "../src/encoding.ts";

type Encoding = typeof native;

/** A second instance of the module, loaded while the built-in hex/base64 methods are hidden. */
async function loadFallback(): Promise<Encoding> {
  // deno-lint-ignore no-explicit-any
  const U8 = Uint8Array as any;
  const saved = {
    toHex: U8.prototype.toHex,
    toBase64: U8.prototype.toBase64,
    fromHex: U8.fromHex,
    fromBase64: U8.fromBase64,
  };
  delete U8.prototype.toHex;
  delete U8.prototype.toBase64;
  delete U8.fromHex;
  delete U8.fromBase64;
  try {
    return await import("../src/encoding.ts?without-native-codecs");
  } finally {
    Object.assign(U8.prototype, { toHex: saved.toHex, toBase64: saved.toBase64 });
    Object.assign(U8, { fromHex: saved.fromHex, fromBase64: saved.fromBase64 });
  }
}

const fallback = await loadFallback();

for (const [name, enc] of [["native", native], ["fallback", fallback]] as const) {
  Deno.test(`hex and base64 round trips [${name}]`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const hex = enc.bytesToHex(bytes);
        assert.equal(hex, [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""));
        assert.deepEqual(enc.hexToBytes(hex), bytes);
        assert.deepEqual(enc.hexToBytes(hex.toUpperCase()), bytes);
        const b64 = enc.bytesToBase64(bytes);
        assert.equal(b64, btoa(String.fromCharCode(...bytes)));
        assert.deepEqual(enc.base64ToBytes(b64), bytes);
      }),
      { numRuns: 300 },
    );
  });

  Deno.test(`hex and base64 refuse malformed input [${name}]`, () => {
    for (const bad of ["abc", "zz", "0g", " 00", "00 ", "0x00"]) {
      assert.throws(() => enc.hexToBytes(bad), TypeError, bad);
    }
    for (const bad of ["aGk", "aGk=x", "a===", "aG k=", "aGk=\n", "aGk_", "====", "a"]) {
      assert.throws(() => enc.base64ToBytes(bad), TypeError, bad);
    }
    assert.throws(() => enc.hexToBytes(7 as unknown as string), TypeError);
    assert.throws(() => enc.base64ToBytes(null as unknown as string), TypeError);
  });
}

Deno.test("the fallback instance really ran without the built-ins", () => {
  assert.notEqual(fallback, native);
});
