/**
 * A JSON text reader that never calls `JSON.parse` (see
 * `shared/known-issues/v8-json-parse.md`): it either re-emits the text in a
 * canonical profile, or builds plain JavaScript values.
 *
 * Error rules (the WebAssembly core follows the same, so both backends
 * report the same code at the same byte offset):
 * - a `Uint8Array` input is UTF-8-validated first; the offset of the first
 *   ill-formed sequence wins over any later problem; a string input with a
 *   lone surrogate is `INVALID_UTF8` at that character's UTF-8 offset;
 * - otherwise the first problem met reading left to right, with duplicate
 *   keys checked when their object closes (offset: the earliest repeated
 *   key's opening quote);
 * - escapes: any malformed escape (bad letter, bad hex, input ending inside
 *   it) is `INVALID_ESCAPE` at its backslash; a high-surrogate escape not
 *   followed by a low-surrogate `\uXXXX` escape, or a lone low-surrogate
 *   escape, is `LONE_SURROGATE` at its backslash;
 * - numbers: a missing digit is `INVALID_NUMBER` at the number's first
 *   character; a value beyond ±1.7976931348623157e308 is
 *   `NUMBER_OUT_OF_RANGE` there; literals that do not match are
 *   `UNEXPECTED_CHAR` at their first character;
 * - an opening bracket that makes nesting deeper than 1000 is `TOO_DEEP`.
 *
 * @module
 */

import { JsonErrorCode as E, JsonSyntaxError, MAX_DEPTH } from "./errors.ts";
import type { JsonErrorCode } from "./errors.ts";
import { formatNumber } from "./number.ts";
import type { CanonicalProfile } from "./profile.ts";
import { compareCodePoints, compareCodeUnits, isWellFormed, quoteString } from "./string.ts";

const FATAL_DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Length of the longest well-formed UTF-8 prefix of `b` (Rust's `valid_up_to`). */
export function utf8ValidUpTo(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= n) return i;
    const b1 = b[i + 1];
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const x = b[i + k];
      if (x < 0x80 || x > 0xbf) return i;
    }
    i += need + 1;
  }
  return n;
}

/** UTF-8 length of `s[0, end)` (a lone surrogate counts 3, as `TextEncoder` writes U+FFFD). */
function utf8Length(s: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Decodes and validates a JSON text input into a string. */
export function decodeJsonInput(input: string | Uint8Array): string {
  if (typeof input === "string") {
    if (!isWellFormed(input)) {
      const m = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(
        input,
      );
      throw new JsonSyntaxError(E.INVALID_UTF8, utf8Length(input, m ? m.index : 0));
    }
    return input;
  }
  if (!(input instanceof Uint8Array)) {
    throw new TypeError(`expected a JSON text as string or Uint8Array, got ${typeof input}`);
  }
  try {
    return FATAL_DECODER.decode(input);
  } catch {
    throw new JsonSyntaxError(E.INVALID_UTF8, utf8ValidUpTo(input));
  }
}

interface Entry {
  key: string;
  off: number;
  val: string;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Recursive-descent reader over a decoded JSON text. */
export class JsonReader {
  readonly src: string;
  pos = 0;
  depth = 0;

  constructor(src: string) {
    this.src = src;
  }

  fail(code: JsonErrorCode, at: number): never {
    throw new JsonSyntaxError(code, utf8Length(this.src, at));
  }

  ws(): void {
    const s = this.src;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  /** Fails with END at the end of input, otherwise with UNEXPECTED_CHAR at `pos`. */
  unexpected(): never {
    return this.pos >= this.src.length
      ? this.fail(E.UNEXPECTED_END, this.src.length)
      : this.fail(E.UNEXPECTED_CHAR, this.pos);
  }

  /** After the root value: only whitespace may follow. */
  end(): void {
    this.ws();
    if (this.pos < this.src.length) this.fail(E.TRAILING_DATA, this.pos);
  }

  /** Reads a string literal at `pos` (which holds `"`) and returns its decoded value. */
  string(): string {
    const s = this.src;
    let p = this.pos + 1;
    let out = "";
    let run = p;
    for (;;) {
      if (p >= s.length) this.fail(E.UNEXPECTED_END, s.length);
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return out + s.slice(run, p);
      }
      if (c < 0x20) this.fail(E.CONTROL_CHAR, p);
      if (c !== 92) {
        p++;
        continue;
      }
      out += s.slice(run, p);
      const bs = p;
      const e = s.charCodeAt(p + 1);
      switch (e) {
        case 34:
          out += '"';
          break;
        case 92:
          out += "\\";
          break;
        case 47:
          out += "/";
          break;
        case 98:
          out += "\b";
          break;
        case 102:
          out += "\f";
          break;
        case 110:
          out += "\n";
          break;
        case 114:
          out += "\r";
          break;
        case 116:
          out += "\t";
          break;
        case 117: {
          const u = this.hex4(bs);
          if (u >= 0xdc00 && u <= 0xdfff) this.fail(E.LONE_SURROGATE, bs);
          if (u >= 0xd800 && u <= 0xdbff) {
            const lo = s.charCodeAt(bs + 6) === 92 && s.charCodeAt(bs + 7) === 117 &&
                isHex(s.charCodeAt(bs + 8)) && isHex(s.charCodeAt(bs + 9)) &&
                isHex(s.charCodeAt(bs + 10)) && isHex(s.charCodeAt(bs + 11))
              ? parseInt(s.slice(bs + 8, bs + 12), 16)
              : -1;
            if (lo < 0xdc00 || lo > 0xdfff) this.fail(E.LONE_SURROGATE, bs);
            out += String.fromCharCode(u, lo);
            p = bs + 12;
            run = p;
            continue;
          }
          out += String.fromCharCode(u);
          p = bs + 6;
          run = p;
          continue;
        }
        default:
          this.fail(E.INVALID_ESCAPE, bs);
      }
      p = bs + 2;
      run = p;
    }
  }

  hex4(bs: number): number {
    const s = this.src;
    for (let k = 2; k < 6; k++) {
      if (!isHex(s.charCodeAt(bs + k))) this.fail(E.INVALID_ESCAPE, bs);
    }
    return parseInt(s.slice(bs + 2, bs + 6), 16);
  }

  /** Reads a number at `pos` and returns its double value. */
  number(): number {
    const s = this.src;
    const start = this.pos;
    let p = start;
    if (s.charCodeAt(p) === 45) p++;
    let c = s.charCodeAt(p);
    if (c === 48) p++;
    else if (c >= 49 && c <= 57) {
      do p++; while ((c = s.charCodeAt(p)) >= 48 && c <= 57);
    } else this.fail(E.INVALID_NUMBER, start);
    if (s.charCodeAt(p) === 46) {
      p++;
      c = s.charCodeAt(p);
      if (!(c >= 48 && c <= 57)) this.fail(E.INVALID_NUMBER, start);
      do p++; while ((c = s.charCodeAt(p)) >= 48 && c <= 57);
    }
    c = s.charCodeAt(p);
    if (c === 101 || c === 69) {
      p++;
      c = s.charCodeAt(p);
      if (c === 43 || c === 45) c = s.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) this.fail(E.INVALID_NUMBER, start);
      do p++; while ((c = s.charCodeAt(p)) >= 48 && c <= 57);
    }
    const n = Number(s.slice(start, p));
    if (!Number.isFinite(n)) this.fail(E.NUMBER_OUT_OF_RANGE, start);
    this.pos = p;
    return n;
  }

  literal(word: string): void {
    if (!this.src.startsWith(word, this.pos)) this.fail(E.UNEXPECTED_CHAR, this.pos);
    this.pos += word.length;
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(E.TOO_DEEP, this.pos);
    this.pos++;
    this.ws();
  }

  /** After a member/element: consumes `,` (returns true) or the closing `close` (false). */
  next(close: number): boolean {
    this.ws();
    const c = this.src.charCodeAt(this.pos);
    if (c === 44) {
      this.pos++;
      this.ws();
      return true;
    }
    if (c === close) {
      this.pos++;
      this.depth--;
      return false;
    }
    return this.unexpected();
  }

  /** Reads `"key"` + `:` at `pos`; returns the decoded key. */
  key(): string {
    if (this.src.charCodeAt(this.pos) !== 34) this.unexpected();
    const k = this.string();
    this.ws();
    if (this.src.charCodeAt(this.pos) !== 58) this.unexpected();
    this.pos++;
    this.ws();
    return k;
  }

  // ---- canonical re-emission ----

  /** Canonical text of the value at `pos`. */
  canon(profile: CanonicalProfile): string {
    const c = this.src.charCodeAt(this.pos);
    switch (c) {
      case 123:
        return this.canonObject(profile);
      case 91: {
        this.enter();
        if (this.src.charCodeAt(this.pos) === 93) {
          this.pos++;
          this.depth--;
          return "[]";
        }
        let out = "[" + this.canon(profile);
        while (this.next(93)) out += "," + this.canon(profile);
        return out + "]";
      }
      case 34:
        return quoteString(this.string(), profile);
      case 116:
        this.literal("true");
        return "true";
      case 102:
        this.literal("false");
        return "false";
      case 110:
        this.literal("null");
        return "null";
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return formatNumber(this.number(), profile);
        return this.unexpected();
    }
  }

  canonObject(profile: CanonicalProfile): string {
    this.enter();
    if (this.src.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.depth--;
      return "{}";
    }
    const entries: Entry[] = [];
    do {
      const off = this.pos;
      const key = this.key();
      entries.push({ key, off, val: this.canon(profile) });
    } while (this.next(125));
    if (entries.length > 1) {
      const cmp = profile === "aegisd" ? compareCodePoints : compareCodeUnits;
      entries.sort((a, b) => cmp(a.key, b.key));
      let dup = -1;
      for (let i = 1; i < entries.length; i++) {
        if (entries[i].key === entries[i - 1].key) {
          const later = Math.max(entries[i].off, entries[i - 1].off);
          if (dup < 0 || later < dup) dup = later;
        }
      }
      if (dup >= 0) this.fail(E.DUPLICATE_KEY, dup);
    }
    let out = "{";
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      out += (i ? "," : "") + quoteString(e.key, profile) + ":" + e.val;
    }
    return out + "}";
  }

  // ---- plain values ----

  /** The JavaScript value at `pos`. */
  value(): unknown {
    const c = this.src.charCodeAt(this.pos);
    switch (c) {
      case 123: {
        this.enter();
        const obj: Record<string, unknown> = {};
        if (this.src.charCodeAt(this.pos) === 125) {
          this.pos++;
          this.depth--;
          return obj;
        }
        let dup = -1;
        do {
          const off = this.pos;
          const key = this.key();
          const v = this.value();
          if (Object.hasOwn(obj, key)) {
            if (dup < 0) dup = off;
          } else if (key === "__proto__") {
            Object.defineProperty(obj, key, {
              value: v,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          } else obj[key] = v;
        } while (this.next(125));
        if (dup >= 0) this.fail(E.DUPLICATE_KEY, dup);
        return obj;
      }
      case 91: {
        this.enter();
        const arr: unknown[] = [];
        if (this.src.charCodeAt(this.pos) === 93) {
          this.pos++;
          this.depth--;
          return arr;
        }
        do arr.push(this.value()); while (this.next(93));
        return arr;
      }
      case 34:
        return this.string();
      case 116:
        this.literal("true");
        return true;
      case 102:
        this.literal("false");
        return false;
      case 110:
        this.literal("null");
        return null;
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        return this.unexpected();
    }
  }
}
