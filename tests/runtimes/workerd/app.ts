/**
 * The application both test workers run (bundled to `app.js` for workerd):
 * `POST /probe` with the vector files (`ProbeVectors` as JSON) runs the vector
 * probe and answers its report; `GET /backend` answers the backend;
 * `GET /compile` tells whether the isolate compiles WASM from bytes;
 * `POST /init` calls `init()` without a module.
 *
 * @module
 */

import * as sdk from "../../../mod.ts";
import { type ProbeVectors, runProbe } from "../probe/vectors_probe.ts";

/** How the worker entry module starts the SDK. */
export interface StartOptions {
  /** The module imported from `aegis_core.wasm`, passed to `init({ module })`; absent: no `init`. */
  module?: WebAssembly.Module;
}

/** Builds the worker's fetch handler. */
export function createApp(start: StartOptions): (request: Request) => Promise<Response> {
  let ready: Promise<boolean | null> | null = null;
  return async (request) => {
    ready ??= start.module ? sdk.init({ module: start.module }) : Promise.resolve(null);
    const initResult = await ready;
    const url = new URL(request.url);
    if (url.pathname === "/backend") {
      return Response.json({ backend: sdk.backend(), init: initResult });
    }
    if (url.pathname === "/compile") {
      // Does this isolate compile WASM from bytes? (Workers: no.)
      try {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return Response.json({ compile: "allowed" });
      } catch (e) {
        return Response.json({ compile: `refused: ${(e as Error).message}` });
      }
    }
    if (url.pathname === "/init" && request.method === "POST") {
      // init() with the embedded bytes, as code written for browsers would call it.
      const loaded = await sdk.init();
      return Response.json({ init: loaded, backend: sdk.backend() });
    }
    if (url.pathname === "/probe" && request.method === "POST") {
      const vectors = await request.json() as ProbeVectors;
      try {
        const report = runProbe(sdk, vectors, "workerd");
        return Response.json({ init: initResult, report });
      } catch (e) {
        return Response.json({ error: String((e as Error)?.stack ?? e) }, { status: 500 });
      }
    }
    return new Response("not found", { status: 404 });
  };
}
