/**
 * The `aegis` command line (Deno):
 *
 * ```text
 * deno task serve [--port 8080] [--host 127.0.0.1] [--db ./aegis.kv | --memory]
 * deno task demo
 * deno task seal events.jsonl --tenant acme --session sess-1 [--user u1] [--next-seq N --prev-hash HEX] > sealed.jsonl
 * deno task verify export.jsonl
 * ```
 *
 * `seal` reads lines `{"event_type": …, "payload": …}` (optionally
 * `"ts_unix_ms"`) and writes sealed wire envelopes, one per line, to stdout
 * (progress on stderr). `verify` reads wire envelopes (or aegisd listed
 * events) and prints one report line per session; the exit code is 1 when a
 * chain is broken, 2 on a usage error.
 *
 * Also exports {@link serveLedger}, which the demo and the tests use to run
 * the reference ledger on a loopback port.
 *
 * @module
 */

import { parseJson } from "./canon/parse.ts";
import { base64ToBytes } from "./encoding.ts";
import { Builder } from "./builder.ts";
import { Envelope } from "./envelope.ts";
import { verifyChain } from "./verify.ts";
import { createLedgerHandler, type LedgerHandlerOptions } from "./ledger/handler.ts";
import { KvStore } from "./ledger/kv_store.ts";
import { MemoryStore } from "./ledger/memory_store.ts";
import type { LedgerStore } from "./ledger/store.ts";

/** Options of {@link serveLedger}. */
export interface ServeLedgerOptions extends LedgerHandlerOptions {
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  hostname?: string;
  /** The store (default: a new {@link MemoryStore}). */
  store?: LedgerStore;
  /** Print the listening line (default false). */
  announce?: boolean;
}

/** A running ledger server. */
export interface RunningLedger {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Port actually bound. */
  port: number;
  /** The store behind it. */
  store: LedgerStore;
  /** Stops the server and closes the store. */
  close(): Promise<void>;
}

/**
 * Serves the reference ledger with `Deno.serve`.
 *
 * @example
 * ```ts ignore
 * import { serveLedger } from "@aegis/sdk/cli";
 * const ledger = await serveLedger({ port: 0 });
 * console.log(ledger.url); // http://127.0.0.1:54321
 * await ledger.close();
 * ```
 */
export function serveLedger(options: ServeLedgerOptions = {}): Promise<RunningLedger> {
  const store = options.store ?? new MemoryStore();
  const hostname = options.hostname ?? "127.0.0.1";
  const handler = createLedgerHandler(store, {
    onError: options.onError ?? ((e) => console.error("ledger: internal error:", e)),
    maxBodyBytes: options.maxBodyBytes,
    now: options.now,
  });
  return new Promise((resolve) => {
    const server = Deno.serve({
      port: options.port ?? 8080,
      hostname,
      onListen: ({ port }) => {
        const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
        if (options.announce) console.error(`aegis ledger listening on ${url}`);
        resolve({
          url,
          port,
          store,
          close: async () => {
            await server.shutdown();
            await store.close();
          },
        });
      },
    }, handler);
  });
}

// ------------------------------------------------------------------ arguments

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(args: string[], booleans: ReadonlySet<string>): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) flags.set(name, a.slice(eq + 1));
      else if (booleans.has(name)) flags.set(name, true);
      else {
        if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
        flags.set(name, args[++i]);
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

class UsageError extends Error {}

function flag(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function checkFlags(p: Parsed, allowed: string[]): void {
  for (const k of p.flags.keys()) {
    if (!allowed.includes(k)) throw new UsageError(`unknown option --${k}`);
  }
}

const USAGE = `usage: aegis <command>

  serve [--port 8080] [--host 127.0.0.1] [--db ./aegis.kv | --memory]
        run the reference ledger (aegisd-compatible HTTP API)
  demo  start a ledger in-process and walk through the seed's agent example
  seal <events.jsonl|-> --tenant T --session S [--user U] [--next-seq N --prev-hash HEX]
        seal {"event_type","payload"[,"ts_unix_ms"]} lines into wire envelopes on stdout
  verify <export.jsonl|->
        verify every session's chain in a JSONL export; exit 1 when one is broken
`;

// ------------------------------------------------------------------ line I/O

async function* readLines(path: string): AsyncGenerator<string> {
  const stream = path === "-" ? Deno.stdin.readable : (await Deno.open(path)).readable;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let rest = "";
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    let start = 0;
    while ((nl = rest.indexOf("\n", start)) >= 0) {
      yield rest.slice(start, nl);
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}

class Output {
  #parts: string[] = [];
  #size = 0;
  #enc = new TextEncoder();
  constructor(private readonly file: { write(p: Uint8Array): Promise<number> }) {}
  async write(s: string): Promise<void> {
    this.#parts.push(s);
    this.#size += s.length;
    if (this.#size > 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    const bytes = this.#enc.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    for (let o = 0; o < bytes.length;) o += await this.file.write(bytes.subarray(o));
  }
}

// ------------------------------------------------------------------ commands

async function cmdServe(args: string[]): Promise<number> {
  const p = parseArgs(args, new Set(["memory"]));
  checkFlags(p, ["port", "host", "db", "memory"]);
  if (p.positional.length > 0) throw new UsageError(`unexpected argument ${p.positional[0]}`);
  const port = Number(flag(p, "port") ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("bad --port");
  if (p.flags.has("memory") && p.flags.has("db")) {
    throw new UsageError("--db and --memory exclude each other");
  }
  const db = flag(p, "db") ?? "./aegis.kv";
  const store = p.flags.has("memory") ? new MemoryStore() : await KvStore.open(db);
  const ledger = await serveLedger({ port, hostname: flag(p, "host") ?? "127.0.0.1", store });
  console.error(
    `aegis ledger listening on ${ledger.url} (store: ${
      p.flags.has("memory") ? "memory" : `Deno KV ${db}`
    }); Ctrl-C to stop`,
  );
  const stop = Promise.withResolvers<void>();
  const onSignal = () => stop.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSignal);
  await stop.promise;
  await ledger.close();
  return 0;
}

async function cmdSeal(args: string[]): Promise<number> {
  const p = parseArgs(args, new Set());
  checkFlags(p, ["tenant", "session", "user", "next-seq", "prev-hash"]);
  if (p.positional.length !== 1) throw new UsageError("seal needs one input file (or -)");
  const tenantId = flag(p, "tenant");
  const sessionId = flag(p, "session");
  if (!tenantId || !sessionId) throw new UsageError("seal needs --tenant and --session");
  const nextSeq = Number(flag(p, "next-seq") ?? "0");
  let ts = 0;
  let builder: Builder;
  try {
    builder = new Builder({
      tenantId,
      sessionId,
      userId: flag(p, "user") ?? "",
      nextSeq,
      prevHash: flag(p, "prev-hash") ?? null,
      clock: () => ts || Date.now(),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const out = new Output(Deno.stdout);
  const started = performance.now();
  let lastReport = started;
  let lineNo = 0;
  let count = 0;
  for await (const line of readLines(p.positional[0])) {
    lineNo++;
    if (line.trim() === "") continue;
    let item: unknown;
    try {
      item = parseJson(line);
    } catch (e) {
      console.error(`line ${lineNo}: ${(e as Error).message}`);
      await out.flush();
      return 1;
    }
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      console.error(`line ${lineNo}: expected an object {"event_type", "payload"}`);
      await out.flush();
      return 1;
    }
    const o = item as Record<string, unknown>;
    ts = typeof o.ts_unix_ms === "number" ? o.ts_unix_ms : 0;
    try {
      const env = builder.append(o.event_type as string, o.payload);
      await out.write(env.toWireText() + "\n");
    } catch (e) {
      console.error(`line ${lineNo}: ${(e as Error).message}`);
      await out.flush();
      return 1;
    }
    count++;
    const now = performance.now();
    if (now - lastReport > 1000) {
      lastReport = now;
      console.error(`sealed ${count} events (${Math.round(count / ((now - started) / 1000))}/s)`);
    }
  }
  await out.flush();
  const secs = (performance.now() - started) / 1000;
  console.error(
    `sealed ${count} events in ${secs.toFixed(2)} s; next seq ${builder.nextSeq}, last hash ${
      builder.lastHash ?? "-"
    }`,
  );
  return 0;
}

interface SessionCheck {
  tenantId: string;
  sessionId: string;
  count: number;
  last: { seq: number; hash: string } | null;
  bad: { seq: number | null; error: string } | null;
}

/** Decodes one export line: a wire envelope, or an aegisd / ledger listed event. */
function decodeExportLine(line: string): Envelope {
  const v = parseJson(line);
  if (typeof v === "object" && v !== null && !Array.isArray(v) && "TenantID" in v) {
    const o = v as Record<string, unknown>;
    const pj = o.PayloadJSON;
    return new Envelope({
      tenantId: o.TenantID as string,
      userId: typeof o.UserID === "string" ? o.UserID : "",
      sessionId: o.SessionID as string,
      seq: o.Seq as number,
      tsUnixMs: o.TsUnixMs as number,
      eventType: o.EventType as string,
      payload: typeof pj === "string" && pj !== "" ? parseJson(base64ToBytes(pj)) : null,
      prevHash: (o.PrevHash ?? null) as string | null,
      hash: (o.Hash ?? null) as string | null,
    });
  }
  return Envelope.fromJSON(v);
}

async function cmdVerify(args: string[]): Promise<number> {
  const p = parseArgs(args, new Set());
  checkFlags(p, []);
  if (p.positional.length !== 1) throw new UsageError("verify needs one input file (or -)");
  const sessions = new Map<string, SessionCheck>();
  const lineErrors: string[] = [];
  let lineNo = 0;
  for await (const line of readLines(p.positional[0])) {
    lineNo++;
    if (line.trim() === "") continue;
    let env: Envelope;
    try {
      env = decodeExportLine(line);
    } catch (e) {
      lineErrors.push(`line ${lineNo}: unreadable: ${(e as Error).message}`);
      continue;
    }
    const key = `${env.tenantId}\u0000${env.sessionId}`;
    let s = sessions.get(key);
    if (!s) {
      s = { tenantId: env.tenantId, sessionId: env.sessionId, count: 0, last: null, bad: null };
      sessions.set(key, s);
    }
    s.count++;
    if (s.bad) continue;
    if (env.hash === null) {
      s.bad = { seq: env.seq, error: `line ${lineNo}: event is not sealed (no hash)` };
      continue;
    }
    const r = verifyChain([env], s.last ? { from: s.last } : undefined);
    if (r.valid) s.last = { seq: env.seq, hash: env.hash };
    else s.bad = { seq: r.firstBadSeq, error: `line ${lineNo}: ${r.error}` };
  }
  let broken = lineErrors.length;
  for (const e of lineErrors) console.log(`ERROR   ${e}`);
  for (const s of sessions.values()) {
    const name = `${s.tenantId}/${s.sessionId}`;
    if (s.bad) {
      broken++;
      console.log(`BROKEN  ${name}: first bad seq ${s.bad.seq}: ${s.bad.error}`);
    } else {
      console.log(
        `OK      ${name}: ${s.count} events, seq 0..${s.last?.seq}, head ${s.last?.hash}`,
      );
    }
  }
  console.log(
    `${sessions.size} session(s), ${broken === 0 ? "all chains intact" : `${broken} problem(s)`}`,
  );
  return broken === 0 ? 0 : 1;
}

/**
 * Runs the CLI with `args` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./src/cli.ts";
 * Deno.exit(await main(["verify", "export.jsonl"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  try {
    switch (cmd) {
      case "serve":
        return await cmdServe(rest);
      case "seal":
        return await cmdSeal(rest);
      case "verify":
        return await cmdVerify(rest);
      case "demo": {
        const { runDemo } = await import("./demo.ts");
        return await runDemo({ serve: serveLedger });
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`aegis: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof Deno.errors.NotFound) {
      console.error(`aegis: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
