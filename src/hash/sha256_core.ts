/**
 * The SHA-256 compression function and incremental state, in pure
 * TypeScript (FIPS 180-4). Shared by the one-shot {@link sha256} and the
 * incremental `sha256.create()`; no allocation per block.
 *
 * @module
 */

const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/** Initial hash value H(0). */
export const SHA256_IV: readonly number[] = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

const W = new Int32Array(64);

/**
 * Compresses `blocks` whole 64-byte blocks of `data` starting at `offset`
 * into `state` (eight 32-bit words), in place.
 */
export function compress(
  state: Int32Array,
  data: Uint8Array,
  offset: number,
  blocks: number,
): void {
  let h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3];
  let h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7];
  const w = W;
  const k = K;
  for (let blk = 0; blk < blocks; blk++) {
    let p = offset + blk * 64;
    for (let i = 0; i < 16; i++, p += 4) {
      w[i] = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15], y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (s1 + w[i - 7] + s0 + w[i - 16]) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = h3;
  state[4] = h4;
  state[5] = h5;
  state[6] = h6;
  state[7] = h7;
}

/** Writes the eight state words big-endian into a new 32-byte digest. */
export function stateToDigest(state: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = state[i];
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = v >>> 16;
    out[4 * i + 2] = v >>> 8;
    out[4 * i + 3] = v;
  }
  return out;
}

/** Incremental SHA-256: `update()` any number of times, then `digest()` once. */
export class Sha256 {
  #state = Int32Array.from(SHA256_IV);
  #buffer = new Uint8Array(64);
  #buffered = 0;
  #length = 0;
  #finished = false;

  /**
   * Feeds more bytes (strings are UTF-8 encoded).
   *
   * @throws {Error} after `digest()`.
   */
  update(data: Uint8Array | string): this {
    if (this.#finished) throw new Error("sha256: update() after digest()");
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : toBytes(data);
    let pos = 0;
    const len = bytes.length;
    this.#length += len;
    if (this.#buffered > 0) {
      const take = Math.min(64 - this.#buffered, len);
      this.#buffer.set(bytes.subarray(0, take), this.#buffered);
      this.#buffered += take;
      pos = take;
      if (this.#buffered < 64) return this;
      compress(this.#state, this.#buffer, 0, 1);
      this.#buffered = 0;
    }
    const blocks = (len - pos) >> 6;
    if (blocks > 0) {
      compress(this.#state, bytes, pos, blocks);
      pos += blocks << 6;
    }
    if (pos < len) {
      this.#buffer.set(bytes.subarray(pos), 0);
      this.#buffered = len - pos;
    }
    return this;
  }

  /**
   * Finishes and returns the 32-byte digest.
   *
   * @throws {Error} when called twice.
   */
  digest(): Uint8Array {
    if (this.#finished) throw new Error("sha256: digest() called twice");
    this.#finished = true;
    const buf = this.#buffer;
    let n = this.#buffered;
    buf[n++] = 0x80;
    if (n > 56) {
      buf.fill(0, n);
      compress(this.#state, buf, 0, 1);
      n = 0;
    }
    buf.fill(0, n, 56);
    const bits = this.#length * 8;
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    buf[56] = hi >>> 24;
    buf[57] = hi >>> 16;
    buf[58] = hi >>> 8;
    buf[59] = hi;
    buf[60] = lo >>> 24;
    buf[61] = lo >>> 16;
    buf[62] = lo >>> 8;
    buf[63] = lo;
    compress(this.#state, buf, 0, 1);
    return stateToDigest(this.#state);
  }
}

/** Accepts `Uint8Array` (and other views) as bytes; anything else is a `TypeError`. */
export function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError(`sha256: expected Uint8Array or string, got ${typeof data}`);
}

const PAD = new Uint8Array(128);

/** One-shot SHA-256 of `bytes` in pure TypeScript, compressing the input in place. */
export function sha256Ts(bytes: Uint8Array): Uint8Array {
  const state = Int32Array.from(SHA256_IV);
  const len = bytes.length;
  const full = len >> 6;
  if (full > 0) compress(state, bytes, 0, full);
  const rest = len - (full << 6);
  const pad = PAD;
  pad.fill(0);
  pad.set(bytes.subarray(full << 6), 0);
  pad[rest] = 0x80;
  const tail = rest < 56 ? 64 : 128;
  const bits = len * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  pad[tail - 8] = hi >>> 24;
  pad[tail - 7] = hi >>> 16;
  pad[tail - 6] = hi >>> 8;
  pad[tail - 5] = hi;
  pad[tail - 4] = lo >>> 24;
  pad[tail - 3] = lo >>> 16;
  pad[tail - 2] = lo >>> 8;
  pad[tail - 1] = lo;
  compress(state, pad, 0, tail >> 6);
  return stateToDigest(state);
}
