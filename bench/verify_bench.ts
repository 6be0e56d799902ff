/**
 * `deno bench`: verifying a 1000-event agent-mix chain against the same
 * backend's sealing rate (the baseline of each group), with `verifyChain`
 * over `Envelope` objects and, once mod.ts exports it, `verifyJsonl` over
 * the JSONL text.
 *
 * @module
 */

import { verifyChain } from "../mod.ts";
import { agentMix, sealWithAppend } from "./lib/agent_mix.ts";
import { optionalVerifyJsonl, useBackend, wasmAvailable } from "./lib/backends.ts";

const items = agentMix();
const HAS_WASM = wasmAvailable();
const verifyJsonl = optionalVerifyJsonl();
useBackend("ts");
const chain = sealWithAppend(items);
const jsonl = chain.map((e) => e.toWireText()).join("\n") + "\n";

for (const [label, b] of [["WASM", "wasm"], ["TS", "ts"]] as const) {
  const group = `verify vs own seal (${label})`;
  const ignore = b === "wasm" && !HAS_WASM;
  Deno.bench({
    name: `aegis ${label} Builder.append (own seal)`,
    group,
    baseline: true,
    ignore,
    fn: (ctx) => {
      useBackend(b);
      ctx.start();
      sealWithAppend(items);
      ctx.end();
    },
  });
  Deno.bench({
    name: `aegis ${label} verifyChain(Envelope[])`,
    group,
    ignore,
    fn: (ctx) => {
      useBackend(b);
      ctx.start();
      verifyChain(chain);
      ctx.end();
    },
  });
  Deno.bench({
    name: `aegis ${label} verifyJsonl(JSONL text)`,
    group,
    ignore: ignore || verifyJsonl === null,
    fn: async (ctx) => {
      useBackend(b);
      ctx.start();
      await verifyJsonl!(jsonl);
      ctx.end();
    },
  });
}
