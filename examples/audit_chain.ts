/**
 * Audit an exported chain: recompute every hash and check every link, per
 * session, and name the first event that fails.
 *
 * Sources:
 *
 * - a JSONL file of wire envelopes (what `examples/batch_seal.ts` and
 *   `deno task seal` write, or an export you made), streamed: sessions may be
 *   interleaved and the file may be larger than memory;
 * - a ledger (aegisd or the reference ledger), read page by page with
 *   `AegisClient.listEvents` (`--ledger URL --tenant T --session S [--token T]`).
 *
 *     deno run --allow-read --allow-env=AEGIS_BACKEND examples/audit_chain.ts sealed.jsonl
 *     deno run --allow-net --allow-env=AEGIS_BACKEND examples/audit_chain.ts --ledger http://127.0.0.1:8080 --tenant acme --session sess-1
 *
 * Prints one line per session, then a JSON summary (`--json`: only the
 * summary). Exit code 0 when every chain is intact, 1 otherwise.
 *
 * Lines are decoded by `Envelope.parse`, never `JSON.parse` (see
 * shared/known-issues/v8-json-parse.md).
 *
 * @module
 */

import { AegisClient, Envelope, verifyChain } from "@aegis/sdk";
import { readLines } from "./batch_seal.ts";

/** Verdict for one session. */
export interface SessionAudit {
  /** `tenant/session`. */
  session: string;
  /** Events that passed. */
  checked: number;
  /** True when the whole chain passed. */
  valid: boolean;
  /** First seq that failed, or `null`. */
  firstBadSeq: number | null;
  /** File line of that event (JSONL source), or `null`. */
  line: number | null;
  /** Why it failed, or `null`. */
  error: string | null;
}

/** Summary of an audit. */
export interface AuditSummary {
  /** Events read. */
  events: number;
  /** Per session, in order of first appearance. */
  sessions: SessionAudit[];
  /** True when every session is intact. */
  valid: boolean;
}

const BATCH = 4096;

/**
 * Audits a stream of envelopes (with their source line numbers): each
 * session is verified in batches, each batch continuing from the last
 * verified event of that session (`verifyChain(..., { from })`).
 *
 * @example
 * ```ts ignore
 * const summary = await auditEnvelopes(parsedLines());
 * console.log(summary.valid);
 * ```
 */
export async function auditEnvelopes(
  source: AsyncIterable<{ envelope: Envelope | null; line: number; error?: string }>,
): Promise<AuditSummary> {
  interface State {
    audit: SessionAudit;
    from?: { seq: number; hash: string };
    pending: { envelope: Envelope; line: number }[];
  }
  const states = new Map<string, State>();
  const bad: SessionAudit[] = [];
  let events = 0;

  const check = (s: State) => {
    if (!s.audit.valid || s.pending.length === 0) return;
    const r = verifyChain(s.pending.map((p) => p.envelope), s.from ? { from: s.from } : undefined);
    s.audit.checked += r.checked;
    if (!r.valid) {
      s.audit.valid = false;
      s.audit.firstBadSeq = r.firstBadSeq;
      s.audit.error = r.error;
      s.audit.line = s.pending[r.checked]?.line ?? null;
    } else {
      const last = s.pending[s.pending.length - 1].envelope;
      s.from = { seq: last.seq, hash: last.hash! };
    }
    s.pending = [];
  };

  for await (const item of source) {
    events++;
    if (!item.envelope) {
      bad.push({
        session: `(unreadable line ${item.line})`,
        checked: 0,
        valid: false,
        firstBadSeq: null,
        line: item.line,
        error: item.error ?? "unreadable",
      });
      continue;
    }
    const e = item.envelope;
    const key = `${e.tenantId}/${e.sessionId}`;
    let s = states.get(key);
    if (!s) {
      s = {
        audit: {
          session: key,
          checked: 0,
          valid: true,
          firstBadSeq: null,
          line: null,
          error: null,
        },
        pending: [],
      };
      states.set(key, s);
    }
    if (!s.audit.valid) continue;
    s.pending.push({ envelope: e, line: item.line });
    if (s.pending.length >= BATCH) check(s);
  }
  for (const s of states.values()) check(s);
  const sessions = [...[...states.values()].map((s) => s.audit), ...bad];
  return { events, sessions, valid: sessions.every((s) => s.valid) };
}

/**
 * Envelopes of a JSONL file, streamed with line numbers.
 *
 * @example
 * ```ts ignore
 * const summary = await auditEnvelopes(jsonlEnvelopes("sealed.jsonl"));
 * ```
 */
export async function* jsonlEnvelopes(
  file: string,
): AsyncGenerator<{ envelope: Envelope | null; line: number; error?: string }> {
  let line = 0;
  for await (const text of readLines(file)) {
    line++;
    if (text.trim() === "") continue;
    try {
      yield { envelope: Envelope.parse(text), line };
    } catch (e) {
      yield { envelope: null, line, error: e instanceof Error ? e.message : String(e) };
    }
  }
}

/**
 * Envelopes of one session read back from a ledger, page by page.
 *
 * @example
 * ```ts ignore
 * const client = new AegisClient("http://127.0.0.1:8080");
 * const summary = await auditEnvelopes(ledgerEnvelopes(client, "acme", "sess-1"));
 * ```
 */
export async function* ledgerEnvelopes(
  client: AegisClient,
  tenantId: string,
  sessionId: string,
): AsyncGenerator<{ envelope: Envelope; line: number }> {
  let pageToken = "";
  let n = 0;
  do {
    const page = await client.listEvents({ tenantId, sessionId, pageToken });
    for (const envelope of page.events) yield { envelope, line: ++n };
    pageToken = page.nextToken;
  } while (pageToken);
}

if (import.meta.main) {
  const args = Deno.args;
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const ledger = flag("--ledger");
  const json = args.includes("--json");
  let summary: AuditSummary;
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
    summary = await auditEnvelopes(ledgerEnvelopes(client, tenant, session));
  } else {
    const file = args.find((a) => !a.startsWith("--"));
    if (!file) {
      console.error(
        "usage: audit_chain.ts <export.jsonl> [--json]\n" +
          "       audit_chain.ts --ledger URL --tenant T --session S [--json]",
      );
      Deno.exit(2);
    }
    summary = await auditEnvelopes(jsonlEnvelopes(file));
  }
  if (!json) {
    for (const s of summary.sessions) {
      console.log(
        s.valid
          ? `ok      ${s.session}: ${s.checked} events`
          : `BROKEN  ${s.session}: first bad seq ${s.firstBadSeq} (line ${s.line}): ${s.error}`,
      );
    }
  }
  console.log(JSON.stringify({
    events: summary.events,
    sessions: summary.sessions.length,
    valid: summary.valid,
    broken: summary.sessions.filter((s) => !s.valid),
  }));
  Deno.exitCode = summary.valid ? 0 : 1;
}
