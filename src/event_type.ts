/**
 * The event types of aegisd's event log (`pkg/eventlog`). aegisd accepts any
 * string as an event type, so envelopes read from the wire may carry others.
 *
 * @module
 */

/**
 * The 17 event types aegisd knows, each value equal to its name.
 *
 * @example
 * ```ts
 * import { Builder, EventType } from "@aegis/sdk";
 * const b = new Builder({ tenantId: "acme", userId: "u1", sessionId: "s1" });
 * b.append(EventType.MODEL_CALL_STARTED, { model_id: "gpt-4o" });
 * ```
 */
export const EventType = {
  MODEL_CALL_STARTED: "MODEL_CALL_STARTED",
  MODEL_CALL_FINISHED: "MODEL_CALL_FINISHED",
  TOOL_CALL_PROPOSED: "TOOL_CALL_PROPOSED",
  TOOL_CALL_ALLOWED: "TOOL_CALL_ALLOWED",
  TOOL_CALL_DENIED: "TOOL_CALL_DENIED",
  TOOL_CALL_EXECUTED: "TOOL_CALL_EXECUTED",
  TOOL_RESULT: "TOOL_RESULT",
  POLICY_DECISION: "POLICY_DECISION",
  APPROVAL_REQUESTED: "APPROVAL_REQUESTED",
  APPROVAL_DECIDED: "APPROVAL_DECIDED",
  MEMORY_READ: "MEMORY_READ",
  MEMORY_WRITE: "MEMORY_WRITE",
  HANDOFF_REQUESTED: "HANDOFF_REQUESTED",
  HANDOFF_COMPLETED: "HANDOFF_COMPLETED",
  CHECKPOINT_CREATED: "CHECKPOINT_CREATED",
  TERMINATION: "TERMINATION",
  ERROR_RAISED: "ERROR_RAISED",
} as const;

/** One of the 17 known event type names. */
export type EventType = typeof EventType[keyof typeof EventType];

const KNOWN: ReadonlySet<string> = new Set(Object.values(EventType));

/**
 * True when `name` is one of the 17 known event types.
 *
 * @example
 * ```ts
 * import { isEventType } from "@aegis/sdk";
 * isEventType("TOOL_RESULT"); // true
 * isEventType("CUSTOM"); // false
 * ```
 */
export function isEventType(name: unknown): name is EventType {
  return typeof name === "string" && KNOWN.has(name);
}
