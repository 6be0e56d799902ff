/**
 * The storage contract of the reference ledger: an append-only log of sealed
 * events per `(tenant, session)` with an atomic compare-and-set on the
 * session head, so concurrent appenders can never fork a chain or lose an
 * event.
 *
 * Two implementations ship: {@link MemoryStore} (any runtime) and `KvStore`
 * (Deno KV, in `kv_store.ts`).
 *
 * @module
 */

/**
 * One stored event. Hashes are 64 lowercase hex characters; `payloadJson` is
 * the payload in aegisd's canonical form (UTF-8 text), which re-parses to the
 * same value the hash was computed over.
 */
export interface StoredEvent {
  /** Tenant the event belongs to. */
  tenantId: string;
  /** Session (chain) the event belongs to. */
  sessionId: string;
  /** User id as sent (`""` when absent); aegisd drops it, this ledger keeps it. */
  userId: string;
  /** Position in the chain, from 0. */
  seq: number;
  /** Event time in Unix milliseconds. */
  tsUnixMs: number;
  /** Event type name, e.g. `"TOOL_CALL_PROPOSED"`. */
  eventType: string;
  /** Payload as aegisd-canonical JSON text. */
  payloadJson: string;
  /** The event's content hash (hex). */
  hash: string;
  /** The previous event's hash (hex), `null` at seq 0. */
  prevHash: string | null;
}

/** The last event of a session: what the next append must link to. */
export interface SessionHead {
  /** Seq of the last stored event. */
  seq: number;
  /** Hash (hex) of the last stored event. */
  hash: string;
}

/**
 * Result of {@link LedgerStore.append}: either stored, or refused because the
 * event does not extend the current head (the current head is returned so the
 * caller can say why).
 */
export type AppendOutcome =
  | { ok: true }
  | { ok: false; head: SessionHead | null };

/** Position in a tenant's log: events strictly after it are listed next. */
export interface ListCursor {
  /** Session of the last event already returned. */
  sessionId: string;
  /** Seq of the last event already returned. */
  seq: number;
}

/** What {@link LedgerStore.list} returns. */
export interface ListQuery {
  /** Tenant to list (required: tenants never see each other's events). */
  tenantId: string;
  /** Restricts the listing to one session. */
  sessionId?: string;
  /** Start strictly after this position. */
  after?: ListCursor;
  /** Maximum number of events to return (≥ 1). */
  limit: number;
  /** Keeps only events for which it returns true (scanning continues past rejected ones). */
  filter?: (event: StoredEvent) => boolean;
}

/** A page of events in store order (session id, then seq). */
export interface ListResult {
  /** Matching events, at most `limit`. */
  events: StoredEvent[];
  /** True when at least one more matching event follows the last one returned. */
  more: boolean;
}

/**
 * Storage behind the ledger handler. Order within a tenant is by session id
 * (UTF-8 byte order), then seq.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@aegis/sdk";
 * const store = new MemoryStore();
 * console.log(await store.head("acme", "sess-1")); // null
 * ```
 */
export interface LedgerStore {
  /** The session's head, or `null` when the session has no events. */
  head(tenantId: string, sessionId: string): Promise<SessionHead | null>;
  /**
   * Appends `event` iff it extends the current head atomically: seq 0 on an
   * empty session, or `seq = head.seq + 1` and `prevHash = head.hash`.
   */
  append(event: StoredEvent): Promise<AppendOutcome>;
  /** One event, or `null`. */
  get(tenantId: string, sessionId: string, seq: number): Promise<StoredEvent | null>;
  /** A page of events (see {@link ListQuery}). */
  list(query: ListQuery): Promise<ListResult>;
  /** Every event of a session in seq order. */
  readSession(tenantId: string, sessionId: string): AsyncIterable<StoredEvent>;
  /** Releases resources (closes the database). */
  close(): Promise<void>;
}

export { compareCodePoints } from "../canon/string.ts";
