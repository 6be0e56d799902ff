/**
 * `deno bench`: SHA-256 of one message at 64 B, 733 B (the agent-mix mean
 * envelope), 64 KiB and 16 MiB — this module (WASM and TS) against
 * hash-wasm (the baseline), @noble/hashes, node:crypto and WebCrypto
 * (awaited `crypto.subtle.digest`, so it includes the async round trip).
 *
 * @module
 */

import { sha256 } from "../mod.ts";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { createSHA256 } from "hash-wasm";
import { createHash } from "node:crypto";
import { ensureBackend, optionalBatchSha256, wasmAvailable } from "./lib/backends.ts";

const HAS_WASM = wasmAvailable();
const batch = optionalBatchSha256();
const hasher = await createSHA256();

for (
  const [size, label] of [
    [64, "64 B"],
    [733, "733 B"],
    [64 * 1024, "64 KiB"],
    [16 * 1024 * 1024, "16 MiB"],
  ] as const
) {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 255;
  const group = `sha256 ${label}`;
  // 16 MiB takes ~0.1 s per call: a fixed, small iteration count keeps the run short.
  const n = size > 1 << 20 ? { n: 10, warmup: 2 } : {};
  Deno.bench({
    name: "hash-wasm",
    group,
    baseline: true,
    ...n,
    fn: () => void hasher.init().update(data).digest("binary"),
  });
  Deno.bench({
    name: "aegis WASM sha256",
    group,
    ignore: !HAS_WASM,
    ...n,
    fn: () => {
      ensureBackend("wasm");
      sha256(data);
    },
  });
  if (size <= 1024) {
    const msgs = Array.from({ length: 64 }, () => data);
    Deno.bench({
      name: `aegis WASM ${batch?.name ?? "batch sha256"} (÷64: 64 messages per call)`,
      group,
      ignore: !HAS_WASM || batch === null,
      fn: () => {
        ensureBackend("wasm");
        batch!.fn(msgs);
      },
    });
  }
  Deno.bench({
    name: "aegis TS sha256",
    group,
    ...n,
    fn: () => {
      ensureBackend("ts");
      sha256(data);
    },
  });
  Deno.bench({ name: "@noble/hashes", group, ...n, fn: () => void nobleSha256(data) });
  Deno.bench({
    name: "node:crypto",
    group,
    ...n,
    fn: () => void createHash("sha256").update(data).digest(),
  });
  Deno.bench({
    name: "WebCrypto (async, awaited)",
    group,
    ...n,
    fn: async () => void await crypto.subtle.digest("SHA-256", data),
  });
}
