/**
 * Byte encodings used on the wire: lowercase hex (how hashes are shown) and
 * standard base64 with padding (how Go's `encoding/json` writes `[]byte`).
 *
 * Uses the built-in `Uint8Array` `toHex`/`toBase64`/`fromHex`/`fromBase64`
 * where the runtime has them, with a small portable fallback otherwise.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const U8 = Uint8Array as any;
const HAS_NATIVE_HEX = typeof U8.prototype.toHex === "function" && typeof U8.fromHex === "function";
const HAS_NATIVE_B64 = typeof U8.prototype.toBase64 === "function" &&
  typeof U8.fromBase64 === "function";

const HEX_DIGITS = "0123456789abcdef";
const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Lowercase hex of `bytes`.
 *
 * @example
 * ```ts
 * import { bytesToHex } from "@aegis/sdk";
 * bytesToHex(new Uint8Array([0, 171, 255])); // "00abff"
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  if (HAS_NATIVE_HEX) return U8.prototype.toHex.call(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  }
  return out;
}

/**
 * Bytes of a hex string (either case, even length).
 *
 * @throws {TypeError} when `hex` is not an even-length hex string.
 * @example
 * ```ts
 * import { hexToBytes } from "@aegis/sdk";
 * hexToBytes("00abff"); // Uint8Array [0, 171, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array {
  if (HAS_NATIVE_HEX && typeof hex === "string") {
    try {
      return U8.fromHex(hex); // strict: even length, hex digits only
    } catch {
      // reported below with this module's message
    }
  }
  if (typeof hex !== "string" || !HEX_RE.test(hex)) {
    throw new TypeError(`expected an even-length hex string, got ${describe(hex)}`);
  }
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Standard base64 with padding, as Go encodes `[]byte` in JSON.
 *
 * @example
 * ```ts
 * import { bytesToBase64 } from "@aegis/sdk";
 * bytesToBase64(new TextEncoder().encode("hi")); // "aGk="
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  if (HAS_NATIVE_B64) return U8.prototype.toBase64.call(bytes);
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64_ALPHABET[n >> 18] + B64_ALPHABET[(n >> 12) & 63] + B64_ALPHABET[(n >> 6) & 63] +
      B64_ALPHABET[n & 63];
  }
  if (i < bytes.length) {
    const rest = bytes.length - i;
    const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    out += B64_ALPHABET[n >> 18] + B64_ALPHABET[(n >> 12) & 63] +
      (rest === 2 ? B64_ALPHABET[(n >> 6) & 63] : "=") + "=";
  }
  return out;
}

/**
 * Bytes of a standard base64 string with padding (the only form Go's
 * `encoding/json` accepts for `[]byte`, apart from unpadded input which Go
 * rejects too).
 *
 * @throws {TypeError} when `b64` is not canonical padded standard base64.
 * @example
 * ```ts
 * import { base64ToBytes } from "@aegis/sdk";
 * base64ToBytes("aGk="); // Uint8Array [104, 105]
 * ```
 */
export function base64ToBytes(b64: string): Uint8Array {
  if (typeof b64 !== "string" || !B64_RE.test(b64)) {
    throw new TypeError(`expected standard padded base64, got ${describe(b64)}`);
  }
  if (HAS_NATIVE_B64) return U8.fromBase64(b64);
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((b64.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < b64.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = b64[i + j];
      n = (n << 6) | (c === "=" ? 0 : B64_ALPHABET.indexOf(c));
    }
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") {
    return value.length > 40 ? JSON.stringify(value.slice(0, 40)) + "…" : JSON.stringify(value);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

const ENCODER = new TextEncoder();
/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as `TextEncoder` does). */
export function utf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}
