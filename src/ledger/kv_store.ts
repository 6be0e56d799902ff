/**
 * {@link LedgerStore} on Deno KV: a local SQLite file with `Deno.openKv(path)`,
 * or Deno Deploy's FoundationDB-backed KV with the same code.
 *
 * Key layout (tenant and session ids are key parts, so KV's own ordering gives
 * the list order):
 *
 * - `["aegis", "head", tenant, session]` → `{seq, hash}` — the chain head;
 *   every append is one atomic operation that checks its versionstamp.
 * - `["aegis", "ev", tenant, session, seq]` → the event record.
 * - `["aegis", "blob", id, i]` → chunks of payloads over 60 KiB (KV values are
 *   limited to 64 KiB and one atomic operation to 800 KiB, while bodies may be
 *   1 MiB). Chunks are written first, under a fresh random id, and only become
 *   reachable through the record the atomic commit writes; a refused commit
 *   deletes them, so nothing partial is ever visible.
 *
 * Appends to different sessions that arrive while a commit is in flight are
 * committed together in one atomic operation (group commit); when any of
 * their head checks fails, each is committed alone, so every caller gets the
 * answer its own compare-and-set deserves.
 *
 * @module
 */

import type {
  AppendOutcome,
  LedgerStore,
  ListQuery,
  ListResult,
  SessionHead,
  StoredEvent,
} from "./store.ts";

const ROOT = "aegis";
const INLINE_MAX = 60 * 1024;
const CHUNK = 60 * 1024;
const CHUNKS_PER_OP = 10;
const HEAD_CACHE_MAX = 10_000;
// Group commit limits, below Deno KV's per-operation limits (800 KiB of mutations, 80 KiB of
// keys, 100 checks).
const GROUP_MAX_ITEMS = 64;
const GROUP_MAX_BYTES = 600 * 1024;
const GROUP_MAX_KEY_BYTES = 48 * 1024;
const ENC = new TextEncoder();
const DEC = new TextDecoder();

/** The value stored at `["aegis", "ev", tenant, session, seq]`. */
export interface KvEventRecord {
  /** User id (`""` when absent). */
  userId: string;
  /** Event time, Unix ms. */
  tsUnixMs: number;
  /** Event type name. */
  eventType: string;
  /** aegisd-canonical payload text, when it is stored inline. */
  payloadJson?: string;
  /** Blob id of a chunked payload. */
  blob?: string;
  /** Number of chunks of a chunked payload. */
  chunks?: number;
  /** Hash (hex). */
  hash: string;
  /** Previous hash (hex) or `null` at seq 0. */
  prevHash: string | null;
}

/**
 * Ledger store on Deno KV with compare-and-set appends.
 *
 * @example
 * ```ts ignore
 * import { createLedgerHandler } from "@aegis/sdk";
 * import { KvStore } from "@aegis/sdk/kv";
 * const store = await KvStore.open("./aegis.kv");
 * Deno.serve({ port: 8080 }, createLedgerHandler(store));
 * ```
 */
export class KvStore implements LedgerStore {
  /** The underlying KV database (exposed for tooling and tamper tests). */
  readonly kv: Deno.Kv;
  #heads = new Map<string, { value: SessionHead; versionstamp: string }>();
  #queue: PendingCommit[] = [];
  #draining = false;

  /**
   * Wraps an open KV database (the store does not own it unless opened with {@link KvStore.open}).
   *
   * @example
   * ```ts ignore
   * import { KvStore } from "@aegis/sdk/kv";
   * const store = new KvStore(await Deno.openKv(":memory:"));
   * ```
   */
  constructor(kv: Deno.Kv) {
    this.kv = kv;
  }

  /**
   * Opens (creating if needed) a KV database at `path` (`":memory:"` for a
   * throwaway one, nothing for the default / Deno Deploy database).
   *
   * @example
   * ```ts ignore
   * import { KvStore } from "@aegis/sdk/kv";
   * const store = await KvStore.open("./aegis.kv");
   * await store.close();
   * ```
   */
  static async open(path?: string): Promise<KvStore> {
    return new KvStore(await Deno.openKv(path));
  }

  /**
   * The key of an event record — for tooling that inspects the database.
   *
   * @example
   * ```ts ignore
   * import { KvStore } from "@aegis/sdk/kv";
   * KvStore.eventKey("acme", "s", 3); // ["aegis", "ev", "acme", "s", 3]
   * ```
   */
  static eventKey(tenantId: string, sessionId: string, seq: number): Deno.KvKey {
    return [ROOT, "ev", tenantId, sessionId, seq];
  }

  /**
   * The session's head, or `null`.
   *
   * @example
   * ```ts ignore
   * console.log(await store.head("acme", "s")); // null
   * ```
   */
  async head(tenantId: string, sessionId: string): Promise<SessionHead | null> {
    const e = await this.kv.get<SessionHead>([ROOT, "head", tenantId, sessionId]);
    return e.value ? { seq: e.value.seq, hash: e.value.hash } : null;
  }

  /**
   * Appends iff the event extends the head, in one atomic operation that
   * checks the head's versionstamp.
   *
   * @example
   * ```ts ignore
   * const out = await store.append(event);
   * if (!out.ok) console.log("conflict; head is", out.head);
   * ```
   */
  async append(event: StoredEvent): Promise<AppendOutcome> {
    const headKey = [ROOT, "head", event.tenantId, event.sessionId];
    const cacheKey = `${event.tenantId}\u0000${event.sessionId}`;
    // The head this process last committed saves a read; the versionstamp check below still
    // catches every write from elsewhere, and a miss falls back to reading the head.
    let head: { value: SessionHead | null; versionstamp: string | null } =
      this.#heads.get(cacheKey) ?? await this.kv.get<SessionHead>(headKey);
    if (!extendsHead(event, head.value)) {
      head = await this.kv.get<SessionHead>(headKey);
      if (!extendsHead(event, head.value)) return { ok: false, head: head.value };
    }

    const record: KvEventRecord = {
      userId: event.userId,
      tsUnixMs: event.tsUnixMs,
      eventType: event.eventType,
      hash: event.hash,
      prevHash: event.prevHash,
    };
    let blob: string | null = null;
    const payloadBytes = ENC.encode(event.payloadJson);
    if (payloadBytes.length + event.userId.length * 3 + event.eventType.length * 3 <= INLINE_MAX) {
      record.payloadJson = event.payloadJson;
    } else {
      blob = crypto.randomUUID();
      const n = Math.ceil(payloadBytes.length / CHUNK);
      for (let i = 0; i < n; i += CHUNKS_PER_OP) {
        const op = this.kv.atomic();
        for (let j = i; j < Math.min(n, i + CHUNKS_PER_OP); j++) {
          op.set([ROOT, "blob", blob, j], payloadBytes.subarray(j * CHUNK, (j + 1) * CHUNK));
        }
        await op.commit();
      }
      record.blob = blob;
      record.chunks = n;
    }

    try {
      for (;;) {
        const newHead: SessionHead = { seq: event.seq, hash: event.hash };
        const res = await this.#commit({
          session: cacheKey,
          check: { key: headKey, versionstamp: head.versionstamp },
          sets: [
            [headKey, newHead],
            [KvStore.eventKey(event.tenantId, event.sessionId, event.seq), record],
          ],
          bytes: (record.payloadJson?.length ?? 0) * 3 + 1024,
          keyBytes: 3 * (ENC.encode(cacheKey).length + 48),
        });
        if (res.ok) {
          blob = null;
          if (this.#heads.size >= HEAD_CACHE_MAX) this.#heads.clear();
          this.#heads.set(cacheKey, { value: newHead, versionstamp: res.versionstamp });
          return { ok: true };
        }
        // Someone else moved the head: re-read and decide again.
        this.#heads.delete(cacheKey);
        head = await this.kv.get<SessionHead>(headKey);
        if (!extendsHead(event, head.value)) return { ok: false, head: head.value };
      }
    } finally {
      if (blob !== null) await this.#deleteBlob(blob, record.chunks ?? 0);
    }
  }

  /**
   * One stored event, or `null`.
   *
   * @example
   * ```ts ignore
   * const e = await store.get("acme", "s", 0);
   * ```
   */
  async get(tenantId: string, sessionId: string, seq: number): Promise<StoredEvent | null> {
    const e = await this.kv.get<KvEventRecord>(KvStore.eventKey(tenantId, sessionId, seq));
    return e.value ? await this.#materialise(tenantId, sessionId, seq, e.value) : null;
  }

  /**
   * A page of events in (session id, seq) order.
   *
   * @example
   * ```ts ignore
   * const page = await store.list({ tenantId: "acme", limit: 100 });
   * ```
   */
  async list(query: ListQuery): Promise<ListResult> {
    const prefix: Deno.KvKey = query.sessionId !== undefined
      ? [ROOT, "ev", query.tenantId, query.sessionId]
      : [ROOT, "ev", query.tenantId];
    const selector: Deno.KvListSelector = query.after
      ? {
        prefix,
        start: [ROOT, "ev", query.tenantId, query.after.sessionId, query.after.seq + 1],
      }
      : { prefix };
    const out: StoredEvent[] = [];
    const batchSize = Math.min(500, query.filter ? 500 : query.limit + 1);
    for await (const entry of this.kv.list<KvEventRecord>(selector, { batchSize })) {
      const key = entry.key;
      const sessionId = key[3] as string;
      const seq = key[4] as number;
      const e = await this.#materialise(query.tenantId, sessionId, seq, entry.value);
      if (query.filter && !query.filter(e)) continue;
      if (out.length === query.limit) return { events: out, more: true };
      out.push(e);
    }
    return { events: out, more: false };
  }

  /**
   * Every event of a session in seq order.
   *
   * @example
   * ```ts ignore
   * for await (const e of store.readSession("acme", "s")) console.log(e.seq, e.hash);
   * ```
   */
  async *readSession(tenantId: string, sessionId: string): AsyncIterable<StoredEvent> {
    const iter = this.kv.list<KvEventRecord>({ prefix: [ROOT, "ev", tenantId, sessionId] }, {
      batchSize: 1000,
    });
    for await (const entry of iter) {
      yield await this.#materialise(tenantId, sessionId, entry.key[4] as number, entry.value);
    }
  }

  /**
   * Closes the KV database.
   *
   * @example
   * ```ts ignore
   * await store.close();
   * ```
   */
  close(): Promise<void> {
    this.kv.close();
    return Promise.resolve();
  }

  async #materialise(
    tenantId: string,
    sessionId: string,
    seq: number,
    r: KvEventRecord,
  ): Promise<StoredEvent> {
    let payloadJson = r.payloadJson;
    if (payloadJson === undefined) {
      // A damaged record yields an unparseable payload, which verification reports at this seq.
      if (typeof r.blob !== "string" || typeof r.chunks !== "number") payloadJson = "";
      else payloadJson = await this.#readBlob(r.blob, r.chunks);
    }
    return {
      tenantId,
      sessionId,
      userId: r.userId,
      seq,
      tsUnixMs: r.tsUnixMs,
      eventType: r.eventType,
      payloadJson,
      hash: r.hash,
      prevHash: r.prevHash,
    };
  }

  async #readBlob(blob: string, chunks: number): Promise<string> {
    const keys: Deno.KvKey[] = [];
    for (let i = 0; i < chunks; i++) keys.push([ROOT, "blob", blob, i]);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < keys.length; i += 10) {
      const got = await this.kv.getMany<Uint8Array[]>(keys.slice(i, i + 10));
      for (const g of got) {
        if (!(g.value instanceof Uint8Array)) return "";
        parts.push(g.value);
      }
    }
    const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return DEC.decode(all);
  }

  /**
   * Commits one append's check-and-set. Appends to different sessions that
   * queue up while a commit is in flight go out together as one atomic
   * operation (group commit: one durable write for many events). When that
   * combined operation is refused — any one check failed — or throws (a
   * size limit), each append is committed on its own, so every caller gets
   * exactly the answer its own compare-and-set deserves.
   */
  #commit(item: PendingCommit): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    const done = new Promise<Deno.KvCommitResult | Deno.KvCommitError>((resolve, reject) => {
      item.resolve = resolve;
      item.reject = reject;
    });
    this.#queue.push(item);
    if (!this.#draining) this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch: PendingCommit[] = [];
        const sessions = new Set<string>();
        let bytes = 0;
        let keyBytes = 0;
        const rest: PendingCommit[] = [];
        for (const item of this.#queue) {
          const fits = batch.length < GROUP_MAX_ITEMS && bytes + item.bytes <= GROUP_MAX_BYTES &&
            keyBytes + item.keyBytes <= GROUP_MAX_KEY_BYTES;
          // Two appends to one session never share an operation: the second checks the head
          // the first one writes.
          if (batch.length === 0 || (fits && !sessions.has(item.session))) {
            batch.push(item);
            sessions.add(item.session);
            bytes += item.bytes;
            keyBytes += item.keyBytes;
          } else rest.push(item);
        }
        this.#queue = rest;
        if (batch.length > 1) {
          let res: Deno.KvCommitResult | Deno.KvCommitError | null = null;
          try {
            const op = this.kv.atomic();
            for (const item of batch) {
              op.check(item.check);
              for (const [k, v] of item.sets) op.set(k, v);
            }
            res = await op.commit();
          } catch {
            res = null; // a limit of the combined operation: fall back to one by one
          }
          if (res?.ok) {
            for (const item of batch) item.resolve!(res);
            continue;
          }
        }
        await Promise.all(batch.map(async (item) => {
          try {
            const op = this.kv.atomic().check(item.check);
            for (const [k, v] of item.sets) op.set(k, v);
            item.resolve!(await op.commit());
          } catch (e) {
            item.reject!(e);
          }
        }));
      }
    } finally {
      this.#draining = false;
    }
  }

  async #deleteBlob(blob: string, n: number): Promise<void> {
    for (let i = 0; i < n; i += CHUNKS_PER_OP) {
      const op = this.kv.atomic();
      for (let j = i; j < Math.min(n, i + CHUNKS_PER_OP); j++) op.delete([ROOT, "blob", blob, j]);
      await op.commit();
    }
  }
}

interface PendingCommit {
  session: string;
  check: Deno.AtomicCheck;
  sets: [Deno.KvKey, unknown][];
  bytes: number;
  keyBytes: number;
  resolve?: (r: Deno.KvCommitResult | Deno.KvCommitError) => void;
  reject?: (e: unknown) => void;
}

function extendsHead(event: StoredEvent, head: SessionHead | null): boolean {
  return head === null
    ? event.seq === 0 && event.prevHash === null
    : event.seq === head.seq + 1 && event.prevHash === head.hash;
}
