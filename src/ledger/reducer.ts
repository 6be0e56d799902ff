/**
 * The session reducer and loop detector: folds a session's events, in seq
 * order, into the state aegisd keeps per session (budgets, loop violation,
 * taint), with aegisd's rules as `design.md` states them. The reference
 * ledger computes snapshots with it live, on every read.
 *
 * Differences from aegisd, on purpose: the session clock starts at the first
 * event's `ts_unix_ms` (aegisd uses its own clock at first ingest), so
 * replaying a chain gives the same snapshot anywhere.
 *
 * @module
 */

import { canonicalize } from "../canon/value.ts";

/** Tool calls allowed per session; the 13th proposal is a violation. */
export const MAX_TOOL_CALLS = 12;
/** Wall-time budget in ms from the session start. */
export const MAX_WALL_TIME_MS = 120_000;
/** How many previous tool calls {@link LoopViolation} `LOOP_IDENTICAL_CALL` looks back on. */
export const IDENTICAL_CALL_WINDOW = 20;
/** Shortest and longest tool-name cycle `LOOP_REPEATING_SEQUENCE` detects. */
export const CYCLE_LENGTHS: readonly [number, number] = [3, 7];

/** Reasons the detector reports (they land in `loop_violation`). */
export type LoopViolation =
  | "BUDGET_TOOL_CALLS_EXCEEDED"
  | "BUDGET_WALL_TIME_EXCEEDED"
  | "LOOP_REPEATING_SEQUENCE"
  | "LOOP_IDENTICAL_CALL";

/** The input the reducer needs from an event. */
export interface ReducerEvent {
  /** Position in the chain. */
  seq: number;
  /** Event time, Unix ms. */
  tsUnixMs: number;
  /** Event type name. */
  eventType: string;
  /** Decoded payload. */
  payload: unknown;
}

/** aegisd's `StateJSON` shape (snake_case, as aegisd serialises it). */
export interface SessionState {
  /** Counters and clocks. */
  budgets: {
    steps_consumed: number;
    model_calls_consumed: number;
    tool_calls_consumed: number;
    wall_time_ms: number;
    session_start_ms: number;
  };
  /** Latest detector reason; omitted when none. */
  loop_violation?: LoopViolation;
  /** Taint; omitted when empty. Tainted ⇔ `active_labels` is non-empty. */
  taint?: { active_labels: string[]; sanitized_keys: string[] };
  /** Latest outcome per key (`tool_name` or `call_id`) from decision events. */
  last_outcomes: Record<string, string>;
  /** Latest handoff event (`{event_type, payload}`), or `null`. */
  handoff: unknown;
}

/**
 * The documented (flat) snapshot shape the reference ledger serves, plus a
 * few fields that make it self-describing.
 */
export interface FlatSnapshot {
  /** Tenant of the session. */
  tenant_id: string;
  /** Session id. */
  session_id: string;
  /** Seq of the last event folded in. */
  last_seq: number;
  /** Hash (hex) of the last event folded in. */
  last_hash: string;
  /** Every event is a step. */
  steps_consumed: number;
  /** `MODEL_CALL_STARTED` events. */
  model_calls_consumed: number;
  /** `TOOL_CALL_PROPOSED` events. */
  tool_calls_consumed: number;
  /** Set by `TERMINATION`: its time minus the session start; 0 before. */
  wall_time_ms: number;
  /** First event's `ts_unix_ms`. */
  session_start_ms: number;
  /** True while taint labels are active. */
  is_tainted: boolean;
  /** Active taint labels. */
  taint_labels: string[];
  /** Keys declared sanitized. */
  sanitized_keys: string[];
  /** Latest detector reason, or `null`. */
  loop_violation: LoopViolation | null;
}

/**
 * Folds events into {@link SessionState}.
 *
 * Rules: every event is a step; `MODEL_CALL_STARTED` counts a model call;
 * `TOOL_CALL_PROPOSED` counts a tool call and runs the detector, in this
 * order — more than 12 tool calls, more than 120 000 ms since the session
 * start, a tool-name cycle of length 3–7 seen twice in a row, the same tool
 * with the same canonical args among the previous 20 calls; the first reason
 * found replaces `loop_violation`. `TOOL_RESULT` and `MEMORY_READ` taint the
 * session with the labels in `payload.taint_labels` (strings), or
 * `"tool_result"` / `"memory_read"` when none are given; a payload
 * `sanitized_keys` array (any event) adds sanitized keys; `TERMINATION`
 * clears the taint and sets `wall_time_ms`. `TOOL_CALL_ALLOWED` /
 * `TOOL_CALL_DENIED` (`"allow"` / `"deny"`) and `POLICY_DECISION` /
 * `APPROVAL_DECIDED` (payload `outcome` or `decision`) record the latest
 * outcome under the payload's `tool_name` (else `call_id`);
 * `HANDOFF_REQUESTED` / `HANDOFF_COMPLETED` set `handoff`. A tool-name cycle
 * must contain at least two distinct names.
 *
 * @example
 * ```ts
 * import { SessionReducer } from "@aegis/sdk";
 * const r = new SessionReducer();
 * r.apply({ seq: 0, tsUnixMs: 1000, eventType: "MODEL_CALL_STARTED", payload: {} });
 * r.apply({ seq: 1, tsUnixMs: 1050, eventType: "TOOL_RESULT", payload: { result: "x" } });
 * console.log(r.state().budgets.steps_consumed, r.isTainted); // 2 true
 * ```
 */
export class SessionReducer {
  #steps = 0;
  #modelCalls = 0;
  #toolCalls = 0;
  #wallTime = 0;
  #start: number | null = null;
  #violation: LoopViolation | null = null;
  #labels: string[] = [];
  #sanitized: string[] = [];
  #calls: { name: string; args: string }[] = [];
  #outcomes: Record<string, string> = {};
  #handoff: unknown = null;
  #lastSeq = -1;

  /**
   * Folds one event in (events must come in seq order).
   *
   * @example
   * ```ts
   * import { SessionReducer } from "@aegis/sdk";
   * new SessionReducer().apply({ seq: 0, tsUnixMs: 1, eventType: "TERMINATION", payload: null });
   * ```
   */
  apply(event: ReducerEvent): this {
    if (this.#start === null) this.#start = event.tsUnixMs;
    this.#lastSeq = event.seq;
    this.#steps++;
    const p = isObject(event.payload) ? event.payload : {};
    switch (event.eventType) {
      case "MODEL_CALL_STARTED":
        this.#modelCalls++;
        break;
      case "TOOL_CALL_PROPOSED": {
        this.#toolCalls++;
        const name = typeof p.tool_name === "string" ? p.tool_name : "";
        const args = canonicalArgs(p.args);
        const reason = this.#detect(name, args, event.tsUnixMs);
        this.#calls.push({ name, args });
        if (reason) this.#violation = reason;
        break;
      }
      case "TOOL_RESULT":
      case "MEMORY_READ": {
        const fallback = event.eventType === "TOOL_RESULT" ? "tool_result" : "memory_read";
        const given = Array.isArray(p.taint_labels)
          ? p.taint_labels.filter((l): l is string => typeof l === "string")
          : [];
        for (const l of given.length > 0 ? given : [fallback]) addUnique(this.#labels, l);
        break;
      }
      case "TERMINATION":
        this.#labels = [];
        this.#sanitized = [];
        this.#wallTime = event.tsUnixMs - this.#start;
        break;
      case "HANDOFF_REQUESTED":
      case "HANDOFF_COMPLETED":
        this.#handoff = { event_type: event.eventType, payload: event.payload ?? null };
        break;
      case "TOOL_CALL_ALLOWED":
      case "TOOL_CALL_DENIED":
      case "POLICY_DECISION":
      case "APPROVAL_DECIDED":
        this.#recordOutcome(event.eventType, p);
        break;
    }
    if (event.eventType !== "TERMINATION" && Array.isArray(p.sanitized_keys)) {
      for (const k of p.sanitized_keys) if (typeof k === "string") addUnique(this.#sanitized, k);
    }
    return this;
  }

  #recordOutcome(eventType: string, p: Record<string, unknown>): void {
    const outcome = eventType === "TOOL_CALL_ALLOWED"
      ? "allow"
      : eventType === "TOOL_CALL_DENIED"
      ? "deny"
      : typeof p.outcome === "string"
      ? p.outcome
      : typeof p.decision === "string"
      ? p.decision
      : null;
    const key = typeof p.tool_name === "string"
      ? p.tool_name
      : typeof p.call_id === "string"
      ? p.call_id
      : null;
    if (outcome !== null && key !== null) this.#outcomes[key] = outcome;
  }

  /**
   * Seq of the last event folded in (-1 before any).
   *
   * @example
   * ```ts
   * import { SessionReducer } from "@aegis/sdk";
   * console.log(new SessionReducer().lastSeq); // -1
   * ```
   */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * True while taint labels are active.
   *
   * @example
   * ```ts
   * import { SessionReducer } from "@aegis/sdk";
   * console.log(new SessionReducer().isTainted); // false
   * ```
   */
  get isTainted(): boolean {
    return this.#labels.length > 0;
  }

  /**
   * The state in aegisd's `StateJSON` shape.
   *
   * @example
   * ```ts
   * import { SessionReducer } from "@aegis/sdk";
   * console.log(new SessionReducer().state().budgets.tool_calls_consumed); // 0
   * ```
   */
  state(): SessionState {
    const s: SessionState = {
      budgets: {
        steps_consumed: this.#steps,
        model_calls_consumed: this.#modelCalls,
        tool_calls_consumed: this.#toolCalls,
        wall_time_ms: this.#wallTime,
        session_start_ms: this.#start ?? 0,
      },
      last_outcomes: { ...this.#outcomes },
      handoff: this.#handoff,
    };
    if (this.#violation) s.loop_violation = this.#violation;
    if (this.#labels.length > 0 || this.#sanitized.length > 0) {
      s.taint = { active_labels: [...this.#labels], sanitized_keys: [...this.#sanitized] };
    }
    return s;
  }

  /**
   * The documented flat snapshot.
   *
   * @example
   * ```ts
   * import { SessionReducer } from "@aegis/sdk";
   * const r = new SessionReducer().apply({ seq: 0, tsUnixMs: 5, eventType: "X", payload: null });
   * console.log(r.flat("acme", "s", "00".repeat(32)).steps_consumed); // 1
   * ```
   */
  flat(tenantId: string, sessionId: string, lastHash: string): FlatSnapshot {
    return {
      tenant_id: tenantId,
      session_id: sessionId,
      last_seq: this.#lastSeq,
      last_hash: lastHash,
      steps_consumed: this.#steps,
      model_calls_consumed: this.#modelCalls,
      tool_calls_consumed: this.#toolCalls,
      wall_time_ms: this.#wallTime,
      session_start_ms: this.#start ?? 0,
      is_tainted: this.#labels.length > 0,
      taint_labels: [...this.#labels],
      sanitized_keys: [...this.#sanitized],
      loop_violation: this.#violation,
    };
  }

  #detect(name: string, args: string, ts: number): LoopViolation | null {
    if (this.#toolCalls > MAX_TOOL_CALLS) return "BUDGET_TOOL_CALLS_EXCEEDED";
    if (ts - (this.#start ?? ts) > MAX_WALL_TIME_MS) return "BUDGET_WALL_TIME_EXCEEDED";
    const names = this.#calls.map((c) => c.name);
    names.push(name);
    for (let len = CYCLE_LENGTHS[0]; len <= CYCLE_LENGTHS[1]; len++) {
      if (names.length < 2 * len) break;
      // A block of one repeated name is not a cycle (six reads of different files are not a loop).
      const block = names.slice(names.length - len);
      if (block.every((n) => n === block[0])) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) {
        same = names[names.length - 1 - i] === names[names.length - 1 - len - i];
      }
      if (same) return "LOOP_REPEATING_SEQUENCE";
    }
    const from = Math.max(0, this.#calls.length - IDENTICAL_CALL_WINDOW);
    for (let i = from; i < this.#calls.length; i++) {
      if (this.#calls[i].name === name && this.#calls[i].args === args) {
        return "LOOP_IDENTICAL_CALL";
      }
    }
    return null;
  }
}

function canonicalArgs(args: unknown): string {
  if (args === undefined) return "null";
  try {
    return canonicalize(args, { profile: "aegisd" });
  } catch {
    return String(args);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function addUnique(arr: string[], v: string): void {
  if (!arr.includes(v)) arr.push(v);
}
