// The browser page's script (an ES module served from 127.0.0.1): imports
// the browser build, awaits init(), runs the vector probe and POSTs the
// report (or the error) to /report/<mode>.
const mode = new URL(import.meta.url).searchParams.get("mode");

async function post(body) {
  await fetch(`/report/${mode}`, { method: "POST", body: JSON.stringify(body) });
}

try {
  const sdk = await import("/sdk/mod.js");
  const { loadProbeVectors, runProbe } = await import("/probe.js");
  // Is WebAssembly compilation allowed on this page at all? (CSP decides.)
  let compile = "allowed";
  try {
    await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  } catch (e) {
    compile = `refused: ${e && e.message}`;
  }
  // The WASM page calls init() first, so the core it gets comes from init()
  // (not from the lazy synchronous loader). The CSP page asks backend() first:
  // the synchronous loader must give up quietly, then init() must too.
  const early = mode === "ts" ? sdk.backend() : null;
  const init = await sdk.init();
  const vectors = await loadProbeVectors((p) => fetch(`/vectors/${p}`).then((r) => r.text()));
  const report = runProbe(sdk, vectors, navigator.userAgent);
  await post({ early, init, compile, report });
} catch (e) {
  await post({ error: String(e && e.stack || e) });
}
