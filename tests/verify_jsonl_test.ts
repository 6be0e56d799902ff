// verifyJsonl: one hash chain per tenant/session in a JSONL export, from a
// string, bytes or a stream cut anywhere. The pure-TS reader and the WASM
// core must give the same verdicts as an oracle built from verifyChain per
// session, on the aegisd vectors, on tampered copies and on random chains.
import assert from "node:assert/strict";
import fc from "fast-check";
import v8 from "node:v8";
import vm from "node:vm";
import {
  accelerator,
  backend,
  type BackendName,
  installAccelerator,
  registerAccelerator,
  setBackend,
} from "../src/backend.ts";
import { Builder } from "../src/builder.ts";
import { bytesToBase64, hexToBytes } from "../src/encoding.ts";
import { Envelope, type WireEnvelope } from "../src/envelope.ts";
import { verifyChain } from "../src/verify.ts";
import { type JsonlSource, type SessionVerification, verifyJsonl } from "../src/verify_jsonl.ts";
import { loadWasmCore } from "../src/wasm/loader.ts";
import { jsonValue } from "./lib/arbitraries.ts";
import { availableBackends, FORCED_BACKEND, restoreBackend } from "./lib/backends.ts";

const CORE = loadWasmCore();
const enc = new TextEncoder();

// ---- the aegisd vectors as a JSONL export -----------------------------------

interface Vec {
  wire: string;
  hash: string;
}
const vecText = await Deno.readTextFile(
  new URL("../../shared/vectors/aegisd-chains.jsonl", import.meta.url),
);
// The wrapper's keys carry no escapes, so JSON.parse reads them safely here.
const VECS = vecText.trim().split("\n").map((l) => JSON.parse(l) as Vec);
/** Each vector's wire body with its hash added (base64, as aegisd's JSON has it). */
const LINES = VECS.map((v) => {
  const end = v.wire.lastIndexOf("}");
  return v.wire.slice(0, end) + `,"hash":"${bytesToBase64(hexToBytes(v.hash))}"` +
    v.wire.slice(end);
});
const SEQ = LINES.map((l) => Envelope.parse(l).seq);
const SESSION = LINES.map((l) => Envelope.parse(l).sessionId);

// ---- the oracle: verifyChain per session, on the TS backend -----------------

/** An item verifyChain cannot read, failing with `err` (its "unreadable envelope" message). */
function unreadable(err: unknown): WireEnvelope {
  return new Proxy({}, {
    ownKeys() {
      throw err;
    },
  }) as WireEnvelope;
}

/**
 * The verdicts by definition: split on line feeds, skip blank lines, read
 * each record (from its first non-blank byte) with Envelope.parse, group by
 * tenant/session (an unreadable line goes with the last readable record's
 * session, or to a null-named group before any), then verifyChain per group.
 */
function oracle(bytes: Uint8Array): SessionVerification[] {
  const groups = new Map<string, { t: string | null; s: string | null; items: unknown[] }>();
  let current: { items: unknown[] } | null = null;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    let i = start;
    while (i < end && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 13)) i++;
    if (i < end) {
      try {
        const e = Envelope.parse(bytes.subarray(i, end));
        const key = JSON.stringify([e.tenantId, e.sessionId]);
        if (!groups.has(key)) groups.set(key, { t: e.tenantId, s: e.sessionId, items: [] });
        current = groups.get(key)!;
        current.items.push(e);
      } catch (err) {
        if (current === null) {
          if (!groups.has("?")) groups.set("?", { t: null, s: null, items: [] });
          groups.get("?")!.items.push(unreadable(err));
        } else current.items.push(unreadable(err));
      }
    }
    start = end + 1;
  }
  setBackend("ts");
  try {
    return [...groups.values()].map((g) => ({
      tenantId: g.t,
      sessionId: g.s,
      ...verifyChain(g.items as WireEnvelope[]),
    }));
  } finally {
    restoreBackend();
  }
}

/** The backends every parity check runs: TS always, WASM wherever the core loads. */
const PARITY: BackendName[] = CORE ? ["ts", "wasm"] : ["ts"];

async function verifyOn(b: BackendName, source: JsonlSource): Promise<SessionVerification[]> {
  setBackend(b);
  try {
    assert.equal(backend(), b);
    return await verifyJsonl(source);
  } finally {
    restoreBackend();
  }
}

/**
 * Every backend gives `want` (default: the oracle) for `bytes`, whole, as a
 * string when it is UTF-8, and as a stream of `chunk`-byte pieces.
 */
async function same(bytes: Uint8Array, want = oracle(bytes), chunk = 97): Promise<void> {
  if (FORCED_BACKEND === "wasm" && !CORE) {
    assert.fail("AEGIS_BACKEND=wasm but the WebAssembly core cannot load");
  }
  const text = new TextDecoder("utf-8", { fatal: true });
  let str: string | null = null;
  try {
    str = text.decode(bytes);
  } catch {
    // invalid UTF-8: bytes only
  }
  for (const b of PARITY) {
    assert.deepEqual(await verifyOn(b, bytes), want, `${b}, bytes`);
    if (str !== null) assert.deepEqual(await verifyOn(b, str), want, `${b}, string`);
    assert.deepEqual(
      await verifyOn(b, byteStream(bytes, chunk)),
      want,
      `${b}, ${chunk}-byte chunks`,
    );
  }
}

function byteStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

function streamOf<T>(chunks: T[]): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]);
      else c.close();
    },
  });
}

const join = (ls: string[], eol = "\n") => enc.encode(ls.join(eol));

// ---- the vectors and hand-made tampering -----------------------------------

Deno.test("verifyJsonl: the aegisd vector chains (three sessions) are valid on every backend", async () => {
  const want = [
    {
      tenantId: "acme",
      sessionId: "sess-001",
      valid: true,
      firstBadSeq: null,
      error: null,
      checked: 2,
    },
    {
      tenantId: "acme",
      sessionId: "sess-example",
      valid: true,
      firstBadSeq: null,
      error: null,
      checked: 4,
    },
  ];
  const got = oracle(join(LINES));
  assert.deepEqual(got.slice(0, 2), want);
  assert.equal(got.length, 3);
  assert.deepEqual([got[2].valid, got[2].checked], [true, 200]);
  await same(join(LINES), got);
  await same(join(LINES, "\n"), /* no final newline */ got, 1);
  await same(enc.encode(LINES.join("\n") + "\n"), got, 4096);
});

/** The verdicts with session `sid`'s replaced by `bad`, the others valid. */
function onlyBad(
  sid: string,
  bad: { firstBadSeq: number; error: string; checked: number },
): SessionVerification[] {
  const sessions = [...new Set(SESSION)];
  const counts = sessions.map((s) => SESSION.filter((x) => x === s).length);
  return sessions.map((s, i) => ({
    tenantId: "acme",
    sessionId: s,
    ...(s === sid
      ? { valid: false, ...bad }
      : { valid: true, firstBadSeq: null, error: null, checked: counts[i] }),
  }));
}

Deno.test("verifyJsonl: tampering is named at the right seq, the other sessions stay valid", async () => {
  const k = 100; // a record in the 200-event session
  const s = SEQ[k], sid = SESSION[k];
  assert.ok(s > 0 && SESSION[k + 1] === sid);

  // An edited payload (the hash no longer matches).
  const edited = LINES.slice();
  edited[k] = edited[k].replace('"payload":{', '"payload":{"x":1,');
  assert.notEqual(edited[k], LINES[k]);
  let want = onlyBad(sid, {
    firstBadSeq: s,
    error: `seq ${s}: hash mismatch: the event's content was changed`,
    checked: s,
  });
  assert.deepEqual(oracle(join(edited)), want);
  await same(join(edited), want);

  // A dropped line.
  want = onlyBad(sid, {
    firstBadSeq: s,
    error: `seq gap: expected seq ${s}, found ${s + 1} (event ${s} is missing)`,
    checked: s,
  });
  await same(join(LINES.filter((_, j) => j !== k)), want);

  // Two lines swapped.
  const swapped = LINES.slice();
  [swapped[k], swapped[k + 1]] = [swapped[k + 1], swapped[k]];
  await same(join(swapped), want);

  // A duplicated line.
  const dup = [...LINES.slice(0, k + 1), LINES[k], ...LINES.slice(k + 1)];
  await same(
    join(dup),
    onlyBad(sid, {
      firstBadSeq: s + 1,
      error: `seq out of order: expected seq ${s + 1}, found ${s}`,
      checked: s + 1,
    }),
  );

  // A garbage line.
  const garbage = [...LINES.slice(0, k), "not json", ...LINES.slice(k)];
  await same(
    join(garbage),
    onlyBad(sid, {
      firstBadSeq: s,
      error: `seq ${s}: unreadable envelope: unexpected character at byte 0`,
      checked: s,
    }),
  );

  // A truncated last line (an export cut short).
  const last = LINES.length - 1;
  const cut = LINES.slice();
  cut[last] = cut[last].slice(0, 150);
  await same(
    join(cut),
    onlyBad(SESSION[last], {
      firstBadSeq: SEQ[last],
      error: `seq ${SEQ[last]}: unreadable envelope: unexpected end of JSON input at byte 150`,
      checked: SEQ[last],
    }),
  );
});

Deno.test("verifyJsonl: a line with invalid UTF-8 is unreadable, named like Envelope.parse names it", async () => {
  const k = 50;
  const s = SEQ[k], sid = SESSION[k];
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
    const line = enc.encode(LINES[k]);
    const at = line.indexOf(0x3a) + 1; // after the first ':'
    const broken = new Uint8Array([...line.subarray(0, at), ...bad, ...line.subarray(at)]);
    const bytes = new Uint8Array([
      ...join(LINES.slice(0, k)),
      10,
      ...broken,
      10,
      ...join(LINES.slice(k + 1)),
    ]);
    await same(
      bytes,
      onlyBad(sid, {
        firstBadSeq: s,
        error: `seq ${s}: unreadable envelope: invalid UTF-8 at byte ${at}`,
        checked: s,
      }),
      5,
    );
  }
});

Deno.test("verifyJsonl: CRLF, blank lines, leading blanks, interleaved sessions", async () => {
  const valid = oracle(join(LINES));
  await same(join(LINES, "\r\n"), valid);
  await same(enc.encode("\r\n\n  \t\n" + LINES.join("\n\n \r\n") + "\r\n\r\n"), valid);
  await same(join(LINES.map((l) => "  \t" + l + " \r")), valid, 3);
  // Round-robin over the three sessions: same verdicts, in order of first appearance.
  const queues = [...new Set(SESSION)].map((s) => LINES.filter((_, j) => SESSION[j] === s));
  const mixed: string[] = [];
  while (queues.some((q) => q.length)) for (const q of queues) if (q.length) mixed.push(q.shift()!);
  assert.notDeepEqual(mixed, LINES);
  await same(join(mixed), valid, 7);
  // Interleaved and tampered: only the tampered session fails.
  const k = mixed.indexOf(LINES[3]);
  mixed[k] = mixed[k].replace(/"ts_unix_ms":(\d+)/, (_, d) => `"ts_unix_ms":${Number(d) + 1}`);
  await same(
    join(mixed),
    onlyBad(SESSION[3], {
      firstBadSeq: SEQ[3],
      error: `seq ${SEQ[3]}: hash mismatch: the event's content was changed`,
      checked: SEQ[3],
    }),
  );
});

Deno.test("verifyJsonl: empty and blank exports have no sessions", async () => {
  for (const t of ["", "\n", "\r\n\r\n", "  \t \n\n"]) await same(enc.encode(t), []);
  for (const b of PARITY) {
    assert.deepEqual(await verifyOn(b, streamOf<Uint8Array>([])), []);
    assert.deepEqual(await verifyOn(b, streamOf([new Uint8Array(0), new Uint8Array(0)])), []);
  }
});

Deno.test("verifyJsonl: unreadable lines before any record form one null-named entry; its first failure stands", async () => {
  const bytes = enc.encode([" \t{]", "[1", "null", ...LINES.slice(0, 2)].join("\n"));
  const want: SessionVerification[] = [
    {
      tenantId: null,
      sessionId: null,
      valid: false,
      firstBadSeq: 0,
      error: "seq 0: unreadable envelope: unexpected character at byte 1",
      checked: 0,
    },
    {
      tenantId: "acme",
      sessionId: "sess-001",
      valid: true,
      firstBadSeq: null,
      error: null,
      checked: 2,
    },
  ];
  assert.deepEqual(oracle(bytes), want);
  await same(bytes, want, 1);
  // After a readable record, an unreadable line fails that record's session.
  await same(enc.encode([LINES[0], "{]", LINES[1], LINES[2]].join("\n")));
});

Deno.test("verifyJsonl: valid JSON with odd fields (another or empty session, unsealed, wrong types)", async () => {
  const odd = [
    "{}",
    '{"tenant_id":"acme","session_id":"sess-001"}',
    '{"tenant_id":5}',
    '{"seq":1.5}',
    '{"Seq":0}',
    '{"tenant_id":"acme","session_id":"sess-001","seq":0,"ts_unix_ms":0,"hash":"' +
    "A".repeat(43) + '="}',
    '{"tenant_id":"acme","session_id":"sess-001","x":1,"x":2}',
  ];
  for (const o of odd) {
    for (const at of [0, 1, 3]) {
      const ls = [...LINES.slice(0, at), o, ...LINES.slice(at)];
      await same(join(ls));
    }
  }
});

// ---- chunking and streams --------------------------------------------------

Deno.test("verifyJsonl: a ReadableStream of 1-byte chunks, of 1-unit string chunks, and mixed", async () => {
  const text = "é😀\n" + LINES.slice(0, 6).join("\n") + "\n";
  const bytes = enc.encode(text);
  const want = oracle(bytes);
  assert.deepEqual(want[0].tenantId, null); // the first line is unreadable
  for (const b of PARITY) {
    const ones = Array.from(bytes, (x) => new Uint8Array([x]));
    assert.deepEqual(await verifyOn(b, streamOf(ones)), want, `${b}: 1-byte chunks`);
    const units = Array.from({ length: text.length }, (_, i) => text[i]); // cuts 😀's surrogates apart
    assert.deepEqual(await verifyOn(b, streamOf(units)), want, `${b}: 1-unit strings`);
    const mixed = units.map((u, i) => (i % 3 === 0 && u.isWellFormed() ? enc.encode(u) : u));
    assert.deepEqual(
      await verifyOn(b, streamOf<Uint8Array | string>(mixed) as ReadableStream<string>),
      want,
      `${b}: mixed`,
    );
  }
});

Deno.test("verifyJsonl: records longer than the 64 KiB pieces a source is read in", async () => {
  let t = 1700000000000;
  const b = new Builder({ tenantId: "acme", sessionId: "long", clock: () => t++ });
  const ls = [
    LINES[0],
    b.append("TOOL_RESULT", 1).toWireText(),
    b.append("TOOL_RESULT", { text: "é".repeat(70_000) + "😀".repeat(20_000) + "." }).toWireText(),
    b.append("TOOL_RESULT", { small: true }).toWireText(),
  ];
  assert.ok(enc.encode(ls[2]).length > 3 * 65536);
  const want = oracle(join(ls));
  assert.deepEqual(want.map((r) => [r.sessionId, r.valid, r.checked]), [
    ["sess-001", true, 1],
    ["long", true, 3],
  ]);
  await same(join(ls), want, 1000);
  // The end of the long record is hashed too.
  ls[2] = ls[2].replace('."}', ',"}');
  const bad = oracle(join(ls));
  assert.deepEqual(bad[1].error, "seq 1: hash mismatch: the event's content was changed");
  await same(join(ls), bad, 65536);
});

Deno.test("verifyJsonl: a source of the wrong type rejects; a failing stream rejects and is cancelled", async () => {
  await assert.rejects(() => verifyJsonl(42 as never), TypeError);
  await assert.rejects(() => verifyJsonl([LINES[0]] as never), TypeError);
  await assert.rejects(() => verifyJsonl(streamOf([42]) as never), TypeError);
  for (const b of PARITY) {
    let cancelled: unknown = null;
    let sent = false;
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(enc.encode(LINES[0] + "\n"));
        } else c.error(new Error("disk gone"));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    await assert.rejects(() => verifyOn(b, failing), /disk gone/);
    const wrong = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(7 as never);
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    await assert.rejects(() => verifyOn(b, wrong), TypeError);
    assert.ok(cancelled instanceof TypeError, "the stream is cancelled with the error");
  }
});

Deno.test({
  name: "verifyJsonl: the WASM backend delegates to the core; the TS backend never touches it",
  ignore: CORE === null && FORCED_BACKEND !== "wasm",
  async fn() {
    assert.ok(CORE, "the WebAssembly core must load");
    let calls = 0;
    const spy = Object.create(CORE);
    spy.verifyJsonl = (...a: Parameters<typeof CORE.verifyJsonl>) => {
      calls++;
      return CORE.verifyJsonl(...a);
    };
    const bytes = join(LINES);
    try {
      installAccelerator(spy);
      setBackend("auto");
      assert.equal(accelerator(), spy);
      const viaCore = await verifyJsonl(bytes);
      assert.ok(calls > 0, "the core verified the records");
      calls = 0;
      setBackend("ts");
      assert.deepEqual(await verifyJsonl(bytes), viaCore);
      assert.equal(calls, 0);
    } finally {
      registerAccelerator(loadWasmCore);
      restoreBackend();
    }
  },
});

// ---- random chains, random tampering, random chunking ----------------------

const EDITS = ["0", "1", '"', "\\", "{", "}", ",", ":", " ", "a", "é", "😀", "\u2028", "-", "."];
const GARBAGE = ["not json", "{", "[]", "{}", "null", '{"tenant_id":5}', "\t", '"\\ud800"'];
const BAD_UTF8 = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]];

type Mutation =
  | { op: "edit"; line: number; pos: number; ch: string; how: "replace" | "insert" | "delete" }
  | { op: "drop" | "dup" | "truncate"; line: number; pos: number }
  | { op: "swap"; line: number; other: number }
  | { op: "garbage"; line: number; text: string }
  | { op: "utf8"; line: number; pos: number; bytes: number[] }
  | { op: "indent" | "blank"; line: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant("edit" as const),
    line: fc.nat(),
    pos: fc.nat(),
    ch: fc.constantFrom(...EDITS),
    how: fc.constantFrom("replace" as const, "insert" as const, "delete" as const),
  }),
  fc.record({
    op: fc.constantFrom("drop" as const, "dup" as const, "truncate" as const),
    line: fc.nat(),
    pos: fc.nat(),
  }),
  fc.record({ op: fc.constant("swap" as const), line: fc.nat(), other: fc.nat() }),
  fc.record({
    op: fc.constant("garbage" as const),
    line: fc.nat(),
    text: fc.constantFrom(...GARBAGE),
  }),
  fc.record({
    op: fc.constant("utf8" as const),
    line: fc.nat(),
    pos: fc.nat(),
    bytes: fc.constantFrom(...BAD_UTF8),
  }),
  fc.record({
    op: fc.constantFrom("indent" as const, "blank" as const),
    line: fc.nat(),
    text: fc.constantFrom(" ", "\t", "  \t", "\r", " \r "),
  }),
);

function mutate(lines: Uint8Array[], m: Mutation): Uint8Array[] {
  const ls = lines.slice();
  if (ls.length === 0) return m.op === "garbage" || m.op === "blank" ? [enc.encode(m.text)] : ls;
  const k = m.line % ls.length;
  const l = ls[k];
  const cat = (...parts: ArrayLike<number>[]) => {
    const out: number[] = [];
    for (const p of parts) out.push(...Array.from(p));
    return new Uint8Array(out);
  };
  switch (m.op) {
    case "edit": {
      const at = m.pos % (l.length + 1);
      const ch = enc.encode(m.ch);
      const skip = m.how === "insert" ? 0 : 1;
      ls[k] = cat(l.subarray(0, at), m.how === "delete" ? [] : ch, l.subarray(at + skip));
      break;
    }
    case "drop":
      ls.splice(k, 1);
      break;
    case "dup":
      ls.splice(m.pos % (ls.length + 1), 0, l);
      break;
    case "truncate":
      ls[k] = l.slice(0, m.pos % (l.length + 1));
      break;
    case "swap": {
      const j = m.other % ls.length;
      [ls[k], ls[j]] = [ls[j], ls[k]];
      break;
    }
    case "garbage":
    case "blank":
      ls.splice(k, 0, enc.encode(m.text));
      break;
    case "indent":
      ls[k] = cat(enc.encode(m.text), l);
      break;
    case "utf8": {
      const at = m.pos % (l.length + 1);
      ls[k] = cat(l.subarray(0, at), m.bytes, l.subarray(at));
      break;
    }
  }
  return ls;
}

/** Sessions with multi-byte names; payloads from the JSON arbitrary (escapes, astral, U+2028…). */
const NAMES = [["acme", "s-1"], ["acme", "s-2"], ["ténant", "séss-😀"], ["t\u2028", 's\\"\n']];

const chains = fc.record({
  sessions: fc.uniqueArray(
    fc.record({
      name: fc.nat(NAMES.length - 1),
      payloads: fc.array(jsonValue(), { maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 4, selector: (s) => s.name },
  ),
  schedule: fc.array(fc.nat(), { maxLength: 30 }),
  mutations: fc.array(mutation, { maxLength: 3 }),
  eol: fc.constantFrom("\n", "\r\n"),
  finalEol: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
  chunking: fc.constantFrom("bytes", "strings", "mixed"),
});

/** Lines of the generated sessions, interleaved by `schedule` (each session in order). */
function buildLines(c: typeof chains extends fc.Arbitrary<infer T> ? T : never): Uint8Array[] {
  let t = 1700000000000;
  const queues = c.sessions.map((s) => {
    const [tenantId, sessionId] = NAMES[s.name];
    const b = new Builder({ tenantId, userId: "u", sessionId, clock: () => t++ });
    return s.payloads.map((p) => enc.encode(b.append("TOOL_RESULT", p).toWireText()));
  });
  const out: Uint8Array[] = [];
  let i = 0;
  for (;;) {
    const open = queues.filter((q) => q.length);
    if (!open.length) return out;
    out.push(open[(c.schedule[i++] ?? 0) % open.length].shift()!);
  }
}

function chunksOf(
  bytes: Uint8Array,
  cuts: number[],
  how: "bytes" | "strings" | "mixed",
): ReadableStream<Uint8Array> {
  let text: string | null = null;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // invalid UTF-8: byte chunks only
  }
  const n = how === "bytes" || text === null ? bytes.length : text.length;
  const at = [...new Set(cuts.map((c) => c % (n + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...at, n];
  const pieces: (string | Uint8Array)[] = [];
  for (let i = 1; i < bounds.length; i++) {
    if (how === "bytes" || text === null) pieces.push(bytes.slice(bounds[i - 1], bounds[i]));
    else {
      const s = text.slice(bounds[i - 1], bounds[i]); // may cut a surrogate pair
      pieces.push(how === "mixed" && i % 2 === 0 && s.isWellFormed() ? enc.encode(s) : s);
    }
  }
  return streamOf(pieces) as ReadableStream<Uint8Array>;
}

Deno.test("verifyJsonl: random interleaved chains, tampered and chunked: TS = WASM = verifyChain per session", async () => {
  if (FORCED_BACKEND === "wasm") assert.ok(CORE, "AEGIS_BACKEND=wasm but the core cannot load");
  let tampered = 0;
  await fc.assert(
    fc.asyncProperty(chains, async (c) => {
      const lines = buildLines(c);
      let ls = lines;
      for (const m of c.mutations) ls = mutate(ls, m);
      const eol = enc.encode(c.eol);
      const parts: number[] = [];
      ls.forEach((l, i) => {
        if (i) parts.push(...eol);
        parts.push(...l);
      });
      if (c.finalEol && ls.length) parts.push(...eol);
      const bytes = new Uint8Array(parts);
      const want = oracle(bytes);
      if (c.mutations.length === 0) {
        // Untampered: every session valid, every event checked.
        assert.equal(
          want.length,
          new Set(c.sessions.filter((s) => s.payloads.length).map((s) => s.name)).size,
        );
        assert.equal(want.reduce((n, r) => n + r.checked, 0), lines.length);
        assert.ok(want.every((r) => r.valid));
      } else if (want.some((r) => !r.valid)) tampered++;
      for (const b of PARITY) {
        const got = await verifyOn(b, chunksOf(bytes, c.cuts, c.chunking));
        assert.deepEqual(got, want, b);
      }
    }),
    { numRuns: 400, seed: 20261125 },
  );
  assert.ok(tampered > 50, `only ${tampered} runs broke a chain`);
});

// ---- constant memory --------------------------------------------------------

/**
 * A full garbage collection, when this engine lets a script trigger one
 * (V8's --expose-gc, set at run time through node:v8; Deno 2.9 allows it).
 */
function collector(): (() => void) | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    return typeof gc === "function" ? gc : null;
  } catch {
    return null;
  }
}
const GC = collector();

for (const b of availableBackends()) {
  Deno.test(`verifyJsonl: 200,000 events from a lazily generated stream in bounded memory [${b}]`, async () => {
    const N = 200_000, SESSIONS = 4, BATCH = 1000, MiB = 2 ** 20;
    let t = 1700000000000;
    setBackend(b);
    try {
      const builders = Array.from(
        { length: SESSIONS },
        (_, i) =>
          new Builder({ tenantId: "acme", userId: "u", sessionId: `mem-${i}`, clock: () => t++ }),
      );
      const usage = () => {
        const m = Deno.memoryUsage();
        return m.heapUsed + m.external; // stream chunks live outside the JS heap
      };
      // What stays alive while the stream is read: measured after a full
      // collection every 20,000 events (so garbage does not count). Holding
      // the export, or anything per event, grows it by ≥ 65 MiB by the end.
      GC?.();
      const before = usage();
      let produced = 0, bytes = 0, peak = before, retained = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          peak = Math.max(peak, usage());
          if (GC && produced % 20_000 === 0) {
            GC();
            retained = Math.max(retained, usage() - before);
          }
          if (produced === N) return c.close();
          let text = "";
          for (let i = 0; i < BATCH; i++, produced++) {
            const e = builders[produced % SESSIONS].append("TOOL_CALL_PROPOSED", {
              tool_name: "read_file",
              call_id: `c${produced}`,
              args: { path: `/workspace/é/${produced}.txt` },
            });
            text += JSON.stringify(e) + "\n";
          }
          const chunk = enc.encode(text);
          bytes += chunk.length;
          c.enqueue(chunk);
        },
      }, { highWaterMark: 1 });
      const got = await verifyJsonl(stream);
      assert.deepEqual(
        got,
        builders.map((_, i) => ({
          tenantId: "acme",
          sessionId: `mem-${i}`,
          valid: true,
          firstBadSeq: null,
          error: null,
          checked: N / SESSIONS,
        })),
      );
      assert.ok(bytes > 60 * MiB, `the export is ${bytes} bytes`);
      console.log(
        `${b}: ${(bytes / MiB).toFixed(0)} MiB export; retained growth ${
          GC ? (retained / MiB).toFixed(1) + " MiB" : "not measurable (no gc)"
        }, peak heap+external growth ${((peak - before) / MiB).toFixed(1)} MiB`,
      );
      if (GC) {
        assert.ok(retained < 16 * MiB, `${(retained / MiB).toFixed(1)} MiB stayed alive`);
      } else {
        // Without a way to collect, only a gross leak is visible through the garbage.
        assert.ok(peak - before < 160 * MiB, `memory grew by ${(peak - before) / MiB} MiB`);
      }
    } finally {
      restoreBackend();
    }
  });
}
