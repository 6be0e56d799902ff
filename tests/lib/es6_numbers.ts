/**
 * Generator of the ES6 number-serialization test lines described in
 * `shared/vectors/es6-numbers.md`: `hex-ieee,expected\n`, where `hex-ieee` is
 * the lowercase hex of the 64-bit pattern without leading zeros and
 * `expected` is ES6 `Number.prototype.toString` of the double (`-0` → `0`).
 *
 * @module
 */

/** A SHA-256 function of bytes (this module's `sha256` is passed in). */
export type HashBytes = (data: Uint8Array) => Uint8Array;

/** One generated value: its bit pattern (as hex) and the double. */
export interface Es6Value {
  /** Lowercase hex of the 64-bit pattern, no leading zeros (`0` for +0). */
  hex: string;
  /** The double. */
  value: number;
}

/** Parses `es6-static-values.txt` (one 16-digit hex pattern per line). */
export function parseStaticValues(text: string): bigint[] {
  const out: bigint[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (!/^[0-9a-fA-F]{16}$/.test(line)) {
      throw new Error(`bad static value line ${JSON.stringify(raw)}`);
    }
    out.push(BigInt("0x" + line));
  }
  return out;
}

const SCRATCH = new DataView(new ArrayBuffer(8));

/** The double with 64-bit pattern `bits`. */
export function bitsToDouble(bits: bigint): number {
  SCRATCH.setBigUint64(0, bits);
  return SCRATCH.getFloat64(0);
}

/** The 64-bit pattern of `d` as lowercase hex without leading zeros. */
export function doubleToHex(d: number): string {
  SCRATCH.setFloat64(0, d);
  return SCRATCH.getBigUint64(0).toString(16);
}

/** The expected serialization: ES6 `Number.prototype.toString`, `-0` → `"0"`. */
export function expectedText(d: number): string {
  return d === 0 ? "0" : String(d);
}

/**
 * The value stream: the static values, 2000 serial values
 * `0x0010000000000000 + i`, then doubles from the iterated SHA-256 block.
 */
export function* es6Values(staticBits: readonly bigint[], hash: HashBytes): Generator<Es6Value> {
  for (const bits of staticBits) yield { hex: bits.toString(16), value: bitsToDouble(bits) };
  for (let i = 0n; i < 2000n; i++) {
    const bits = 0x0010000000000000n + i;
    yield { hex: bits.toString(16), value: bitsToDouble(bits) };
  }
  let block: Uint8Array = new Uint8Array(32);
  for (;;) {
    block = hash(block);
    const view = new DataView(block.buffer, block.byteOffset, 32);
    for (let k = 0; k < 4; k++) {
      const d = view.getFloat64(8 * k, true);
      if (d === 0 || !Number.isFinite(d)) continue;
      yield { hex: view.getBigUint64(8 * k, true).toString(16), value: d };
    }
  }
}

/** The first `n` values of the stream. */
export function takeValues(staticBits: readonly bigint[], hash: HashBytes, n: number): Es6Value[] {
  const out: Es6Value[] = [];
  if (n <= 0) return out;
  for (const v of es6Values(staticBits, hash)) {
    out.push(v);
    if (out.length === n) break;
  }
  return out;
}

/** The test-file line of one value (with its trailing `\n`). */
export function lineOf(v: Es6Value): string {
  return `${v.hex},${expectedText(v.value)}\n`;
}
