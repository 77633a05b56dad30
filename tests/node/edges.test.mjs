// IdvClient at the edges (SPEC section 6, "At the edges"), in Node against the
// mock providers: creates never duplicated by a retry, one shared Mangopay
// token, `concurrency` per provider across calls, 429 pauses and closed
// windows, nothing left running after a failed call, listeners on a shared
// signal, hostile paging, one retry budget per read, the `sessions()`
// iterator under concurrent and failed `next()`, and `forbidden`.
//
// Every test starts its own mock (port 0) and closes it in `t.after`; a call
// that an older engine would hang on runs under a deadline that aborts it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { IdvClient, isIdvError, normalizeSession } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const PKG_URL = pathToFileURL(path.resolve(here, "../../pkg/index.mjs")).href;
const MOCK_URL = pathToFileURL(path.resolve(here, "../mock/server.mjs")).href;
const WORKFLOW = "a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35"; // the mock's Standard KYC
const NOT_SENT_AGAIN = /not (be(en)? )?(re-?)?sent again|not re-?sent/i;

function config(url, extra = {}) {
  return {
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: url },
    retryBaseMs: 5,
    // Short, so that a build that leaves request timers behind keeps this file's process alive
    // for seconds, not the default 30 s (the child-process test below checks the default).
    timeoutMs: 5_000,
    ...extra,
  };
}

/** A mock for this test only, closed when the test ends (passed or not). */
async function mockFor(t, options) {
  const server = await startMockServer({ port: 0, seed: 11, sessions: 40, ...options });
  t.after(() => server.close());
  return server;
}

/** An AbortSignal aborted when the test ends: no client call outlives its test. */
function testSignal(t) {
  const controller = new AbortController();
  t.after(() => controller.abort());
  return controller.signal;
}

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

/** `run(signal)` within `ms`, else the signal is aborted and the deadline rejects. */
async function within(ms, what, run) {
  const controller = new AbortController();
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${what}: still pending after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const keysOf = (sessions) => sessions.map((s) => s.key).sort();
const truthKeys = (server, provider, filter = () => true) =>
  server.control.sessions(provider).sessions.filter(filter).map((s) => s.key).sort();
const userSessions = (server, userId) =>
  server.control.sessions("mangopay").sessions.filter((s) => s.userRef === userId);
const busiestMangopayUser = (server) =>
  server.control.people().filter((p) => p.mangopayUserId)
    .sort((a, b) => b.counts.mangopay - a.counts.mangopay)[0].mangopayUserId;
/** Mangopay requests other than the token endpoint. */
const mangopayCalls = (stats) => stats.requests.mangopay - stats.tokenRequests;

// 1. A create is never duplicated by a retry.

test("a Didit create whose answer was lost is not sent again (commit-then-reset, -hold, -500)", async (t) => {
  const server = await mockFor(t);
  const cases = [
    { fault: "commit-then-reset", code: "network" },
    { fault: { kind: "commit-then-hold", holdMs: 5_000 }, code: "timeout" },
    { fault: "commit-then-500", code: "http", httpStatus: 500 },
  ];
  for (const { fault, code, httpStatus } of cases) {
    const name = JSON.stringify(fault);
    server.control.resetStats();
    server.control.script("didit", "create", [fault]);
    const client = new IdvClient(config(server.url, { maxRetries: 3, timeoutMs: 400 }));
    // No clock: the request counts say "not sent again". A client that ignored its 400 ms timeout
    // would get the held answer (a 201) after 5 s and resolve, which `rejects` refuses; the 15 s
    // deadline only stops a call that never settles.
    const e = await within(15_000, `${name}: createSession`, (deadline) =>
      rejects(client.createSession("didit", { workflowId: WORKFLOW, vendorData: "edge-create" }, { signal: deadline })));
    assert.ok(isIdvError(e), `${name}: ${e}`);
    assert.equal(e.code, code, `${name}: ${e.message}`);
    if (httpStatus) assert.equal(e.httpStatus, httpStatus, name);
    assert.equal(e.retryable, false, `${name}: a create that may exist is not retryable`);
    assert.match(e.message, NOT_SENT_AGAIN, `${name}: the message says why`);
    const stats = server.control.stats();
    assert.equal(stats.creates.didit, 1, `${name}: exactly one create reached Didit`);
    assert.equal(stats.requests.didit, 1, `${name}: one request`);
    server.control.clearScripts();
  }
});

test("a Mangopay create after commit-then-reset is retried under one Idempotency-Key: one session", async (t) => {
  const server = await mockFor(t);
  const signal = testSignal(t);
  const client = new IdvClient(config(server.url, { maxRetries: 3 }));
  const user = busiestMangopayUser(server);
  for (const idempotencyKey of [undefined, "edge-key-0b6f2c1d"]) {
    const before = new Set(userSessions(server, user).map((s) => s.id));
    server.control.resetStats();
    server.control.script("mangopay", "create", ["commit-then-reset"]);
    const input = { userId: user, returnUrl: "https://example.com/back", tag: "edge", ...(idempotencyKey ? { idempotencyKey } : {}) };
    const created = await client.createSession("mangopay", input, { signal });
    const added = userSessions(server, user).filter((s) => !before.has(s.id));
    assert.equal(added.length, 1, `key ${idempotencyKey}: the mock created one session, not ${added.length}`);
    assert.equal(created.id, added[0].id, "the replayed answer is that session");
    assert.equal(created.userRef, user);
    assert.equal(server.control.stats().creates.mangopay, 2, "the retry reached the handler and was replayed");
    if (idempotencyKey) {
      const again = await client.createSession("mangopay", input, { signal });
      assert.equal(again.id, created.id, "the caller's key replays the same session");
      assert.equal(userSessions(server, user).filter((s) => !before.has(s.id)).length, 1);
    }
  }
});

test("a Didit create refused with a 429 is retried and succeeds once", async (t) => {
  const server = await mockFor(t);
  const client = new IdvClient(config(server.url, { maxRetries: 3 }));
  server.control.script("didit", "create", [{ kind: "429", retryAfter: 0 }]);
  const created = await client.createSession("didit", { workflowId: WORKFLOW, vendorData: "edge-429" }, { signal: testSignal(t) });
  assert.equal(created.status, "not_started");
  const stats = server.control.stats();
  assert.equal(stats.creates.didit, 1, "one create reached the handler");
  assert.equal(stats.requests.didit, 2, "the 429, then the create");
  assert.equal(server.control.sessions("didit").sessions.filter((s) => s.userRef === "edge-429").length, 1);
});

// 2. One Mangopay token request at a time per client.

test("six concurrent Mangopay calls on a new client share one token request", async (t) => {
  const server = await mockFor(t, { latencyMs: 30 });
  const signal = testSignal(t);
  const client = new IdvClient(config(server.url));
  const user = busiestMangopayUser(server);
  const pages = await Promise.all(Array.from({ length: 6 }, () => client.listSessions("mangopay", { userId: user }, { signal })));
  for (const page of pages) assert.deepEqual(keysOf(page.sessions), truthKeys(server, "mangopay", (s) => s.userRef === user));
  assert.equal(server.control.stats().tokenRequests, 1);
});

test("tokens revoked in the middle of a listAll: exactly one more token request", async (t) => {
  const server = await mockFor(t, { latencyMs: 20 });
  const client = new IdvClient(config(server.url, { concurrency: 4 }));
  const user = busiestMangopayUser(server);
  server.control.insert("mangopay", 460, user); // > 4 pages of 100 (listAll's page size)
  server.control.resetStats();
  let revoked = 0;
  const sessions = await client.listAll("mangopay", { userId: user }, {
    signal: testSignal(t),
    onProgress: (p) => {
      if (p.pagesDone === 1) revoked = server.control.revokeTokens().revoked;
    },
  });
  assert.equal(revoked, 1, "the client's token was revoked after the first page");
  assert.deepEqual(keysOf(sessions), truthKeys(server, "mangopay", (s) => s.userRef === user));
  const stats = server.control.stats();
  assert.ok(mangopayCalls(stats) >= 5, `${mangopayCalls(stats)} list requests`);
  assert.equal(stats.tokenRequests, 2, "the first token and one shared refresh");
});

test("a token answer that is an HTML page or cut-short JSON is read again", async (t) => {
  const server = await mockFor(t);
  const signal = testSignal(t);
  const user = busiestMangopayUser(server);
  for (const fault of ["html", "truncate"]) {
    server.control.resetStats();
    server.control.script("mangopay", "token", [fault]);
    const client = new IdvClient(config(server.url, { maxRetries: 3 }));
    const page = await client.listSessions("mangopay", { userId: user }, { signal });
    assert.deepEqual(keysOf(page.sessions), truthKeys(server, "mangopay", (s) => s.userRef === user), fault);
    assert.equal(server.control.stats().tokenRequests, 2, `${fault}: the token was asked for again`);
  }
});

// 3. `concurrency` bounds the requests in flight per provider across calls.

test("concurrency is per provider across calls: 12 getSession, at most 4 in flight", async (t) => {
  const server = await mockFor(t, { latencyMs: 60 });
  const client = new IdvClient(config(server.url, { concurrency: 4 }));
  const ids = server.control.sessions("didit").sessions.slice(0, 12).map((s) => s.id);
  const signal = testSignal(t);
  const sessions = await Promise.all(ids.map((id) => client.getSession("didit", id, { signal })));
  assert.deepEqual(sessions.map((s) => s.id), ids);
  const { maxInFlight, requests } = server.control.stats();
  assert.equal(requests.didit, 12);
  assert.ok(maxInFlight.didit <= 4, `${maxInFlight.didit} Didit requests in flight at once`);
  assert.ok(maxInFlight.didit > 1, `calls ran concurrently (max in flight ${maxInFlight.didit})`);
});

// 4. A 429 pauses the provider; a long Retry-After fails at once.

test("a 429 with Retry-After: 900 fails at once with rate_limited; the next call too, without a request", async (t) => {
  const server = await mockFor(t);
  // "At once", without a stopwatch: a client that waited would wait the Retry-After (900 s) or
  // at least its longest back-off (retryMaxDelayMs, 20 s); the 10 s deadlines stop both, and are
  // far above what a call that does not wait needs. The request counts say "no retry".
  const client = new IdvClient(config(server.url, { maxRetries: 3, retryMaxDelayMs: 20_000 }));
  const [first, second] = server.control.sessions("didit").sessions.map((s) => s.id);
  server.control.script("didit", "get", [{ kind: "429", retryAfter: 900 }]);
  const e = await within(10_000, "getSession after Retry-After: 900", (deadline) =>
    rejects(client.getSession("didit", first, { signal: deadline })));
  assert.equal(e.code, "rate_limited", e.message);
  assert.equal(e.httpStatus, 429);
  assert.equal(e.retryAfterMs, 900_000);
  assert.equal(server.control.stats().requests.didit, 1, "no retry into the closed window");

  const next = await within(10_000, "the following getSession", (deadline) =>
    rejects(client.getSession("didit", second, { signal: deadline })));
  assert.equal(next.code, "rate_limited", next.message);
  assert.ok(next.retryAfterMs > 800_000 && next.retryAfterMs <= 900_000, `retryAfterMs ${next.retryAfterMs}`);
  assert.equal(server.control.stats().requests.didit, 1, "the following call sent nothing");
});

test("a 429 with Retry-After: 2 on one call makes another call to the provider wait", async (t) => {
  const server = await mockFor(t);
  const signal = testSignal(t);
  const [idA, idB] = server.control.sessions("didit").sessions.map((s) => s.id);
  // A fetch that answers A's first request itself, with Didit's 429 and `Retry-After: 2`, and
  // passes every other request to the mock; it records when each request is sent and when the
  // 429 was answered. B is called as soon as the client has read the 429 (its body read, then the
  // jobs queued meanwhile run: the client handles an answer once it has read it), so the order of
  // events is the test's, not the clock's.
  const sent = [];
  let answered429At;
  let onRead;
  const read429 = new Promise((resolve) => (onRead = resolve));
  const fetchSpy = async (url, init) => {
    sent.push({ url: String(url), at: performance.now() });
    if (answered429At === undefined && String(url).includes(idA)) {
      const response = new Response(JSON.stringify({ detail: "Request was throttled. Expected available in 2 seconds." }), {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "2" },
      });
      const read = response.arrayBuffer.bind(response);
      response.arrayBuffer = () => read().then((body) => {
        setImmediate(onRead);
        return body;
      });
      answered429At = performance.now();
      return response;
    }
    return fetch(url, init);
  };
  const client = new IdvClient(config(server.url, { maxRetries: 3, fetch: fetchSpy }));
  const a = client.getSession("didit", idA, { signal });
  await within(10_000, "the client reads the 429", () => read429);
  const b = client.getSession("didit", idB, { signal });
  const [sa, sb] = await within(20_000, "A and B after the pause", () => Promise.all([a, b]));
  assert.equal(sa.id, idA);
  assert.equal(sb.id, idB);
  assert.equal(sent.length, 3, "A's 429, A's retry, B");
  assert.equal(server.control.stats().requests.didit, 2, "the retry and B reached the mock");
  const aRetry = sent.filter((r) => r.url.includes(idA))[1];
  const bSent = sent.find((r) => r.url.includes(idB));
  assert.ok(aRetry && bSent, "A was retried and B was sent");
  // Lower bounds only (a busy machine makes waits longer, never shorter): Retry-After is 2 s, and
  // a client without the shared pause sends B right away, a few ms after the 429.
  for (const [what, request] of [["A's retry", aRetry], ["B", bSent]]) {
    const waited = request.at - answered429At;
    assert.ok(waited >= 1_000, `${what} went out ${Math.round(waited)} ms after the 429 (Retry-After: 2 s)`);
  }
});

// 5. Nothing keeps a Node process alive; listeners on a shared signal.

const CHILD = `
import { IdvClient } from ${JSON.stringify(PKG_URL)};
import { startMockServer, CREDENTIALS } from ${JSON.stringify(MOCK_URL)};
const mode = process.argv[2];
const srv = await startMockServer({ port: 0, seed: 5, sessions: 800, latencyMs: 100 });
if (mode === "hold") {
  const hold = { kind: "hold", holdMs: 20000 };
  srv.control.script("didit", "list", ["ok", hold, hold, hold, "500"]);
}
const client = new IdvClient({ didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: srv.url }, maxRetries: 0, retryBaseMs: 5 });
let outcome;
try {
  const sessions = await client.listAll("didit", {}, {
    onProgress: (p) => { if (mode === "echo" && p.pagesDone === 1) srv.control.setEcho("didit", true); },
  });
  outcome = { resolved: sessions.length };
} catch (e) {
  outcome = { name: e && e.name, code: e && e.code, httpStatus: e && e.httpStatus };
}
const stats = srv.control.stats();
await srv.close();
console.log(JSON.stringify({ ...outcome, requests: stats.requests.didit }));
// No process.exit: the process must end on its own.
`;

function runChild(file, mode, limitMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file, mode], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, limitMs);
    child.on("exit", (code, sig) => {
      clearTimeout(timer);
      resolve({ mode, code, signal: sig, killed, ms: Date.now() - started, stdout, stderr });
    });
  });
}

test("a failed listAll (a page answers 400 or 500, maxRetries 0) leaves nothing keeping Node alive", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "idv-edges-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, "failed-list-all.mjs");
  await writeFile(file, CHILD);
  const limit = 8_000; // an engine that leaves the 30 s request timers running takes 30 s
  const runs = await Promise.all(["echo", "hold"].map((mode) => runChild(file, mode, limit)));
  const alive = runs.filter((run) => run.killed).map((run) => `${run.mode}: ${run.stdout.trim()}`);
  assert.deepEqual(alive, [], `still alive after ${limit} ms`);
  for (const run of runs) {
    const detail = `${run.mode}: ${run.stdout.trim()} ${run.stderr.trim()}`;
    assert.equal(run.code, 0, detail);
    const outcome = JSON.parse(run.stdout.trim().split("\n").at(-1));
    assert.equal(outcome.name, "IdvError", detail);
    assert.equal(outcome.code, "http", detail);
    assert.equal(outcome.httpStatus, run.mode === "echo" ? 400 : 500, detail);
  }
});

test("a call that ends, by success or by a failed page, leaves no listener on the caller's signal", async (t) => {
  const server = await mockFor(t, { sessions: 600, latencyMs: 50 });
  const client = new IdvClient(config(server.url, { maxRetries: 0 }));
  const signal = testSignal(t);
  const listeners = () => getEventListeners(signal, "abort").length;
  const before = listeners(); // testSignal's own: none (t.after is not a listener)
  await client.getSession("didit", server.control.sessions("didit").sessions[0].id, { signal });
  assert.equal(listeners(), before, "after getSession");
  const all = await client.listAll("didit", {}, { signal });
  assert.equal(all.length, 600);
  assert.equal(listeners(), before, "after a listAll");
  const e = await rejects(client.listAll("didit", {}, {
    signal,
    onProgress: (p) => {
      if (p.pagesDone === 1) server.control.setEcho("didit", true); // pages 2.. answer 400
    },
  }));
  server.control.setEcho("didit", false);
  assert.equal(e.code, "http", e.message);
  await sleep(20);
  assert.equal(listeners(), before, "after a listAll whose sibling pages were dropped");
});

/** A fetch for an IdvClient that passes every request to the real fetch and records it: its
 * signal, and whether its answer has come back. */
function recordingFetch() {
  const requests = [];
  const fetchSpy = (url, init) => {
    const entry = { url: String(url), signal: init?.signal, answered: false };
    requests.push(entry);
    const answer = fetch(url, init);
    answer.then(() => (entry.answered = true), () => {});
    return answer;
  };
  return { requests, fetch: fetchSpy };
}

/** Starts `calls(signal)` (an array of promises), aborts the signal once the mock has requests in
 * flight, and returns the rejections, the process warnings seen meanwhile, and what the client's
 * `recorder` (a recordingFetch) saw: the requests unanswered at the abort, and those sent after. */
async function abortShared(server, recorder, calls, inFlightAtLeast) {
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    const controller = new AbortController();
    const promises = calls(controller.signal).map((p) => p.then(
      (v) => ({ resolved: v }),
      (e) => ({ rejected: e }),
    ));
    for (let i = 0; i < 100; i++) {
      const inFlight = Object.values(server.control.stats().inFlight).reduce((a, b) => a + b, 0);
      if (inFlight >= inFlightAtLeast) break;
      await sleep(10);
    }
    const sentBefore = recorder.requests.length;
    const pendingAtAbort = recorder.requests.filter((r) => !r.answered);
    controller.abort();
    // A hang guard, not a speed test: the mock answers in 400 ms, the listings take many rounds.
    const outcomes = await within(10_000, "calls after abort", () => Promise.all(promises));
    await sleep(20); // warnings are emitted on a later tick
    return { outcomes, warnings, pendingAtAbort, sentAfter: recorder.requests.slice(sentBefore) };
  } finally {
    process.off("warning", onWarning);
  }
}

const listenerWarnings = (warnings) =>
  warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message);

/** The abort stopped the calls: the requests in flight had their signals aborted, none was sent after. */
function assertStopped({ pendingAtAbort, sentAfter }) {
  assert.ok(pendingAtAbort.length > 0, "requests were in flight when the signal was aborted");
  const notAborted = pendingAtAbort.filter((r) => !r.signal?.aborted).map((r) => r.url);
  assert.deepEqual(notAborted, [], "every request in flight at the abort was aborted");
  assert.deepEqual(sentAfter.map((r) => r.url), [], "no request was sent after the abort");
}

test("three listAll calls sharing one AbortSignal: all reject aborted, no MaxListenersExceededWarning", async (t) => {
  const server = await mockFor(t, { sessions: 1_200, latencyMs: 400 });
  const recorder = recordingFetch();
  const client = new IdvClient(config(server.url, { concurrency: 4, fetch: recorder.fetch }));
  const user = busiestMangopayUser(server);
  server.control.insert("mangopay", 500, user);
  server.control.insert("equals", 3_000);
  // Warm the token so that the three calls have their pages in flight at once.
  await client.listSessions("mangopay", { userId: user, perPage: 1 });
  const aborted = await abortShared(server, recorder, (signal) => [
    client.listAll("didit", {}, { signal }),
    client.listAll("equals", {}, { signal }),
    client.listAll("mangopay", { userId: user }, { signal }),
  ], 9);
  for (const o of aborted.outcomes) {
    assert.ok(o.rejected, "rejected");
    assert.equal(o.rejected.code, "aborted", o.rejected.message);
  }
  assertStopped(aborted);
  assert.deepEqual(listenerWarnings(aborted.warnings), []);
});

test("twelve calls sharing one AbortSignal: all reject aborted, no MaxListenersExceededWarning", async (t) => {
  const server = await mockFor(t, { latencyMs: 400 });
  const recorder = recordingFetch();
  const client = new IdvClient(config(server.url, { concurrency: 4, fetch: recorder.fetch }));
  const user = busiestMangopayUser(server);
  await client.listSessions("mangopay", { userId: user, perPage: 1 }); // token warm
  const mangopayIds = userSessions(server, user).slice(0, 4).map((s) => s.id);
  const diditIds = server.control.sessions("didit").sessions.slice(0, 4).map((s) => s.id);
  const aborted = await abortShared(server, recorder, (signal) => [
    ...diditIds.map((id) => client.getSession("didit", id, { signal })),
    ...mangopayIds.map((id) => client.getSession("mangopay", id, { signal })),
    ...[10, 20, 30, 40].map((limit) => client.listSessions("equals", { limit }, { signal })),
  ], 12);
  for (const o of aborted.outcomes) {
    assert.ok(o.rejected, "rejected");
    assert.equal(o.rejected.code, "aborted", o.rejected.message);
  }
  assertStopped(aborted);
  assert.deepEqual(listenerWarnings(aborted.warnings), []);
});

// 6. Hostile paging is bounded.

test("hostile paging (huge-count, ignore-page) ends within 60 requests: incomplete, or (huge-count only) the true sessions", async (t) => {
  const server = await mockFor(t, { sessions: 250 });
  const user = busiestMangopayUser(server);
  server.control.insert("mangopay", 230, user); // 3 pages of 100
  server.control.insert("equals", 900); // 2 pages of 1000
  const queries = { mangopay: { userId: user }, equals: {}, didit: {} };
  const recorder = recordingFetch();
  const client = new IdvClient(config(server.url, { maxRetries: 1, fetch: recorder.fetch }));
  /** The largest page size (`per_page` or `limit`) the client asked `provider` for so far. */
  const pageSize = (provider) => Math.max(0, ...recorder.requests
    .map((r) => new URL(r.url))
    .filter((u) => u.pathname.includes(provider === "equals" ? "identity-verification-sessions" : provider === "didit" ? "/v3/sessions" : "/identity-verifications"))
    .map((u) => Number(u.searchParams.get(provider === "mangopay" ? "per_page" : "limit"))));
  for (const provider of ["mangopay", "equals", "didit"]) {
    const truth = truthKeys(server, provider, provider === "mangopay" ? (s) => s.userRef === user : undefined);
    for (const mode of ["huge-count", "ignore-page"]) {
      const name = `${provider} ${mode}`;
      server.control.setPaging(provider, mode);
      server.control.resetStats();
      // A hang guard only; what bounds the walk is the request count below.
      const outcome = await within(20_000, name, (signal) =>
        client.listAll(provider, queries[provider], { signal }).then((sessions) => ({ sessions }), (error) => ({ error })));
      const { requests } = server.control.stats();
      assert.ok(requests[provider] <= 60, `${name}: ${requests[provider]} requests`);
      if (mode === "ignore-page") {
        // Every page is the first one again: the other sessions are never served, so a listing
        // that resolved would be silently short.
        assert.ok(truth.length > pageSize(provider), `${name}: the sessions (${truth.length}) span more than one page of ${pageSize(provider)}`);
        assert.ok(outcome.error, `${name}: resolved with ${outcome.sessions?.length} of ${truth.length} sessions`);
      }
      if (outcome.error) {
        assert.ok(isIdvError(outcome.error), `${name}: ${outcome.error}`);
        assert.equal(outcome.error.code, "incomplete", `${name}: ${outcome.error.message}`);
        assert.equal(outcome.error.provider, provider);
        assert.equal(outcome.error.retryable, true, `${name}: incomplete is retryable`);
      } else {
        assert.deepEqual(keysOf(outcome.sessions), truth, `${name}: resolved, so it must be every session, each once`);
      }
      server.control.setPaging(provider, "normal");
      // The client and the module still work.
      const again = await within(20_000, `${name}, then normal paging`, (signal) => client.listAll(provider, queries[provider], { signal }));
      assert.deepEqual(keysOf(again), truth, `${name}: the same client afterwards`);
    }
  }
  const page = await client.listSessions("didit", { limit: 3 }, { includeRaw: true });
  const again = normalizeSession("didit", page.sessions[0].raw);
  assert.equal(again.key, page.sessions[0].key);
});

// 7. One retry budget per logical read.

test("one retry budget per read: maxRetries 3 means 4 requests, whatever fails", async (t) => {
  const server = await mockFor(t, { sessions: 16 });
  const signal = testSignal(t);
  const client = new IdvClient(config(server.url, { maxRetries: 3 }));
  for (const faults of [Array(12).fill("truncate"), ["503", "truncate", "reset", "html", "ok"]]) {
    server.control.resetStats();
    server.control.script("didit", "list", faults);
    const e = await within(10_000, faults.join(","), () => rejects(client.listAll("didit", {}, { signal })));
    assert.ok(isIdvError(e), String(e));
    assert.equal(e.code, "decode", e.message);
    assert.equal(server.control.stats().requests.didit, 4, `${faults.join(",")}: requests`);
    server.control.clearScripts();
  }
});

// 8. The sessions() async iterator.

test("sessions(): two next() calls without awaiting give two different sessions", async (t) => {
  const server = await mockFor(t, { latencyMs: 20 });
  const client = new IdvClient(config(server.url));
  const it = client.sessions("didit", { limit: 5 }, { signal: testSignal(t) });
  const [a, b] = await within(5_000, "two next()", () => Promise.all([it.next(), it.next()]));
  assert.equal(a.done, false);
  assert.equal(b.done, false, "the second next() is not the end");
  assert.notEqual(a.value.key, b.value.key);
  const c = await it.next();
  assert.equal(c.done, false);
  assert.ok(![a.value.key, b.value.key].includes(c.value.key));
  await it.return();
});

test("sessions(): after a next() rejects, a later next() fetches that page again", async (t) => {
  const server = await mockFor(t);
  const client = new IdvClient(config(server.url, { maxRetries: 0 }));
  const it = client.sessions("didit", { limit: 10 }, { signal: testSignal(t) });
  const seen = [];
  // The first page answers 400.
  server.control.setEcho("didit", true);
  const first = await rejects(it.next());
  assert.equal(first.code, "http", first.message);
  assert.equal(first.httpStatus, 400);
  server.control.setEcho("didit", false);
  const after = await within(5_000, "next() after a failure", () => it.next());
  assert.equal(after.done, false, "not silently done while sessions remain");
  seen.push(after.value.key);
  // Later, one page request (whichever comes next) answers 403; the iteration goes on after it.
  for (let i = 1; i < 10; i++) seen.push((await it.next()).value.key);
  server.control.script("didit", "list", ["forbidden"]);
  const failures = [];
  for (let i = 0; i < 100; i++) {
    let r;
    try {
      r = await within(5_000, "next()", () => it.next());
    } catch (e) {
      if (!isIdvError(e)) throw e;
      failures.push(e);
      continue;
    }
    if (r.done) break;
    seen.push(r.value.key);
  }
  assert.ok(failures.length <= 1, failures.map((e) => e.message).join("; "));
  assert.ok(failures.every((e) => e.code === "forbidden"), failures.map((e) => e.code).join(", "));
  assert.equal(new Set(seen).size, seen.length, "no session twice");
  assert.deepEqual([...seen].sort(), truthKeys(server, "didit"), "every session");
});

test("sessions(): return() during a pending next() ends it with done, and every later next()", async (t) => {
  const server = await mockFor(t, { latencyMs: 200 });
  const client = new IdvClient(config(server.url));
  const it = client.sessions("didit", { limit: 5 }, { signal: testSignal(t) });
  const pending = it.next();
  for (let i = 0; i < 100 && server.control.stats().inFlight.didit === 0; i++) await sleep(5);
  assert.equal(server.control.stats().inFlight.didit, 1, "the first page is being fetched");
  const [ended, returned] = await within(5_000, "next() and return()", () => Promise.all([pending, it.return()]));
  assert.equal(returned.done, true);
  assert.equal(ended.done, true, `the pending next() gave ${JSON.stringify(ended.value?.key)}`);
  assert.equal(ended.value, undefined);
  for (let i = 0; i < 3; i++) {
    const later = await within(5_000, "next() after return()", () => it.next());
    assert.equal(later.done, true);
    assert.equal(later.value, undefined);
  }
});

// 9. forbidden: a 403 that is not about credentials.

test("a 403 not about credentials is forbidden and not retried; Equals' wrong key stays auth", async (t) => {
  const server = await mockFor(t);
  const signal = testSignal(t);
  const client = new IdvClient(config(server.url, { maxRetries: 3 }));
  const diditId = server.control.sessions("didit").sessions[0].id;

  server.control.script("didit", "get", ["forbidden"]);
  const get = await rejects(client.getSession("didit", diditId, { signal }));
  assert.equal(get.code, "forbidden", get.message);
  assert.equal(get.httpStatus, 403);
  assert.equal(get.provider, "didit");
  assert.equal(get.retryable, false);
  assert.match(get.message, /credits/, "Didit's own message");
  assert.equal(server.control.stats().requests.didit, 1, "not retried");

  server.control.resetStats();
  server.control.script("didit", "create", ["forbidden"]);
  const diditCreate = await rejects(client.createSession("didit", { workflowId: WORKFLOW }, { signal }));
  assert.equal(diditCreate.code, "forbidden", diditCreate.message);
  assert.equal(diditCreate.httpStatus, 403);
  assert.equal(server.control.stats().requests.didit, 1);

  const user = busiestMangopayUser(server);
  server.control.resetStats();
  server.control.script("mangopay", "create", ["forbidden"]);
  const mpCreate = await rejects(client.createSession("mangopay", { userId: user, returnUrl: "https://example.com/back" }, { signal }));
  assert.equal(mpCreate.code, "forbidden", mpCreate.message);
  assert.equal(mpCreate.httpStatus, 403);
  assert.equal(mpCreate.provider, "mangopay");
  assert.equal(mpCreate.retryable, false);
  const stats = server.control.stats();
  assert.equal(mangopayCalls(stats), 1, "one create request");
  assert.equal(stats.creates.mangopay, 0);

  const wrongKey = new IdvClient({ equals: { apiKey: "eq-wrong-key", baseUrl: server.url }, retryBaseMs: 5 });
  const equals = await rejects(wrongKey.listSessions("equals", {}, { signal }));
  assert.equal(equals.code, "auth", equals.message);
  assert.equal(equals.httpStatus, 403);
});

test("free() ends a client: later calls reject with an IdvError (config), free() twice is harmless", async (t) => {
  const server = await mockFor(t);
  const client = new IdvClient(config(server.url));
  const before = await client.listSessions("didit", { limit: 2 });
  assert.equal(before.sessions.length, 2);
  const running = client.listSessions("didit", { limit: 2 });
  client.free();
  // A call already running finishes.
  assert.equal((await running).sessions.length, 2);
  const e = await rejects(client.listSessions("didit", { limit: 2 }));
  assert.ok(isIdvError(e), String(e));
  assert.equal(e.code, "config");
  assert.match(e.message, /freed/);
  // sessions() returns an iterator whose first next() rejects, as for a bad argument.
  const next = await rejects(client.sessions("didit", {}).next());
  assert.ok(isIdvError(next) && /freed/.test(next.message), String(next));
  client.free();
  // A freed iterator is done, as after return().
  const stream = new IdvClient(config(server.url)).sessions("didit", { limit: 2 });
  assert.equal((await stream.next()).done, false);
  stream.free();
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
});

test("settings JSON cannot carry are refused, naming the key: NaN, Infinity, bytes, a Map", () => {
  for (const [extra, key, what] of [
    [{ timeoutMs: Infinity }, "timeoutMs", "Infinity"],
    [{ maxRetries: NaN }, "maxRetries", "NaN"],
    [{ didit: { apiKey: "k", headers: new ArrayBuffer(2) } }, "headers", "bytes"],
    [{ didit: { apiKey: "k", headers: new Map([["x-a", "1"]]) } }, "headers", "a Map"],
  ]) {
    assert.throws(() => new IdvClient({ didit: { apiKey: "k" }, ...extra }), (e) =>
      isIdvError(e) && e.code === "config" && e.message.includes(`\`${key}\``) && e.message.includes(what),
      JSON.stringify(Object.keys(extra)));
  }
  // A Headers object is read as its entries.
  const fetch = async (url, init) => {
    seen.push(init.headers);
    return new Response('{"count":0,"next":null,"previous":null,"results":[]}', { status: 200 });
  };
  const seen = [];
  const client = new IdvClient({ didit: { apiKey: "k", headers: new Headers({ "x-team": "kyc" }) }, fetch });
  return client.listSessions("didit", {}).then(() => assert.equal(seen[0]["x-team"], "kyc"));
});

test("an async onProgress that rejects leaves no unhandled rejection", async (t) => {
  const server = await mockFor(t);
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const client = new IdvClient(config(server.url));
  const list = await client.listAll("didit", {}, { onProgress: async () => { throw new Error("progress failed"); } });
  assert.ok(list.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(unhandled, []);
});
