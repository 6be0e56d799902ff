/**
 * Audit an exported chain: recompute every hash and check every link, one
 * chain per tenant/session, and name the first event that fails.
 *
 * Sources:
 *
 * - a JSONL file of wire envelopes (what `examples/batch_seal.ts` and
 *   `deno task seal` write, or an export you made), streamed through
 *   `verifyJsonl`: sessions may be interleaved and the file may be larger
 *   than memory;
 * - a ledger (aegisd or the reference ledger), read page by page with
 *   `AegisClient.listEvents` (`--ledger URL --tenant T --session S [--token T]`)
 *   and streamed into the same verifier.
 *
 *     deno run --allow-read --allow-env=AEGIS_BACKEND examples/audit_chain.ts sealed.jsonl
 *     deno run --allow-net --allow-env=AEGIS_BACKEND examples/audit_chain.ts --ledger http://127.0.0.1:8080 --tenant acme --session sess-1
 *
 * Prints one line per session, then a JSON summary (`--json`: only the
 * summary). Exit code 0 when every chain is intact, 1 otherwise.
 *
 * Nothing here uses `JSON.parse` on the records (see
 * shared/known-issues/v8-json-parse.md): `verifyJsonl` reads them with the
 * SDK's own reader (the WebAssembly core when it is loaded).
 *
 * @module
 */

import { AegisClient, type JsonlSource, type SessionVerification, verifyJsonl } from "@aegis/sdk";

/** Summary of an audit. */
export interface AuditSummary {
  /** Events that passed verification, over all sessions. */
  checked: number;
  /** Number of sessions (chains) found. */
  sessions: number;
  /** True when every session is intact. */
  valid: boolean;
  /** The sessions that failed, with the first bad seq and why. */
  broken: {
    session: string;
    firstBadSeq: number | null;
    error: string | null;
    checked: number;
  }[];
}

/**
 * Audits a JSONL export (string, bytes or stream): one verdict per session.
 *
 * @example
 * ```ts ignore
 * const summary = await audit((await Deno.open("sealed.jsonl")).readable);
 * console.log(summary.valid, summary.broken);
 * ```
 */
export async function audit(
  source: JsonlSource,
): Promise<{ summary: AuditSummary; sessions: SessionVerification[] }> {
  const sessions = await verifyJsonl(source);
  const name = (s: SessionVerification) =>
    s.tenantId === null ? "(unreadable lines)" : `${s.tenantId}/${s.sessionId}`;
  const broken = sessions.filter((s) => !s.valid).map((s) => ({
    session: name(s),
    firstBadSeq: s.firstBadSeq,
    error: s.error,
    checked: s.checked,
  }));
  return {
    summary: {
      checked: sessions.reduce((n, s) => n + s.checked, 0),
      sessions: sessions.length,
      valid: broken.length === 0,
      broken,
    },
    sessions,
  };
}

/**
 * One session read back from a ledger, page by page, as a stream of JSONL
 * wire envelopes (nothing held beyond one page).
 *
 * @example
 * ```ts ignore
 * const client = new AegisClient("http://127.0.0.1:8080");
 * const { summary } = await audit(ledgerExport(client, "acme", "sess-1"));
 * ```
 */
export function ledgerExport(
  client: AegisClient,
  tenantId: string,
  sessionId: string,
): ReadableStream<string> {
  let pageToken = "";
  let done = false;
  return new ReadableStream<string>({
    async pull(controller) {
      if (done) return controller.close();
      const page = await client.listEvents({ tenantId, sessionId, pageToken });
      controller.enqueue(page.events.map((e) => e.toWireText() + "\n").join(""));
      pageToken = page.nextToken;
      done = !pageToken;
    },
  });
}

if (import.meta.main) {
  const args = Deno.args;
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const ledger = flag("--ledger");
  const json = args.includes("--json");
  let source: JsonlSource;
  if (ledger) {
    const tenant = flag("--tenant");
    const session = flag("--session");
    if (!tenant || !session) {
      console.error("--ledger needs --tenant and --session");
      Deno.exit(2);
    }
    const token = flag("--token");
    const client = new AegisClient(
      ledger,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    source = ledgerExport(client, tenant, session);
  } else {
    const file = args.find((a) => !a.startsWith("--"));
    if (!file) {
      console.error(
        "usage: audit_chain.ts <export.jsonl> [--json]\n" +
          "       audit_chain.ts --ledger URL --tenant T --session S [--token T] [--json]",
      );
      Deno.exit(2);
    }
    source = (await Deno.open(file)).readable;
  }
  const { summary, sessions } = await audit(source);
  if (!json) {
    for (const s of sessions) {
      const name = `${s.tenantId}/${s.sessionId}`;
      console.log(
        s.valid
          ? `ok      ${name}: ${s.checked} events`
          : `BROKEN  ${name}: first bad seq ${s.firstBadSeq}: ${s.error}`,
      );
    }
  }
  console.log(JSON.stringify(summary));
  Deno.exitCode = summary.valid ? 0 : 1;
}
