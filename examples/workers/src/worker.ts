/**
 * A Cloudflare Worker that seals agent events at the edge (WebAssembly core
 * when it loads, pure TypeScript otherwise) and verifies exported chains.
 *
 * - `GET /` → `{"backend": "wasm" | "ts"}`
 * - `POST /seal` with `{"tenant_id", "session_id", "user_id"?, "next_seq"?, "prev_hash"?,
 *   "events": [{"event_type", "payload"?, "ts_unix_ms"?}]}` → the sealed chain as
 *   JSONL wire envelopes; when `AEGISD_URL` is set, each envelope is also sent
 *   to aegisd (`POST /v1/events`) and the response is JSON `{seq, hash}[]`.
 * - `POST /verify` with a JSONL chain (one wire envelope per line) →
 *   `{valid, firstBadSeq, error, checked}`.
 *
 * `src/index.ts` imports the WebAssembly core as a module and passes it to
 * {@link createWorker}. Deploy: `npx wrangler deploy` in `examples/workers/`
 * (see `wrangler.toml`).
 *
 * @module
 */

import {
  AegisClient,
  backend,
  Builder,
  Envelope,
  init,
  parseJson,
  verifyChain,
} from "../../../mod.ts";

/** Bindings from `wrangler.toml`. */
export interface Env {
  /** aegisd base URL, or empty to seal only. */
  AEGISD_URL?: string;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

interface SealRequest {
  tenant_id: string;
  session_id: string;
  user_id?: string;
  next_seq?: number;
  prev_hash?: string;
  events: { event_type: string; payload?: unknown; ts_unix_ms?: number }[];
}

async function seal(request: Request, env: Env): Promise<Response> {
  // parseJson, not JSON.parse: request bodies are agent data (see the SDK README).
  const body = parseJson(await request.text()) as SealRequest;
  if (!body || !Array.isArray(body.events)) return json({ error: "events must be an array" }, 400);
  let ts = 0;
  const builder = new Builder({
    tenantId: body.tenant_id,
    sessionId: body.session_id,
    userId: body.user_id ?? "",
    nextSeq: body.next_seq ?? 0,
    prevHash: body.prev_hash ?? null,
    clock: () => ts,
  });
  const sealed = body.events.map((e) => {
    ts = typeof e.ts_unix_ms === "number" && e.ts_unix_ms > 0 ? e.ts_unix_ms : Date.now();
    return builder.append(e.event_type, e.payload);
  });
  if (env.AEGISD_URL) {
    const client = new AegisClient(env.AEGISD_URL);
    const stored = [];
    for (const e of sealed) stored.push(await client.appendEvent(e));
    return json(stored);
  }
  return new Response(sealed.map((e) => e.toWireText()).join("\n") + "\n", {
    headers: { "content-type": "application/x-ndjson; charset=utf-8" },
  });
}

async function verify(request: Request): Promise<Response> {
  const lines = (await request.text()).split("\n").filter((l) => l.trim() !== "");
  return json(verifyChain(lines.map((l) => Envelope.parse(l))));
}

/** The Worker's module interface. */
export interface WorkerModule {
  /** Fetch handler. */
  fetch(request: Request, env: Env): Promise<Response>;
}

/**
 * The Worker: `init({ module })` on first request (Workers give `.wasm`
 * imports as compiled modules and refuse to compile bytes), then the routes.
 * Without a module the SDK stays on its pure-TypeScript path.
 *
 * @example
 * ```ts ignore
 * import wasmModule from "../../../wasm/aegis_core.wasm";
 * export default createWorker(wasmModule);
 * ```
 */
export function createWorker(module?: WebAssembly.Module): WorkerModule {
  let ready: Promise<boolean> | null = null;
  return {
    async fetch(request: Request, env: Env): Promise<Response> {
      ready ??= module ? init({ module }) : Promise.resolve(false);
      await ready;
      const { pathname } = new URL(request.url);
      try {
        if (pathname === "/" && request.method === "GET") return json({ backend: backend() });
        if (pathname === "/seal" && request.method === "POST") return await seal(request, env);
        if (pathname === "/verify" && request.method === "POST") return await verify(request);
        return json({ error: "not found" }, 404);
      } catch (e) {
        return json({ error: e instanceof Error ? e.message : String(e) }, 400);
      }
    },
  };
}
