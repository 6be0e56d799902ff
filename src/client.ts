/**
 * `AegisClient`: talks to aegisd (as deployed) or the reference ledger over
 * HTTP, with `fetch` only — Deno, Workers (pass a service binding's `fetch`),
 * Node 18+, Bun and browsers.
 *
 * Response bodies are read with this module's own JSON parser, never
 * `JSON.parse` (see the V8 key-decoding bug in `known-issues/`), so a listed
 * event's payload is exactly what was hashed.
 *
 * @module
 */

import { parseJson } from "./canon/parse.ts";
import { canonicalize } from "./canon/value.ts";
import { base64ToBytes, bytesToHex } from "./encoding.ts";
import { Envelope } from "./envelope.ts";
import {
  AegisHttpError,
  AegisNetworkError,
  AegisProtocolError,
  AegisTimeoutError,
} from "./client_errors.ts";

/** A `fetch`-compatible function (global `fetch`, a bound Workers service binding, a test stub). */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/** Options of {@link AegisClient}. */
export interface AegisClientOptions {
  /** The `fetch` to use (default: global `fetch`). Bind it if it needs `this` (`env.SVC.fetch.bind(env.SVC)`). */
  fetch?: FetchLike;
  /** Extra headers on every request (e.g. `authorization`). */
  headers?: Record<string, string> | Headers | [string, string][];
  /** Per-attempt timeout in ms, covering the response body too (default 10 000; 0 = none). */
  timeoutMs?: number;
  /**
   * How many times to retry after a network error, a timeout, or a 429/502/503/504
   * (default 2). Appends are retried too: see {@link AegisClient.appendEvent}.
   */
  retries?: number;
  /** Base delay before a retry, doubled each time (default 100 ms). */
  retryDelayMs?: number;
}

/** Result of {@link AegisClient.appendEvent}. */
export interface AppendResult {
  /** Seq the event was stored at. */
  seq: number;
  /** The stored event's hash, 64 lowercase hex. */
  hash: string;
}

/** Query of {@link AegisClient.listEvents}. */
export interface ListEventsQuery {
  /** Tenant (required). */
  tenantId: string;
  /** One session only. */
  sessionId?: string;
  /** Only events of this type. */
  eventType?: string;
  /** Only events whose payload `tool_name` is this. */
  toolName?: string;
  /** Page size (the reference ledger honours 1–1000; aegisd ignores it and pages by 100). */
  limit?: number;
  /** `nextToken` of the previous page. */
  pageToken?: string;
}

/** A page of {@link AegisClient.listEvents}. */
export interface EventPage {
  /** Decoded, sealed envelopes (`userId` is `""` where the server does not store it, as aegisd). */
  events: Envelope[];
  /** Token of the next page, or `""` when this was the last. */
  nextToken: string;
}

/** A session snapshot in camelCase, from either the documented flat shape or aegisd's `StateJSON`. */
export interface Snapshot {
  /** Events seen. */
  stepsConsumed: number;
  /** `TOOL_CALL_PROPOSED` events seen. */
  toolCallsConsumed: number;
  /** Session wall time in ms (set on `TERMINATION`). */
  wallTimeMs: number;
  /** True while taint labels are active. */
  isTainted: boolean;
  /** Keys declared sanitized. */
  sanitizedKeys: string[];
  /** Loop detector / budget reason, or `null`. */
  loopViolation: string | null;
  /** Seq the snapshot was taken at, when the server says. */
  lastSeq?: number;
  /** `MODEL_CALL_STARTED` events seen, when the server says. */
  modelCallsConsumed?: number;
  /** Active taint labels, when the server says. */
  taintLabels?: string[];
  /** Session start (Unix ms), when the server says. */
  sessionStartMs?: number;
  /** The decoded server object (flat body, or aegisd's decoded `StateJSON`). Pass it to `decide`. */
  raw: Record<string, unknown>;
}

/** Result of {@link AegisClient.verifyChain}. */
export interface ServerVerification {
  /** True when the server found the chain intact. */
  valid: boolean;
  /** First bad seq, or `null`. */
  firstBadSeq: number | null;
  /** Why, or `null`. */
  error: string | null;
}

/** Input of {@link AegisClient.decide}. */
export interface DecideRequest {
  /** The event to decide on (an {@link Envelope} is sent in wire form). */
  event: Envelope | Record<string, unknown>;
  /** The session snapshot (a {@link Snapshot} is sent as its `raw` server object). */
  snapshot: Snapshot | Record<string, unknown> | null;
  /** Policy manifest, when the server needs one. */
  manifest?: unknown;
}

/** Result of {@link AegisClient.decide}. */
export interface Decision {
  /** `"allow"`, `"deny"` or `"require_approval"`. */
  outcome: "allow" | "deny" | "require_approval";
  /** Why. */
  reason: string;
  /** Constraints to apply (e.g. rewritten args), `{}` when none. */
  constraints: Record<string, unknown>;
}

/** `{status}` of `/healthz` and `/readyz`. */
export interface StatusResult {
  /** `"ok"` / `"ready"`. */
  status: string;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

interface RawResponse {
  status: number;
  bytes: Uint8Array;
  method: string;
  url: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * HTTP client for aegisd and the reference ledger.
 *
 * @example
 * ```ts ignore
 * import { AegisClient, Builder, EventType } from "@aegis/sdk";
 * const client = new AegisClient("http://127.0.0.1:8080");
 * const b = new Builder({ tenantId: "acme", userId: "u1", sessionId: "sess-1" });
 * const { seq, hash } = await client.appendEvent(
 *   b.append(EventType.MODEL_CALL_STARTED, { model_id: "gpt-4o", call_id: "m1" }),
 * );
 * console.log(seq, hash, await client.verifyChain("acme", "sess-1"));
 * ```
 */
export class AegisClient {
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  #fetch: FetchLike;
  #headers: Headers;
  #timeoutMs: number;
  #retries: number;
  #retryDelayMs: number;

  /**
   * Creates a client for the aegisd (or reference ledger) at `baseUrl`.
   *
   * @example
   * ```ts
   * import { AegisClient } from "@aegis/sdk";
   * const client = new AegisClient("http://127.0.0.1:8080", { timeoutMs: 2000, retries: 1 });
   * console.log(client.baseUrl); // "http://127.0.0.1:8080"
   * ```
   */
  constructor(baseUrl: string = "http://localhost:8080", options: AegisClientOptions = {}) {
    this.baseUrl = String(baseUrl).replace(/\/+$/, "");
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#headers = new Headers(options.headers);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.#retryDelayMs = Math.max(0, options.retryDelayMs ?? 100);
  }

  /**
   * Sends a sealed envelope (`POST /v1/events`) and returns where it landed.
   * An unsealed envelope is sent without a hash and the server computes it.
   *
   * Retries are safe: when a retried attempt comes back as a conflict (409,
   * or aegisd's 500 for a repeated seq 0) the first attempt may have landed,
   * so the client reads the stored event at that seq and returns success when
   * its hash is this envelope's — never a duplicate, never a lost event.
   *
   * @throws {AegisHttpError} 400 (`isHashRejected` when the hash was refused), 409 (`isChainConflict`).
   * @throws {AegisTimeoutError | AegisNetworkError} when every attempt failed.
   * @example
   * ```ts ignore
   * const { seq, hash } = await client.appendEvent(builder.append("TERMINATION", { reason: "done" }));
   * ```
   */
  async appendEvent(envelope: Envelope): Promise<AppendResult> {
    if (!(envelope instanceof Envelope)) {
      throw new TypeError(
        "appendEvent expects an Envelope (use Envelope.fromJSON for wire objects)",
      );
    }
    const ourHash = envelope.hash ?? envelope.computeHash();
    // aegisd-profile text keeps -0 and every string exactly; JSON.stringify would turn -0 into 0.
    const body = envelope.toWireText();
    const res = await this.#request("POST", "/v1/events", undefined, body, async (r, attempt) => {
      if (attempt === 0) return false;
      if (r.status !== 409 && !(r.status === 500 && envelope.seq === 0)) return false;
      const stored = await this.#storedAt(envelope.tenantId, envelope.sessionId, envelope.seq);
      return stored !== null && stored.hash === ourHash;
    });
    if (res === "reconciled") return { seq: envelope.seq, hash: ourHash };
    const obj = this.#json(res);
    if (!isRecord(obj) || typeof obj.seq !== "number") {
      throw new AegisProtocolError("no numeric seq in the append response", res.method, res.url);
    }
    const hash = this.#hashField(obj.hash, res, "hash");
    if (hash === null) {
      throw new AegisProtocolError("no hash in the append response", res.method, res.url);
    }
    return { seq: obj.seq, hash };
  }

  /**
   * One page of events (`GET /v1/events`), decoded into sealed envelopes
   * without `JSON.parse`.
   *
   * @example
   * ```ts ignore
   * const { events, nextToken } = await client.listEvents({ tenantId: "acme", sessionId: "sess-1" });
   * const last = events.at(-1)!;
   * const resumed = new Builder({ tenantId: "acme", userId: "u1", sessionId: "sess-1",
   *   nextSeq: last.seq + 1, prevHash: last.hash! });
   * ```
   */
  async listEvents(query: ListEventsQuery): Promise<EventPage> {
    if (!query || typeof query.tenantId !== "string" || query.tenantId === "") {
      throw new TypeError("listEvents needs a tenantId");
    }
    const params: Record<string, string | undefined> = {
      tenant_id: query.tenantId,
      session_id: query.sessionId,
      event_type: query.eventType,
      tool_name: query.toolName,
      limit: query.limit === undefined ? undefined : String(query.limit),
      page_token: query.pageToken || undefined,
    };
    const res = await this.#request("GET", "/v1/events", params);
    return this.#decodePage(res);
  }

  /**
   * Every matching event across pages, in server order.
   *
   * @example
   * ```ts ignore
   * for await (const env of client.events({ tenantId: "acme", sessionId: "sess-1" })) {
   *   console.log(env.seq, env.eventType);
   * }
   * ```
   */
  async *events(query: ListEventsQuery): AsyncGenerator<Envelope, void, undefined> {
    let token = query.pageToken ?? "";
    const seen = new Set<string>();
    for (;;) {
      const page = await this.listEvents({ ...query, pageToken: token });
      yield* page.events;
      if (page.nextToken === "" || page.events.length === 0) return;
      if (seen.has(page.nextToken)) {
        throw new AegisProtocolError(
          `page token ${JSON.stringify(page.nextToken)} repeats`,
          "GET",
          `${this.baseUrl}/v1/events`,
        );
      }
      seen.add(page.nextToken);
      token = page.nextToken;
    }
  }

  /**
   * The session snapshot, from the documented flat shape or aegisd's
   * `{StateJSON: base64, …}` shape. Returns **`null` on 404** (aegisd has no
   * snapshot until its first one — every 50 events, on `TERMINATION` or
   * `APPROVAL_REQUESTED`; the reference ledger 404s only for an empty session).
   *
   * @example
   * ```ts ignore
   * const snap = await client.getSnapshot("acme", "sess-1");
   * if (snap?.isTainted) console.log("tainted; sanitized:", snap.sanitizedKeys);
   * ```
   */
  async getSnapshot(tenantId: string, sessionId: string): Promise<Snapshot | null> {
    let res: RawResponse;
    try {
      res = await this.#request(
        "GET",
        `/v1/sessions/${encodeURIComponent(sessionId)}/snapshot`,
        { tenant_id: tenantId },
      );
    } catch (e) {
      if (e instanceof AegisHttpError && e.status === 404) return null;
      throw e;
    }
    const obj = this.#json(res);
    if (!isRecord(obj)) {
      throw new AegisProtocolError("snapshot is not an object", res.method, res.url);
    }
    return "StateJSON" in obj ? this.#aegisdSnapshot(obj, res) : this.#flatSnapshot(obj, res);
  }

  /**
   * Server-side chain verification, from `{"valid":true}` (aegisd) or the
   * full `{valid, first_bad_seq, error}` shape. aegisd checks linkage only;
   * the reference ledger also recomputes every content hash.
   *
   * @throws {AegisHttpError} 404 when the reference ledger has no such session.
   * @example
   * ```ts ignore
   * const r = await client.verifyChain("acme", "sess-1");
   * if (!r.valid) console.log(`broken at seq ${r.firstBadSeq}: ${r.error}`);
   * ```
   */
  async verifyChain(tenantId: string, sessionId: string): Promise<ServerVerification> {
    const res = await this.#request(
      "GET",
      `/v1/sessions/${encodeURIComponent(sessionId)}/verify`,
      { tenant_id: tenantId },
    );
    const obj = this.#json(res);
    if (!isRecord(obj) || typeof obj.valid !== "boolean") {
      throw new AegisProtocolError("no boolean valid in the verify response", res.method, res.url);
    }
    const bad = obj.first_bad_seq ?? obj.FirstBadSeq ?? null;
    const err = obj.error ?? obj.Error ?? null;
    return {
      valid: obj.valid,
      firstBadSeq: typeof bad === "number" ? bad : null,
      error: typeof err === "string" && err !== "" ? err : null,
    };
  }

  /**
   * Asks for a policy decision (`POST /v1/policy/decide`).
   *
   * @example
   * ```ts ignore
   * const snap = await client.getSnapshot("acme", "sess-1");
   * const d = await client.decide({ event: proposal, snapshot: snap, manifest });
   * if (d.outcome === "deny") throw new Error(d.reason);
   * ```
   */
  async decide(request: DecideRequest): Promise<Decision> {
    const event = request.event instanceof Envelope ? request.event.toJSON() : request.event;
    const snap = request.snapshot;
    const snapshot = snap && "raw" in snap && "stepsConsumed" in snap && isRecord(snap.raw)
      ? snap.raw
      : snap;
    const body = canonicalize(
      { event, snapshot: snapshot ?? null, manifest: request.manifest ?? null },
      { profile: "aegisd" },
    );
    const res = await this.#request("POST", "/v1/policy/decide", undefined, body);
    const obj = this.#json(res);
    if (!isRecord(obj) || typeof obj.outcome !== "string") {
      throw new AegisProtocolError("no outcome in the decision", res.method, res.url);
    }
    if (obj.outcome !== "allow" && obj.outcome !== "deny" && obj.outcome !== "require_approval") {
      throw new AegisProtocolError(
        `unknown outcome ${JSON.stringify(obj.outcome)}`,
        res.method,
        res.url,
      );
    }
    return {
      outcome: obj.outcome,
      reason: typeof obj.reason === "string" ? obj.reason : "",
      constraints: isRecord(obj.constraints) ? obj.constraints : {},
    };
  }

  /**
   * Liveness (`GET /healthz`).
   *
   * @example
   * ```ts ignore
   * console.log(await client.health()); // { status: "ok" }
   * ```
   */
  health(): Promise<StatusResult> {
    return this.#status("/healthz");
  }

  /**
   * Readiness (`GET /readyz`); throws {@link AegisHttpError} when not ready.
   *
   * @example
   * ```ts ignore
   * console.log(await client.ready()); // { status: "ready" }
   * ```
   */
  ready(): Promise<StatusResult> {
    return this.#status("/readyz");
  }

  // ------------------------------------------------------------ internals

  async #status(path: string): Promise<StatusResult> {
    const res = await this.#request("GET", path);
    const obj = this.#json(res);
    if (!isRecord(obj) || typeof obj.status !== "string") {
      throw new AegisProtocolError("no status field", res.method, res.url);
    }
    return { status: obj.status };
  }

  async #storedAt(tenantId: string, sessionId: string, seq: number): Promise<Envelope | null> {
    const page = await this.listEvents({
      tenantId,
      sessionId,
      limit: 1,
      pageToken: seq > 0 ? String(seq - 1) : undefined,
    });
    return page.events.find((e) => e.seq === seq) ?? null;
  }

  #url(path: string, query?: Record<string, string | undefined>): string {
    let url = this.baseUrl + path;
    if (query) {
      const sp = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) sp.set(k, v);
      const qs = sp.toString();
      if (qs) url += "?" + qs;
    }
    return url;
  }

  #request(
    method: string,
    path: string,
    query?: Record<string, string | undefined>,
    body?: string,
  ): Promise<RawResponse>;
  #request(
    method: string,
    path: string,
    query: Record<string, string | undefined> | undefined,
    body: string | undefined,
    reconcile: (r: RawResponse, attempt: number) => Promise<boolean>,
  ): Promise<RawResponse | "reconciled">;
  async #request(
    method: string,
    path: string,
    query?: Record<string, string | undefined>,
    body?: string,
    reconcile?: (r: RawResponse, attempt: number) => Promise<boolean>,
  ): Promise<RawResponse | "reconciled"> {
    const url = this.#url(path, query);
    for (let attempt = 0;; attempt++) {
      const last = attempt >= this.#retries;
      let res: RawResponse;
      try {
        res = await this.#once(method, url, body);
      } catch (e) {
        if (last || !(e instanceof AegisTimeoutError || e instanceof AegisNetworkError)) throw e;
        await this.#backoff(attempt);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      if (reconcile && await reconcile(res, attempt)) return "reconciled";
      if (!last && RETRY_STATUS.has(res.status)) {
        await this.#backoff(attempt);
        continue;
      }
      throw this.#httpError(res);
    }
  }

  #backoff(attempt: number): Promise<void> {
    const ms = Math.min(this.#retryDelayMs * 2 ** attempt, 5_000);
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
  }

  async #once(method: string, url: string, body?: string): Promise<RawResponse> {
    const headers = new Headers(this.#headers);
    if (!headers.has("accept")) headers.set("accept", "application/json");
    if (body !== undefined && !headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const timeout = this.#timeoutMs > 0
      ? new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
          reject(new AegisTimeoutError(this.#timeoutMs, method, url));
        }, this.#timeoutMs);
      })
      : null;
    const work = (async () => {
      let response: Response;
      try {
        response = await this.#fetch(url, { method, headers, body, signal: controller.signal });
      } catch (e) {
        if (timedOut) throw new AegisTimeoutError(this.#timeoutMs, method, url);
        throw new AegisNetworkError(method, url, e);
      }
      try {
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, bytes, method, url };
      } catch (e) {
        if (timedOut) throw new AegisTimeoutError(this.#timeoutMs, method, url);
        throw new AegisNetworkError(method, url, e);
      }
    })();
    try {
      if (!timeout) return await work;
      // `work` may settle after the race is lost; keep its rejection from going unhandled.
      work.catch(() => {});
      return await Promise.race([work, timeout]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  #httpError(res: RawResponse): AegisHttpError {
    const text = new TextDecoder().decode(res.bytes);
    let message = text.trim();
    try {
      const obj = parseJson(res.bytes);
      if (isRecord(obj) && typeof obj.error === "string") message = obj.error;
      else if (isRecord(obj) && typeof obj.message === "string") message = obj.message;
    } catch {
      // not JSON: keep the text
    }
    if (message.length > 500) message = message.slice(0, 500) + "…";
    return new AegisHttpError(res.status, message, res.method, res.url, text);
  }

  #json(res: RawResponse): unknown {
    try {
      return parseJson(res.bytes);
    } catch (e) {
      throw new AegisProtocolError(
        `body is not JSON (${e instanceof Error ? e.message : String(e)})`,
        res.method,
        res.url,
        { cause: e },
      );
    }
  }

  /** A hash field as hex: accepts 64-hex, base64 of 32 bytes, or a byte array; `null` when absent. */
  #hashField(v: unknown, res: RawResponse, name: string): string | null {
    if (v === undefined || v === null || v === "") return null;
    if (typeof v === "string" && /^[0-9a-fA-F]{64}$/.test(v)) return v.toLowerCase();
    let bytes: Uint8Array | null = null;
    if (typeof v === "string") {
      try {
        bytes = base64ToBytes(v);
      } catch {
        bytes = null;
      }
    } else if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      bytes = Uint8Array.from(v as number[]);
    }
    if (!bytes || bytes.length !== 32) {
      throw new AegisProtocolError(`${name} is not a 32-byte hash`, res.method, res.url);
    }
    return bytesToHex(bytes);
  }

  #decodePage(res: RawResponse): EventPage {
    const obj = this.#json(res);
    if (!isRecord(obj)) {
      throw new AegisProtocolError("event page is not an object", res.method, res.url);
    }
    const list = obj.Events ?? obj.events ?? null;
    if (list !== null && !Array.isArray(list)) {
      throw new AegisProtocolError("Events is not an array", res.method, res.url);
    }
    const events = (list ?? []).map((item, i) => this.#decodeEvent(item, i, res));
    const tok = obj.NextToken ?? obj.next_token ?? "";
    const nextToken = typeof tok === "number" ? String(tok) : typeof tok === "string" ? tok : "";
    return { events, nextToken };
  }

  #decodeEvent(item: unknown, i: number, res: RawResponse): Envelope {
    const where = `Events[${i}]`;
    const fail = (what: string, cause?: unknown): never => {
      throw new AegisProtocolError(`${where}: ${what}`, res.method, res.url, { cause });
    };
    if (!isRecord(item)) return fail("not an object");
    const str = (k: string, required: boolean): string => {
      const v = item[k];
      if (v === undefined || v === null) return required ? fail(`${k} is missing`) : "";
      return typeof v === "string" ? v : fail(`${k} is not a string`);
    };
    const num = (k: string): number => {
      const v = item[k];
      return typeof v === "number" && Number.isSafeInteger(v) ? v : fail(`${k} is not an integer`);
    };
    let payload: unknown = null;
    const pj = item.PayloadJSON;
    if (pj !== undefined && pj !== null && pj !== "") {
      let text: Uint8Array;
      try {
        text = typeof pj === "string"
          ? base64ToBytes(pj)
          : Array.isArray(pj)
          ? Uint8Array.from(pj as number[])
          : fail("PayloadJSON is not base64");
      } catch (e) {
        return fail("PayloadJSON is not base64", e);
      }
      try {
        payload = parseJson(text);
      } catch (e) {
        return fail(`PayloadJSON is not JSON: ${e instanceof Error ? e.message : String(e)}`, e);
      }
    }
    try {
      return new Envelope({
        tenantId: str("TenantID", true),
        userId: str("UserID", false),
        sessionId: str("SessionID", true),
        seq: num("Seq"),
        tsUnixMs: num("TsUnixMs"),
        eventType: str("EventType", true),
        payload,
        prevHash: this.#hashField(item.PrevHash, res, `${where}.PrevHash`),
        hash: this.#hashField(item.Hash, res, `${where}.Hash`),
      });
    } catch (e) {
      if (e instanceof AegisProtocolError) throw e;
      return fail(e instanceof Error ? e.message : String(e), e);
    }
  }

  #flatSnapshot(o: Record<string, unknown>, res: RawResponse): Snapshot {
    const n = (k: string) => {
      const v = o[k];
      if (typeof v !== "number") {
        throw new AegisProtocolError(`snapshot ${k} is not a number`, res.method, res.url);
      }
      return v;
    };
    const snap: Snapshot = {
      stepsConsumed: n("steps_consumed"),
      toolCallsConsumed: n("tool_calls_consumed"),
      wallTimeMs: typeof o.wall_time_ms === "number" ? o.wall_time_ms : 0,
      isTainted: o.is_tainted === true,
      sanitizedKeys: strings(o.sanitized_keys),
      loopViolation: typeof o.loop_violation === "string" && o.loop_violation !== ""
        ? o.loop_violation
        : null,
      raw: o,
    };
    if (typeof o.last_seq === "number") snap.lastSeq = o.last_seq;
    if (typeof o.model_calls_consumed === "number") {
      snap.modelCallsConsumed = o.model_calls_consumed;
    }
    if (Array.isArray(o.taint_labels)) snap.taintLabels = strings(o.taint_labels);
    if (typeof o.session_start_ms === "number") snap.sessionStartMs = o.session_start_ms;
    return snap;
  }

  #aegisdSnapshot(o: Record<string, unknown>, res: RawResponse): Snapshot {
    let state: unknown;
    try {
      const sj = o.StateJSON;
      state = typeof sj === "string" ? parseJson(base64ToBytes(sj)) : sj;
    } catch (e) {
      throw new AegisProtocolError("StateJSON is not base64 JSON", res.method, res.url, {
        cause: e,
      });
    }
    if (!isRecord(state)) {
      throw new AegisProtocolError("StateJSON is not an object", res.method, res.url);
    }
    const b = isRecord(state.budgets) ? state.budgets : {};
    const taint = isRecord(state.taint) ? state.taint : {};
    const labels = strings(taint.active_labels);
    const num = (v: unknown) => (typeof v === "number" ? v : 0);
    const snap: Snapshot = {
      stepsConsumed: num(b.steps_consumed),
      toolCallsConsumed: num(b.tool_calls_consumed),
      wallTimeMs: num(b.wall_time_ms),
      isTainted: labels.length > 0,
      sanitizedKeys: strings(taint.sanitized_keys),
      loopViolation: typeof state.loop_violation === "string" && state.loop_violation !== ""
        ? state.loop_violation
        : null,
      modelCallsConsumed: num(b.model_calls_consumed),
      taintLabels: labels,
      sessionStartMs: num(b.session_start_ms),
      raw: state,
    };
    if (typeof o.LastSeq === "number") snap.lastSeq = o.LastSeq;
    return snap;
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
