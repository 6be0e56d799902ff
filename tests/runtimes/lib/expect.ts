/**
 * What every runtime's probe report must contain, computed here (in Deno,
 * test-side) from the vector files alone, and the assertion that compares.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ProbeReport } from "../probe/vectors_probe.ts";

const VECTORS = new URL("../../../../shared/vectors/", import.meta.url);

/** Text of `shared/vectors/aegisd-envelopes.jsonl`. */
export const ENVELOPES_JSONL: string = Deno.readTextFileSync(
  new URL("aegisd-envelopes.jsonl", VECTORS),
);
/** Text of `shared/vectors/aegisd-chains.jsonl`. */
export const CHAINS_JSONL: string = Deno.readTextFileSync(new URL("aegisd-chains.jsonl", VECTORS));
/** Absolute path of the vectors directory (for runtimes that read the files themselves). */
export const VECTORS_DIR: string = VECTORS.pathname;

interface Vector {
  wire: string;
  hash: string;
}

function records(text: string): Vector[] {
  return text.trim().split("\n").map((l) => JSON.parse(l) as Vector);
}

function sessionOf(wire: string): string {
  const w = JSON.parse(wire) as { tenant_id: string; session_id: string };
  return `${w.tenant_id}/${w.session_id}`;
}

/** The expected report fields (everything but runtime, backend and timing). */
export function expectedReport(): Pick<
  ProbeReport,
  "sealed" | "sealedHashes" | "builtHashes" | "verified" | "failures"
> {
  const env = records(ENVELOPES_JSONL);
  const chains = records(CHAINS_JSONL);
  const verified: ProbeReport["verified"] = {};
  for (const v of chains) {
    const k = sessionOf(v.wire);
    verified[k] ??= { valid: true, firstBadSeq: null, checked: 0 };
    verified[k].checked++;
  }
  return {
    sealed: env.length + chains.length,
    sealedHashes: [...env, ...chains].map((v) => v.hash),
    builtHashes: chains.map((v) => v.hash),
    verified,
    failures: [],
  };
}

/**
 * Asserts that a probe report agrees with the vectors and ran on `backend`.
 * The tampered event must be the one named.
 */
export function assertReport(report: ProbeReport, backend: "wasm" | "ts"): void {
  const want = expectedReport();
  assert.deepEqual(report.failures, [], `${report.runtime}: probe failures`);
  assert.equal(report.sealed, want.sealed, `${report.runtime}: lines sealed`);
  assert.deepEqual(report.sealedHashes, want.sealedHashes, `${report.runtime}: sealed hashes`);
  assert.deepEqual(report.builtHashes, want.builtHashes, `${report.runtime}: Builder hashes`);
  assert.deepEqual(report.verified, want.verified, `${report.runtime}: verifyChain`);
  assert.equal(report.tampered.valid, false, `${report.runtime}: tampering not detected`);
  assert.equal(report.tampered.firstBadSeq, report.tampered.seq, `${report.runtime}: tamper seq`);
  assert.deepEqual(
    report.backend,
    { before: backend, after: backend },
    `${report.runtime}: backend`,
  );
}
