/**
 * Errors thrown by {@link AegisClient}.
 *
 * @module
 */

/**
 * Base class of every error the client throws.
 *
 * @example
 * ```ts
 * import { AegisError } from "@aegis/sdk";
 * try {
 *   // await client.appendEvent(env);
 * } catch (e) {
 *   if (e instanceof AegisError) console.error(e.method, e.url, e.message);
 * }
 * ```
 */
export class AegisError extends Error {
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Full URL of the failed request. */
  readonly url: string;

  /**
   * Builds the error for a request (`method`, `url`).
   *
   * @example
   * ```ts
   * import { AegisError } from "@aegis/sdk";
   * new AegisError("boom", "GET", "http://127.0.0.1:8080/healthz");
   * ```
   */
  constructor(message: string, method: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AegisError";
    this.method = method;
    this.url = url;
  }
}

/**
 * The server answered with a 4xx or 5xx status.
 *
 * @example
 * ```ts
 * import { AegisHttpError } from "@aegis/sdk";
 * const e = new AegisHttpError(409, "hash chain mismatch", "POST", "http://127.0.0.1:8080/v1/events", "");
 * console.log(e.isChainConflict, e.isHashRejected); // true false
 * ```
 */
export class AegisHttpError extends AegisError {
  /** HTTP status. */
  readonly status: number;
  /** The server's message: the `error` field of a JSON body, else the body text (trimmed). */
  readonly serverMessage: string;
  /** The raw response body text. */
  readonly body: string;

  /**
   * Builds the error from the response status and the server's message.
   *
   * @example
   * ```ts
   * import { AegisHttpError } from "@aegis/sdk";
   * new AegisHttpError(404, "session not found", "GET", "http://127.0.0.1:8080/x", "");
   * ```
   */
  constructor(status: number, serverMessage: string, method: string, url: string, body: string) {
    super(
      `${method} ${url} failed with ${status}${serverMessage ? `: ${serverMessage}` : ""}`,
      method,
      url,
    );
    this.name = "AegisHttpError";
    this.status = status;
    this.serverMessage = serverMessage;
    this.body = body;
  }

  /**
   * True when the server refused the event's hash (400 `hash verification failed`):
   * the envelope was built or sealed wrongly and resending it will not help.
   *
   * @example
   * ```ts
   * import { AegisHttpError } from "@aegis/sdk";
   * new AegisHttpError(400, "hash verification failed", "POST", "u", "").isHashRejected; // true
   * ```
   */
  get isHashRejected(): boolean {
    return this.status === 400 && /hash verification failed/i.test(this.serverMessage);
  }

  /**
   * True on a chain conflict (409 `hash chain mismatch`): the event does not
   * extend the session head — someone else appended first, or the builder's
   * `nextSeq`/`prevHash` are stale. Resume from `listEvents` and rebuild.
   *
   * @example
   * ```ts
   * import { AegisHttpError } from "@aegis/sdk";
   * new AegisHttpError(409, "hash chain mismatch", "POST", "u", "").isChainConflict; // true
   * ```
   */
  get isChainConflict(): boolean {
    return this.status === 409;
  }

  /**
   * True on 404.
   *
   * @example
   * ```ts
   * import { AegisHttpError } from "@aegis/sdk";
   * new AegisHttpError(404, "", "GET", "u", "").isNotFound; // true
   * ```
   */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/**
 * The request did not complete within `timeoutMs`.
 *
 * @example
 * ```ts
 * import { AegisTimeoutError } from "@aegis/sdk";
 * const e = new AegisTimeoutError(5000, "GET", "http://127.0.0.1:8080/healthz");
 * console.log(e.timeoutMs); // 5000
 * ```
 */
export class AegisTimeoutError extends AegisError {
  /** The timeout that elapsed, ms. */
  readonly timeoutMs: number;

  /**
   * Builds the error for a request that took longer than `timeoutMs`.
   *
   * @example
   * ```ts
   * import { AegisTimeoutError } from "@aegis/sdk";
   * new AegisTimeoutError(100, "GET", "http://127.0.0.1:1/healthz");
   * ```
   */
  constructor(timeoutMs: number, method: string, url: string) {
    super(`${method} ${url} timed out after ${timeoutMs} ms`, method, url);
    this.name = "AegisTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The request failed before any response (connection refused, DNS, TLS, …);
 * the original error is `cause`.
 *
 * @example
 * ```ts
 * import { AegisNetworkError } from "@aegis/sdk";
 * const e = new AegisNetworkError("GET", "http://127.0.0.1:1/healthz", new TypeError("refused"));
 * console.log(e.message); // "GET http://127.0.0.1:1/healthz: network error: refused"
 * ```
 */
export class AegisNetworkError extends AegisError {
  /**
   * Wraps the error `fetch` threw (kept as `cause`).
   *
   * @example
   * ```ts
   * import { AegisNetworkError } from "@aegis/sdk";
   * new AegisNetworkError("GET", "http://127.0.0.1:1/", new Error("refused"));
   * ```
   */
  constructor(method: string, url: string, cause: unknown) {
    super(
      `${method} ${url}: network error: ${cause instanceof Error ? cause.message : String(cause)}`,
      method,
      url,
      { cause },
    );
    this.name = "AegisNetworkError";
  }
}

/**
 * The server answered 2xx with a body that is not what the API promises
 * (not JSON, missing fields, a hash that is not 32 bytes…).
 *
 * @example
 * ```ts
 * import { AegisProtocolError } from "@aegis/sdk";
 * new AegisProtocolError("missing seq", "POST", "http://127.0.0.1:8080/v1/events");
 * ```
 */
export class AegisProtocolError extends AegisError {
  /**
   * Builds the error describing what the body lacked.
   *
   * @example
   * ```ts
   * import { AegisProtocolError } from "@aegis/sdk";
   * new AegisProtocolError("bad body", "GET", "http://127.0.0.1:8080/healthz");
   * ```
   */
  constructor(message: string, method: string, url: string, options?: { cause?: unknown }) {
    super(`${method} ${url}: unexpected response: ${message}`, method, url, options);
    this.name = "AegisProtocolError";
  }
}
