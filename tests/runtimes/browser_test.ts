// Browsers: Debian's headless Chromium loads pages served by this test from
// 127.0.0.1 that import the browser build (dist/npm/esm/mod.js), await
// init(), seal and verify the aegisd vectors and POST the report back. One
// page's CSP allows 'wasm-unsafe-eval' (WASM backend); the other's
// `script-src 'self'` forbids WebAssembly, which proves the pure-TS fallback.
import assert from "node:assert/strict";
import { checkAndRecord, NOT_STARTED } from "./lib/compat.ts";
import { npmBuild, probeBundle } from "./lib/build.ts";
import { assertReport, probeChecks, VECTORS_DIR } from "./lib/expect.ts";
import { run, startService, which } from "./lib/tools.ts";
import type { ProbeReport } from "./probe/vectors_probe.ts";

const PAGE_JS = new URL("./browser/page.js", import.meta.url);

const CSP = {
  wasm: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
  ts: "default-src 'self'; script-src 'self'",
} as const;

interface PageResult {
  early?: string;
  init?: boolean;
  compile?: string;
  report?: ProbeReport;
  error?: string;
}

function html(mode: keyof typeof CSP): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>aegis sdk ${mode}</title>
<script type="module" src="/page.js?mode=${mode}"></script>
`;
}

Deno.test("headless Chromium runs the browser build with init() and with WASM blocked by CSP", async (t) => {
  // Built once for both pages; a failure fails (and records) both.
  const filesReady = (async (): Promise<Record<string, [string, string]>> => {
    const { module } = await npmBuild();
    return {
      "/sdk/mod.js": [await Deno.readTextFile(module), "text/javascript"],
      "/probe.js": [await Deno.readTextFile(await probeBundle()), "text/javascript"],
      "/page.js": [await Deno.readTextFile(PAGE_JS), "text/javascript"],
    };
  })();
  filesReady.catch(() => {}); // awaited (and reported) by each step
  const reports = new Map<string, PromiseWithResolvers<PageResult>>();
  for (const m of Object.keys(CSP)) reports.set(m, Promise.withResolvers<PageResult>());

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const page = /^\/(wasm|ts)\.html$/.exec(url.pathname);
    if (page) {
      const mode = page[1] as keyof typeof CSP;
      return new Response(html(mode), {
        headers: {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": CSP[mode],
        },
      });
    }
    const report = /^\/report\/(wasm|ts)$/.exec(url.pathname);
    if (report && req.method === "POST") {
      reports.get(report[1])!.resolve(JSON.parse(await req.text()));
      return new Response("ok");
    }
    if (url.pathname.startsWith("/vectors/")) {
      // The vector files, read-only, from shared/vectors (no path escapes: no "..").
      const rel = url.pathname.slice("/vectors/".length);
      if (rel.includes("..")) return new Response("bad path", { status: 400 });
      try {
        return new Response(await Deno.readFile(`${VECTORS_DIR}${rel}`), {
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    }
    const f = (await filesReady)[url.pathname];
    if (f) return new Response(f[0], { headers: { "content-type": f[1] } });
    return new Response("not found", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;

  try {
    for (const mode of ["wasm", "ts"] as const) {
      await t.step(`${mode} page`, async () => {
        const row = {
          runtime: "Chromium",
          version: NOT_STARTED,
          loadedAs: "`dist/npm/esm/mod.js` as an ES module",
          backend: mode,
          selection: mode === "wasm"
            ? "`await init()`, CSP with `'wasm-unsafe-eval'`"
            : "`await init()`, CSP without `'wasm-unsafe-eval'` (fallback)",
          checked: probeChecks(),
          testedBy: "tests/runtimes/browser_test.ts",
        };
        await checkAndRecord(row, async () => {
          const chromium = await which("chromium", "apt-get install chromium");
          row.version = (await run(chromium, ["--version"])).trim().replace(/^Chromium\s+/, "")
            .split(" ")[0];
          await filesReady;
          const result = await runChromium(chromium, `${base}/${mode}.html`, reports.get(mode)!);
          assert.equal(result.error, undefined, result.error);
          if (mode === "wasm") {
            assert.equal(result.compile, "allowed");
            assert.equal(result.init, true, "init() must load the core");
          } else {
            assert.match(result.compile ?? "", /^refused: .*WebAssembly/, "CSP must refuse WASM");
            assert.equal(result.early, "ts", "backend() before init() where CSP refuses WASM");
            assert.equal(result.init, false, "init() must resolve false when WASM is refused");
          }
          assertReport(result.report!, mode);
        });
      });
    }
  } finally {
    await filesReady.catch(() => {});
    await server.shutdown();
  }
});

/** Starts headless Chromium on `url` and waits for the page's report (60 s at most). */
async function runChromium(
  chromium: string,
  url: string,
  report: PromiseWithResolvers<PageResult>,
): Promise<PageResult> {
  const profile = await Deno.makeTempDir({ prefix: "aegis-chromium-" });
  const browser = startService(chromium, [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
    // Only loopback: without these, Chromium resolves Google hosts at start-up (checked with
    // strace: DNS queries; with them, only its IPv6 reachability probe connect()s a UDP socket
    // to 2001:4860:4860::8888 without sending anything).
    "--no-pings",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--disable-features=MediaRouter,OptimizationHints,Translate,NetworkTimeServiceQuerying," +
    "DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater," +
    "DnsOverHttps,AsyncDns",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    `--user-data-dir=${profile}`,
    url,
  ]);
  const output = browser.logs;
  const exited = browser.exited.then((s) => {
    throw new Error(
      `chromium exited (code ${s.code}) before the page reported:\n${output.join("")}`,
    );
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no report from ${url} within 60 s:\n${output.join("")}`)),
      60_000,
    );
  });
  try {
    return await Promise.race([report.promise, exited, timeout]);
  } finally {
    clearTimeout(timer);
    await browser.stop();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
