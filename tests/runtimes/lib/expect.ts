/**
 * What every runtime's probe report must contain, computed here (in Deno,
 * test-side) from the vector files alone, and the assertion that compares.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadProbeVectors, type ProbeReport, type ProbeVectors } from "../probe/vectors_probe.ts";

const VECTORS = new URL("../../../../shared/vectors/", import.meta.url);

/** Absolute path of the vectors directory (for runtimes that read the files themselves). */
export const VECTORS_DIR: string = VECTORS.pathname;
/** Every vector file the probe uses, read here (sent to runtimes that cannot read files). */
export const PROBE_VECTORS: ProbeVectors = await loadProbeVectors((p) =>
  Deno.readTextFile(new URL(p, VECTORS))
);

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
  "canonicalized" | "sealed" | "sealedHashes" | "builtHashes" | "verified" | "failures"
> {
  const env = records(PROBE_VECTORS.envelopes);
  const chains = records(PROBE_VECTORS.chains);
  const randomLines = PROBE_VECTORS.rfc8785Random.trim().split("\n").length;
  const verified: ProbeReport["verified"] = {};
  for (const v of chains) {
    const k = sessionOf(v.wire);
    verified[k] ??= { valid: true, firstBadSeq: null, checked: 0 };
    verified[k].checked++;
  }
  return {
    canonicalized: 2 * (PROBE_VECTORS.rfc8785.length + randomLines),
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
  assert.equal(report.canonicalized, want.canonicalized, `${report.runtime}: texts canonicalized`);
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

/** What the compat table says a probe run checked. */
export function probeChecks(): string {
  const want = expectedReport();
  return `${want.canonicalized} RFC 8785 texts, ${want.sealed} envelopes, ${
    Object.keys(want.verified).length
  } chains`;
}
