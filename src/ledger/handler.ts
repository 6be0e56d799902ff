/**
 * The reference ledger: an aegisd-compatible HTTP API as one fetch-style
 * handler `(Request) => Promise<Response>`, so the same code serves from
 * `Deno.serve`, a Cloudflare Worker, Node/Bun, or a test without a socket.
 *
 * | route | answer |
 * | --- | --- |
 * | `POST /v1/events` | `201 {"seq","hash"}`; 400 malformed / `hash verification failed`; 409 `hash chain mismatch`; 413 over 1 MiB |
 * | `GET /v1/events?tenant_id=&session_id=&event_type=&tool_name=&limit=&page_token=` | aegisd's page shape plus `UserID` |
 * | `GET /v1/sessions/{id}/snapshot?tenant_id=` | the documented flat snapshot, computed live; 404 for an empty session |
 * | `GET /v1/sessions/{id}/verify?tenant_id=` | `{valid, first_bad_seq, error, checked}` — content hashes recomputed |
 * | `GET /healthz`, `GET /readyz` | `{"status":"ok"}`, `{"status":"ready"}` |
 *
 * @module
 */

import { parseJson } from "../canon/parse.ts";
import { canonicalize } from "../canon/value.ts";
import { base64ToBytes, bytesToBase64, hexToBytes } from "../encoding.ts";
import { Envelope } from "../envelope.ts";
import { verifyChain } from "../verify.ts";
import { SessionReducer } from "./reducer.ts";
import type { LedgerStore, ListCursor, StoredEvent } from "./store.ts";

/** Largest accepted request body (1 MiB), as aegisd. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Longest tenant or session id in UTF-8 bytes (Deno KV keys are limited to 2 KiB). */
export const MAX_ID_BYTES = 512;
/** Longest `user_id` or `event_type` in UTF-8 bytes (a stored record must fit a 64 KiB KV value). */
export const MAX_FIELD_BYTES = 4096;
/** Default and maximum page sizes of `GET /v1/events`. */
export const PAGE_SIZE = { default: 100, max: 1000 } as const;

/** Options of {@link createLedgerHandler}. */
export interface LedgerHandlerOptions {
  /** Largest request body in bytes (default {@link MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
  /** Clock for events sent with `ts_unix_ms` 0 or absent and no hash (default `Date.now`). */
  now?: () => number;
  /** Called with unexpected errors (the client gets a 500 without details). */
  onError?: (error: unknown, request: Request) => void;
}

/** A fetch-style request handler. */
export type LedgerHandler = (request: Request) => Promise<Response>;

/** The verification result the ledger serves. */
export interface LedgerVerifyResult {
  /** True when every hash recomputes and every link holds. */
  valid: boolean;
  /** First seq that fails, or `null`. */
  first_bad_seq: number | null;
  /** Why it fails, or `null`. */
  error: string | null;
  /** Events examined. */
  checked: number;
}

class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const ENC = new TextEncoder();
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

function json(status: number, body: unknown, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...extra } });
}

/**
 * Creates the ledger's request handler over a store.
 *
 * @example
 * ```ts
 * import { createLedgerHandler, MemoryStore } from "@aegis/sdk";
 * const handler = createLedgerHandler(new MemoryStore());
 * const res = await handler(new Request("http://ledger/readyz"));
 * console.log(res.status, await res.json()); // 200 { status: "ready" }
 * // Deno.serve({ port: 8080 }, handler);
 * ```
 */
export function createLedgerHandler(
  store: LedgerStore,
  options: LedgerHandlerOptions = {},
): LedgerHandler {
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const now = options.now ?? Date.now;

  return async (request: Request): Promise<Response> => {
    try {
      const url = new URL(request.url);
      const path = url.pathname;
      const method = request.method;
      if (path === "/v1/events") {
        if (method === "POST") return await ingest(store, request, maxBody, now);
        if (method === "GET") return await listEvents(store, url.searchParams);
        return methodNotAllowed("GET, POST");
      }
      const m = /^\/v1\/sessions\/([^/]+)\/(snapshot|verify)$/.exec(path);
      if (m) {
        if (method !== "GET") return methodNotAllowed("GET");
        let sessionId: string;
        try {
          sessionId = decodeURIComponent(m[1]);
        } catch {
          throw new HttpProblem(400, "session id in the path is not valid percent-encoding");
        }
        const tenantId = requiredParam(url.searchParams, "tenant_id");
        return m[2] === "snapshot"
          ? await snapshot(store, tenantId, sessionId)
          : await verify(store, tenantId, sessionId);
      }
      if (path === "/healthz") {
        return method === "GET" ? json(200, { status: "ok" }) : methodNotAllowed("GET");
      }
      if (path === "/readyz") {
        if (method !== "GET") return methodNotAllowed("GET");
        try {
          await store.head("", "");
        } catch (e) {
          options.onError?.(e, request);
          return json(503, { status: "unavailable", error: "the store does not answer" });
        }
        return json(200, { status: "ready" });
      }
      if (path === "/v1/policy/decide") {
        return json(501, { error: "policy decisions are not implemented by the reference ledger" });
      }
      return json(404, { error: `no route for ${method} ${path}` });
    } catch (e) {
      if (e instanceof HttpProblem) return json(e.status, { error: e.message });
      options.onError?.(e, request);
      return json(500, { error: "internal error" });
    }
  };
}

function methodNotAllowed(allow: string): Response {
  return json(405, { error: "method not allowed" }, { allow });
}

function requiredParam(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === "") throw new HttpProblem(400, `${name} is required`);
  return v;
}

// ---------------------------------------------------------------- ingest

async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > max) {
    await request.body?.cancel().catch(() => {});
    throw new HttpProblem(413, `request body exceeds ${max} bytes`);
  }
  if (!request.body) return new Uint8Array(0);
  // A declared length within the limit is enforced by the HTTP layer: read it in one go.
  if (declared !== null && /^\d+$/.test(declared)) {
    const whole = new Uint8Array(await request.arrayBuffer());
    if (whole.length > max) throw new HttpProblem(413, `request body exceeds ${max} bytes`);
    return whole;
  }
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new HttpProblem(413, `request body exceeds ${max} bytes`);
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function requiredId(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (v === undefined || v === null || v === "") throw new HttpProblem(400, `${name} is required`);
  if (typeof v !== "string") throw new HttpProblem(400, `${name} must be a string`);
  if (ENC.encode(v).length > MAX_ID_BYTES) {
    throw new HttpProblem(400, `${name} is longer than ${MAX_ID_BYTES} bytes`);
  }
  return v;
}

function isAbsentHash(v: unknown): boolean {
  return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

/**
 * Validates a parsed `POST /v1/events` body and returns the sealed envelope
 * it describes (hash verified, or computed when absent).
 */
function envelopeFromBody(body: unknown, now: () => number): Envelope {
  if (!isRecord(body)) throw new HttpProblem(400, "event must be a JSON object");
  requiredId(body, "tenant_id");
  requiredId(body, "session_id");
  const seq = body.seq;
  if (seq === undefined || seq === null) throw new HttpProblem(400, "seq is required");
  if (typeof seq !== "number" || !Number.isInteger(seq)) {
    throw new HttpProblem(400, "seq must be an integer");
  }
  if (seq < 0) throw new HttpProblem(400, "seq must not be negative");
  if (seq > Number.MAX_SAFE_INTEGER) throw new HttpProblem(400, "seq is too large");
  const eventType = body.event_type;
  if (eventType === undefined || eventType === null || eventType === "") {
    throw new HttpProblem(400, "event_type is required");
  }
  if (typeof eventType !== "string") throw new HttpProblem(400, "event_type must be a string");
  const userId = body.user_id ?? "";
  if (typeof userId !== "string") throw new HttpProblem(400, "user_id must be a string");
  for (const [name, v] of [["event_type", eventType], ["user_id", userId]]) {
    if (v.length > MAX_FIELD_BYTES / 3 && ENC.encode(v).length > MAX_FIELD_BYTES) {
      throw new HttpProblem(400, `${name} is longer than ${MAX_FIELD_BYTES} bytes`);
    }
  }
  let ts = body.ts_unix_ms ?? 0;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) {
    throw new HttpProblem(400, "ts_unix_ms must be a non-negative integer");
  }
  const hashGiven = !isAbsentHash(body.hash);
  if (ts === 0) {
    if (hashGiven) {
      throw new HttpProblem(
        400,
        "ts_unix_ms is 0 or missing but a hash is given (aegisd replaces 0 with its clock, which breaks the hash); send the real time",
      );
    }
    ts = now();
  }
  const prevAbsent = isAbsentHash(body.prev_hash);
  if (seq === 0 && !prevAbsent) throw new HttpProblem(400, "prev_hash must be absent at seq 0");
  if (seq > 0 && prevAbsent) throw new HttpProblem(400, "prev_hash is required when seq > 0");

  // Pass every field through Envelope.fromJSON, which also refuses keys that differ from a
  // wire field only in case (Go would read them as that field).
  const wire: Record<string, unknown> = { ...body, ts_unix_ms: ts, user_id: userId };
  if (prevAbsent) delete wire.prev_hash;
  if (!hashGiven) delete wire.hash;
  let env: Envelope;
  try {
    env = Envelope.fromJSON(wire);
  } catch (e) {
    throw new HttpProblem(400, e instanceof Error ? e.message : String(e));
  }
  let computed: string;
  try {
    computed = env.computeHash();
  } catch (e) {
    throw new HttpProblem(400, e instanceof Error ? e.message : String(e));
  }
  if (hashGiven && env.hash !== computed) throw new HttpProblem(400, "hash verification failed");
  env.hash = computed;
  return env;
}

async function ingest(
  store: LedgerStore,
  request: Request,
  maxBody: number,
  now: () => number,
): Promise<Response> {
  const bytes = await readBody(request, maxBody);
  let body: unknown;
  try {
    body = parseJson(bytes);
  } catch (e) {
    throw new HttpProblem(400, `malformed JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const env = envelopeFromBody(body, now);
  const record: StoredEvent = {
    tenantId: env.tenantId,
    sessionId: env.sessionId,
    userId: env.userId,
    seq: env.seq,
    tsUnixMs: env.tsUnixMs,
    eventType: env.eventType,
    payloadJson: canonicalize(env.payload, { profile: "aegisd" }),
    hash: env.hash as string,
    prevHash: env.prevHash,
  };
  const out = await store.append(record);
  if (!out.ok) {
    const head = out.head;
    const expected = head === null ? 0 : head.seq + 1;
    const why = record.seq !== expected
      ? `: expected seq ${expected}, got ${record.seq}`
      : head !== null
      ? `: prev_hash does not match the head at seq ${head.seq}`
      : "";
    throw new HttpProblem(409, `hash chain mismatch${why}`);
  }
  return json(201, { seq: record.seq, hash: record.hash });
}

// ---------------------------------------------------------------- list

function b64url(s: string): string {
  return bytesToBase64(ENC.encode(s)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(s: string): string {
  const std = s.replace(/-/g, "+").replace(/_/g, "/");
  const padded = std + "=".repeat((4 - (std.length % 4)) % 4);
  return new TextDecoder("utf-8", { fatal: true }).decode(base64ToBytes(padded));
}

function parseSeq(s: string, what: string): number {
  if (!/^\d{1,16}$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new HttpProblem(400, `${what} is not a valid page token`);
  }
  return Number(s);
}

/**
 * Page tokens: the last seq returned (aegisd's form) when the listing is for
 * one session; `<seq>.<base64url(session id)>` across a tenant's sessions.
 */
function decodeToken(token: string, sessionId: string | undefined): ListCursor | undefined {
  if (token === "") return undefined;
  const dot = token.indexOf(".");
  if (dot < 0) {
    if (sessionId === undefined) {
      throw new HttpProblem(400, "page_token is not valid without session_id");
    }
    return { sessionId, seq: parseSeq(token, "page_token") };
  }
  const seq = parseSeq(token.slice(0, dot), "page_token");
  let sid: string;
  try {
    sid = fromB64url(token.slice(dot + 1));
  } catch {
    throw new HttpProblem(400, "page_token is not a valid page token");
  }
  if (sessionId !== undefined && sid !== sessionId) {
    throw new HttpProblem(400, "page_token belongs to another session");
  }
  return { sessionId: sid, seq };
}

function listedEvent(e: StoredEvent): Record<string, unknown> {
  return {
    TenantID: e.tenantId,
    UserID: e.userId,
    SessionID: e.sessionId,
    Seq: e.seq,
    TsUnixMs: e.tsUnixMs,
    EventType: e.eventType,
    PayloadJSON: bytesToBase64(ENC.encode(e.payloadJson)),
    Hash: bytesToBase64(hexToBytes(e.hash)),
    PrevHash: e.prevHash === null ? null : bytesToBase64(hexToBytes(e.prevHash)),
  };
}

async function listEvents(store: LedgerStore, params: URLSearchParams): Promise<Response> {
  const tenantId = requiredParam(params, "tenant_id");
  const sessionParam = params.get("session_id");
  const sessionId = sessionParam === null || sessionParam === "" ? undefined : sessionParam;
  let limit: number = PAGE_SIZE.default;
  const limitParam = params.get("limit");
  if (limitParam !== null && limitParam !== "") {
    if (!/^\d{1,7}$/.test(limitParam)) throw new HttpProblem(400, "limit must be an integer");
    limit = Number(limitParam);
    if (limit < 1 || limit > PAGE_SIZE.max) {
      throw new HttpProblem(400, `limit must be between 1 and ${PAGE_SIZE.max}`);
    }
  }
  const after = decodeToken(params.get("page_token") ?? "", sessionId);
  const eventType = params.get("event_type") || undefined;
  const toolName = params.get("tool_name") || undefined;
  const filter = eventType === undefined && toolName === undefined
    ? undefined
    : (e: StoredEvent) =>
      (eventType === undefined || e.eventType === eventType) &&
      (toolName === undefined || payloadToolName(e.payloadJson) === toolName);
  const page = await store.list({ tenantId, sessionId, after, limit, filter });
  let nextToken = "";
  if (page.more && page.events.length > 0) {
    const last = page.events[page.events.length - 1];
    nextToken = sessionId !== undefined
      ? String(last.seq)
      : `${last.seq}.${b64url(last.sessionId)}`;
  }
  return json(200, { Events: page.events.map(listedEvent), NextToken: nextToken });
}

function payloadToolName(payloadJson: string): string | undefined {
  try {
    const p = parseJson(payloadJson);
    return isRecord(p) && typeof p.tool_name === "string" ? p.tool_name : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- snapshot and verify

async function snapshot(store: LedgerStore, tenantId: string, sessionId: string) {
  const reducer = new SessionReducer();
  let lastHash = "";
  for await (const e of store.readSession(tenantId, sessionId)) {
    let payload: unknown = null;
    try {
      payload = parseJson(e.payloadJson);
    } catch {
      // A damaged record: counted as a step with no payload; `verify` names it.
    }
    reducer.apply({ seq: e.seq, tsUnixMs: e.tsUnixMs, eventType: e.eventType, payload });
    lastHash = e.hash;
  }
  if (reducer.lastSeq < 0) throw new HttpProblem(404, "session not found");
  return json(200, reducer.flat(tenantId, sessionId, lastHash));
}

/**
 * Verifies a stored session: recomputes every content hash (aegisd profile),
 * checks seq contiguity from 0 and every `prev_hash` link, and that the head
 * record still points at the last event (detects a deleted tail).
 */
export async function verifyStoredSession(
  store: LedgerStore,
  tenantId: string,
  sessionId: string,
): Promise<LedgerVerifyResult | null> {
  // The head is read first: events appended while the scan runs come after it, so a
  // concurrent append is never mistaken for a missing tail.
  const head = await store.head(tenantId, sessionId);
  let batch: Envelope[] = [];
  let last: { seq: number; hash: string } | null = null;
  let checked = 0;
  let headSeen = false;
  let damaged: { seq: number; error: string } | null = null;
  const bad = (seq: number | null, error: string | null): LedgerVerifyResult => ({
    valid: false,
    first_bad_seq: seq,
    error,
    checked,
  });
  // Verifies the batch, continuing from the last verified event; returns a failure or null.
  const flush = (): LedgerVerifyResult | null => {
    if (batch.length === 0) return null;
    const r = verifyChain(batch, last ? { from: last } : undefined);
    if (!r.valid) {
      checked += r.checked;
      return bad(r.firstBadSeq, r.error);
    }
    checked += r.checked;
    const end = batch[batch.length - 1];
    last = { seq: end.seq, hash: end.hash as string };
    batch = [];
    return null;
  };
  for await (const e of store.readSession(tenantId, sessionId)) {
    if (head !== null && e.seq === head.seq) headSeen = e.hash === head.hash;
    try {
      batch.push(
        new Envelope({
          tenantId,
          sessionId,
          userId: e.userId,
          seq: e.seq,
          tsUnixMs: e.tsUnixMs,
          eventType: e.eventType,
          payload: parseJson(e.payloadJson),
          prevHash: e.prevHash,
          hash: e.hash,
        }),
      );
    } catch (err) {
      damaged = {
        seq: e.seq,
        error: `stored event is unreadable: ${err instanceof Error ? err.message : String(err)}`,
      };
      break;
    }
    if (batch.length === 1000) {
      const failed = flush();
      if (failed) return failed;
    }
  }
  const failed = flush();
  if (failed) return failed;
  if (damaged) return bad(damaged.seq, damaged.error);
  const end = last as { seq: number; hash: string } | null;
  if (end === null) {
    return head === null ? null : bad(0, "the session head exists but no events are stored");
  }
  if (head === null) return bad(end.seq + 1, "the session head is missing");
  if (end.seq < head.seq) {
    return bad(end.seq + 1, `chain ends at seq ${end.seq} but the head records seq ${head.seq}`);
  }
  if (!headSeen) {
    return bad(head.seq, `the event at seq ${head.seq} is not the one the head records`);
  }
  return { valid: true, first_bad_seq: null, error: null, checked };
}

async function verify(store: LedgerStore, tenantId: string, sessionId: string) {
  const r = await verifyStoredSession(store, tenantId, sessionId);
  if (r === null) throw new HttpProblem(404, "session not found");
  return json(200, r);
}
