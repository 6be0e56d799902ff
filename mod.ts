/**
 * `@aegis/sdk` — record every step of an AI agent as a sealed, hash-chained
 * event envelope whose hash is exactly the one aegisd (the Aegis agent
 * control plane daemon) computes, and prove later that nothing changed.
 *
 * @example
 * ```ts
 * import { Builder, EventType, verifyChain } from "@aegis/sdk";
 *
 * const b = new Builder({ tenantId: "acme", userId: "u1", sessionId: "sess-example" });
 * const chain = [
 *   b.append(EventType.MODEL_CALL_STARTED, { model_id: "gpt-4o", call_id: "m1" }),
 *   b.append(EventType.TOOL_CALL_PROPOSED, {
 *     tool_name: "read_file", call_id: "t1", args: { path: "/workspace/report.txt" },
 *   }),
 *   b.append(EventType.TERMINATION, { reason: "done" }),
 * ];
 * console.log(verifyChain(chain)); // { valid: true, firstBadSeq: null, error: null, checked: 3 }
 * ```
 *
 * @module
 */

export { canonicalize, canonicalJson } from "./src/canon/value.ts";
export { canonicalizeText } from "./src/canon/text.ts";
export { parseJson } from "./src/canon/parse.ts";
export { JsonErrorCode, JsonSyntaxError } from "./src/canon/errors.ts";
export type { CanonicalizeOptions, CanonicalProfile } from "./src/canon/profile.ts";
export { Sha256, sha256, type Sha256Function } from "./src/hash/sha256.ts";
export { hashObject, hashObjectHex } from "./src/hash/object.ts";
export { EventType, isEventType } from "./src/event_type.ts";
export { Envelope, type EnvelopeInit, type WireEnvelope } from "./src/envelope.ts";
export { EnvelopeError } from "./src/errors.ts";
export { type BatchItem, Builder, type BuilderOptions } from "./src/builder.ts";
export { type ChainVerification, verifyChain, type VerifyChainOptions } from "./src/verify.ts";
export { type JsonlSource, type SessionVerification, verifyJsonl } from "./src/verify_jsonl.ts";
export { base64ToBytes, bytesToBase64, bytesToHex, hexToBytes } from "./src/encoding.ts";
export { backend, type BackendName, setBackend } from "./src/backend.ts";
// Registers the WebAssembly core (loaded lazily, on first use) as the default backend.
export { init, type InitOptions } from "./src/wasm/loader.ts";
export {
  AegisClient,
  type AegisClientOptions,
  type AppendResult,
  type DecideRequest,
  type Decision,
  type EventPage,
  type FetchLike,
  type ListEventsQuery,
  type ServerVerification,
  type Snapshot,
  type StatusResult,
} from "./src/client.ts";
export {
  AegisError,
  AegisHttpError,
  AegisNetworkError,
  AegisProtocolError,
  AegisTimeoutError,
} from "./src/client_errors.ts";
export {
  createLedgerHandler,
  type LedgerHandler,
  type LedgerHandlerOptions,
  type LedgerVerifyResult,
  MAX_BODY_BYTES,
  verifyStoredSession,
} from "./src/ledger/handler.ts";
export { MemoryStore } from "./src/ledger/memory_store.ts";
export {
  type FlatSnapshot,
  type LoopViolation,
  type ReducerEvent,
  SessionReducer,
  type SessionState,
} from "./src/ledger/reducer.ts";
export {
  type AppendOutcome,
  compareCodePoints,
  type LedgerStore,
  type ListCursor,
  type ListQuery,
  type ListResult,
  type SessionHead,
  type StoredEvent,
} from "./src/ledger/store.ts";
