/**
 * UTF-8 of text that arrives in chunks (a stream of strings or bytes).
 *
 * @module
 */

const ENCODER = new TextEncoder();

/**
 * UTF-8 of text arriving in chunks: a surrogate pair cut between two
 * string chunks is joined; any other lone surrogate becomes U+FFFD (what
 * `TextEncoder` makes of it). Byte chunks pass through unchanged.
 */
export class Utf8Chunks {
  #high = "";

  /** The UTF-8 bytes of `chunk` that are final now (a trailing high surrogate waits). */
  bytes(chunk: string | Uint8Array): Uint8Array {
    if (typeof chunk !== "string") {
      if (this.#high === "") return chunk;
      const out = new Uint8Array(3 + chunk.length);
      out.set(this.flush());
      out.set(chunk, 3);
      return out;
    }
    let text = this.#high + chunk;
    this.#high = "";
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#high = text.slice(-1);
      text = text.slice(0, -1);
    }
    return ENCODER.encode(text);
  }

  /** What is held back (a lone high surrogate at the very end: U+FFFD). */
  flush(): Uint8Array {
    const out = ENCODER.encode(this.#high);
    this.#high = "";
    return out;
  }
}
