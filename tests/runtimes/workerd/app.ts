/**
 * The application both test workers run (bundled to `app.js` for workerd):
 * `POST /probe` with `{"envelopes": "<jsonl>", "chains": "<jsonl>"}` runs the
 * vector probe and answers its report; `GET /backend` answers the backend.
 *
 * @module
 */

import * as sdk from "../../../mod.ts";
// TODO(wasm): take `init` from mod.ts once it is exported there (the browser
// test and examples/workers already use the public export).
import { init } from "../../../src/wasm/loader.ts";
import { runProbe } from "../probe/vectors_probe.ts";

/** How the worker entry module starts the SDK. */
export interface StartOptions {
  /** The module imported from `aegis_core.wasm`, passed to `init({ module })`; absent: no `init`. */
  module?: WebAssembly.Module;
}

/** Builds the worker's fetch handler. */
export function createApp(start: StartOptions): (request: Request) => Promise<Response> {
  let ready: Promise<boolean | null> | null = null;
  return async (request) => {
    ready ??= start.module ? init({ module: start.module }) : Promise.resolve(null);
    const initResult = await ready;
    const url = new URL(request.url);
    if (url.pathname === "/backend") {
      return Response.json({ backend: sdk.backend(), init: initResult });
    }
    if (url.pathname === "/probe" && request.method === "POST") {
      const body = await request.json() as { envelopes: string; chains: string };
      try {
        const report = runProbe(sdk, body.envelopes, body.chains, "workerd");
        return Response.json({ init: initResult, report });
      } catch (e) {
        return Response.json({ error: String((e as Error)?.stack ?? e) }, { status: 500 });
      }
    }
    return new Response("not found", { status: 404 });
  };
}
