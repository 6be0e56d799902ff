/**
 * Batch sealing: reads unsealed events from a JSONL file, seals them into one
 * hash chain per (tenant, session) in file order, and writes the sealed wire
 * envelopes as JSONL — streaming both ways, so a file of 1,000,000 events
 * needs no more memory than one of a thousand (one small `Builder` per
 * session, one read chunk and one write batch in flight).
 *
 * Input line: `{"tenant_id", "session_id", "user_id"?, "event_type", "payload"?, "ts_unix_ms"?}`
 * (`ts_unix_ms` defaults to now). Lines are read with the SDK's `parseJson`,
 * never `JSON.parse` (see shared/known-issues/v8-json-parse.md: a long-running
 * process that has parsed many similar lines may get escaped keys wrong).
 *
 *     # make a sample input (1,000,000 events over 1,000 sessions)
 *     deno run --allow-write examples/batch_seal.ts generate events.jsonl --count 1000000
 *     # seal it, with progress on stderr
 *     deno run --allow-read --allow-write --allow-env=AEGIS_BACKEND examples/batch_seal.ts seal events.jsonl sealed.jsonl
 *     # audit the output
 *     deno run --allow-read --allow-env=AEGIS_BACKEND examples/audit_chain.ts sealed.jsonl
 *
 * `seal` prints a JSON summary on stdout (events, sessions, seconds, peak RSS).
 *
 * @module
 */

import { backend, Builder, parseJson } from "@aegis/sdk";

/** Splits a byte stream into lines (without the `\n`), decoding UTF-8. */
export async function* readLines(file: string): AsyncGenerator<string> {
  using f = await Deno.open(file);
  let rest = "";
  for await (const chunk of f.readable.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const p of parts) yield p;
  }
  if (rest !== "") yield rest;
}

/** Writes text in large batches (one write per ~1 MiB). */
class BatchWriter {
  #file: Deno.FsFile;
  #parts: string[] = [];
  #size = 0;
  #enc = new TextEncoder();
  constructor(file: Deno.FsFile) {
    this.#file = file;
  }
  async write(line: string): Promise<void> {
    this.#parts.push(line);
    this.#size += line.length;
    if (this.#size >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const bytes = this.#enc.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    for (let off = 0; off < bytes.length;) off += await this.#file.write(bytes.subarray(off));
  }
}

/** Summary of a {@link sealFile} run. */
export interface SealSummary {
  /** Events sealed. */
  events: number;
  /** Distinct sessions (chains). */
  sessions: number;
  /** Backend that sealed them. */
  backend: string;
  /** Wall time, seconds. */
  seconds: number;
  /** Highest resident set size seen, MiB. */
  peakRssMiB: number;
}

function str(v: unknown, field: string, line: number): string {
  if (typeof v !== "string" || v === "") {
    throw new TypeError(`line ${line}: ${field} must be a non-empty string`);
  }
  return v;
}

/**
 * Seals every event of `input` (JSONL) into `output` (JSONL of wire
 * envelopes), reporting progress through `progress` every `every` events.
 *
 * @example
 * ```ts ignore
 * const s = await sealFile("events.jsonl", "sealed.jsonl", (n) => console.error(n));
 * console.log(`${s.events} events in ${s.sessions} chains`);
 * ```
 */
export async function sealFile(
  input: string,
  output: string,
  progress: (events: number, elapsedS: number) => void = () => {},
  every = 100_000,
): Promise<SealSummary> {
  const t0 = performance.now();
  const builders = new Map<string, { builder: Builder; ts: number }>();
  using out = await Deno.open(output, { write: true, create: true, truncate: true });
  const writer = new BatchWriter(out);
  let events = 0;
  let lineNo = 0;
  let peak = Deno.memoryUsage().rss;
  for await (const line of readLines(input)) {
    lineNo++;
    if (line.trim() === "") continue;
    const ev = parseJson(line) as Record<string, unknown>;
    if (typeof ev !== "object" || ev === null || Array.isArray(ev)) {
      throw new TypeError(`line ${lineNo}: not a JSON object`);
    }
    const tenantId = str(ev.tenant_id, "tenant_id", lineNo);
    const sessionId = str(ev.session_id, "session_id", lineNo);
    const key = `${tenantId}\u0000${sessionId}`;
    let s = builders.get(key);
    if (!s) {
      const state = { builder: null as unknown as Builder, ts: 0 };
      state.builder = new Builder({
        tenantId,
        sessionId,
        userId: typeof ev.user_id === "string" ? ev.user_id : "",
        clock: () => state.ts,
      });
      builders.set(key, s = state);
    }
    s.ts = typeof ev.ts_unix_ms === "number" && ev.ts_unix_ms > 0 ? ev.ts_unix_ms : Date.now();
    const sealed = s.builder.append(str(ev.event_type, "event_type", lineNo), ev.payload);
    await writer.write(sealed.toWireText() + "\n");
    events++;
    if (events % every === 0) {
      peak = Math.max(peak, Deno.memoryUsage().rss);
      progress(events, (performance.now() - t0) / 1000);
    }
  }
  await writer.flush();
  peak = Math.max(peak, Deno.memoryUsage().rss);
  return {
    events,
    sessions: builders.size,
    backend: backend(),
    seconds: Math.round((performance.now() - t0) / 10) / 100,
    peakRssMiB: Math.round(peak / 2 ** 20),
  };
}

/**
 * Writes `count` synthetic events over `sessions` sessions (interleaved, as a
 * multi-tenant export would be) to `file`, streaming.
 *
 * @example
 * ```ts ignore
 * await generate("events.jsonl", 1_000_000, 1_000);
 * ```
 */
export async function generate(file: string, count: number, sessions: number): Promise<void> {
  using out = await Deno.open(file, { write: true, create: true, truncate: true });
  const writer = new BatchWriter(out);
  const types = ["MODEL_CALL_STARTED", "TOOL_CALL_PROPOSED", "TOOL_RESULT", "MODEL_CALL_FINISHED"];
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length];
    const payload = type === "TOOL_CALL_PROPOSED"
      ? {
        tool_name: "read_file",
        call_id: `t${i}`,
        args: { path: `/data/${i % 97}.csv`, cmd: "cat a && wc -l" },
      }
      : type === "TOOL_RESULT"
      ? { call_id: `t${i - 1}`, result: `row ${i}: München <ok> ${i * 0.5}` }
      : { model_id: "gpt-4o", call_id: `m${i}`, temperature: 0.2 };
    const line = JSON.stringify({
      tenant_id: `tenant-${i % 3}`,
      session_id: `batch-${i % sessions}`,
      user_id: "batch",
      event_type: type,
      payload,
      ts_unix_ms: 1_700_000_000_000 + i,
    });
    await writer.write(line + "\n");
  }
  await writer.flush();
}

if (import.meta.main) {
  const [cmd, a, b] = Deno.args;
  const opt = (name: string, def: number) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Number(Deno.args[i + 1]) : def;
  };
  if (cmd === "generate" && a) {
    await generate(a, opt("--count", 1_000_000), opt("--sessions", 1_000));
  } else if (cmd === "seal" && a && b) {
    const summary = await sealFile(
      a,
      b,
      (n, s) => console.error(`sealed ${n.toLocaleString("en")} events (${Math.round(n / s)}/s)`),
      opt("--progress-every", 100_000),
    );
    console.log(JSON.stringify(summary));
  } else {
    console.error(
      "usage: batch_seal.ts generate <out.jsonl> [--count N] [--sessions N]\n" +
        "       batch_seal.ts seal <in.jsonl> <out.jsonl> [--progress-every N]",
    );
    Deno.exit(2);
  }
}
