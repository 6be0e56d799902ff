/**
 * `deno task demo`: starts the reference ledger in-process on a free
 * loopback port, runs the seed's agent example (model call, tool proposal,
 * tool result, termination) through `Builder` + `AegisClient`, prints each
 * event, the snapshot and the verification, then tampers with a stored event
 * and shows verification naming the bad seq. Needs nothing but Deno
 * (`--allow-net=127.0.0.1`).
 *
 * The timestamps are the seed's, so the hashes printed are exactly the ones
 * in `shared/vectors/aegisd-chains.jsonl` (`acme/sess-example`).
 *
 * @module
 */

import { Builder } from "./builder.ts";
import { AegisClient } from "./client.ts";
import { EventType } from "./event_type.ts";
import { verifyChain } from "./verify.ts";
import { MemoryStore } from "./ledger/memory_store.ts";
import type { RunningLedger, ServeLedgerOptions } from "./cli.ts";

/** The seed's `acme/sess-example` walkthrough: `[eventType, payload, tsUnixMs]`. */
export const SEED_EXAMPLE: ReadonlyArray<readonly [string, unknown, number]> = [
  [EventType.MODEL_CALL_STARTED, { model_id: "gpt-4o", call_id: "m1" }, 1700000001000],
  [
    EventType.TOOL_CALL_PROPOSED,
    { tool_name: "read_file", call_id: "t1", args: { path: "/workspace/report.txt" } },
    1700000001050,
  ],
  [
    EventType.TOOL_RESULT,
    { call_id: "t1", result: "Q3 revenue: 4.2M € — up 12% <see appendix> & notes" },
    1700000001400,
  ],
  [EventType.TERMINATION, { reason: "task_complete" }, 1700000001900],
];

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where lines go (default `console.log`). */
  log?: (line: string) => void;
  /** Starts the ledger (default: `serveLedger` from `cli.ts`). */
  serve?: (options: ServeLedgerOptions) => Promise<RunningLedger>;
}

/**
 * Runs the demo, printing to stdout; returns 0 when every step behaved as
 * expected (the tampering was detected at the right seq), 1 otherwise.
 *
 * @example
 * ```ts ignore
 * import { runDemo } from "./src/demo.ts";
 * Deno.exit(await runDemo());
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const log = options.log ?? console.log;
  // Imported lazily: cli.ts imports this module for `aegis demo`, and passes `serve` itself.
  const serve = options.serve ?? (await import("./cli.ts")).serveLedger;
  const store = new MemoryStore();
  const ledger = await serve({ port: 0, store });
  let ok = true;
  try {
    log(`reference ledger listening on ${ledger.url} (in-memory store)\n`);
    const client = new AegisClient(ledger.url);
    log(`health: ${(await client.health()).status}, ready: ${(await client.ready()).status}\n`);

    const tenantId = "acme";
    const sessionId = "sess-example";
    let ts = 0;
    const builder = new Builder({ tenantId, userId: "u1", sessionId, clock: () => ts });
    for (const [type, payload, at] of SEED_EXAMPLE) {
      ts = at;
      const env = builder.append(type, payload);
      const { seq, hash } = await client.appendEvent(env);
      log(`seq ${seq}  ${type.padEnd(19)} ${hash}`);
      log(`       payload ${JSON.stringify(payload)}`);
      if (hash !== env.hash) ok = false;
    }

    const snap = await client.getSnapshot(tenantId, sessionId);
    log(`\nsnapshot: ${JSON.stringify(snap && { ...snap, raw: undefined })}`);

    const verdict = await client.verifyChain(tenantId, sessionId);
    log(`server verification: ${JSON.stringify(verdict)}`);
    const { events } = await client.listEvents({ tenantId, sessionId });
    const offline = verifyChain(events);
    log(`offline verification of the listed events: ${JSON.stringify(offline)}`);
    if (!verdict.valid || !offline.valid) ok = false;

    log(`\ntampering: rewriting the stored TOOL_RESULT (seq 2) behind the ledger's back…`);
    store.tamper(tenantId, sessionId, 2, (e) => ({
      ...e,
      payloadJson: e.payloadJson.replace("4.2M", "9.9M"),
    }));
    const after = await client.verifyChain(tenantId, sessionId);
    log(`server verification: ${JSON.stringify(after)}`);
    const relisted = await client.listEvents({ tenantId, sessionId });
    const offlineAfter = verifyChain(relisted.events);
    log(`offline verification of the listed events: ${JSON.stringify(offlineAfter)}`);
    if (after.valid || after.firstBadSeq !== 2 || offlineAfter.firstBadSeq !== 2) ok = false;
    log(ok ? "\ndemo ok: the tampered event was named" : "\ndemo FAILED: see above");
  } finally {
    await ledger.close();
  }
  return ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await runDemo());
