/**
 * Canonical JSON of JavaScript values, following `JSON.stringify` semantics
 * (`toJSON()`, wrapper objects, `undefined` omitted in objects and `null` in
 * arrays) but refusing what JSON cannot carry faithfully.
 *
 * @module
 */

import { formatNumber } from "./number.ts";
import { type CanonicalizeOptions, type CanonicalProfile, resolveProfile } from "./profile.ts";
import { isWellFormed, quoteString, sortKeys } from "./string.ts";
import { MAX_DEPTH } from "./errors.ts";

type PathSeg = string | number;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a path like `$.payload.args[2]` or `$["a b"]`. */
export function formatPath(root: string, segs: readonly PathSeg[]): string {
  let out = root;
  for (const s of segs) {
    out += typeof s === "number" ? `[${s}]` : IDENT.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return out;
}

class Walker {
  readonly profile: CanonicalProfile;
  readonly root: string;
  readonly path: PathSeg[] = [];
  readonly stack: object[] = [];

  constructor(profile: CanonicalProfile, root: string) {
    this.profile = profile;
    this.root = root;
  }

  fail(what: string): never {
    throw new TypeError(`${formatPath(this.root, this.path)}: ${what}`);
  }

  /** Canonical text of `value` (held under `key`), or `undefined` when it is omitted. */
  value(value: unknown, key: string): string | undefined {
    if (value !== null && (typeof value === "object" || typeof value === "bigint")) {
      // deno-lint-ignore no-explicit-any
      const toJSON = (value as any).toJSON;
      if (typeof toJSON === "function") value = toJSON.call(value, key);
    }
    switch (typeof value) {
      case "string":
        if (!isWellFormed(value)) this.fail("string contains a lone surrogate");
        return quoteString(value, this.profile);
      case "number":
        if (!Number.isFinite(value)) this.fail(`${value} is not representable in JSON`);
        return formatNumber(value, this.profile);
      case "boolean":
        return value ? "true" : "false";
      case "undefined":
        return undefined;
      case "bigint":
        return this.fail("BigInt is not representable in JSON");
      case "function":
        return this.fail("functions are not representable in JSON");
      case "symbol":
        return this.fail("symbols are not representable in JSON");
    }
    if (value === null) return "null";
    return this.object(value as object);
  }

  object(obj: object): string {
    if (obj instanceof Number) return this.value(Number(obj), "") as string;
    if (obj instanceof String) return this.value(String(obj), "") as string;
    if (obj instanceof Boolean) return obj.valueOf() ? "true" : "false";
    if (typeof BigInt === "function" && obj instanceof BigInt) {
      this.fail("BigInt is not representable in JSON");
    }
    if (
      obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet
    ) {
      this.fail(
        `${obj.constructor.name} would be silently emptied; convert it to an object or array`,
      );
    }
    const stack = this.stack;
    if (stack.includes(obj)) this.fail("cycle: the value contains itself");
    if (stack.length >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    stack.push(obj);
    const path = this.path;
    let out: string;
    if (Array.isArray(obj)) {
      out = "[";
      const len = obj.length;
      for (let i = 0; i < len; i++) {
        path.push(i);
        const s = this.value(obj[i], String(i));
        path.pop();
        if (i > 0) out += ",";
        out += s === undefined ? "null" : s;
      }
      out += "]";
    } else {
      const keys = sortKeys(Object.keys(obj), this.profile);
      out = "{";
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        path.push(k);
        if (!isWellFormed(k)) this.fail("object key contains a lone surrogate");
        const s = this.value((obj as Record<string, unknown>)[k], k);
        path.pop();
        if (s === undefined) continue;
        out += (first ? "" : ",") + quoteString(k, this.profile) + ":" + s;
        first = false;
      }
      out += "}";
    }
    stack.pop();
    return out;
  }
}

/**
 * Canonical JSON text of `value`, as used internally with an explicit error
 * path root (e.g. `"$.payload"` when canonicalising an envelope's payload).
 */
export function canonicalizeAt(value: unknown, profile: CanonicalProfile, root: string): string {
  const w = new Walker(profile, root);
  const out = w.value(value, "");
  if (out === undefined) return w.fail(`${typeof value} is not representable in JSON`);
  return out;
}

/**
 * Canonical JSON text of a JavaScript value.
 *
 * `profile: "rfc8785"` (default) is RFC 8785 exactly; `profile: "aegisd"` is
 * what aegisd's Go code emits (code-point key order, HTML-safe escapes,
 * `-0` kept). Follows `JSON.stringify` for `toJSON()` and `undefined`
 * (omitted in objects, `null` in arrays).
 *
 * @throws {TypeError} naming the path (e.g. `$.args[2]`) for NaN, ±Infinity,
 * BigInt, lone surrogates, functions, symbols, Map/Set, cycles, and nesting
 * deeper than 1000 levels.
 * @example
 * ```ts
 * import { canonicalize } from "@aegis/sdk";
 * canonicalize({ b: 1, a: [true, null, 4.50] }); // '{"a":[true,null,4.5],"b":1}'
 * canonicalize({ q: "<&>", z: -0 }, { profile: "aegisd" });
 * // '{"q":"\\u003c\\u0026\\u003e","z":-0}'
 * ```
 */
export function canonicalize(value: unknown, options?: CanonicalizeOptions): string {
  return canonicalizeAt(value, resolveProfile(options), "$");
}

const ENCODER = new TextEncoder();

/**
 * UTF-8 bytes of {@link canonicalize}'s output (the Python SDK's
 * `canonical_json`).
 *
 * @throws {TypeError} as {@link canonicalize}.
 * @example
 * ```ts
 * import { canonicalJson } from "@aegis/sdk";
 * new TextDecoder().decode(canonicalJson({ é: 1, e: 2 })); // '{"e":2,"é":1}'
 * ```
 */
export function canonicalJson(value: unknown, options?: CanonicalizeOptions): Uint8Array {
  return ENCODER.encode(canonicalize(value, options));
}
