/**
 * Error types of the envelope layer.
 *
 * @module
 */

/**
 * An envelope (or builder input) that cannot be sealed, verified or read:
 * a wrong type, a missing field, an out-of-range number, or a chain rule
 * such as "seq 0 must not have a prev hash". `field` names the wire field.
 *
 * @example
 * ```ts
 * import { Envelope, EnvelopeError } from "@aegis/sdk";
 * try {
 *   new Envelope({ tenantId: "t", sessionId: "s", seq: 1, tsUnixMs: 1, eventType: "X" }).seal();
 * } catch (e) {
 *   if (e instanceof EnvelopeError) console.log(e.field); // "prev_hash"
 * }
 * ```
 */
export class EnvelopeError extends TypeError {
  /** The wire name of the offending field (`"seq"`, `"prev_hash"`, …), or `""`. */
  readonly field: string;

  /** Builds the error; the message is prefixed with the field name. */
  constructor(field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = "EnvelopeError";
    this.field = field;
  }
}
