/**
 * `deno bench`: sealing a 1000-event agent-mix chain, this module (WASM and
 * TS backends, `append` and `appendBatch`) against peers that build the same
 * aegisd envelope text and chain it. Baseline: `canonicalize` + `@noble/hashes`.
 *
 * @module
 */

import { createSHA256 } from "hash-wasm";
import { agentMix, sealWithAppend, sealWithAppendBatch } from "./lib/agent_mix.ts";
import { useBackend, wasmAvailable } from "./lib/backends.ts";
import {
  canonicalizeHashWasm,
  canonicalizeNoble,
  canonicalizeNodeCrypto,
  jsonStringifyNodeCrypto,
} from "./lib/peers.ts";

const items = agentMix();
const HAS_WASM = wasmAvailable();
const group = `seal ${items.length}-event chain`;
const hashWasm = canonicalizeHashWasm(await createSHA256());

Deno.bench({
  name: "canonicalize + @noble/hashes",
  group,
  baseline: true,
  fn: () => void canonicalizeNoble(items),
});
for (const [label, b] of [["WASM", "wasm"], ["TS", "ts"]] as const) {
  Deno.bench({
    name: `aegis ${label} Builder.append`,
    group,
    ignore: b === "wasm" && !HAS_WASM,
    fn: (ctx) => {
      useBackend(b);
      ctx.start();
      sealWithAppend(items);
      ctx.end();
    },
  });
  Deno.bench({
    name: `aegis ${label} Builder.appendBatch`,
    group,
    ignore: b === "wasm" && !HAS_WASM,
    fn: (ctx) => {
      useBackend(b);
      ctx.start();
      sealWithAppendBatch(items);
      ctx.end();
    },
  });
}
Deno.bench({ name: "canonicalize + hash-wasm", group, fn: () => void hashWasm(items) });
Deno.bench({
  name: "canonicalize + node:crypto",
  group,
  fn: () => void canonicalizeNodeCrypto(items),
});
Deno.bench({
  name: "JSON.stringify + node:crypto (floor, NOT canonical)",
  group,
  fn: () => void jsonStringifyNodeCrypto(items),
});
