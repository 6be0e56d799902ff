/**
 * The vector probe every runtime runs: seals and verifies the shared aegisd
 * vectors with whatever build of the SDK the runtime loaded (`sdk`), and
 * reports what it saw. It never decides pass/fail on its own: the Deno test
 * that started the runtime compares the report with the vector files.
 *
 * Runtime-neutral on purpose (no `Deno.*`, no Node API): it is bundled to
 * plain JavaScript for Node, browsers and workerd, and run as TypeScript by
 * Bun. The vector files' outer records (`{"wire","canonical","hash"}`) are
 * read with `JSON.parse`; the wire bodies inside go through `Envelope.parse`,
 * which never uses it.
 *
 * @module
 */

import type * as Sdk from "../../../mod.ts";

/** The part of the SDK the probe uses. */
export type ProbeSdk = Pick<
  typeof Sdk,
  "Builder" | "Envelope" | "verifyChain" | "backend" | "setBackend"
>;

/** What a runtime reports after running the probe. */
export interface ProbeReport {
  /** Runtime name and version as the runtime states them. */
  runtime: string;
  /** `backend()` before the first seal and after the last verification. */
  backend: { before: string; after: string };
  /** Lines of `aegisd-envelopes.jsonl` + `aegisd-chains.jsonl` sealed one by one. */
  sealed: number;
  /** Hashes computed by `Envelope.parse(wire).seal()`, in file order (envelopes, then chains). */
  sealedHashes: string[];
  /** Hashes of the chains rebuilt with `Builder` (fixed clock), in file order. */
  builtHashes: string[];
  /** `verifyChain` per session (`tenant/session` → result) on the vector hashes. */
  verified: Record<string, { valid: boolean; firstBadSeq: number | null; checked: number }>;
  /** `verifyChain` after changing one payload of the longest chain. */
  tampered: { session: string; seq: number; valid: boolean; firstBadSeq: number | null };
  /** Mismatches found on the way (canonical text, `verify()`), each naming the line. */
  failures: string[];
  /** Time spent, ms. */
  ms: number;
}

interface Vector {
  wire: string;
  canonical: string;
  hash: string;
}

function lines(text: string): Vector[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Vector);
}

/**
 * Runs the probe.
 *
 * @param sdk the SDK as this runtime imported it
 * @param envelopesJsonl text of `vectors/aegisd-envelopes.jsonl`
 * @param chainsJsonl text of `vectors/aegisd-chains.jsonl`
 * @param runtime how the runtime names itself (e.g. `node v20.20.2`)
 * @example
 * ```ts ignore
 * import * as sdk from "../../../mod.ts";
 * const report = runProbe(sdk, envText, chainText, `deno ${Deno.version.deno}`);
 * ```
 */
export function runProbe(
  sdk: ProbeSdk,
  envelopesJsonl: string,
  chainsJsonl: string,
  runtime: string,
): ProbeReport {
  const t0 = Date.now();
  const { Builder, Envelope, verifyChain, backend } = sdk;
  const before = backend();
  const failures: string[] = [];
  const sealedHashes: string[] = [];
  const decoder = new TextDecoder();

  const files: [string, Vector[]][] = [
    ["aegisd-envelopes.jsonl", lines(envelopesJsonl)],
    ["aegisd-chains.jsonl", lines(chainsJsonl)],
  ];
  for (const [name, vs] of files) {
    vs.forEach((v, i) => {
      const e = Envelope.parse(v.wire);
      const canonical = decoder.decode(e.canonicalJson());
      if (canonical !== v.canonical) failures.push(`${name}:${i + 1}: canonical text differs`);
      e.seal();
      sealedHashes.push(e.hash ?? "");
      if (!e.verify()) failures.push(`${name}:${i + 1}: verify() false after seal()`);
      const back = Envelope.parse(e.toWireText());
      if (back.hash !== e.hash || !back.verify()) {
        failures.push(`${name}:${i + 1}: toWireText round trip`);
      }
    });
  }

  // Chains by session, in file order.
  const chains = new Map<string, { vectors: Vector[]; envelopes: Sdk.Envelope[] }>();
  for (const v of files[1][1]) {
    const e = Envelope.parse(v.wire);
    e.hash = v.hash;
    const k = `${e.tenantId}/${e.sessionId}`;
    let c = chains.get(k);
    if (!c) chains.set(k, c = { vectors: [], envelopes: [] });
    c.vectors.push(v);
    c.envelopes.push(e);
  }

  const builtHashes: string[] = [];
  const verified: ProbeReport["verified"] = {};
  let longest = "";
  for (const [k, c] of chains) {
    const first = c.envelopes[0];
    const stamps = c.envelopes.map((e) => e.tsUnixMs);
    let i = 0;
    const b = new Builder({
      tenantId: first.tenantId,
      userId: first.userId,
      sessionId: first.sessionId,
      clock: () => stamps[i++],
    });
    for (const e of c.envelopes) builtHashes.push(b.append(e.eventType, e.payload).hash ?? "");
    const r = verifyChain(c.envelopes);
    verified[k] = { valid: r.valid, firstBadSeq: r.firstBadSeq, checked: r.checked };
    if (!longest || c.envelopes.length > chains.get(longest)!.envelopes.length) longest = k;
  }

  // Tamper with the middle of the longest chain: verification must name that seq.
  const victim = chains.get(longest)!.envelopes;
  const at = Math.floor(victim.length / 2);
  const copy = victim.map((e) => Envelope.parse(e.toWireText())); // wire text carries the hash
  copy[at].payload = { tampered: true };
  const t = verifyChain(copy);

  return {
    runtime,
    backend: { before, after: backend() },
    sealed: sealedHashes.length,
    sealedHashes,
    builtHashes,
    verified,
    tampered: { session: longest, seq: at, valid: t.valid, firstBadSeq: t.firstBadSeq },
    failures,
    ms: Date.now() - t0,
  };
}
