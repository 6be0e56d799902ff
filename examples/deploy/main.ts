/**
 * The reference ledger (aegisd-compatible HTTP API) on Deno Deploy, stored in
 * Deno KV: Deploy's managed KV when deployed, a local SQLite file (or
 * `:memory:`) when run locally. See `README.md` in this folder.
 *
 * Locally:
 *
 *     AEGIS_KV_PATH=./aegis.kv deno run --unstable-kv --allow-net --allow-read --allow-write --allow-env examples/deploy/main.ts
 *
 * Environment:
 *
 * - `AEGIS_KV_PATH` — KV database path (unset on Deploy: its managed KV).
 * - `AEGIS_LEDGER_TOKEN` — when set, every request but `/healthz` and
 *   `/readyz` must carry `Authorization: Bearer <token>`.
 * - `PORT` — local port (default 8000); Deploy assigns its own.
 * - `HOSTNAME` — local interface (default 127.0.0.1; Deploy ignores it).
 *
 * @module
 */

import { createLedgerHandler } from "@aegis/sdk";
import { KvStore } from "@aegis/sdk/kv";

/**
 * Wraps the ledger handler with an optional bearer-token check.
 *
 * @example
 * ```ts ignore
 * const handler = withToken(createLedgerHandler(store), "s3cret");
 * ```
 */
export function withToken(
  handler: (request: Request) => Promise<Response>,
  token: string | undefined,
): (request: Request) => Promise<Response> {
  if (!token) return handler;
  const expected = `Bearer ${token}`;
  return (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz" || pathname === "/readyz") return handler(request);
    if (request.headers.get("authorization") !== expected) {
      return Promise.resolve(
        new Response(JSON.stringify({ error: "unauthorized" }), {
          status: 401,
          headers: { "content-type": "application/json; charset=utf-8" },
        }),
      );
    }
    return handler(request);
  };
}

if (import.meta.main) {
  const store = await KvStore.open(Deno.env.get("AEGIS_KV_PATH") || undefined);
  const handler = withToken(
    createLedgerHandler(store, { onError: (e) => console.error("ledger: internal error:", e) }),
    Deno.env.get("AEGIS_LEDGER_TOKEN"),
  );
  Deno.serve({
    port: Number(Deno.env.get("PORT") ?? 8000),
    hostname: Deno.env.get("HOSTNAME") ?? "127.0.0.1",
    onListen: ({ hostname, port }) => console.log(`aegis ledger on http://${hostname}:${port}`),
  }, handler);
}
