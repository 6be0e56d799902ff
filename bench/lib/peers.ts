/**
 * Peers that build the aegisd envelope text themselves and chain it (each
 * hash, as base64, becomes the next `prev_hash`), so they do the same work as
 * `Builder.append`: the object `{event_type, payload, prev_hash, seq,
 * session_id, tenant_id, ts_unix_ms, user_id}` canonicalised, Go's HTML-safe
 * escapes applied (aegisd escapes `< > &` U+2028 U+2029), UTF-8, SHA-256.
 *
 * The agent-mix workload has only ASCII keys, where RFC 8785's UTF-16 key
 * order equals aegisd's code-point order, and no `-0`; on it the canonical
 * peers give exactly aegisd's hashes (the report checks this).
 *
 * @module
 */

import canonicalize from "canonicalize";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import type { IHasher } from "hash-wasm";
import type { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { type AgentItem, SESSION, TENANT, TS0, TS_STEP, USER } from "./agent_mix.ts";

/** A peer sealer: seals the chain of `items` and returns the last hash as lowercase hex. */
export type PeerSealer = (items: readonly AgentItem[]) => string;

const ENCODER = new TextEncoder();
const GO_HTML = /[<>&\u2028\u2029]/g;
const GO_HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Go's `encoding/json` HTML-safe escaping applied to a JSON text. Safe on
 * whole texts: these characters can only occur inside string literals.
 */
export function goHtmlEscape(json: string): string {
  return json.replace(GO_HTML, (c) => GO_HTML_ESCAPES[c]);
}

/** The aegisd hash-input object of event `seq` (without `prev_hash` at seq 0). */
function hashObject(item: AgentItem, seq: number, prevB64: string | null): object {
  return prevB64 === null
    ? {
      event_type: item[0],
      payload: item[1],
      seq,
      session_id: SESSION,
      tenant_id: TENANT,
      ts_unix_ms: TS0 + TS_STEP * seq,
      user_id: USER,
    }
    : {
      event_type: item[0],
      payload: item[1],
      prev_hash: prevB64,
      seq,
      session_id: SESSION,
      tenant_id: TENANT,
      ts_unix_ms: TS0 + TS_STEP * seq,
      user_id: USER,
    };
}

// deno-lint-ignore no-explicit-any
const U8 = Uint8Array as any;
const toBase64: (b: Uint8Array) => string = typeof U8.prototype.toBase64 === "function"
  ? (b) => U8.prototype.toBase64.call(b)
  : (b) => btoa(String.fromCharCode(...b));
const toHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Canonical text of one event as the `npm:canonicalize` user would build it for aegisd. */
function canonicalText(item: AgentItem, seq: number, prev: string | null): string {
  return goHtmlEscape(canonicalize(hashObject(item, seq, prev)) as string);
}

/** `npm:canonicalize` + `@noble/hashes` sha256. */
export const canonicalizeNoble: PeerSealer = (items) => {
  let prev: Uint8Array | null = null;
  for (let seq = 0; seq < items.length; seq++) {
    const text = canonicalText(items[seq], seq, prev === null ? null : toBase64(prev));
    prev = nobleSha256(ENCODER.encode(text));
  }
  return prev === null ? "" : toHex(prev);
};

/** `npm:canonicalize` + a `hash-wasm` SHA-256 hasher (created once, used synchronously). */
export function canonicalizeHashWasm(hasher: IHasher): PeerSealer {
  return (items) => {
    let prev: Uint8Array | null = null;
    for (let seq = 0; seq < items.length; seq++) {
      const text = canonicalText(items[seq], seq, prev === null ? null : toBase64(prev));
      prev = hasher.init().update(text).digest("binary");
    }
    return prev === null ? "" : toHex(prev);
  };
}

/** `npm:canonicalize` + `node:crypto` `createHash("sha256")`. */
export const canonicalizeNodeCrypto: PeerSealer = (items) => {
  let prev: string | null = null;
  let last: Buffer | null = null;
  for (let seq = 0; seq < items.length; seq++) {
    const text: string = canonicalText(items[seq], seq, prev);
    last = createHash("sha256").update(text, "utf8").digest();
    prev = last.toString("base64");
  }
  return last === null ? "" : toHex(last);
};

/**
 * `JSON.stringify` + `node:crypto`: the top-level keys in aegisd's order but
 * the payload neither sorted nor escaped — NOT canonical, a speed floor only.
 */
export const jsonStringifyNodeCrypto: PeerSealer = (items) => {
  let prev: string | null = null;
  let last: Buffer | null = null;
  for (let seq = 0; seq < items.length; seq++) {
    const text: string = JSON.stringify(hashObject(items[seq], seq, prev));
    last = createHash("sha256").update(text, "utf8").digest();
    prev = last.toString("base64");
  }
  return last === null ? "" : toHex(last);
};
