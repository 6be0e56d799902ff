/**
 * The vector probe every runtime runs: canonicalises the RFC 8785 vectors and
 * seals and verifies the shared aegisd vectors with whatever build of the SDK
 * the runtime loaded (`sdk`), and reports what it saw. It never decides pass/fail on its own: the Deno test
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
  "Builder" | "Envelope" | "verifyChain" | "backend" | "canonicalizeText"
>;

/** The RFC 8785 reference files the probe canonicalises (`rfc8785/{input,output}/<name>.json`). */
export const RFC8785_FILES: readonly string[] = [
  "arrays",
  "french",
  "structures",
  "unicode",
  "values",
  "weird",
];

/** The vector files' texts, as the runtime read them. */
export interface ProbeVectors {
  /** `aegisd-envelopes.jsonl`. */
  envelopes: string;
  /** `aegisd-chains.jsonl`. */
  chains: string;
  /** `rfc8785-random.jsonl`. */
  rfc8785Random: string;
  /** `rfc8785/input/<name>.json` and `rfc8785/output/<name>.json` for each of {@link RFC8785_FILES}. */
  rfc8785: { name: string; input: string; output: string }[];
}

/**
 * Reads every vector file the probe needs through `read` (a path relative to
 * `shared/vectors/`), so each runtime can use its own file or fetch API.
 *
 * @example
 * ```ts ignore
 * const vectors = await loadProbeVectors((p) => Deno.readTextFile(`../shared/vectors/${p}`));
 * ```
 */
export async function loadProbeVectors(
  read: (path: string) => string | Promise<string>,
): Promise<ProbeVectors> {
  const [envelopes, chains, rfc8785Random] = await Promise.all(
    ["aegisd-envelopes.jsonl", "aegisd-chains.jsonl", "rfc8785-random.jsonl"].map(read),
  );
  const rfc8785 = await Promise.all(RFC8785_FILES.map(async (name) => ({
    name,
    input: await read(`rfc8785/input/${name}.json`),
    output: await read(`rfc8785/output/${name}.json`),
  })));
  return { envelopes, chains, rfc8785Random, rfc8785 };
}

/** What a runtime reports after running the probe. */
export interface ProbeReport {
  /** Runtime name and version as the runtime states them. */
  runtime: string;
  /** `backend()` before the first seal and after the last verification. */
  backend: { before: string; after: string };
  /** `canonicalizeText` calls checked (RFC 8785 files and random lines, each as text and as bytes). */
  canonicalized: number;
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
  /** Mismatches found on the way (canonical texts, `verify()`), each naming the file and line. */
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
 * @param vectors the vector files (see {@link loadProbeVectors})
 * @param runtime how the runtime names itself (e.g. `node v20.20.2`)
 * @example
 * ```ts ignore
 * import * as sdk from "../../../mod.ts";
 * const report = runProbe(sdk, vectors, `deno ${Deno.version.deno}`);
 * ```
 */
export function runProbe(sdk: ProbeSdk, vectors: ProbeVectors, runtime: string): ProbeReport {
  const t0 = Date.now();
  const { Builder, Envelope, verifyChain, backend, canonicalizeText } = sdk;
  const before = backend();
  const failures: string[] = [];
  const sealedHashes: string[] = [];
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();

  // RFC 8785: the reference files (as text and as UTF-8 bytes) and the random lines.
  let canonicalized = 0;
  const canon = (what: string, input: string, want: string) => {
    for (const [form, arg] of [["text", input], ["bytes", encoder.encode(input)]] as const) {
      let got: string;
      try {
        got = canonicalizeText(arg);
      } catch (e) {
        got = `threw ${e}`;
      }
      if (got !== want) failures.push(`${what} (${form}): canonical text differs`);
      canonicalized++;
    }
  };
  for (const f of vectors.rfc8785) canon(`rfc8785/${f.name}.json`, f.input, f.output);
  vectors.rfc8785Random.split("\n").filter((l) => l.trim() !== "").forEach((l, i) => {
    const v = JSON.parse(l) as { input: string; canonical: string };
    canon(`rfc8785-random.jsonl:${i + 1}`, v.input, v.canonical);
  });

  const files: [string, Vector[]][] = [
    ["aegisd-envelopes.jsonl", lines(vectors.envelopes)],
    ["aegisd-chains.jsonl", lines(vectors.chains)],
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
    canonicalized,
    sealed: sealedHashes.length,
    sealedHashes,
    builtHashes,
    verified,
    tampered: { session: longest, seq: at, valid: t.valid, firstBadSeq: t.firstBadSeq },
    failures,
    ms: Date.now() - t0,
  };
}
