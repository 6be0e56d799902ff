/**
 * Streaming verification of a JSONL export: newline-separated wire
 * envelopes (aegisd `POST /v1/events` bodies, one per line) holding any
 * number of sessions, checked as one hash chain per tenant/session in
 * constant memory.
 *
 * With the WebAssembly core active, the core reads and hashes the records
 * (`JsonlSessionVerifier` in `src/wasm/core.ts`); otherwise a pure
 * TypeScript reader does, with the same verdicts word for word. Neither
 * path uses `JSON.parse` (see `Envelope.parse`).
 *
 * @module
 */

import { accelerator } from "./backend.ts";
import { Utf8Chunks } from "./utf8_chunks.ts";
import { Envelope } from "./envelope.ts";
import { type ChainVerification, verifyChain } from "./verify.ts";
import { JsonlSessionVerifier, WasmCore } from "./wasm/core.ts";

export type { ChainVerification } from "./verify.ts";

/**
 * One session's verdict from {@link verifyJsonl}: `verifyChain`'s result
 * for that session's records, in file order, plus the session's name.
 */
export interface SessionVerification extends ChainVerification {
  /**
   * The session's tenant, or `null` for the entry that collects lines which
   * could not be read before any record named a session.
   */
  tenantId: string | null;
  /** The session's id (`null` as for `tenantId`). */
  sessionId: string | null;
}

/**
 * What {@link verifyJsonl} reads: the whole export as a string or UTF-8
 * bytes, or a stream of it in chunks of bytes or of text (e.g. through a
 * `TextDecoderStream`).
 */
export type JsonlSource =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array>
  | ReadableStream<string>;

/** Largest piece handed to a reader at once: bounds the copy into the WASM arena. */
const SLICE = 1 << 16;

/** A per-session JSONL verifier fed UTF-8 bytes cut anywhere. */
interface Sink {
  push(chunk: Uint8Array): void;
  finish(): SessionVerification[];
}

/**
 * Verifies a JSONL export of any number of sessions: one hash chain per
 * tenant/session, each checked from seq 0 with `verifyChain`'s rules and
 * words (readable envelope, seq, `prev_hash` linkage, sealed, recomputed
 * hash). Reads a string, bytes, or a `ReadableStream<Uint8Array>` (cut
 * anywhere, even inside a UTF-8 character) in constant memory: one line at
 * a time plus a few numbers per session.
 *
 * Results come one per session in order of first appearance. A session's
 * first failure is its verdict and its later records are skipped; the
 * other sessions go on. Blank lines (spaces, tabs, `\r`) are ignored, so
 * CRLF files read like LF files. A line that cannot be read (malformed
 * JSON, invalid UTF-8, wrong field types) fails the session whose record
 * came last — or, before any readable record, an entry with `tenantId` and
 * `sessionId` `null`. A line of valid JSON that carries another tenant or
 * session simply starts or continues that session's chain.
 *
 * Uses the WebAssembly core when it is the active backend, the pure
 * TypeScript reader otherwise; both give identical results.
 *
 * @param source the export: a string, UTF-8 bytes, or a byte stream.
 * @returns every session's verdict; `[]` for an empty or blank export.
 * @throws {TypeError} (as a rejection) when `source` is none of these.
 * @example
 * ```ts
 * import { Builder, verifyJsonl } from "@aegis/sdk";
 * const a = new Builder({ tenantId: "acme", sessionId: "a" });
 * const b = new Builder({ tenantId: "acme", sessionId: "b" });
 * const lines = [
 *   a.append("MODEL_CALL_STARTED", { n: 1 }),
 *   b.append("MODEL_CALL_STARTED", { n: 2 }),
 *   a.append("TERMINATION"),
 * ].map((e) => e.toWireText());
 *
 * const ok = await verifyJsonl(lines.join("\n") + "\n");
 * console.log(ok.map((s) => [s.sessionId, s.valid, s.checked])); // [["a", true, 2], ["b", true, 1]]
 *
 * // A stream works the same way, e.g. `(await Deno.open("export.jsonl")).readable`.
 * const stream = new Blob([lines[0] + "\n" + lines[2]]).stream();
 * const [r] = await verifyJsonl(stream);
 * console.log(r.valid, r.firstBadSeq, r.checked); // true null 2
 *
 * const dropped = await verifyJsonl(lines[2]); // seq 0 of session a is missing
 * console.log(dropped[0].error); // "seq gap: expected seq 0, found 1 (event 0 is missing)"
 * ```
 */
export async function verifyJsonl(source: JsonlSource): Promise<SessionVerification[]> {
  const stream = typeof source === "object" && source !== null &&
      typeof (source as ReadableStream).getReader === "function"
    ? source as ReadableStream<Uint8Array | string>
    : null;
  if (typeof source !== "string" && !(source instanceof Uint8Array) && stream === null) {
    throw new TypeError("verifyJsonl: expected a string, a Uint8Array or a ReadableStream");
  }
  // The backend is chosen once, so a whole export is read by one reader.
  const acc = accelerator();
  const sink: Sink = acc instanceof WasmCore
    ? new LineByLine(new JsonlSessionVerifier(acc))
    : new TsSessionVerifier();
  const utf8 = new Utf8Chunks();
  // Pieces of at most SLICE units bound what a reader holds at once (the
  // WASM arena grows to the largest piece); lines and characters cut
  // between pieces are joined again.
  const feed = (chunk: string | Uint8Array) => {
    for (let i = 0; i < chunk.length; i += SLICE) {
      sink.push(utf8.bytes(
        typeof chunk === "string" ? chunk.slice(i, i + SLICE) : chunk.subarray(i, i + SLICE),
      ));
    }
  };
  if (stream === null) feed(source as string | Uint8Array);
  else {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (typeof value !== "string" && !(value instanceof Uint8Array)) {
          throw new TypeError(
            `verifyJsonl: the stream yielded ${typeof value}, not a Uint8Array or a string`,
          );
        }
        feed(value);
      }
    } catch (err) {
      await reader.cancel(err).catch(() => {});
      throw err;
    } finally {
      reader.releaseLock();
    }
  }
  const rest = utf8.flush();
  if (rest.length) sink.push(rest);
  return sink.finish();
}

/**
 * Hands the WASM verifier runs of whole lines. The core reads records in
 * batches of up to 64 (hashed four at a time) and, at a record of another
 * session, stops and is called again on the rest of its input, which it
 * copies again; with interleaved sessions a large piece then costs ~30× more
 * per record (measured: 134 µs/event round-robin over 4 sessions vs 4.5 µs
 * for one session). So runs grow while the core reads them through (1, 2,
 * 4 … 64 lines: one session's records reach the 4-lane hashing) and fall
 * back to one line at its first stop (interleaved sessions cost what line
 * by line costs).
 */
class LineByLine implements Sink {
  readonly #v: JsonlSessionVerifier;
  #run = 1;

  constructor(v: JsonlSessionVerifier) {
    this.#v = v;
  }

  push(bytes: Uint8Array): void {
    let start = 0;
    for (;;) {
      let end = start;
      let lines = 0;
      while (lines < this.#run) {
        const nl = bytes.indexOf(10, end);
        if (nl < 0) break;
        end = nl + 1;
        lines++;
      }
      if (lines === 0) break;
      const stops = this.#v.stops;
      this.#v.push(bytes.subarray(start, end));
      this.#run = this.#v.stops === stops ? Math.min(this.#run * 2, MAX_RUN) : 1;
      start = end;
    }
    // The verifier keeps this piece until its line ends: a copy, as the
    // caller may reuse its buffer.
    if (start < bytes.length) this.#v.push(bytes.slice(start));
  }

  finish(): SessionVerification[] {
    return this.#v.finish();
  }
}

/** Most lines handed to the WASM verifier at once (its batch size). */
const MAX_RUN = 64;

/** One session's chain state in {@link TsSessionVerifier}. */
interface Session {
  tenantId: string | null;
  sessionId: string | null;
  /** The seq the next record must have. */
  nextSeq: number;
  /** Hash (lowercase hex) of the last record checked; `null` before the first. */
  prevHash: string | null;
  /** Records checked so far. */
  checked: number;
  /** The session's verdict once a record failed (later records are skipped). */
  failure: ChainVerification | null;
}

/** JSON whitespace other than the line feed that ends a line. */
function isBlank(b: number): boolean {
  return b === 32 || b === 9 || b === 13 || b === 10;
}

/**
 * The pure TypeScript counterpart of the WASM `JsonlSessionVerifier`, with
 * the same results: lines split on byte 10 across chunks, each record read
 * by `Envelope.parse`, and each checked by `verifyChain` continuing its
 * session's chain (`from` the session's last checked record), so the rules
 * and messages are `verifyChain`'s own.
 */
class TsSessionVerifier implements Sink {
  readonly #sessions = new Map<string, Session>();
  /** The session of the last readable record; unreadable lines fail it. */
  #current: Session | null = null;
  /** Pieces of the line being read (a chunk ended inside it). */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  push(bytes: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(10, start);
      if (nl < 0) break;
      this.#line(this.#join(bytes.subarray(start, nl)));
      start = nl + 1;
    }
    // The caller may reuse its buffer: keep a copy of the unfinished line.
    if (start < bytes.length) this.#keep(bytes.slice(start));
  }

  finish(): SessionVerification[] {
    if (this.#partsLength > 0) this.#line(this.#join(new Uint8Array(0)));
    const out: SessionVerification[] = [];
    for (const s of this.#sessions.values()) {
      out.push({
        tenantId: s.tenantId,
        sessionId: s.sessionId,
        ...(s.failure ?? { valid: true, firstBadSeq: null, error: null, checked: s.checked }),
      });
    }
    return out;
  }

  #keep(piece: Uint8Array): void {
    this.#parts.push(piece);
    this.#partsLength += piece.length;
  }

  /** The line made of the kept pieces and `tail`. */
  #join(tail: Uint8Array): Uint8Array {
    if (this.#parts.length === 0) return tail;
    const line = new Uint8Array(this.#partsLength + tail.length);
    let at = 0;
    for (const p of this.#parts) {
      line.set(p, at);
      at += p.length;
    }
    line.set(tail, at);
    this.#parts = [];
    this.#partsLength = 0;
    return line;
  }

  /** Verifies one line (without its line feed). */
  #line(line: Uint8Array): void {
    let i = 0;
    while (i < line.length && isBlank(line[i])) i++;
    if (i === line.length) return; // a blank line
    // Error offsets count from the record's first byte, as the WASM path's do.
    const record = line.subarray(i);
    let e: Envelope;
    try {
      e = Envelope.parse(record);
    } catch (err) {
      const s = this.#current ?? this.#session("?", null, null);
      if (s.failure === null) {
        s.failure = {
          valid: false,
          firstBadSeq: s.nextSeq,
          error: `seq ${s.nextSeq}: unreadable envelope: ${(err as Error).message}`,
          checked: s.checked,
        };
      }
      return;
    }
    // Length-prefixed, so no two tenant/session pairs share a key (nor "?").
    const key = `${e.tenantId.length}:${e.tenantId}${e.sessionId}`;
    const s = this.#session(key, e.tenantId, e.sessionId);
    this.#current = s;
    if (s.failure !== null) return; // a failed chain: skipped
    const r = verifyChain(
      [e],
      s.prevHash === null ? undefined : { from: { seq: s.nextSeq - 1, hash: s.prevHash } },
    );
    if (r.valid) {
      s.nextSeq++;
      s.prevHash = e.hash;
      s.checked++;
    } else s.failure = { ...r, checked: s.checked };
  }

  #session(key: string, tenantId: string | null, sessionId: string | null): Session {
    let s = this.#sessions.get(key);
    if (s === undefined) {
      s = { tenantId, sessionId, nextSeq: 0, prevHash: null, checked: 0, failure: null };
      this.#sessions.set(key, s);
    }
    return s;
  }
}
