// The package under hostile callers (SPEC section 4 "Lists and bad rows", section 5, section 6
// "At the edges", last point): one test per point of the hostile-boundary issue, then a few
// beyond it. Every export checks its arguments before touching wasm memory; no JS exception
// unwinds through a wasm frame (sync exports throw an IdvError, async methods reject, never
// throw); every promise settles; after 100,000 hostile calls of a kind the module still
// normalizes the known payloads byte for byte and its memory has not grown by more than the
// allocator's own settling (MEMORY_SLACK below): nothing leaks per call.
//
// IDV_HOSTILE_CALLS=N changes the 100,000 (e.g. 2000 while iterating on the Rust side).
// The tests that can kill the module or the process run in child processes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import {
  IdvClient, IdvError, isIdvError, mapStatus, memoryBytes, normalizeList, normalizeSession, summarize, toCsv,
} from "../../pkg/index.mjs";
import * as esm from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { runChild } from "../support/child.mjs";

const require = createRequire(import.meta.url);
const cjs = require("../../pkg/index.cjs");
const here = path.dirname(fileURLToPath(import.meta.url));
const PKG_URL = pathToFileURL(path.resolve(here, "../../pkg/index.mjs")).href;
const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

const CALLS = Number(process.env.IDV_HOSTILE_CALLS ?? 100_000);
// The garbage collector, on demand: objects the package hands out (a SessionStream) are released
// by it, so storms that make them collect between batches, as a running program's GC would.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
/** A full collection, then a turn of the event loop for the FinalizationRegistry callbacks. */
async function collect() {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
const WARM_UP = Math.min(2_000, CALLS);
// Wasm memory is the allocator's high-water mark, counted in 64 KiB pages, and never shrinks.
// After the warm-up, calls that leak nothing may still take a page or two: the working set of a
// call or of a batch of calls (a few KB per call here) landing past the old top, free lists that
// settle differently. That is allowed: "exactly 0" tests the allocator, not the package. A leak
// is not. What a storm keeps first fills the heap's free space at its start (about 480 KB before
// the mapStatus storm), then grows the memory by all the rest; the storms are long (at least
// 10,000 measured calls, 100,000 for the sync ones) so that a leak per call outgrows that free
// space and this slack. Measured in the mapStatus storm: one SessionStream (about 400 bytes of
// wasm heap) kept every 50 calls, 8 bytes per call, grew the memory by 320 KB and is reported;
// one kept every 100 calls hid in the free space, under the old "exactly 0" as under this bound.
// (With IDV_HOSTILE_CALLS set lower, larger leaks can hide.)
const WASM_PAGE = 65_536;
const MEMORY_SLACK = 2 * WASM_PAGE;
/** What is wrong with wasm memory having grown by `grown` bytes over `calls` calls, or null. */
function memoryGrowthProblem(what, grown, calls, before) {
  if (grown <= MEMORY_SLACK) return null;
  return `${what}: wasm memory grew by ${grown} bytes over ${calls} calls (${(grown / calls).toFixed(2)} bytes per call; ` +
    `${before} -> ${before + grown}), more than the ${MEMORY_SLACK} bytes allowed for the allocator's own settling`;
}
const WORKFLOW = "a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35"; // the mock's Standard KYC

// ---- the known payloads, normalized once before any hostile call ----

const KNOWN = [
  ["didit", "list", fixture("didit-list-constructed-1.json")],
  ["equals", "list", fixture("equals-list-1.json")],
  ["mangopay", "list", fixture("mangopay-list-1.json"), { userId: "user_m_known" }],
  ["mangopay", "session", fixture("mangopay-view-natural-validated-1.json")],
  ["didit", "session", fixture("didit-decision-constructed-1.json")],
  ["didit", "session", fixture("didit-list-row-1.json"), { includeRaw: true }],
];
const snapshot = () =>
  KNOWN.map(([provider, kind, text, options]) =>
    JSON.stringify(kind === "list" ? normalizeList(provider, text, options) : normalizeSession(provider, text, options)));
const BASELINE = snapshot();

/** The module still normalizes every known payload exactly as before the first hostile call. */
function assertAlive(what) {
  let now;
  try {
    now = snapshot();
  } catch (e) {
    assert.fail(`${what}: the module no longer normalizes the known payloads: ${describeError(e)}`);
  }
  for (let i = 0; i < KNOWN.length; i++) {
    assert.equal(now[i], BASELINE[i], `${what}: ${KNOWN[i][0]} ${KNOWN[i][1]} #${i} normalizes differently now`);
  }
}

/** A short, throw-proof description of a thrown value. */
function describeError(e) {
  try {
    if (e instanceof Error) return `${e.constructor?.name ?? "Error"}(${e.name}${e.code ? `/${e.code}` : ""}): ${String(e.message).slice(0, 200)}`;
    return `${typeof e}: ${String(e).slice(0, 200)}`;
  } catch {
    return "(an undescribable value)";
  }
}

// ---- no uncaught exception, no unhandled rejection, in the whole file ----

const stray = [];
const onUncaught = (e) => stray.push(`uncaughtException: ${describeError(e)}`);
const onUnhandled = (e) => stray.push(`unhandledRejection: ${describeError(e)}`);
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUnhandled);
after(() => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
});
/** Fails when an uncaught exception or unhandled rejection happened since the last call. */
async function assertNoStray(what) {
  await new Promise((resolve) => setImmediate(resolve)); // unhandled rejections are reported a tick later
  const seen = stray.splice(0);
  assert.deepEqual(seen, [], `${what}: ${seen.length} stray exception(s)`);
}

// ---- hostile values ----

/** A buffer transferred away: every byte access throws. */
function detached(bytes = 16) {
  const buffer = new ArrayBuffer(bytes);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}
const VIEW_KINDS = [
  Uint8Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
];
/** A view made over a live buffer, then the buffer is detached under it. */
function detachedView(Kind) {
  const buffer = new ArrayBuffer(16);
  const view = new Kind(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}
/** The i-th detached value: a bare ArrayBuffer or a view of one of every kind, in turn. */
const detachedValue = (i) => (i % (VIEW_KINDS.length + 1) === 0 ? detached() : detachedView(VIEW_KINDS[i % (VIEW_KINDS.length + 1) - 1]));
const detachedName = (i) => (i % (VIEW_KINDS.length + 1) === 0 ? "ArrayBuffer" : VIEW_KINDS[i % (VIEW_KINDS.length + 1) - 1].name);

/** A Proxy whose every trap throws. */
function throwingProxy(target = {}) {
  const boom = (trap) => () => {
    throw new Error(`hostile proxy: ${trap}`);
  };
  const traps = ["get", "set", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "defineProperty",
    "deleteProperty", "apply", "construct", "isExtensible", "preventExtensions", "setPrototypeOf"];
  return new Proxy(target, Object.fromEntries(traps.map((t) => [t, boom(t)])));
}

// ---- storms ----

/** What is wrong after a storm: memory grown, the known payloads no longer exact (else []). */
function afterStorm(what, before, calls) {
  const problems = [];
  const growth = memoryGrowthProblem(what, memoryBytes() - before, calls, before);
  if (growth) problems.push(growth);
  try {
    assertAlive(what);
  } catch (e) {
    problems.push(e.message);
  }
  return problems;
}

/**
 * `calls` sync calls (`cases[i % cases.length]`), each of which must throw an IdvError (and an
 * Error) with `code`; then the wasm memory must not have grown and the known payloads normalize.
 * Returns what went wrong ([] when nothing did); stops at the first wrong call.
 */
function syncStorm(what, cases, code, calls = CALLS) {
  const run = (n, offset) => {
    for (let i = 0; i < n; i++) {
      const c = cases[(i + offset) % cases.length];
      let returned;
      try {
        returned = c.call(i + offset);
      } catch (e) {
        if (e instanceof IdvError && e instanceof Error && e.name === "IdvError" && e.code === code) continue;
        return `${what} / ${c.name} (call ${i + offset}): threw ${describeError(e)} (expected an IdvError, code ${code})`;
      }
      return `${what} / ${c.name} (call ${i + offset}): returned ${typeof returned} instead of throwing`;
    }
    return null;
  };
  let failure = run(WARM_UP, 0);
  const before = memoryBytes();
  failure ??= run(calls, WARM_UP);
  return [...(failure ? [failure] : []), ...afterStorm(what, before, calls)];
}

/**
 * `calls` async calls, each of which must return a promise (never throw) that rejects with an
 * IdvError whose code is in `codes`, within `deadlineMs`; run in batches to bound the promises
 * held. Returns what went wrong ([] when nothing did).
 */
async function asyncStorm(what, cases, codes, calls = CALLS, { batch = 2_000, deadlineMs = 10_000 } = {}) {
  const run = async (n, offset) => {
    for (let start = 0; start < n; start += batch) {
      const pending = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const c = cases[(i + offset) % cases.length];
        const label = `${what} / ${c.name} (call ${i + offset})`;
        let promise;
        try {
          promise = c.call(i + offset);
        } catch (e) {
          return `${label}: threw synchronously ${describeError(e)}`;
        }
        if (!(promise instanceof Promise)) return `${label}: returned ${typeof promise}, not a promise`;
        pending.push(promise.then(
          () => `${label}: resolved (expected a rejection)`,
          (e) => (e instanceof IdvError && e instanceof Error && codes.includes(e.code)
            ? null
            : `${label}: rejected with ${describeError(e)} (expected an IdvError, code ${codes.join("|")})`),
        ));
      }
      let timer;
      const deadline = new Promise((resolve) => {
        timer = setTimeout(() => resolve([`${what}: a batch of calls from ${offset + start} still pending after ${deadlineMs} ms`]), deadlineMs);
      });
      const outcomes = await Promise.race([Promise.all(pending), deadline]);
      clearTimeout(timer);
      const failure = outcomes.find((o) => o !== null);
      if (failure) return failure;
      await collect();
    }
    return null;
  };
  let failure = await run(WARM_UP, 0);
  const before = memoryBytes();
  failure ??= await run(calls, WARM_UP);
  const problems = [...(failure ? [failure] : []), ...afterStorm(what, before, calls)];
  await new Promise((resolve) => setImmediate(resolve));
  problems.push(...stray.splice(0).map((e) => `${what}: ${e}`));
  return problems;
}

/** A client whose fetch must never be reached (the arguments are refused first). */
function refusingClient() {
  const state = { fetches: 0 };
  const client = new IdvClient({
    mangopay: { clientId: "hostile-client", apiKey: "hostile-mangopay-key" },
    equals: { apiKey: "hostile-equals-key" },
    didit: { apiKey: "hostile-didit-key" },
    maxRetries: 0,
    timeoutMs: 1_000,
    fetch: async () => {
      state.fetches++;
      throw new Error("this test's fetch must not be called");
    },
  });
  return { client, state };
}

async function settle(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** `promise` settled within `ms`, else a failure naming `what`. */
async function within(ms, what, promise) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ pending: true }), ms);
  });
  const outcome = await Promise.race([settle(promise), deadline]);
  clearTimeout(timer);
  assert.ok(!outcome.pending, `${what}: still pending after ${ms} ms`);
  return outcome;
}

// 1. Detached buffers.

test("1. detached buffers: sync exports throw an IdvError 100,000 times each, client methods reject (100,000 calls in all); the module stays exact and flat", async () => {
  const payloadCases = (fn) => [{ name: "a detached buffer or view of every kind", call: (i) => fn(detachedValue(i)) }];
  const problems = [];
  problems.push(...syncStorm("normalizeSession(provider, detached)", payloadCases((d) => normalizeSession("didit", d)), "decode"));
  problems.push(...syncStorm("normalizeList(provider, detached)", payloadCases((d) => normalizeList("mangopay", d)), "decode"));
  problems.push(...syncStorm("normalizeList(detached, body)", payloadCases((d) => normalizeList(d, "[]")), "config"));
  problems.push(...syncStorm("new IdvClient(...detached...)", [
    { name: "config", call: (i) => new IdvClient(detachedValue(i)) },
    { name: "apiKey", call: (i) => new IdvClient({ didit: { apiKey: detachedValue(i) } }) },
    { name: "baseUrl", call: (i) => new IdvClient({ equals: { apiKey: "k-123456789", baseUrl: detachedValue(i) } }) },
    // JSON would write a buffer as `{}` (no headers): the package refuses it instead.
    { name: "headers", call: (i) => new IdvClient({ equals: { apiKey: "k-123456789", headers: detachedValue(i) } }) },
    { name: "fetch", call: (i) => new IdvClient({ didit: { apiKey: "k-123456789" }, fetch: detachedValue(i) }) },
  ], "config"));

  // Each client method on its own (a share of the 100,000 each, so that one failing method does
  // not hide the others, and the file stays within its time).
  const { client, state } = refusingClient();
  const methods = [
    { name: "listSessions(detached, query)", call: (i) => client.listSessions(detachedValue(i), {}) },
    { name: "listSessions(provider, detached)", call: (i) => client.listSessions("didit", detachedValue(i)) },
    { name: "listAll(provider, detached)", call: (i) => client.listAll("equals", detachedValue(i)) },
    { name: "getSession(provider, detached)", call: (i) => client.getSession("didit", detachedValue(i)) },
    { name: "createSession(provider, detached)", call: (i) => client.createSession("mangopay", detachedValue(i)) },
    { name: "listUserSessions(detached)", call: (i) => client.listUserSessions(detachedValue(i)) },
    {
      name: "sessions(provider, detached).next()",
      call: (i) => {
        const it = client.sessions("didit", detachedValue(i));
        return it.next().finally(() => it.free());
      },
    },
  ];
  if (typeof client.resolveWebhook === "function") {
    methods.push({ name: "resolveWebhook(detached)", call: (i) => client.resolveWebhook(detachedValue(i)) });
    methods.push({ name: "listEvents(provider, detached)", call: (i) => client.listEvents("mangopay", detachedValue(i)) });
  }
  for (const method of methods) {
    problems.push(...await asyncStorm(`client.${method.name}`, [method], ["config", "decode"], Math.ceil(CALLS / methods.length)));
  }
  assert.deepEqual(problems, []);
  assert.equal(state.fetches, 0, "no request was sent for a refused argument");
});

// 2. mapStatus with arguments that are not strings.

test("2. mapStatus with 5, true, {}, {length: -1}, {length: 100000}: a config IdvError 100,000 times; the module stays exact and flat", () => {
  const values = [5, true, {}, { length: -1 }, { length: 100_000 }];
  const cases = [];
  for (const v of values) {
    const name = JSON.stringify(v);
    cases.push({ name: `mapStatus("equals", "completed", ${name})`, call: () => mapStatus("equals", "completed", v) });
    cases.push({ name: `mapStatus("didit", ${name})`, call: () => mapStatus("didit", v) });
  }
  assert.deepEqual(syncStorm("mapStatus with non-string statuses", cases, "config"), []);
  assert.equal(mapStatus("equals", "completed", "approved"), "approved");
  assert.equal(mapStatus("didit", "Approved"), "approved");
  assert.equal(mapStatus("didit", undefined), "unknown");
});

// 3. A custom fetch that answers nonsense.

const BODY_KINDS = {
  "arrayBuffer() resolves to a detached ArrayBuffer": () => detached(),
  "arrayBuffer() resolves to a Uint8Array over a detached buffer": () => detachedView(Uint8Array),
  "arrayBuffer() resolves to a string": () => '{"count":0,"next":null,"previous":null,"results":[]}',
  "arrayBuffer() resolves to a Proxy that throws": () => throwingProxy(new ArrayBuffer(8)),
  "arrayBuffer() resolves to a Symbol": () => Symbol("body"),
  "arrayBuffer() rejects with a Proxy that throws": () => Promise.reject(throwingProxy()),
  "arrayBuffer() throws synchronously": () => {
    throw new RangeError("arrayBuffer exploded");
  },
  "arrayBuffer() never resolves": () => new Promise(() => {}),
};
const RESPONSE_KINDS = {
  "fetch throws synchronously": () => {
    throw new TypeError("fetch exploded");
  },
  "fetch never settles": () => new Promise(() => {}),
  "fetch resolves to undefined": () => undefined,
  "fetch resolves to a Proxy that throws": () => throwingProxy(),
  "fetch resolves to a thenable whose then throws": () => ({ then() { throw new Error("then exploded"); } }),
  "status getter throws": () => ({ get status() { throw new Error("status exploded"); }, headers: new Headers(), arrayBuffer: async () => new ArrayBuffer(0) }),
  "headers.get throws": () => ({ status: 200, headers: { get() { throw new Error("headers exploded"); } }, arrayBuffer: async () => new TextEncoder().encode("{}").buffer }),
  "arrayBuffer is not a function": () => ({ status: 200, headers: new Headers(), arrayBuffer: 5 }),
};

function hostileFetchClient(answer) {
  return new IdvClient({
    mangopay: { clientId: "hostile-client", apiKey: "hostile-mangopay-key", baseUrl: "http://mock.invalid" },
    equals: { apiKey: "hostile-equals-key", baseUrl: "http://mock.invalid" },
    didit: { apiKey: "hostile-didit-key", baseUrl: "http://mock.invalid" },
    maxRetries: 1,
    retryBaseMs: 1,
    timeoutMs: 150,
    fetch: answer,
  });
}
const HOSTILE_CALLS = {
  "listSessions(didit)": (c) => c.listSessions("didit", {}),
  "listSessions(mangopay) (token request first)": (c) => c.listSessions("mangopay", { userId: "user_m_1" }),
  "listAll(equals)": (c) => c.listAll("equals", {}),
  "getSession(didit)": (c) => c.getSession("didit", "9f2a4d1e"),
  "createSession(didit)": (c) => c.createSession("didit", { workflowId: WORKFLOW }),
  "sessions(didit).next()": (c) => {
    const it = c.sessions("didit", {});
    return it.next().finally(() => it.return());
  },
  ...(typeof IdvClient.prototype.listEvents === "function" ? { "listEvents(mangopay) (token request first)": (c) => c.listEvents("mangopay", {}) } : {}),
};

test("3. a fetch whose answer is nonsense: every call settles with an IdvError, nothing escapes, the module stays exact", async () => {
  const answers = [
    ...Object.entries(BODY_KINDS).map(([name, body]) => [name, async () => ({
      status: 200,
      headers: new Headers({ "content-type": "application/json" }),
      arrayBuffer: () => body(),
    })]),
    ...Object.entries(RESPONSE_KINDS).map(([name, response]) => [name, (...args) => response(...args)]),
  ];
  const failures = [];
  for (const [answerName, answer] of answers) {
    const client = hostileFetchClient(answer);
    for (const [callName, call] of Object.entries(HOSTILE_CALLS)) {
      const what = `${callName}, ${answerName}`;
      let promise;
      try {
        promise = call(client);
      } catch (e) {
        failures.push(`${what}: threw synchronously ${describeError(e)}`);
        continue;
      }
      // 2 attempts x 150 ms timeout + back-off: well under 3 s.
      const outcome = await within(3_000, what, promise);
      if (!outcome.error) failures.push(`${what}: resolved`);
      else if (!(outcome.error instanceof IdvError)) failures.push(`${what}: rejected with ${describeError(outcome.error)}`);
    }
    // listUserSessions never rejects for one provider: its error is in `errors`.
    const users = await within(3_000, `listUserSessions, ${answerName}`,
      client.listUserSessions({ didit: "user-1", equals: "d4c3b2a1-5678-4e9a-bcde-f01234567890" }));
    if (users.error) failures.push(`listUserSessions, ${answerName}: rejected with ${describeError(users.error)}`);
    else if (users.value.errors.length !== 2 || !users.value.errors.every((e) => e instanceof IdvError)) {
      failures.push(`listUserSessions, ${answerName}: errors ${users.value.errors.map(describeError).join("; ")}`);
    }
  }
  assert.deepEqual(failures, []);
  await assertNoStray("hostile fetch answers");
  assertAlive("hostile fetch answers");

  // The same, many times (answers that fail at once), memory flat. A client remembers its
  // requests of the last rate window (up to 300,000 a minute at rateLimitScale 1000, which keeps
  // these calls unpaced): a fresh client every 500 calls, the old ones collected.
  const fast = Object.entries(BODY_KINDS).filter(([name]) => !name.includes("never"));
  const clientOf = (body) => new IdvClient({
    didit: { apiKey: "hostile-didit-key", baseUrl: "http://mock.invalid" },
    maxRetries: 0,
    timeoutMs: 1_000,
    rateLimitScale: 1000,
    concurrency: 64,
    fetch: async () => ({ status: 200, headers: new Headers(), arrayBuffer: () => body() }),
  });
  const clients = fast.map(([name, body]) => ({ name, body, client: null }));
  const problems = await asyncStorm("listSessions with a nonsense body", clients.map((c) => ({
    name: c.name,
    call: (i) => {
      if (!c.client || i % 500 < clients.length) c.client = clientOf(c.body);
      return c.client.listSessions("didit", {});
    },
  })), ["network", "decode", "http"], Math.ceil(CALLS / 10), { batch: 500 });
  assert.deepEqual(problems, []);
});

// 4. isIdvError never throws.

test("4. isIdvError is false, never a throw, for errors whose name or code is hostile and for any non-error", () => {
  const named = (name) => {
    const e = new Error("x");
    Object.defineProperty(e, "name", { value: name, configurable: true });
    return e;
  };
  const getterName = new Error("x");
  Object.defineProperty(getterName, "name", { get() { throw new Error("name getter"); } });
  const getterCode = new IdvError("x", { code: "decode" });
  Object.defineProperty(getterCode, "code", { get() { throw new Error("code getter"); } });
  const revoked = Proxy.revocable(new IdvError("x", { code: "decode" }), {});
  revoked.revoke();
  const cases = {
    "name: Symbol": named(Symbol("IdvError")),
    "name: number": named(42),
    "name: object with toString": named({ toString: () => "IdvError" }),
    "name: getter that throws": getterName,
    "code: getter that throws": getterCode,
    "Proxy of an Error whose traps throw": throwingProxy(new Error("x")),
    "Proxy whose getPrototypeOf throws": new Proxy({}, { getPrototypeOf() { throw new Error("proto"); } }),
    "revoked Proxy of an IdvError": revoked.proxy,
    "plain object shaped like an IdvError": { name: "IdvError", code: "decode", message: "x" },
    "Object.create(IdvError.prototype)": Object.create(IdvError.prototype),
    undefined,
    null: null,
    "a Symbol": Symbol("x"),
    "a BigInt": 10n,
    "the string IdvError": "IdvError",
    "a function": () => {},
  };
  for (const [name, value] of Object.entries(cases)) {
    let result;
    assert.doesNotThrow(() => {
      result = isIdvError(value);
    }, name);
    assert.equal(result, false, name);
  }
  assert.equal(isIdvError(new IdvError("x", { code: "decode" })), true);
  assert.equal(isIdvError(new (class extends IdvError {})("x", { code: "auth" })), true, "a subclass");
  assertAlive("isIdvError");
});

// 5. Bad rows.

const DIDIT_LIST = JSON.parse(fixture("didit-list-constructed-1.json"));

/** Sessions plus a non-enumerable `badRows`: still a plain array to keys, iteration and JSON. */
function assertSessionList(list, what) {
  assert.ok(Array.isArray(list), `${what}: an array`);
  assert.ok(!Object.keys(list).includes("badRows"), `${what}: badRows is not enumerable`);
  assert.equal(JSON.stringify(list), JSON.stringify([...list]), `${what}: serializes as a plain array`);
  const d = Object.getOwnPropertyDescriptor(list, "badRows");
  assert.ok(d, `${what}: has its own badRows`);
  assert.equal(d.enumerable, false);
  assert.ok(Array.isArray(list.badRows), `${what}: badRows is an array`);
}

test("5. one bad row never hides the good ones: empty or odd statuses are sessions, rows without an id or a date are badRows; strict throws", () => {
  const body = structuredClone(DIDIT_LIST);
  body.results[0].status = ""; // a1: still a session
  body.results[1].created_at = null; // a2: a bad row
  const out = normalizeList("didit", body);
  assertSessionList(out, "didit list");
  assert.deepEqual(out.map((s) => s.id), ["a1", "a3"]);
  assert.equal(out[0].status, "unknown");
  assert.equal(out[0].providerStatus, "");
  assert.equal(out.badRows.length, 1, JSON.stringify(out.badRows));
  const [bad] = out.badRows;
  assert.equal(bad.provider, "didit");
  assert.equal(bad.index, 1);
  assert.equal(bad.id, "a2");
  assert.match(bad.reason, /created_at/);
  const strict = (() => {
    try {
      normalizeList("didit", body, { strict: true });
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.ok(strict instanceof IdvError, "strict: throws an IdvError");
  assert.equal(strict.code, "decode");
  assert.match(strict.message, /created_at/);
  // The same text as bytes and as JSON text.
  for (const form of [JSON.stringify(body), new TextEncoder().encode(JSON.stringify(body))]) {
    const again = normalizeList("didit", form);
    assert.equal(JSON.stringify(again), JSON.stringify(out));
    assert.deepEqual(again.badRows, out.badRows);
  }
  // Statuses that are missing, null or not a string: sessions, `unknown`, providerStatus "".
  for (const status of [undefined, null, 5, {}, [], true]) {
    const row = { ...DIDIT_LIST.results[2], status };
    if (status === undefined) delete row.status;
    const list = normalizeList("didit", { ...DIDIT_LIST, results: [row] });
    assert.equal(list.length, 1, `status ${JSON.stringify(status)}`);
    assert.equal(list[0].status, "unknown");
    assert.equal(list[0].providerStatus, "");
    assert.deepEqual(list.badRows, []);
  }
  // Every provider: a row without an id or a creation time is a bad row, the rest are returned.
  const mangopay = normalizeList("mangopay", [
    { Id: "idnver_ok", Status: "", CreationDate: 1746449121 },
    { Id: "idnver_nodate", Status: "VALIDATED" },
    { Status: "VALIDATED", CreationDate: 1746449121 },
    "not a row",
  ], { userId: "user_m_1" });
  assertSessionList(mangopay, "mangopay list");
  assert.deepEqual(mangopay.map((s) => [s.id, s.status, s.providerStatus]), [["idnver_ok", "unknown", ""]]);
  assert.deepEqual(mangopay.badRows.map((r) => [r.index, r.id]), [[1, "idnver_nodate"], [2, undefined], [3, undefined]]);
  const equalsBody = JSON.parse(fixture("equals-list-1.json"));
  const row = equalsBody.rows[0];
  equalsBody.rows = [{ ...row, status: "" }, { ...row, id: "eq-nodate", createdAt: null }];
  const equals = normalizeList("equals", equalsBody);
  assertSessionList(equals, "equals list");
  assert.deepEqual(equals.map((s) => [s.id, s.status, s.providerStatus]), [[row.id, "unknown", ""]]);
  assert.deepEqual(equals.badRows.map((r) => [r.index, r.id]), [[1, "eq-nodate"]]);
  // A good list has an empty badRows.
  assertSessionList(normalizeList("didit", DIDIT_LIST), "a good list");
  assert.deepEqual(normalizeList("didit", DIDIT_LIST).badRows, []);
  // Only a create response may be dated "now": a Didit row without created_at is not a session.
  const noDate = { ...DIDIT_LIST.results[0] };
  delete noDate.created_at;
  assert.throws(() => normalizeSession("didit", noDate), (e) => e instanceof IdvError && e.code === "decode");
});

test("5. the client reports bad rows the same way (the mock's answers rewritten by a fetch wrapper)", async (t) => {
  // The mock serves only well-formed rows; this wrapper rewrites two of them on their way back.
  const server = await startMockServer({ port: 0, seed: 13, sessions: 250 });
  t.after(() => server.close());
  const truth = server.control.sessions("didit").sessions;
  const rawPage = async (offset) => {
    const response = await fetch(`${server.url}/v3/sessions/?limit=100&offset=${offset}`, { headers: { "x-api-key": CREDENTIALS.didit.apiKey } });
    assert.equal(response.status, 200);
    return (await response.json()).results;
  };
  const emptyStatus = (await rawPage(0))[5].session_id;
  const secondPage = await rawPage(100);
  const nullDateRow = secondPage.find((r, i) => i > 10 && r.vendor_data);
  const nullDate = nullDateRow.session_id; // on the second page of 100, with a vendor_data
  const person = server.control.people().find((p) => p.mangopayUserId && p.counts.mangopay >= 3);
  const farFuture = server.control.sessions("mangopay").sessions.find((s) => s.userRef === person.mangopayUserId).id;
  const rewrite = async (url, init) => {
    const response = await fetch(url, init);
    const u = new URL(url);
    if (response.status !== 200 || !/\/v3\/sessions\/|\/identity-verifications$/.test(u.pathname)) return response;
    const body = await response.json();
    for (const row of body.results ?? body) {
      if (row.session_id === emptyStatus) row.status = "";
      if (row.session_id === nullDate) row.created_at = null;
      if (row.Id === farFuture) row.CreationDate = 253402300800; // year 10000
    }
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(JSON.stringify(body), { status: 200, headers });
  };
  const client = new IdvClient({
    mangopay: { ...CREDENTIALS.mangopay, baseUrl: server.url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: server.url },
    retryBaseMs: 5,
    fetch: rewrite,
  });

  const all = await client.listAll("didit", {});
  assertSessionList(all, "listAll");
  assert.deepEqual(all.map((s) => s.key).sort(), truth.filter((s) => s.id !== nullDate).map((s) => s.key).sort(),
    "every session but the bad row");
  const empty = all.find((s) => s.id === emptyStatus);
  assert.equal(empty.status, "unknown");
  assert.equal(empty.providerStatus, "");
  assert.equal(all.badRows.length, 1, JSON.stringify(all.badRows));
  assert.equal(all.badRows[0].id, nullDate);
  assert.equal(all.badRows[0].provider, "didit");
  assert.match(all.badRows[0].reason, /created_at/);
  assert.equal(typeof all.badRows[0].index, "number");

  const page = await client.listSessions("didit", { limit: 100, offset: 100 });
  assert.ok(page.sessions.every((s) => s.id !== nullDate));
  assert.deepEqual(page.badRows?.map((r) => r.id), [nullDate], "listSessions: badRows of the page");
  assert.equal(page.badRows[0].page, 100, "the page's offset");
  const clean = await client.listSessions("didit", { limit: 3 });
  assert.equal(clean.badRows, undefined, "absent when there are none");

  const mp = await client.listSessions("mangopay", { userId: person.mangopayUserId });
  assert.deepEqual(mp.badRows?.map((r) => r.id), [farFuture], "a Mangopay row dated past 9999 is a bad row");
  assert.match(mp.badRows[0].reason, /CreationDate/);

  // sessions(): the same bad row, on the stream, as its pages arrive.
  const stream = client.sessions("didit", {});
  assert.deepEqual([stream.badRows, stream.badRowCount], [[], 0], "none before a page");
  const streamed = [];
  for await (const s of stream) streamed.push(s.key);
  assert.deepEqual(streamed.sort(), all.map((s) => s.key).sort(), "sessions(): every session listAll has");
  assert.deepEqual(stream.badRows.map((r) => r.id), [nullDate], "sessions(): badRows");
  assert.equal(stream.badRowCount, 1);
  assert.ok(!Object.keys(stream).includes("badRows"), "a getter, not an own property");
  stream.free();
  assert.deepEqual(stream.badRows, [], "a freed stream: none");
  stream.badRows.push({ id: "injected" });
  assert.deepEqual(stream.badRows, [], "a fresh array each time, shared with nothing");

  const strict = await settle(client.listAll("didit", {}, { strict: true }));
  assert.ok(strict.error instanceof IdvError, "strict: rejects with an IdvError");
  assert.equal(strict.error.code, "decode");

  const users = await client.listUserSessions({ didit: nullDateRow.vendor_data });
  assert.deepEqual(users.errors, []);
  assert.ok(users.sessions.length > 0);
  assert.deepEqual(users.badRows.map((r) => r.id), [nullDate], "listUserSessions: badRows");
  assertAlive("client bad rows");
});

// 6. Dates.

test("6. dates: past 9999 is not a date (bad row, decode), fractional Unix seconds print exactly", () => {
  const mp = (fields) => normalizeSession("mangopay", { Id: "idnver_d", Status: "VALIDATED", CreationDate: 1746458497, LastUpdate: null, ...fields });
  const decode = (fn, what) => assert.throws(fn, (e) => e instanceof IdvError && e.code === "decode" && /CreationDate|created_at|createdAt/.test(e.message), what);
  decode(() => mp({ CreationDate: 253402300800 }), "Mangopay CreationDate in year 10000");
  decode(() => mp({ CreationDate: -62167219201 }), "Mangopay CreationDate before year 0000");
  assert.equal(mp({ CreationDate: 253402300799 }).createdAt, "9999-12-31T23:59:59Z");
  assert.equal(mp({ CreationDate: 1746458497.1 }).createdAt, "2025-05-05T15:21:37.100Z");
  assert.equal(mp({ CreationDate: 1746458497.5 }).createdAt, "2025-05-05T15:21:37.500Z");
  assert.equal(mp({ CreationDate: 1746458497.25 }).createdAt, "2025-05-05T15:21:37.250Z");
  assert.equal(mp({ CreationDate: 1746458497 }).createdAt, "2025-05-05T15:21:37Z");
  assert.equal("updatedAt" in mp({ LastUpdate: 253402300800 }), false, "an updatedAt past 9999 counts as missing");

  const list = normalizeList("mangopay", [
    { Id: "idnver_far", Status: "VALIDATED", CreationDate: 253402300800 },
    { Id: "idnver_frac", Status: "VALIDATED", CreationDate: 1746458497.1 },
  ], { userId: "user_m_1" });
  assert.deepEqual(list.map((s) => [s.id, s.createdAt]), [["idnver_frac", "2025-05-05T15:21:37.100Z"]]);
  assert.deepEqual(list.badRows.map((r) => [r.index, r.id]), [[0, "idnver_far"]]);

  const didit = (created_at) => normalizeSession("didit", { session_id: "d1", status: "Approved", created_at });
  for (const text of ["10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00+01:00", "-0001-12-31T00:00:00Z"]) {
    decode(() => didit(text), text);
  }
  assert.equal(didit("9999-12-31T23:59:59.999999Z").createdAt, "9999-12-31T23:59:59.999999Z");
  assert.equal(didit("2026-01-01T10:00:00.5+01:00").createdAt, "2026-01-01T09:00:00.500Z");
  // Nothing the package prints is an expanded year.
  for (const s of [...list, mp({}), didit("2026-01-01T00:00:00Z")]) assert.match(s.createdAt, /^\d{4}-\d\d-\d\dT/);
});

// 7. Secrets.

const HIDDEN = "hunter2-pw-5f1c";

/** Every text an error shows: message, stack, String(), JSON, every own property, its cause. */
function errorTexts(e, seen = new Set()) {
  if (e === null || (typeof e !== "object" && typeof e !== "function") || seen.has(e)) return [String(e)];
  seen.add(e);
  const texts = [String(e), String(e.message), String(e.stack)];
  try {
    texts.push(JSON.stringify(e));
  } catch (x) {
    texts.push(`(JSON.stringify threw ${x})`);
  }
  for (const key of Reflect.ownKeys(e)) {
    const value = e[key];
    texts.push(String(key));
    if (value && typeof value === "object") texts.push(...errorTexts(value, seen));
    else texts.push(String(value));
  }
  return texts;
}

/** The secrets, and any 12-character piece of one, appear in no text of `e`. */
function assertNoSecret(e, secrets, what) {
  const text = errorTexts(e).join("\n");
  for (const [name, secret] of Object.entries(secrets)) {
    const window = Math.min(12, secret.length);
    for (let i = 0; i + window <= secret.length; i++) {
      const piece = secret.slice(i, i + window);
      assert.ok(!text.includes(piece), `${what}: the ${name} (${JSON.stringify(piece)} of it) appears in the error:\n${text.slice(0, 1500)}`);
    }
  }
}

test("7. credentials in a baseUrl are refused without being quoted", () => {
  const urls = [
    `http://user:${HIDDEN}@127.0.0.1:1`,
    `https://user:${HIDDEN}@api.example.com/v1`,
    `http://:${HIDDEN}@127.0.0.1:1`,
    `HTTP://user:${HIDDEN}@127.0.0.1:1`,
    `http://user:${HIDDEN}@127.0.0.1:1@proxy.example.com`,
    `http://user%3A:${HIDDEN}@127.0.0.1:1`,
    // Parsed by WHATWG URL (and so by fetch) as credentials too:
    `http:///user:${HIDDEN}@127.0.0.1:1`,
    `https:////user:${HIDDEN}@127.0.0.1:1`,
    `//user:${HIDDEN}@127.0.0.1:1`,
  ];
  const failures = [];
  for (const baseUrl of urls) {
    for (const provider of ["mangopay", "equals", "didit"]) {
      const settings = { apiKey: "k-0123456789", baseUrl, ...(provider === "mangopay" ? { clientId: "c1" } : {}) };
      let error = null;
      try {
        new IdvClient({ [provider]: settings });
      } catch (e) {
        error = e;
      }
      if (!(error instanceof IdvError) || error.code !== "config") {
        failures.push(`${provider} ${JSON.stringify(baseUrl)}: ${error ? describeError(error) : "accepted"}`);
        continue;
      }
      try {
        assertNoSecret(error, { password: HIDDEN }, `${provider} ${baseUrl}`);
      } catch (x) {
        failures.push(x.message);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test("7. header values with a line break, CR or NUL are refused without being quoted; fetch errors quoting headers are scrubbed", async () => {
  for (const value of [`a\n${HIDDEN}`, `${HIDDEN}\r\nx-injected: 1`, `${HIDDEN}\u0000`, `${HIDDEN}\u0100`]) {
    for (const provider of ["mangopay", "equals", "didit"]) {
      const settings = { apiKey: "k-0123456789", headers: { "x-proxy-token": value }, ...(provider === "mangopay" ? { clientId: "c1" } : {}) };
      let error = null;
      try {
        new IdvClient({ [provider]: settings });
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof IdvError, `${provider} ${JSON.stringify(value)}: ${error ? describeError(error) : "accepted"}`);
      assert.equal(error.code, "config");
      assertNoSecret(error, { "header value": HIDDEN }, `${provider} ${JSON.stringify(value)}`);
    }
  }
  // A fetch that fails the way Node's does for a bad header: quoting the value.
  const key = "didit-key-7c1e9a3b5d";
  const header = `hdr-${HIDDEN}`;
  const throwers = {
    "Headers.append message": (url, init) => {
      throw new TypeError(`Headers.append: "${init.headers["x-proxy-token"]}" is an invalid header value.`);
    },
    "message quoting every header": (url, init) => {
      throw new Error(`refused ${JSON.stringify(init.headers)}`);
    },
    "cause quoting the key": (url, init) => {
      throw new TypeError("fetch failed", { cause: new Error(`bad ${init.headers["x-api-key"]}`) });
    },
    "rejects with a string": (url, init) => Promise.reject(`x-api-key=${init.headers["x-api-key"]}`),
  };
  for (const [name, fetchImpl] of Object.entries(throwers)) {
    const client = new IdvClient({
      didit: { apiKey: key, baseUrl: "http://mock.invalid", headers: { "x-proxy-token": header } },
      maxRetries: 0,
      fetch: async (...args) => fetchImpl(...args),
    });
    const { error } = await settle(client.listSessions("didit", {}));
    assert.ok(error instanceof IdvError, `${name}: ${describeError(error)}`);
    assertNoSecret(error, { "API key": key, "header value": header }, name);
  }
});

test("7. providers echoing the credentials (setEcho, token endpoint included): no error shows a secret", async (t) => {
  const server = await startMockServer({ port: 0, seed: 17, sessions: 20 });
  t.after(() => server.close());
  const mp = CREDENTIALS.mangopay;
  const headers = {
    mangopay: `mp-proxy-${HIDDEN}-0001`,
    equals: `eq-proxy-${HIDDEN}-0002`,
    didit: `dd-proxy-${HIDDEN}-0003`,
  };
  const secrets = {
    "Mangopay API key": mp.apiKey,
    "Basic value": Buffer.from(`${mp.clientId}:${mp.apiKey}`).toString("base64"),
    "Equals API key": CREDENTIALS.equals.apiKey,
    "Didit API key": CREDENTIALS.didit.apiKey,
    "Mangopay header value": headers.mangopay,
    "Equals header value": headers.equals,
    "Didit header value": headers.didit,
  };
  const tokens = [];
  const spy = async (url, init) => {
    const response = await fetch(url, init);
    if (String(url).includes("/oauth/token") && response.status === 200) {
      const body = await response.clone().json();
      tokens.push(body.access_token);
    }
    return response;
  };
  const config = () => ({
    mangopay: { ...mp, baseUrl: server.url, headers: { "x-proxy-token": headers.mangopay } },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: server.url, headers: { "x-proxy-token": headers.equals } },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: server.url, headers: { "x-proxy-token": headers.didit } },
    maxRetries: 0,
    fetch: spy,
  });
  const user = server.control.people().find((p) => p.mangopayUserId).mangopayUserId;
  const mpId = server.control.sessions("mangopay").sessions[0].id;
  const diditId = server.control.sessions("didit").sessions[0].id;
  const errors = [];
  const expectError = async (what, promise) => {
    const { error } = await settle(promise);
    assert.ok(error instanceof IdvError, `${what}: ${error ? describeError(error) : "resolved"}`);
    assert.equal(error.httpStatus, 400, `${what}: the echo's 400 (${error.message})`);
    errors.push([what, error]);
  };

  // The token request itself answered by the echo: the Basic value is in the provider's message.
  server.control.setEcho("mangopay", true);
  await expectError("Mangopay token endpoint", new IdvClient(config()).listSessions("mangopay", { userId: user }));
  // With a token: the bearer token is echoed.
  server.control.setEcho("mangopay", false);
  const client = new IdvClient(config());
  await client.listSessions("mangopay", { userId: user, perPage: 1 });
  assert.equal(tokens.length >= 1, true, "a token was issued");
  server.control.setEcho("mangopay", true);
  await expectError("Mangopay list", client.listSessions("mangopay", { userId: user }));
  await expectError("Mangopay get", client.getSession("mangopay", mpId));
  await expectError("Mangopay create", client.createSession("mangopay", { userId: user, returnUrl: "https://example.com/back" }));
  server.control.setEcho("equals", true);
  await expectError("Equals list", client.listSessions("equals", {}));
  await expectError("Equals listAll", client.listAll("equals", {}));
  server.control.setEcho("didit", true);
  await expectError("Didit list", client.listSessions("didit", {}));
  await expectError("Didit get", client.getSession("didit", diditId));
  await expectError("Didit create", client.createSession("didit", { workflowId: WORKFLOW }));
  const it = client.sessions("didit", {});
  await expectError("Didit sessions().next()", it.next());
  await it.return();
  const person = server.control.people().find((p) => p.equalsAssociatedPersonId).equalsAssociatedPersonId;
  const all = await client.listUserSessions({ mangopay: user, equals: person, didit: "user-1" });
  assert.equal(all.errors.length, 3, all.errors.map(describeError).join("; "));
  for (const e of all.errors) errors.push([`listUserSessions ${e.provider}`, e]);

  tokens.forEach((token, i) => {
    secrets[`bearer token #${i + 1}`] = token;
  });
  for (const [what, error] of errors) assertNoSecret(error, secrets, what);
});

// 8. The IdvError class.

test("8. IdvError is a runtime class: constructible, instanceof across import and require, the class of every error", () => {
  assert.equal(typeof IdvError, "function");
  assert.equal(cjs.IdvError, IdvError, "require and import export the same class");
  const e = new IdvError("m", { code: "decode" });
  assert.ok(e instanceof IdvError);
  assert.ok(e instanceof Error);
  assert.ok(e instanceof cjs.IdvError);
  assert.equal(e.name, "IdvError");
  assert.equal(e.code, "decode");
  assert.equal(e.message, "m");
  assert.equal(e.retryable, false);
  assert.equal(typeof e.stack, "string");
  assert.equal(Object.prototype.toString.call(e), "[object Error]");
  assert.equal(isIdvError(e), true);
  const full = new IdvError("n", { code: "rate_limited", provider: "didit", httpStatus: 429, retryable: true, retryAfterMs: 1000 });
  assert.deepEqual([full.code, full.provider, full.httpStatus, full.retryable, full.retryAfterMs], ["rate_limited", "didit", 429, true, 1000]);
  // Errors raised by the ESM entry are instances of the CJS class and the reverse.
  const fromEsm = (() => {
    try {
      esm.normalizeSession("paypal", "{}");
    } catch (x) {
      return x;
    }
  })();
  const fromCjs = (() => {
    try {
      cjs.normalizeList("didit", "{");
    } catch (x) {
      return x;
    }
  })();
  for (const x of [fromEsm, fromCjs]) {
    assert.ok(x instanceof IdvError && x instanceof cjs.IdvError && x instanceof Error, describeError(x));
    assert.equal(cjs.isIdvError(x), true);
  }
  assert.equal(fromEsm.code, "config");
  assert.equal(fromCjs.code, "decode");
});

test("8. node.mjs (the bundlers' entry, its own wasm instance) throws the same IdvError class", async () => {
  const nodeEntry = await import("../../pkg/node.mjs");
  assert.equal(nodeEntry.IdvError, IdvError);
  assert.throws(() => nodeEntry.normalizeSession("didit", detached()), (x) => x instanceof IdvError && x.code === "decode");
  const { error } = await settle(new nodeEntry.IdvClient({ didit: { apiKey: "k-0123456789" } }).getSession("didit", detached()));
  assert.ok(error instanceof IdvError, describeError(error));
});

// Beyond the issue: a freed client, a method called on something that is not its object.
// These can kill the module or the process, so each runs in a child process.

const CHILD_PRELUDE = `
import { IdvClient, IdvError, SessionStream, normalizeSession } from ${JSON.stringify(PKG_URL)};
const ROW = { session_id: "x", status: "Approved", created_at: "2026-01-01T00:00:00Z" };
const alive = () => { try { return normalizeSession("didit", ROW).createdAt === ROW.created_at; } catch (e) { return String(e); } };
const describe = (e) => e instanceof Error ? e.constructor.name + ": " + e.message : typeof e + ": " + String(e);
const stray = [];
process.on("uncaughtException", (e) => stray.push("uncaught " + describe(e)));
process.on("unhandledRejection", (e) => stray.push("unhandled " + describe(e)));
const newClient = () => new IdvClient({ didit: { apiKey: "k-0123456789", baseUrl: "http://mock.invalid" }, maxRetries: 0, rateLimitScale: 1000, fetch: async () => { throw new Error("offline"); } });
/** n calls of call(i): each must return a promise rejecting with an IdvError (or, with
 * allowValue, settling either way). Goes on after a wrong one, counting outcomes, and notes the
 * call after which the module no longer normalizes. */
async function storm(n, call, { allowValue = false } = {}) {
  let failure = null;
  let deadAfter = null;
  const outcomes = {};
  const count = (what) => { outcomes[what] = (outcomes[what] ?? 0) + 1; };
  for (let i = 0; i < n; i++) {
    let p;
    let out;
    try { p = call(i); } catch (e) { out = "threw synchronously " + describe(e); }
    if (!out && !(p instanceof Promise)) out = "returned " + typeof p;
    if (!out) out = await p.then(() => (allowValue ? "ok: resolved" : "resolved"), (e) => e instanceof IdvError ? null : "rejected with " + describe(e));
    if (out?.startsWith("ok: ")) { count(out.slice(4)); continue; }
    count(out ?? "rejected with an IdvError");
    if (out && !failure) failure = "call " + i + ": " + out;
    if (deadAfter === null && i % 1000 === 999 && alive() !== true) deadAfter = i + 1;
  }
  return { failure, outcomes, deadAfter, alive: alive() };
}
`;

// A freed client may still work (the package may make free() a no-op) or reject: either way its
// methods never throw, every call settles, and the module lives.
test("beyond the issue: a freed client's methods settle (a value or an IdvError, never a throw), 100,000 times; the module lives", async () => {
  const { result, why, stderr } = await runChild(`${CHILD_PRELUDE}
const client = newClient();
client.free();
const out = await storm(${CALLS}, (i) => [
  () => client.getSession("didit", "x"),
  () => client.listSessions("didit", {}),
  () => client.listAll("didit", {}),
  () => client.createSession("didit", { workflowId: "w" }),
  () => client.listUserSessions({ didit: "u" }),
  () => client.sessions("didit", {}).next(),
][i % 6](), { allowValue: true });
let freeTwice = null;
try { client.free(); } catch (e) { freeTwice = describe(e); }
console.log(JSON.stringify({ ...out, freeTwice, stray }));
`);
  assert.ok(result, `the child died: ${why}\n${stderr}`);
  const wrong = Object.keys(result.outcomes).filter((o) => o !== "rejected with an IdvError" && o !== "resolved");
  assert.deepEqual({ ...result, outcomes: wrong }, {
    failure: null,
    outcomes: [],
    deadAfter: null,
    alive: true,
    freeTwice: null, // free() twice is harmless
    stray: [],
  }, `outcomes: ${JSON.stringify(result.outcomes)}`);
});

test("beyond the issue: a client freed while its call reads the arguments (reentrancy): that call and later ones reject with an IdvError", async () => {
  const { result, why, stderr } = await runChild(`${CHILD_PRELUDE}
const out = await storm(${Math.ceil(CALLS / 10)}, () => {
  const client = newClient();
  const first = client.listSessions("didit", { get limit() { try { client.free(); } catch (e) { stray.push("free() threw " + describe(e)); } return 5; } });
  // That call rejects with an IdvError, and so does a later call on the (now freed) client.
  return first.then(
    () => { throw new Error("listSessions resolved"); },
    (e) => { if (!(e instanceof IdvError)) throw e; return client.getSession("didit", "x"); });
});
console.log(JSON.stringify({ ...out, stray: [...new Set(stray)] }));
`);
  assert.ok(result, `the child died: ${why}\n${stderr}`);
  assert.deepEqual(result, {
    failure: null,
    outcomes: { "rejected with an IdvError": Math.ceil(CALLS / 10) },
    deadAfter: null,
    alive: true,
    stray: [],
  });
});

test("beyond the issue: methods called on an object that is not theirs (plain object, the other class) reject with an IdvError; no trap", async () => {
  const cases = {
    "IdvClient.prototype.getSession on {}": `IdvClient.prototype.getSession.call({}, "didit", "x")`,
    "IdvClient.prototype.listSessions on a SessionStream": `IdvClient.prototype.listSessions.call(newClient().sessions("didit", {}), "didit", {})`,
    "SessionStream.prototype.next on an IdvClient": `SessionStream.prototype.next.call(newClient())`,
    "SessionStream.prototype.return on an IdvClient": `SessionStream.prototype.return.call(newClient())`,
    "SessionStream.prototype.next on new SessionStream()": `SessionStream.prototype.next.call(new SessionStream())`,
  };
  const failures = [];
  for (const [name, expression] of Object.entries(cases)) {
    const { result, why } = await runChild(`${CHILD_PRELUDE}
const out = await storm(2000, () => ${expression});
await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify({ ...out, stray }));
`, 8_000);
    if (!result) failures.push(`${name}: the child died: ${why}`);
    else if (result.failure || result.alive !== true || result.stray.length) failures.push(`${name}: ${JSON.stringify(result)}`);
  }
  assert.deepEqual(failures, []);
});

test("beyond the issue: toCsv and summarize with a revoked Proxy throw an IdvError, 100,000 times; the module lives", async () => {
  const { result, why, stderr } = await runChild(`${CHILD_PRELUDE}
import { toCsv, summarize } from ${JSON.stringify(PKG_URL)};
const { proxy, revoke } = Proxy.revocable([], {});
revoke();
const outcomes = {};
let deadAfter = null;
for (let i = 0; i < ${CALLS}; i++) {
  let out = "returned";
  try { (i % 2 ? toCsv : summarize)(proxy); } catch (e) { out = e instanceof IdvError ? "threw an IdvError" : "threw " + describe(e); }
  outcomes[out] = (outcomes[out] ?? 0) + 1;
  if (deadAfter === null && i % 1000 === 999 && alive() !== true) deadAfter = i + 1;
}
console.log(JSON.stringify({ outcomes, deadAfter, alive: alive() }));
`);
  assert.ok(result, `the child died: ${why}\n${stderr}`);
  assert.deepEqual(result, { outcomes: { "threw an IdvError": CALLS }, deadAfter: null, alive: true });
});

test("beyond the issue: bad rows cost memory in proportion to the body (1,000,000 non-object rows in 2 MB; 6,000,000 in 11 MB)", async () => {
  const { result, why, stderr } = await runChild(`${CHILD_PRELUDE}
import { normalizeList, memoryBytes } from ${JSON.stringify(PKG_URL)};
const out = [];
for (const rows of [1_000_000, 6_000_000]) {
  const text = "[" + "0,".repeat(rows - 1) + "0]";
  const before = memoryBytes();
  let outcome;
  try {
    const list = normalizeList("mangopay", text, { userId: "u1" });
    outcome = "returned " + list.length + " sessions, " + list.badRows.length + " bad rows";
  } catch (e) {
    outcome = e instanceof IdvError ? "threw an IdvError (" + e.code + ")" : "threw " + describe(e);
  }
  out.push({ rows, bodyMb: +(text.length / 1048576).toFixed(1), outcome, grewMb: Math.round((memoryBytes() - before) / 1048576) });
}
console.log(JSON.stringify({ out, alive: alive() }));
`, 120_000);
  assert.ok(result, `the child died: ${why}\n${stderr}`);
  const problems = result.out
    .filter((r) => /RuntimeError|TypeError|RangeError/.test(r.outcome) || r.grewMb > Math.max(32, 16 * r.bodyMb))
    .map((r) => `${r.rows} rows (${r.bodyMb} MB of JSON): ${r.outcome}; wasm memory grew by ${r.grewMb} MB`);
  assert.deepEqual(problems, []);
  assert.equal(result.alive, true, "the module still normalizes");
});

test("beyond the issue: a request leaves nothing behind in wasm memory (20,000 listSessions answered with a page, a rejection or a 503; fresh module)", async () => {
  const { result, why, stderr } = await runChild(`${CHILD_PRELUDE}
import { memoryBytes } from ${JSON.stringify(PKG_URL)};
const page = new TextEncoder().encode('{"count":0,"next":null,"previous":null,"results":[]}');
const answers = {
  "a valid empty page": async () => ({ status: 200, headers: new Headers(), arrayBuffer: async () => page.slice().buffer }),
  "a fetch that rejects": async () => { throw new TypeError("fetch failed"); },
  "a 503 page": async () => ({ status: 503, headers: new Headers(), arrayBuffer: async () => new ArrayBuffer(0) }),
};
// A client remembers its requests of the last rate window (a minute: up to 300,000 of them at
// rateLimitScale 1000, which keeps these calls unpaced), so each 1,000 calls get a fresh client,
// and the old ones are collected.
import v8 from "node:v8";
import vm from "node:vm";
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const out = {};
for (const [name, fetch] of Object.entries(answers)) {
  let client;
  const batch = async (n, i) => {
    if (i % 10 === 0) {
      client = new IdvClient({ didit: { apiKey: "k-0123456789", baseUrl: "http://mock.invalid" }, maxRetries: 0, rateLimitScale: 1000, concurrency: 64, fetch });
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return Promise.all(Array.from({ length: n }, () => client.listSessions("didit", {}).then(() => "ok", (e) => (e instanceof IdvError ? "idv" : describe(e)))));
  };
  for (let i = 0; i < 20; i++) await batch(100, i); // warm-up
  const before = memoryBytes();
  const outcomes = {};
  for (let i = 0; i < 200; i++) for (const o of await batch(100, i)) outcomes[o] = (outcomes[o] ?? 0) + 1;
  out[name] = { before, grewBytes: memoryBytes() - before, outcomes };
}
console.log(JSON.stringify({ out, alive: alive(), stray }));
`);
  assert.ok(result, `the child died: ${why}\n${stderr}`);
  // The same bound as the storms (see MEMORY_SLACK), over 20,000 calls in batches of 100.
  const problems = Object.entries(result.out)
    .map(([name, r]) => memoryGrowthProblem(`${name} (outcomes ${JSON.stringify(r.outcomes)})`, r.grewBytes, 20_000, r.before))
    .filter((problem) => problem !== null);
  assert.deepEqual(problems, []);
  assert.equal(result.alive, true);
  assert.deepEqual(result.stray, []);
});

test("beyond the issue: JSON text is encoded into wasm memory exactly as TextEncoder encodes it (non-ASCII, astral, lone surrogates); a replaced encodeInto gives a decode error, never a hang or a throw", () => {
  const enc = new TextEncoder();
  const names = ["plain", "é", "日本語テキスト", "😀 astral", "lone \ud800 high", "lone \udc00 low", "ends in \ud83d",
    "x".repeat(1000) + "€".repeat(500) + "😀".repeat(300), "😀".repeat(2000)];
  for (const n of names) {
    // Raw characters (lone surrogates too), not the escapes JSON.stringify writes for them.
    const text = `{"Id":"idv_1","Status":"VALIDATED","CreationDate":1700000000,"UserId":"${n}","ReturnUrl":"https://x/${n}"}`;
    const fromText = normalizeSession("mangopay", text);
    assert.deepEqual(fromText, normalizeSession("mangopay", enc.encode(text)), n);
    assert.equal(fromText.userRef, n.toWellFormed());
  }
  const original = Object.getOwnPropertyDescriptor(TextEncoder.prototype, "encodeInto");
  try {
    for (const replaced of [() => ({ read: 0, written: 0 }), () => ({ read: 1e12, written: 1e12 }), () => ({ read: -5, written: NaN }),
      () => { throw new Error("boom"); }, () => null]) {
      Object.defineProperty(TextEncoder.prototype, "encodeInto", { ...original, value: replaced });
      assert.throws(() => normalizeSession("mangopay", '{"Id":"é","Status":"VALIDATED","CreationDate":1}'),
        (e) => e instanceof IdvError && e.code === "decode", String(replaced));
    }
  } finally {
    Object.defineProperty(TextEncoder.prototype, "encodeInto", original);
  }
  assert.equal(normalizeSession("mangopay", '{"Id":"idv_é","Status":"VALIDATED","CreationDate":1}').id, "idv_é");
});

test("beyond the issue: JSON text costs wasm memory about once (ASCII, a few accents), at most about twice (much non-ASCII) (fresh modules)", async () => {
  // Didit rows whose user references hold `extra` per row; 40,000 of them, in a fresh module each.
  const run = (extra) => runChild(`
import { normalizeList, memoryBytes } from ${JSON.stringify(PKG_URL)};
const rows = Array.from({ length: 40000 }, (_, i) => ({ session_id: "s" + i, status: "Approved",
  created_at: "2026-01-01T00:00:00Z", vendor_data: ${JSON.stringify(extra)} + i, workflow_id: "w-0123456789abcdef" }));
const text = JSON.stringify({ count: rows.length, next: null, previous: null, results: rows });
const utf8 = new TextEncoder().encode(text).length;
const before = memoryBytes();
const sessions = normalizeList("didit", text);
console.log(JSON.stringify({ sessions: sessions.length, utf8, units: text.length, growth: memoryBytes() - before }));
`);
  const cases = [
    { extra: "plain ascii user ", bound: 1.15 },
    { extra: "Zoë Nuñez ", bound: 1.15 }, // about 1% more bytes than units: within the first buffer
    { extra: "Åsa Ørsted-Ærø Çelik Öztürk ", bound: 1.15 }, // about 4% more: still within it
    { extra: "ÅÆØÇÖÜßéèêëñ ", bound: 2.2 }, // about 10% more: the buffer grows once
    { extra: "日本語のユーザー名前 ", bound: 2.2 }, // three bytes per unit
  ];
  for (const { extra, bound } of cases) {
    const { result, why } = await run(extra);
    assert.ok(result, why);
    assert.equal(result.sessions, 40000);
    assert.ok(result.growth < result.utf8 * bound,
      `${extra}: wasm memory grew by ${result.growth} bytes for ${result.utf8} bytes of UTF-8 (${result.units} units)`);
  }
});

test("beyond the issue: half an emoji (a lone surrogate) in a parsed object, as JSON.stringify escapes it, is U+FFFD, not a decode error (object, text and bytes alike; summarize and toCsv take such sessions back)", () => {
  const row = JSON.parse(fixture("didit-list-row-1.json"));
  row.full_name = "Zoë \ud83d";
  row.vendor_data = "\udc00user";
  const body = { count: 1, next: null, previous: null, results: [row] };
  const text = JSON.stringify(body);
  assert.match(text, /\\ud83d/, "JSON.stringify escapes the lone surrogate");
  const forms = [body, text, new TextEncoder().encode(text)];
  const results = forms.map((input) => normalizeList("didit", input));
  for (const [i, sessions] of results.entries()) {
    assert.equal(sessions.length, 1, `form ${i}`);
    assert.equal(sessions[0].userRef, "\ufffduser", `form ${i}`);
    assert.deepEqual(sessions[0], results[0][0], `form ${i}`);
  }
  // An escaped pair is still one character.
  const paired = normalizeList("didit", text.replace("\\ud83d", "\\ud83d\\ude00"));
  assert.equal(paired[0].userRef, "\ufffduser");
  const withSurrogate = [{ ...results[0][0], userRef: "a\ud800b" }];
  assert.equal(summarize(withSurrogate).sessionCount, 1);
  assert.match(toCsv(withSurrogate), /a\ufffdb/);
});

test("beyond the issue: bodies and arguments past the size limits are refused before they reach wasm memory (an IdvError, never a trap); the module lives", async () => {
  const { result, why } = await runChild(`
import { IdvClient, normalizeList, normalizeSession, parseWebhook, mapStatus } from ${JSON.stringify(PKG_URL)};
const out = {};
const code = async (f) => { try { await f(); return "ok"; } catch (e) { return e.name === "IdvError" ? e.code : "escaped " + e; } };
// A response of 65 MiB (past the 64 MiB a body may be), invalid UTF-8: each attempt refused, none copied.
const big = new Uint8Array(65 << 20).fill(0xff);
let fetches = 0;
const client = new IdvClient({ didit: { apiKey: "k" }, maxRetries: 1, retryBaseMs: 0, fetch: async () => { fetches++; return new Response(big); } });
out.response = await code(() => client.listSessions("didit", {}));
out.fetches = fetches;
// An argument of 600 MiB (past 512 MiB): refused, not copied (the buffer is never written: no memory used).
const huge = new ArrayBuffer(600 << 20);
out.list = await code(() => normalizeList("didit", huge));
out.session = await code(() => normalizeSession("didit", new Uint8Array(huge)));
// A webhook body of 65 MiB, as bytes and as text.
out.webhookBytes = await code(() => parseWebhook("didit", { body: big, secret: "s" }));
out.webhookText = await code(() => parseWebhook("didit", { body: "x".repeat(65 << 20), secret: "s" }));
// 62.9 MB as UTF-8 (10 Mi two-byte characters, then ASCII): within the limit, so it reaches the
// signature check (none is given), as the same bytes do.
const fits = "\u00e9".repeat(10 << 20) + "x".repeat(40 << 20);
out.webhookTextFits = await code(() => parseWebhook("didit", { body: fits, secret: "s" }));
out.webhookBytesFit = await code(() => parseWebhook("didit", { body: new TextEncoder().encode(fits), secret: "s" }));
// Headers: 20,000 of them, from a Map, a Headers-like array and a plain object.
const map = new Map(Array.from({ length: 20000 }, (_, i) => ["h" + i, "v"]));
out.mapHeaders = await code(() => parseWebhook("didit", { body: "{}", headers: map, secret: "s" }));
const sparse = []; sparse.length = 10_000_000;
out.sparseHeaders = await code(() => parseWebhook("didit", { body: "{}", headers: sparse, secret: "s" }));
out.objectHeaders = await code(() => parseWebhook("didit", { body: "{}", headers: Object.fromEntries(map), secret: "s" }));
out.after = mapStatus("didit", "Approved");
console.log(JSON.stringify(out));
`, 120_000);
  assert.ok(result, why);
  assert.deepEqual(result, {
    response: "network", fetches: 2, list: "decode", session: "decode", webhookBytes: "decode", webhookText: "decode",
    webhookTextFits: "signature", webhookBytesFit: "signature",
    mapHeaders: "config", sparseHeaders: "config", objectHeaders: "config", after: "approved",
  });
});

test("beyond the issue: an option or a query value of the wrong type is a config error, never silently dropped or coerced (a Symbol filter must not list every session)", async () => {
  const requests = [];
  const fetch = async (url) => { requests.push(url); return new Response(JSON.stringify({ count: 0, next: null, previous: null, results: [] })); };
  const client = new IdvClient({ didit: { apiKey: "k" }, maxRetries: 0, fetch });
  const code = async (f) => { try { await f(); return "ok"; } catch (e) { return isIdvError(e) ? e.code : `escaped ${e}`; } };
  for (const query of [{ status: Symbol("s") }, { status: () => "approved" }, { status: NaN }, { vendorData: () => "u" }, { vendorData: Symbol() }]) {
    assert.equal(await code(() => client.listSessions("didit", query)), "config", String(Object.values(query)[0]));
  }
  assert.equal(requests.length, 0, "nothing listed");
  for (const options of [{ includeRaw: "no" }, { includeRaw: 1 }, { details: "yes" }, { strict: {} }]) {
    assert.equal(await code(() => client.listSessions("didit", {}, options)), "config", JSON.stringify(options));
  }
  assert.equal(await code(() => client.listSessions("didit", {}, { includeRaw: false, strict: true })), "ok");
  const row = fixture("didit-list-row-1.json");
  assert.equal(await code(() => normalizeSession("didit", row, { includeRaw: 42 })), "config");
  assert.equal(await code(() => normalizeList("mangopay", "[1]", { strict: "yes" })), "config");
  assert.equal(await code(() => normalizeSession("didit", row, { includeRaw: true, strict: false })), "ok");
  assert.equal(await code(() => client.listUserSessions({ didit: Symbol() })), "config");
  assert.equal(await code(() => client.createSession("didit", { workflowId: "w", metadata: { f: () => 1 } })), "config");
  for (const config of [{ timeoutMs: Symbol() }, { concurrency: () => 4 }, { didit: { apiKey: "k", baseUrl: Symbol() } }]) {
    assert.equal(await code(() => new IdvClient({ didit: { apiKey: "k" }, ...config })), "config", Object.keys(config)[0]);
  }
  assert.equal(await code(() => new IdvClient({ didit: { apiKey: "k" }, fetch })), "ok");
});

test("beyond the issue: listEvents refuses a query key it does not know and a time in milliseconds (config), before any request", async () => {
  const requests = [];
  const client = new IdvClient({
    mangopay: { clientId: "c", apiKey: "k" }, maxRetries: 0,
    fetch: async (url) => {
      requests.push(url);
      return new Response(url.endsWith("/oauth/token") ? JSON.stringify({ access_token: "t", token_type: "bearer", expires_in: 3600 }) : "[]");
    },
  });
  const code = async (f) => { try { await f(); return "ok"; } catch (e) { return isIdvError(e) ? e.code : `escaped ${e}`; } };
  for (const query of [{ AfterDate: 1_700_000_000 }, { after: 1_700_000_000 }, { afterDate: Date.now() }, { beforeDate: 1e20 }]) {
    assert.equal(await code(() => client.listEvents("mangopay", query)), "config", JSON.stringify(query));
  }
  assert.equal(requests.length, 0);
  assert.equal(await code(() => client.listEvents("mangopay", { afterDate: 1_700_000_000, beforeDate: new Date(), eventType: "IDENTITY_VERIFICATION_VALIDATED" })), "ok");
});
