/**
 * `deno bench`: canonicalising generic JSON (RFC 8785 profile) — the RFC 8785
 * reference inputs and the agent-mix payloads — this module against
 * `npm:canonicalize` (the baseline), from values and from text.
 *
 * @module
 */

import { canonicalize, canonicalizeText, parseJson } from "../mod.ts";
import npmCanonicalize from "canonicalize";
import { agentMix } from "./lib/agent_mix.ts";
import { ensureBackend, wasmAvailable } from "./lib/backends.ts";

const HAS_WASM = wasmAvailable();
const rfcDir = new URL("../../shared/vectors/rfc8785/input/", import.meta.url);
const rfcTexts = [...Deno.readDirSync(rfcDir)]
  .filter((e) => e.name.endsWith(".json"))
  .sort((a, b) => (a.name < b.name ? -1 : 1))
  .map((e) => Deno.readTextFileSync(new URL(e.name, rfcDir)));
const payloadTexts = agentMix().map((it) => JSON.stringify(it[1]));

for (
  const [name, texts] of [
    [`RFC 8785 inputs (${rfcTexts.length} docs)`, rfcTexts],
    [`workload payloads (${payloadTexts.length} docs)`, payloadTexts],
  ] as const
) {
  const values = texts.map((t) => parseJson(t));
  const group = `canonicalize ${name}`;
  Deno.bench({
    name: "npm:canonicalize(value)",
    group,
    baseline: true,
    fn: () => {
      for (const v of values) npmCanonicalize(v);
    },
  });
  Deno.bench({
    name: "aegis canonicalize(value)",
    group,
    fn: () => {
      for (const v of values) canonicalize(v);
    },
  });
  Deno.bench({
    name: "npm:canonicalize(JSON.parse(text))",
    group,
    fn: () => {
      for (const t of texts) npmCanonicalize(JSON.parse(t));
    },
  });
  for (const [label, b] of [["WASM", "wasm"], ["TS", "ts"]] as const) {
    Deno.bench({
      name: `aegis ${label} canonicalizeText(text)`,
      group,
      ignore: b === "wasm" && !HAS_WASM,
      fn: () => {
        ensureBackend(b);
        for (const t of texts) canonicalizeText(t);
      },
    });
  }
}
