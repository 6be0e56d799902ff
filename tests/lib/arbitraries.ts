/**
 * fast-check arbitraries for JSON values and texts that stress canonical
 * forms: escapes, astral and U+E000–U+FFFF characters, HTML-sensitive
 * characters, odd number forms.
 *
 * @module
 */

import fc from "fast-check";

const SPECIAL_UNITS = [
  "a",
  "b",
  "Z",
  "0",
  " ",
  "/",
  "\\",
  '"',
  "<",
  ">",
  "&",
  "\u2028",
  "\u2029",
  "\u0000",
  "\u001f",
  "\b",
  "\f",
  "\n",
  "\r",
  "\t",
  "\u007f",
  "é",
  "ß",
  "€",
  "日",
  "\ufb33",
  "\ue000",
  "\uffff",
  "😂",
  "𝄞",
  "\u{10ffff}",
];

/** Well-formed strings built from characters that matter to canonical forms. */
export const jsonString: fc.Arbitrary<string> = fc.array(fc.constantFrom(...SPECIAL_UNITS), {
  maxLength: 8,
}).map((a) => a.join(""));

/** Finite doubles and integers, with `-0` optional. */
export function jsonNumber(allowNegativeZero = true): fc.Arbitrary<number> {
  return fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.constantFrom(0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 9007199254740993, 0.1, 4.5),
  ).map((n) => (allowNegativeZero || !Object.is(n, -0) ? n : 0));
}

/** JSON-shaped values whose leaves are JSON scalars plus `extraLeaves`. */
function treeOf(
  allowNegativeZero: boolean,
  extraLeaves: fc.Arbitrary<unknown>[],
): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      jsonString,
      jsonNumber(allowNegativeZero),
      fc.boolean(),
      fc.constant(null),
      ...extraLeaves,
      fc.array(tie("value"), { maxLength: 5 }),
      // fast-check builds dictionaries without a prototype; JSON values have Object's.
      fc.dictionary(jsonString, tie("value"), { maxKeys: 5 }).map((o) => ({ ...o })),
    ),
  }));
  return value;
}

/** Any JSON value (objects, arrays, strings, numbers, booleans, null). */
export function jsonValue(allowNegativeZero = true): fc.Arbitrary<unknown> {
  return treeOf(allowNegativeZero, []);
}

/** Values JSON.stringify accepts beyond plain JSON: undefined members, Dates, toJSON objects. */
export function stringifiableValue(allowNegativeZero = true): fc.Arbitrary<unknown> {
  return treeOf(allowNegativeZero, [
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    jsonValue(allowNegativeZero).map((v) => ({ toJSON: () => v })),
  ]).filter((v) =>
    v !== undefined &&
    !(typeof v === "object" && v !== null && "toJSON" in v &&
      (v as { toJSON(): unknown }).toJSON() === undefined)
  );
}

const WS = fc.constantFrom("", " ", "\t", "\n", "\r\n", "  ");

/** Re-spells a number non-canonically (`4.50`, `1E30`, `-0.0`, long integers). */
function numberText(n: number): fc.Arbitrary<string> {
  if (Object.is(n, -0)) return fc.constantFrom("-0", "-0.0", "-0E0", "-0.000e+5");
  const forms = [String(n), n.toExponential().toUpperCase(), n.toPrecision(17)];
  if (Number.isInteger(n) && Math.abs(n) < 1e21) forms.push(BigInt(n).toString() + ".000");
  if (!String(n).includes("e")) {
    forms.push(String(n).includes(".") ? String(n) + "00" : String(n) + ".0");
  }
  return fc.constantFrom(...forms.filter((f) => /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(f)));
}

/** A JSON string literal with gratuitous `\uXXXX` and `\/` escapes. */
function stringText(s: string): fc.Arbitrary<string> {
  const chars = [...s]; // code points: a surrogate pair is escaped whole or not at all
  const esc = (c: string) =>
    [...Array(c.length).keys()].map((i) =>
      "\\u" + c.charCodeAt(i).toString(16).padStart(4, "0").toUpperCase()
    ).join("");
  return fc.array(fc.boolean(), { minLength: chars.length, maxLength: chars.length }).map(
    (flags) => {
      let out = '"';
      chars.forEach((c, i) => {
        if (c === '"' || c === "\\" || c.charCodeAt(0) < 0x20) out += esc(c).toLowerCase();
        else if (c === "/" && flags[i]) out += "\\/";
        else out += flags[i] ? esc(c) : c;
      });
      return out + '"';
    },
  );
}

/** A JSON text for `v` written in a random non-canonical way (whitespace, escapes, number forms). */
export function jsonText(v: unknown): fc.Arbitrary<string> {
  if (typeof v === "number") return numberText(v);
  if (typeof v === "string") return stringText(v);
  if (v === null || typeof v === "boolean") return fc.constant(String(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return WS.map((w) => `[${w}]`);
    return fc.tuple(...v.map((x) => fc.tuple(WS, jsonText(x), WS))).map((parts) =>
      "[" + parts.map(([a, t, b]) => a + t + b).join(",") + "]"
    );
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return WS.map((w) => `{${w}}`);
  return fc.tuple(...entries.map(([k, x]) => fc.tuple(WS, stringText(k), WS, jsonText(x))))
    .chain((parts) =>
      fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length })
    )
    .map((parts) => "{" + parts.map(([a, k, b, t]) => a + k + b + ":" + a + t).join(",") + "}");
}
