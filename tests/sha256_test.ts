/**
 * SHA-256 (`sha256`, `sha256.create()`) against FIPS 180-4 / NIST CAVP
 * vectors, with `node:crypto` as a second oracle for every expected digest
 * typed here, and against `node:crypto` for many lengths and chunkings.
 * Every test runs under the pure-TS backend and, when the WebAssembly core is
 * available, under the WASM backend.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { bytesToHex, sha256 } from "../mod.ts";

// Every test runs once per backend (see tests/lib/backends.ts: only the
// forced one under AEGIS_BACKEND).
import { testBothBackends } from "./lib/backends.ts";

// ---------------------------------------------------------------------------
// Oracles and helpers

const enc = new TextEncoder();

function nodeHex(data: Uint8Array | string): string {
  const h = createHash("sha256");
  h.update(typeof data === "string" ? enc.encode(data) : data);
  return h.digest("hex");
}

function hex(d: Uint8Array): string {
  assert.ok(d instanceof Uint8Array, "digest must be a Uint8Array");
  assert.equal(d.length, 32, "digest must be 32 bytes");
  return bytesToHex(d);
}

function fromHex(s: string): Uint8Array {
  assert.equal(s.length % 2, 0);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function filled(n: number, byte: number): Uint8Array {
  return new Uint8Array(n).fill(byte);
}

/** Deterministic pseudo-random bytes (xorshift32), independent of the code under test. */
function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Feeds `data` into a fresh hasher in chunks of the given sizes (cycled) and digests. */
function chunked(data: Uint8Array, sizes: readonly number[]): Uint8Array {
  const h = sha256.create();
  let pos = 0;
  let i = 0;
  while (pos < data.length) {
    const n = sizes[i++ % sizes.length];
    h.update(data.subarray(pos, pos + n));
    pos += n;
  }
  return h.digest();
}

// ---------------------------------------------------------------------------
// Known-answer vectors

interface Vector {
  name: string;
  msg: () => Uint8Array | string;
  digest: string;
}

const LONG_896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno" +
  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

const VECTORS: readonly Vector[] = [
  // FIPS 180-4 examples (NIST "Examples with intermediate values").
  {
    name: "empty string",
    msg: () => "",
    digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  },
  {
    name: '"abc"',
    msg: () => "abc",
    digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  },
  {
    name: "448-bit abcdbcde...",
    msg: () => "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  },
  {
    name: "896-bit abcdefgh...",
    msg: () => LONG_896,
    digest: "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  },
  {
    name: 'one million "a"',
    msg: () => filled(1_000_000, 0x61),
    digest: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  },
  // CAVP SHA256ShortMsg.rsp (byte-oriented), first entries.
  {
    name: "CAVP ShortMsg Len=0",
    msg: () => new Uint8Array(0),
    digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  },
  {
    name: "CAVP ShortMsg Len=8 d3",
    msg: () => fromHex("d3"),
    digest: "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1",
  },
  {
    name: "CAVP ShortMsg Len=16 11af",
    msg: () => fromHex("11af"),
    digest: "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98",
  },
  {
    name: "CAVP ShortMsg Len=24 b4190e",
    msg: () => fromHex("b4190e"),
    digest: "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2",
  },
  {
    name: "CAVP ShortMsg Len=32 74ba2521",
    msg: () => fromHex("74ba2521"),
    digest: "b16aa56be3880d18cd41e68384cf1ec8c17680c45a02b1575dc1518923ae8b0e",
  },
  // NIST "SHA-256 additional examples" (byte-oriented, incl. long messages).
  {
    name: "NIST #1: 1 byte 0xbd",
    msg: () => fromHex("bd"),
    digest: "68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b",
  },
  {
    name: "NIST #2: 4 bytes c98c8e55",
    msg: () => fromHex("c98c8e55"),
    digest: "7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504",
  },
  {
    name: "NIST #3: 55 zero bytes",
    msg: () => filled(55, 0),
    digest: "02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7",
  },
  {
    name: "NIST #4: 56 zero bytes",
    msg: () => filled(56, 0),
    digest: "d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb",
  },
  {
    name: "NIST #5: 57 zero bytes",
    msg: () => filled(57, 0),
    digest: "65a16cb7861335d5ace3c60718b5052e44660726da4cd13bb745381b235a1785",
  },
  {
    name: "NIST #6: 64 zero bytes",
    msg: () => filled(64, 0),
    digest: "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b",
  },
  {
    name: "NIST #7: 1000 zero bytes",
    msg: () => filled(1000, 0),
    digest: "541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53",
  },
  {
    name: "NIST #8: 1000 bytes 0x41",
    msg: () => filled(1000, 0x41),
    digest: "c2e686823489ced2017f6059b8b239318b6364f6dcd835d0a519105a1eadd6e4",
  },
  {
    name: "NIST #9: 1005 bytes 0x55",
    msg: () => filled(1005, 0x55),
    digest: "f4d62ddec0f3dd90ea1380fa16a5ff8dc4c54b21740650f24afc4120903552b0",
  },
  {
    name: "NIST #10: 1,000,000 zero bytes",
    msg: () => filled(1_000_000, 0),
    digest: "d29751f2649b32ff572b5e0a9f541ea660a50f94ff0beedfb0b692b924cc8025",
  },
];

Deno.test("sha256 vectors: every typed digest agrees with node:crypto (oracle check)", () => {
  for (const v of VECTORS) {
    assert.equal(
      nodeHex(v.msg()),
      v.digest,
      `typed digest for ${v.name} disagrees with node:crypto`,
    );
  }
});

testBothBackends("sha256 one-shot: FIPS 180-4 / CAVP vectors", () => {
  for (const v of VECTORS) {
    const msg = v.msg();
    assert.equal(nodeHex(msg), v.digest, `oracle: ${v.name}`);
    assert.equal(hex(sha256(msg)), v.digest, v.name);
  }
});

testBothBackends("sha256.create(): FIPS 180-4 / CAVP vectors, single update and byte-wise", () => {
  for (const v of VECTORS) {
    const msg = v.msg();
    const bytes = typeof msg === "string" ? enc.encode(msg) : msg;
    assert.equal(hex(sha256.create().update(msg).digest()), v.digest, `${v.name}: one update`);
    if (bytes.length <= 2000) {
      assert.equal(hex(chunked(bytes, [1])), v.digest, `${v.name}: byte-wise`);
    }
    assert.equal(hex(chunked(bytes, [4096, 1, 63])), v.digest, `${v.name}: 4096/1/63 chunks`);
  }
});

testBothBackends("sha256.create(): empty updates and no update", () => {
  const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  assert.equal(hex(sha256.create().digest()), empty);
  assert.equal(hex(sha256.create().update(new Uint8Array(0)).update("").digest()), empty);
  const h = sha256.create();
  h.update("").update("a").update(new Uint8Array(0)).update("bc").update("");
  assert.equal(hex(h.digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

testBothBackends("sha256 outputLen/blockLen", () => {
  assert.equal(sha256.outputLen, 32);
  assert.equal(sha256.blockLen, 64);
});

// ---------------------------------------------------------------------------
// Lengths and block boundaries against node:crypto

const BOUNDARIES = [55, 56, 63, 64, 65, 119, 120, 127, 128];

testBothBackends("sha256 one-shot: lengths 0..200 match node:crypto", () => {
  const base = pseudoRandomBytes(200, 0x12345678);
  for (let n = 0; n <= 200; n++) {
    const m = base.slice(0, n);
    assert.equal(hex(sha256(m)), nodeHex(m), `length ${n}`);
    const z = filled(n, 0);
    assert.equal(hex(sha256(z)), nodeHex(z), `zeros, length ${n}`);
    const f = filled(n, 0xff);
    assert.equal(hex(sha256(f)), nodeHex(f), `0xff, length ${n}`);
  }
});

testBothBackends("sha256.create(): lengths 0..200 match node:crypto", () => {
  const base = pseudoRandomBytes(200, 0x9e3779b9);
  for (let n = 0; n <= 200; n++) {
    const m = base.slice(0, n);
    const want = nodeHex(m);
    assert.equal(hex(sha256.create().update(m).digest()), want, `length ${n}, one update`);
    assert.equal(hex(chunked(m, [1])), want, `length ${n}, byte-wise`);
  }
});

testBothBackends("sha256: block-boundary lengths (55,56,63,64,65,119,120,127,128)", () => {
  for (const n of BOUNDARIES) {
    for (const fill of [0x00, 0x61, 0x80, 0xff]) {
      const m = filled(n, fill);
      const want = nodeHex(m);
      assert.equal(hex(sha256(m)), want, `one-shot, ${n} x 0x${fill.toString(16)}`);
      assert.equal(hex(sha256.create().update(m).digest()), want, `create, ${n}`);
      // Split exactly at every position for boundary lengths.
      for (let cut = 0; cut <= n; cut++) {
        const h = sha256.create();
        h.update(m.subarray(0, cut)).update(m.subarray(cut));
        assert.equal(hex(h.digest()), want, `create, ${n} split at ${cut}`);
      }
    }
    const r = pseudoRandomBytes(n, n * 7919);
    assert.equal(hex(sha256(r)), nodeHex(r), `random ${n}`);
    // The boundary also on top of whole earlier blocks.
    for (const prefix of [64, 128, 640]) {
      const big = pseudoRandomBytes(prefix + n, prefix + n);
      assert.equal(hex(sha256(big)), nodeHex(big), `${prefix}+${n}`);
      assert.equal(hex(chunked(big, [prefix, n])), nodeHex(big), `${prefix}+${n} in two updates`);
    }
  }
});

testBothBackends("sha256: larger lengths around multiples of 64 match node:crypto", () => {
  for (const blocks of [2, 3, 7, 15, 16, 17, 63, 64, 65, 1000]) {
    for (const delta of [-9, -8, -1, 0, 1, 8, 9]) {
      const n = blocks * 64 + delta;
      const m = pseudoRandomBytes(n, n);
      assert.equal(hex(sha256(m)), nodeHex(m), `length ${n}`);
    }
  }
});

// ---------------------------------------------------------------------------
// Incremental hashing in odd-sized chunks

testBothBackends("sha256.create(): fixed odd chunk sizes equal one-shot", () => {
  const sizes = [1, 3, 7, 13, 63, 65];
  for (const n of [0, 1, 54, 55, 56, 63, 64, 65, 127, 128, 129, 500, 1000, 4099, 65536 + 17]) {
    const m = pseudoRandomBytes(n, 31 * n + 1);
    const want = nodeHex(m);
    const one = hex(sha256(m));
    assert.equal(one, want, `one-shot length ${n}`);
    for (const s of sizes) assert.equal(hex(chunked(m, [s])), one, `length ${n}, chunks of ${s}`);
    assert.equal(hex(chunked(m, sizes)), one, `length ${n}, chunk cycle 1,3,7,13,63,65`);
    assert.equal(hex(chunked(m, [65, 63, 13, 7, 3, 1])), one, `length ${n}, reversed cycle`);
  }
});

testBothBackends(
  "sha256.create(): random splits equal one-shot and node:crypto (fast-check)",
  () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1200 }),
        fc.array(fc.integer({ min: 0, max: 1200 }), { maxLength: 12 }),
        (data, cuts) => {
          const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) =>
            a - b
          );
          const h = sha256.create();
          let prev = 0;
          for (const p of points) {
            h.update(data.subarray(prev, p));
            prev = p;
          }
          h.update(data.subarray(prev));
          const want = nodeHex(data);
          assert.equal(hex(h.digest()), want);
          assert.equal(hex(sha256(data)), want);
        },
      ),
      { numRuns: 400, seed: 0x5a17 },
    );
  },
);

testBothBackends("sha256.create(): random mixed string/bytes chunks (fast-check)", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.uint8Array({ maxLength: 90 })),
        {
          maxLength: 20,
        },
      ),
      (parts) => {
        const h = sha256.create();
        const bytes: Uint8Array[] = [];
        for (const p of parts) {
          h.update(p);
          bytes.push(typeof p === "string" ? enc.encode(p) : p);
        }
        const all = new Uint8Array(bytes.reduce((s, b) => s + b.length, 0));
        let o = 0;
        for (const b of bytes) {
          all.set(b, o);
          o += b.length;
        }
        assert.equal(hex(h.digest()), nodeHex(all));
      },
    ),
    { numRuns: 300, seed: 0xc0ffee },
  );
});

testBothBackends("sha256.create(): independent interleaved hashers", () => {
  const a = pseudoRandomBytes(1000, 1);
  const b = pseudoRandomBytes(777, 2);
  const ha = sha256.create();
  const hb = sha256.create();
  for (let i = 0; i < 1000; i += 37) {
    ha.update(a.subarray(i, i + 37));
    if (i < 777) hb.update(b.subarray(i, Math.min(i + 37, 777)));
    // One-shot calls in between must not disturb either state.
    sha256(a.subarray(0, i));
  }
  assert.equal(hex(ha.digest()), nodeHex(a));
  assert.equal(hex(hb.digest()), nodeHex(b));
});

// ---------------------------------------------------------------------------
// Input views and buffer ownership

testBothBackends("sha256: subarray views with non-zero byteOffset hash only their bytes", () => {
  const buf = pseudoRandomBytes(300, 77);
  for (const [start, end] of [[1, 1], [3, 70], [5, 5 + 64], [17, 17 + 55], [63, 191], [100, 300]]) {
    const view = buf.subarray(start, end);
    const copy = buf.slice(start, end);
    assert.equal(hex(sha256(view)), nodeHex(copy), `one-shot [${start},${end})`);
    assert.equal(
      hex(sha256.create().update(view).digest()),
      nodeHex(copy),
      `create [${start},${end})`,
    );
  }
});

testBothBackends("sha256: does not mutate its input; digests are fresh arrays", () => {
  const m = pseudoRandomBytes(130, 5);
  const before = m.slice();
  const d1 = sha256(m);
  assert.deepEqual(m, before);
  const d2 = sha256(m);
  assert.notEqual(d1, d2, "each call must return a new array");
  d1.fill(0);
  assert.equal(hex(d2), nodeHex(before));
  assert.equal(hex(sha256(m)), nodeHex(before));
});

testBothBackends(
  "sha256.create(): later mutation of a fed buffer does not change the digest",
  () => {
    const m = pseudoRandomBytes(100, 9);
    const want = nodeHex(m);
    const h = sha256.create();
    const part = m.slice(0, 30); // stays buffered (< 64 bytes)
    h.update(part);
    part.fill(0);
    h.update(m.subarray(30));
    assert.equal(hex(h.digest()), want);
  },
);

// ---------------------------------------------------------------------------
// Strings are UTF-8

testBothBackends("sha256: strings are hashed as UTF-8 (BMP and astral)", () => {
  const samples = [
    "",
    "a",
    "é",
    "ü€",
    "日本語テキスト",
    "😀",
    "𝄞 music 𐍈 gothic 🏳️‍🌈",
    "\u0000\u007f\u0080\u07ff\u0800\uffff",
    "\u{10000}\u{10ffff}",
    "x".repeat(55) + "😀", // 4-byte char straddling the 56/64-byte boundary
    "€".repeat(21) + "😀".repeat(20),
  ];
  for (const s of samples) {
    const bytes = enc.encode(s);
    const want = nodeHex(bytes);
    assert.equal(createHash("sha256").update(s, "utf8").digest("hex"), want, "oracle");
    assert.equal(hex(sha256(s)), want, JSON.stringify(s));
    assert.equal(hex(sha256(bytes)), want, `bytes of ${JSON.stringify(s)}`);
    assert.equal(hex(sha256.create().update(s).digest()), want, `create ${JSON.stringify(s)}`);
  }
  // Exact UTF-8 of an astral character.
  assert.deepEqual(enc.encode("😀"), fromHex("f09f9880"));
  assert.equal(hex(sha256("😀")), nodeHex(fromHex("f09f9880")));
  assert.equal(hex(sha256("\u{10ffff}")), nodeHex(fromHex("f48fbfbf")));
});

testBothBackends("sha256: UTF-8 strings, random (fast-check)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (s) => {
      const want = createHash("sha256").update(s, "utf8").digest("hex");
      assert.equal(hex(sha256(s)), want);
      assert.equal(hex(sha256.create().update(s).digest()), want);
    }),
    { numRuns: 300, seed: 42 },
  );
});

// ---------------------------------------------------------------------------
// Errors

testBothBackends("sha256.create(): update() after digest() throws", () => {
  const h = sha256.create();
  h.update("abc");
  h.digest();
  assert.throws(() => h.update("x"), Error);
  assert.throws(() => h.update(new Uint8Array(0)), Error);
});

testBothBackends("sha256.create(): digest() twice throws", () => {
  const h = sha256.create();
  h.update("abc");
  h.digest();
  assert.throws(() => h.digest(), Error);
  const e = sha256.create();
  e.digest();
  assert.throws(() => e.digest(), Error);
});

testBothBackends("sha256: non-bytes input is a TypeError", () => {
  const bad: unknown[] = [undefined, null, 0, 123, true, {}, [1, 2, 3], Symbol("s"), 1n, () => 0];
  for (const v of bad) {
    // deno-lint-ignore no-explicit-any
    const x = v as any;
    assert.throws(() => sha256(x), TypeError, `sha256(${String(v)})`);
    assert.throws(() => sha256.create().update(x), TypeError, `update(${String(v)})`);
  }
  // A failed update leaves the hasher usable and unchanged.
  const h = sha256.create().update("ab");
  // deno-lint-ignore no-explicit-any
  assert.throws(() => h.update(42 as any), TypeError);
  h.update("c");
  assert.equal(hex(h.digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
