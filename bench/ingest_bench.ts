/**
 * Ingest throughput of the reference ledger: events/s through HTTP on
 * loopback (`AegisClient.appendEvent` → `POST /v1/events` → hash verified →
 * compare-and-set append), with the in-memory and the Deno KV stores.
 *
 * The server runs as a separate `deno run src/cli.ts serve` process, as it
 * would in use; envelopes are sealed before the clock starts, so the figures
 * are the ledger's (and the HTTP stack's), not the builder's. Payloads are
 * the shared "agent-mix" workload (`shared/bench/workload.mjs`, mean
 * canonical envelope 733 B).
 *
 *     deno task bench:ingest [--events 5000] [--sessions 8]
 *
 * @module
 */

import { AegisClient, Builder, type Envelope } from "../mod.ts";
import { createLedgerHandler } from "../src/ledger/handler.ts";
import { MemoryStore } from "../src/ledger/memory_store.ts";
import { workload } from "../../shared/bench/workload.mjs";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

const EVENTS = arg("events", 5000);
const SESSIONS = arg("sessions", 8);
const CLI = new URL("../src/cli.ts", import.meta.url).pathname;

function sealSession(sessionId: string, n: number, seed: number): Envelope[] {
  let ts = 1_700_000_000_000;
  const b = new Builder({ tenantId: "bench", userId: "u", sessionId, clock: () => (ts += 37) });
  return (workload(n, seed) as [string, unknown][]).map(([type, payload]) =>
    b.append(type, payload)
  );
}

async function startServer(store: "memory" | "kv", dir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--unstable-kv",
      CLI,
      "serve",
      "--port",
      "0",
      ...(store === "memory" ? ["--memory"] : ["--db", `${dir}/bench.kv`]),
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!/listening on (http:\S+)/.test(banner)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server did not start: ${banner}`);
    banner += value;
  }
  reader.releaseLock();
  const url = /listening on (http:\S+)/.exec(banner)![1];
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await child.stderr.cancel().catch(() => {});
    },
  };
}

async function appendAll(client: AegisClient, chains: Envelope[][]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(chains.map(async (chain) => {
    for (const env of chain) await client.appendEvent(env);
  }));
  return performance.now() - t0;
}

interface Row {
  store: string;
  transport: string;
  sessions: number;
  events: number;
  ms: number;
  bytes: number;
}

const rows: Row[] = [];
const enc = new TextEncoder();
const wireBytes = (chains: Envelope[][]) =>
  chains.reduce((a, c) => a + c.reduce((b, e) => b + enc.encode(e.toWireText()).length, 0), 0);

let round = 0;
for (const store of ["memory", "kv"] as const) {
  for (const sessions of [1, SESSIONS]) {
    const per = Math.floor(EVENTS / sessions);
    const chains = Array.from(
      { length: sessions },
      (_, s) => sealSession(`s${round}-${s}`, per, 42 + s),
    );
    round++;
    const dir = await Deno.makeTempDir({ prefix: "aegis-bench-" });
    const server = await startServer(store, dir);
    try {
      const client = new AegisClient(server.url);
      // Warm-up: a short session of its own.
      await appendAll(client, [sealSession(`warm${round}`, 200, 7)]);
      const ms = await appendAll(client, chains);
      const v = await client.verifyChain("bench", chains[0][0].sessionId);
      if (!v.valid) throw new Error(`chain invalid after ingest: ${v.error}`);
      rows.push({
        store,
        transport: "HTTP loopback, server process",
        sessions,
        events: per * sessions,
        ms,
        bytes: wireBytes(chains),
      });
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  }
}

// Reference: the handler called directly (no sockets), in-memory store.
{
  const chains = [sealSession("direct", EVENTS, 42)];
  const handler = createLedgerHandler(new MemoryStore());
  const client = new AegisClient("http://ledger", {
    fetch: (input, init) => handler(new Request(input, init)),
  });
  const ms = await appendAll(client, chains);
  rows.push({
    store: "memory",
    transport: "handler in-process (no HTTP)",
    sessions: 1,
    events: EVENTS,
    ms,
    bytes: wireBytes(chains),
  });
}

const cores = navigator.hardwareConcurrency;
console.log(
  `ingest: Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), ${Deno.build.os}/${Deno.build.arch}, ${cores} cores; ` +
    `agent-mix workload, ${EVENTS} events per row`,
);
console.log("");
console.log("| store | transport | sessions in parallel | events | events/s | MB/s (wire) |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.store} | ${r.transport} | ${r.sessions} | ${r.events} | ${
      Math.round(r.events / (r.ms / 1000))
    } | ${(r.bytes / 1e6 / (r.ms / 1000)).toFixed(2)} |`,
  );
}
