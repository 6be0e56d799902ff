/**
 * In-memory {@link LedgerStore}: runs anywhere (Deno, Workers, Node, Bun,
 * browsers), keeps everything in the process, loses it on exit.
 *
 * @module
 */

import {
  type AppendOutcome,
  compareCodePoints,
  type LedgerStore,
  type ListQuery,
  type ListResult,
  type SessionHead,
  type StoredEvent,
} from "./store.ts";

interface Tenant {
  sessions: Map<string, StoredEvent[]>;
  /** Session ids in code point order (kept sorted on insert). */
  order: string[];
}

/**
 * In-memory ledger store. Appends are atomic because the check of the head
 * and the write happen in one synchronous step.
 *
 * @example
 * ```ts
 * import { createLedgerHandler, MemoryStore } from "@aegis/sdk";
 * const handler = createLedgerHandler(new MemoryStore());
 * const res = await handler(new Request("http://ledger/healthz"));
 * console.log(res.status); // 200
 * ```
 */
export class MemoryStore implements LedgerStore {
  #tenants = new Map<string, Tenant>();

  /**
   * The session's head, or `null`.
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * console.log(await new MemoryStore().head("acme", "s")); // null
   * ```
   */
  head(tenantId: string, sessionId: string): Promise<SessionHead | null> {
    const events = this.#tenants.get(tenantId)?.sessions.get(sessionId);
    if (!events || events.length === 0) return Promise.resolve(null);
    const last = events[events.length - 1];
    return Promise.resolve({ seq: last.seq, hash: last.hash });
  }

  /**
   * Appends iff the event extends the head (see {@link LedgerStore.append}).
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * const store = new MemoryStore();
   * const out = await store.append({
   *   tenantId: "acme", sessionId: "s", userId: "", seq: 0, tsUnixMs: 1, eventType: "TERMINATION",
   *   payloadJson: "null", hash: "00".repeat(32), prevHash: null,
   * });
   * console.log(out.ok); // true
   * ```
   */
  append(event: StoredEvent): Promise<AppendOutcome> {
    let tenant = this.#tenants.get(event.tenantId);
    const events = tenant?.sessions.get(event.sessionId);
    const last = events && events.length > 0 ? events[events.length - 1] : null;
    const extendsHead = last === null
      ? event.seq === 0 && event.prevHash === null
      : event.seq === last.seq + 1 && event.prevHash === last.hash;
    if (!extendsHead) {
      return Promise.resolve({ ok: false, head: last && { seq: last.seq, hash: last.hash } });
    }
    if (!tenant) {
      tenant = { sessions: new Map(), order: [] };
      this.#tenants.set(event.tenantId, tenant);
    }
    if (events) {
      events.push({ ...event });
    } else {
      tenant.sessions.set(event.sessionId, [{ ...event }]);
      insertSorted(tenant.order, event.sessionId);
    }
    return Promise.resolve({ ok: true });
  }

  /**
   * One stored event, or `null`.
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * console.log(await new MemoryStore().get("acme", "s", 0)); // null
   * ```
   */
  get(tenantId: string, sessionId: string, seq: number): Promise<StoredEvent | null> {
    const e = this.#tenants.get(tenantId)?.sessions.get(sessionId)?.[seq];
    return Promise.resolve(e ? { ...e } : null);
  }

  /**
   * A page of events in (session id, seq) order.
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * const page = await new MemoryStore().list({ tenantId: "acme", limit: 10 });
   * console.log(page.events.length, page.more); // 0 false
   * ```
   */
  list(query: ListQuery): Promise<ListResult> {
    const tenant = this.#tenants.get(query.tenantId);
    const out: StoredEvent[] = [];
    if (!tenant) return Promise.resolve({ events: out, more: false });
    const sessions = query.sessionId !== undefined ? [query.sessionId] : tenant.order;
    let startIdx = 0;
    if (query.after && query.sessionId === undefined) {
      const after = query.after.sessionId;
      while (startIdx < sessions.length && compareCodePoints(sessions[startIdx], after) < 0) {
        startIdx++;
      }
    }
    for (let si = startIdx; si < sessions.length; si++) {
      const sid = sessions[si];
      const events = tenant.sessions.get(sid);
      if (!events) continue;
      let from = 0;
      if (query.after) {
        const c = compareCodePoints(sid, query.after.sessionId);
        if (c < 0) continue;
        if (c === 0) from = query.after.seq + 1;
      }
      for (let i = from; i < events.length; i++) {
        const e = events[i];
        if (query.filter && !query.filter(e)) continue;
        if (out.length === query.limit) return Promise.resolve({ events: out, more: true });
        out.push({ ...e });
      }
    }
    return Promise.resolve({ events: out, more: false });
  }

  /**
   * Every event of a session, in seq order.
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * for await (const e of new MemoryStore().readSession("acme", "s")) console.log(e.seq);
   * ```
   */
  async *readSession(tenantId: string, sessionId: string): AsyncIterable<StoredEvent> {
    const events = this.#tenants.get(tenantId)?.sessions.get(sessionId) ?? [];
    // Copy the length first: appends during iteration are not part of this read.
    const n = events.length;
    for (let i = 0; i < n; i++) yield { ...events[i] };
  }

  /**
   * Overwrites a stored event **bypassing every check** — for demos and tests
   * that show tampering being detected. Returns false when there is no such
   * event.
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * const store = new MemoryStore();
   * console.log(store.tamper("acme", "s", 0, (e) => ({ ...e, payloadJson: "{}" }))); // false
   * ```
   */
  tamper(
    tenantId: string,
    sessionId: string,
    seq: number,
    edit: (event: StoredEvent) => StoredEvent,
  ): boolean {
    const events = this.#tenants.get(tenantId)?.sessions.get(sessionId);
    if (!events || !events[seq]) return false;
    events[seq] = { ...edit({ ...events[seq] }), tenantId, sessionId, seq };
    return true;
  }

  /**
   * Drops everything (no resources to release).
   *
   * @example
   * ```ts
   * import { MemoryStore } from "@aegis/sdk";
   * await new MemoryStore().close();
   * ```
   */
  close(): Promise<void> {
    this.#tenants.clear();
    return Promise.resolve();
  }
}

function insertSorted(arr: string[], s: string): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareCodePoints(arr[mid], s) < 0) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, s);
}
