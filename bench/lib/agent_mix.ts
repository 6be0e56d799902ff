/**
 * The agent-mix workload (`shared/bench/workload.mjs`) as chains: the same
 * tenant, user, session and timestamps (`1700000000000 + 37·seq`) as the
 * `bench-42` chain in `shared/vectors/aegisd-chains.jsonl`, so the first 200
 * hashes of a chain built here can be checked against aegisd's.
 *
 * @module
 */

import { workload } from "../../../shared/bench/workload.mjs";
import { Builder, type Envelope } from "../../mod.ts";

/** One workload event: `[eventType, payload]`. */
export type AgentItem = [eventType: string, payload: Record<string, unknown>];

/** Tenant of the benchmark chain. */
export const TENANT = "acme";
/** User of the benchmark chain. */
export const USER = "u1";
/** Session of the benchmark chain. */
export const SESSION = "bench-42";
/** `ts_unix_ms` of seq 0; seq n gets `TS0 + 37·n`. */
export const TS0 = 1700000000000;
/** Milliseconds between consecutive events. */
export const TS_STEP = 37;
/** Events per benchmark chain. */
export const CHAIN_LENGTH = 1000;

/** The first `n` events of the agent-mix workload (seed 42). */
export function agentMix(n: number = CHAIN_LENGTH): AgentItem[] {
  return workload(n) as AgentItem[];
}

/** A Builder for the benchmark session whose clock gives seq n the time `TS0 + 37·n`. */
export function benchBuilder(): Builder {
  let n = 0;
  return new Builder({
    tenantId: TENANT,
    userId: USER,
    sessionId: SESSION,
    clock: () => TS0 + TS_STEP * n++,
  });
}

/** Seals `items` one `append()` at a time and returns the chain. */
export function sealWithAppend(items: readonly AgentItem[]): Envelope[] {
  const b = benchBuilder();
  const out = new Array<Envelope>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = b.append(items[i][0], items[i][1]);
  return out;
}

/** Seals `items` with one `appendBatch()` call and returns the chain. */
export function sealWithAppendBatch(items: readonly AgentItem[]): Envelope[] {
  return benchBuilder().appendBatch(items);
}

/** Total UTF-8 bytes of the chain's canonical (hashed) envelope texts. */
export function canonicalBytes(chain: readonly Envelope[]): number {
  let total = 0;
  for (const e of chain) total += e.canonicalJson().length;
  return total;
}
