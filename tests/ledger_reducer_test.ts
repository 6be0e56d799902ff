import assert from "node:assert/strict";
import { SessionReducer } from "../mod.ts";

const T0 = 1_700_000_000_000;

function run(events: [string, unknown, number?][]): SessionReducer {
  const r = new SessionReducer();
  events.forEach(([type, payload, ts], seq) =>
    r.apply({ seq, tsUnixMs: ts ?? T0 + seq, eventType: type, payload })
  );
  return r;
}

const tool = (name: string, args: unknown = {}, ts?: number): [string, unknown, number?] => [
  "TOOL_CALL_PROPOSED",
  { tool_name: name, args },
  ts,
];

Deno.test("reducer: steps, model calls, tool calls, wall time from the first event", () => {
  const r = run([
    ["MODEL_CALL_STARTED", {}, T0 + 100],
    ["MODEL_CALL_FINISHED", {}, T0 + 200],
    tool("read", { p: 1 }, T0 + 300),
    ["TERMINATION", { reason: "done" }, T0 + 1100],
  ]);
  const s = r.state();
  assert.deepEqual(s.budgets, {
    steps_consumed: 4,
    model_calls_consumed: 1,
    tool_calls_consumed: 1,
    wall_time_ms: 1000,
    session_start_ms: T0 + 100,
  });
  assert.equal(s.loop_violation, undefined);
  assert.equal(s.taint, undefined);
  assert.equal(r.lastSeq, 3);
  const f = r.flat("acme", "s", "ab".repeat(32));
  assert.equal(f.steps_consumed, 4);
  assert.equal(f.wall_time_ms, 1000);
  assert.equal(f.is_tainted, false);
  assert.equal(f.loop_violation, null);
});

Deno.test("reducer: TOOL_RESULT / MEMORY_READ taint, TERMINATION clears", () => {
  const r = run([
    ["TOOL_RESULT", { result: "x" }],
    ["MEMORY_READ", { taint_labels: ["pii", 7, "pii"] }],
    ["MEMORY_WRITE", { sanitized_keys: ["ssn", "email"] }],
  ]);
  assert.equal(r.isTainted, true);
  assert.deepEqual(r.state().taint, {
    active_labels: ["tool_result", "pii"],
    sanitized_keys: ["ssn", "email"],
  });
  r.apply({ seq: 3, tsUnixMs: T0 + 50, eventType: "TERMINATION", payload: null });
  assert.equal(r.isTainted, false);
  assert.equal(r.state().taint, undefined);
  assert.equal(r.state().budgets.wall_time_ms, 50);
});

Deno.test("reducer: the 13th tool call exceeds the budget", () => {
  const calls = Array.from({ length: 12 }, (_, i) => tool(`t${i}`, { i }));
  assert.equal(run(calls).state().loop_violation, undefined);
  assert.equal(
    run([...calls, tool("t99", { i: 99 })]).state().loop_violation,
    "BUDGET_TOOL_CALLS_EXCEEDED",
  );
});

Deno.test("reducer: wall time over 120 000 ms at a proposal", () => {
  assert.equal(
    run([tool("a", {}, T0), tool("b", {}, T0 + 120_000)]).state().loop_violation,
    undefined,
  );
  assert.equal(
    run([tool("a", {}, T0), tool("b", {}, T0 + 120_001)]).state().loop_violation,
    "BUDGET_WALL_TIME_EXCEEDED",
  );
  // Other events do not run the detector.
  assert.equal(
    run([tool("a", {}, T0), ["TOOL_RESULT", {}, T0 + 500_000]]).state().loop_violation,
    undefined,
  );
});

Deno.test("reducer: identical call within the last 20", () => {
  const canonicalTwin = run([
    tool("read", { b: 1, a: [1, 2] }),
    tool("write", {}),
    tool("read", { a: [1, 2], b: 1.0 }),
  ]);
  assert.equal(canonicalTwin.state().loop_violation, "LOOP_IDENTICAL_CALL");
  assert.equal(
    run([tool("read", { a: 1 }), tool("read", { a: 2 })]).state().loop_violation,
    undefined,
  );
  // Ten other calls in between are still within the window of 20 (past 12 calls the budget
  // reason comes first, so the window's far edge is not observable through the state).
  const r = new SessionReducer();
  const seq = [tool("x", { k: 0 }), ...Array.from({ length: 10 }, (_, i) => tool(`y${i}`, { i }))];
  seq.push(tool("x", { k: 0 }));
  seq.forEach(([t, p], i) => r.apply({ seq: i, tsUnixMs: T0, eventType: t, payload: p }));
  assert.equal(r.state().loop_violation, "LOOP_IDENTICAL_CALL");
});

Deno.test("reducer: a tool-name cycle of length 3–7 seen twice in a row", () => {
  const cyc = (names: string[]) => names.map((n, i) => tool(n, { i }));
  assert.equal(
    run(cyc(["a", "b", "c", "a", "b", "c"])).state().loop_violation,
    "LOOP_REPEATING_SEQUENCE",
  );
  assert.equal(
    run(cyc(["a", "b", "c", "d", "e", "f", "g", "a", "b", "c", "d", "e", "f", "g"].slice(0, 14)))
      .state().loop_violation,
    "BUDGET_TOOL_CALLS_EXCEEDED", // 14 calls: the budget fires first
  );
  assert.equal(
    run(cyc(["a", "b", "c", "d", "e", "a", "b", "c", "d", "e"])).state().loop_violation,
    "LOOP_REPEATING_SEQUENCE",
  );
  assert.equal(run(cyc(["a", "b", "a", "b"])).state().loop_violation, undefined); // length 2
  assert.equal(run(cyc(["a", "b", "c", "a", "b", "d"])).state().loop_violation, undefined);
  assert.equal(run(cyc(["r", "r", "r", "r", "r", "r"])).state().loop_violation, undefined);
});

Deno.test("reducer: outcomes and handoff", () => {
  const r = run([
    ["TOOL_CALL_ALLOWED", { tool_name: "read" }],
    ["TOOL_CALL_DENIED", { tool_name: "rm" }],
    ["POLICY_DECISION", { call_id: "c1", outcome: "require_approval" }],
    ["APPROVAL_DECIDED", { call_id: "c1", decision: "allow" }],
    ["HANDOFF_REQUESTED", { to: "agent-b" }],
  ]);
  const s = r.state();
  assert.deepEqual(s.last_outcomes, { read: "allow", rm: "deny", c1: "allow" });
  assert.deepEqual(s.handoff, { event_type: "HANDOFF_REQUESTED", payload: { to: "agent-b" } });
});

Deno.test("reducer: replaying the same events gives the same snapshot", () => {
  const events: [string, unknown, number?][] = [
    ["MODEL_CALL_STARTED", {}, T0],
    tool("a", { x: 1 }, T0 + 10),
    ["TOOL_RESULT", {}, T0 + 20],
    tool("a", { x: 1 }, T0 + 30),
  ];
  assert.deepEqual(run(events).flat("t", "s", ""), run(events).flat("t", "s", ""));
  assert.equal(run(events).state().loop_violation, "LOOP_IDENTICAL_CALL");
});
