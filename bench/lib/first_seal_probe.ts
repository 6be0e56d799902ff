/**
 * Run in a fresh `deno run` process by `bench/report.ts`: imports mod.ts,
 * seals one envelope (which initialises the backend lazily) and prints one
 * JSON line with `performance.now()` deltas. The backend comes from
 * `AEGIS_BACKEND` (`ts` or `wasm`).
 *
 * @module
 */

const t0 = performance.now();
try {
  const mod = await import("../../mod.ts");
  const t1 = performance.now();
  const e = new mod.Builder({ tenantId: "acme", userId: "u1", sessionId: "first-seal" })
    .append("MODEL_CALL_STARTED", { model_id: "gpt-4o", call_id: "m0", temperature: 0.2 });
  const t2 = performance.now();
  console.log(JSON.stringify({
    ok: true,
    backend: mod.backend(),
    startMs: t0,
    importMs: t1 - t0,
    sealMs: t2 - t1,
    totalMs: t2 - t0,
    hash: e.hash,
  }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: String(err) }));
}
