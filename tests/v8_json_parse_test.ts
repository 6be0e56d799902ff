// Regression test for ../shared/known-issues/v8-json-parse.md: JSON.parse on
// Deno 2.6–2.9 mis-decodes an escaped key after it has parsed a similar key
// ending in a backslash. Envelope.parse and canonicalizeText must be immune.
import assert from "node:assert/strict";
import { canonicalizeText, Envelope, parseJson } from "../mod.ts";
import { testBothBackends } from "./lib/backends.ts";

const PRIME = [String.raw`{"a":0,"\\":0}`, String.raw`{"a":0,"x\\":0}`];
const VICTIM = [String.raw`{"a":0,"\u002f":0}`, String.raw`{"a":0,"x\u002f":0}`];
const EXPECTED = ['{"/":0,"a":0}', '{"a":0,"x/":0}'];

testBothBackends(
  "canonicalizeText and parseJson decode escaped keys correctly after priming",
  () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < PRIME.length; i++) {
        JSON.parse(PRIME[i]); // prime the engine the way the bug needs
        parseJson(PRIME[i]);
        canonicalizeText(PRIME[i]);
        assert.equal(canonicalizeText(VICTIM[i]), EXPECTED[i]);
        assert.deepEqual(
          Object.keys(parseJson(VICTIM[i]) as object).sort(),
          Object.keys(JSON.parse(EXPECTED[i])).sort(),
        );
      }
    }
  },
);

testBothBackends(
  "Envelope.parse of a wire body with escaped payload keys hashes the sent data",
  () => {
    const wire = (key: string) =>
      `{"tenant_id":"t","session_id":"s","seq":0,"ts_unix_ms":1700000000000,"event_type":"TOOL_RESULT","payload":{"a":0,"${key}":0}}`;
    const reference = Envelope.parse(wire("x/")).seal().hash;
    for (let round = 0; round < 3; round++) {
      JSON.parse(
        String
          .raw`{"tenant_id":"t","session_id":"s","seq":0,"ts_unix_ms":1700000000000,"event_type":"TOOL_RESULT","payload":{"a":0,"x\\":0}}`,
      );
      const e = Envelope.parse(wire(String.raw`x\u002f`)).seal();
      assert.deepEqual(Object.keys(e.payload as object), ["a", "x/"]);
      assert.equal(e.hash, reference);
    }
  },
);

Deno.test("the engine bug itself (documents whether this runtime is affected)", () => {
  JSON.parse(PRIME[0]);
  const got = Object.keys(JSON.parse(VICTIM[0]));
  const affected = !got.includes("/");
  console.log(
    `JSON.parse escaped-key bug on this runtime: ${
      affected ? "PRESENT" : "absent"
    } (${navigator.userAgent})`,
  );
});
