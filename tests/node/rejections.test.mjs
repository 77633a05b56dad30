// No promise the package creates is left rejected and unobserved. In Node an unhandled
// rejection ends the process, so a dashboard server or a script that uses the client must
// only ever see rejections of the promises it was handed. A seeded storm of IdvClient calls
// with custom `fetch` functions (throwing, rejecting, hanging until aborted, answering late,
// with garbage, with thenables), `free()` at every point of a call (before it, from inside
// the fetch, from a progress callback, after it), tiny timeouts, retries and aborts. Every
// promise a call returns is settled and observed by the test; any rejection that reaches
// `process.on("unhandledRejection")` fails it (Node's test runner also fails the test that
// was running: checked by adding an unobserved `Promise.reject` to the storm).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { IdvClient, isIdvError } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";

let mock;
const unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);
before(async () => {
  process.on("unhandledRejection", onUnhandled);
  mock = await startMockServer({ seed: 11, sessions: 300, retryAfterSeconds: 0 });
});
after(async () => {
  process.off("unhandledRejection", onUnhandled);
  await mock?.close();
});

/** A small seeded PRNG (mulberry32): the storm is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** One turn of the event loop after the timers due now, so late rejections surface. */
const drain = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/**
 * A custom fetch by kind; `client` is the client it serves (to free it from inside).
 * Every kind that does not forward to the mock misbehaves in its own way.
 */
function makeFetch(kind, r, box) {
  const real = (input, init) => fetch(input, init);
  const hangUntilAbort = (init) =>
    new Promise((_, reject) => {
      const signal = init?.signal;
      if (!signal) return;
      if (signal.aborted) return reject(signal.reason ?? new Error("aborted"));
      signal.addEventListener("abort", () => reject(signal.reason ?? new Error("aborted")), { once: true });
    });
  switch (kind) {
    case "real":
      return real;
    case "throws":
      return () => {
        throw new TypeError("fetch exploded synchronously");
      };
    case "rejects":
      return () => Promise.reject(new TypeError("fetch failed"));
    case "rejects-late":
      return async () => {
        await delay(r.int(15));
        throw new TypeError("fetch failed late");
      };
    case "hangs":
      return (_, init) => hangUntilAbort(init);
    case "hangs-forever":
      return () => new Promise(() => {});
    case "garbage":
      return async () => r.pick([undefined, null, 42, "text", {}, { status: 200 }, { ok: true, status: 200, json: () => Promise.reject(new Error("json")) }]);
    case "thenable":
      return () => ({ then: (_, reject) => setTimeout(() => reject(new Error("thenable rejected")), r.int(10)) });
    case "frees":
      // Frees the client from inside the fetch, then answers for real, fails, or hangs.
      return (input, init) => {
        box.client?.free();
        const then = r.int(3);
        if (then === 0) return real(input, init);
        if (then === 1) return Promise.reject(new TypeError("fetch failed after free"));
        return hangUntilAbort(init);
      };
    case "status":
      return async () =>
        new Response(r.pick(["<html>502</html>", "{", "[]", ""]), {
          status: r.pick([200, 429, 500, 502, 503]),
          headers: { "retry-after": String(r.pick([0, 0, 1])) },
        });
    default:
      throw new Error(kind);
  }
}

const FETCH_KINDS = ["real", "throws", "rejects", "rejects-late", "hangs", "hangs-forever", "garbage", "thenable", "frees", "status"];

function configFor(fetchImpl, r) {
  return {
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: mock.url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: mock.url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: mock.url },
    timeoutMs: r.pick([1, 5, 20, 200]),
    maxRetries: r.pick([0, 1, 3]),
    retryBaseMs: 1,
    retryMaxDelayMs: 5,
    concurrency: r.pick([1, 2, 4]),
    fetch: fetchImpl,
  };
}

/** One call of the client, chosen by `r`, with options that may free or abort it midway. */
function call(client, r, abort) {
  const people = mock.control.people();
  const person = r.pick(people.filter((p) => p.mangopayUserId));
  const options = { signal: r.next() < 0.3 ? abort.signal : undefined };
  const freeing = r.next() < 0.2;
  const onProgress = () => {
    if (freeing) client.free();
    if (r.next() < 0.1) abort.abort(new Error("aborted by the test"));
    if (r.next() < 0.1) throw new Error("progress callback throws");
  };
  switch (r.int(9)) {
    case 0:
      return client.listAll(r.pick(["equals", "didit"]), { limit: r.pick([10, 50, 100]) }, { ...options, onProgress });
    case 1:
      return client.listAll("mangopay", { userId: person.mangopayUserId }, { ...options, details: r.next() < 0.5, onProgress });
    case 2:
      return client.listSessions(r.pick(["equals", "didit"]), { limit: 20 }, options);
    case 3:
      return client.getSession("didit", r.pick(mock.control.sessions("didit").sessions).id, { ...options, details: true });
    case 4:
      return client.listUserSessions(
        { mangopay: person.mangopayUserId, equals: person.equalsAssociatedPersonId ?? undefined, didit: person.diditVendorData ?? undefined },
        options,
      );
    case 5:
      return client.createSession("mangopay", { userId: person.mangopayUserId, returnUrl: "https://example.com/kyc", idempotencyKey: `storm-key-${r.int(1e9)}-ab` }, options);
    case 6:
      return client.listEvents("mangopay", {}, options);
    case 7: {
      // The iterator: next() calls, some concurrent, return() or free() in between.
      const stream = client.sessions(r.pick(["equals", "didit"]), { limit: 5 }, options);
      const steps = [];
      for (let i = 0; i < 1 + r.int(6); i++) {
        const what = r.int(10);
        if (what < 7) steps.push(stream.next());
        else if (what < 8) steps.push(stream.return());
        else if (what < 9) stream.free();
        else client.free();
      }
      return Promise.all(steps);
    }
    default:
      return client.getSession(r.pick(["equals", "didit", "mangopay"]), r.pick(["", ".", "..", "x".repeat(300), "a/b"]), options);
  }
}

test("a storm of calls with misbehaving fetches, free() and aborts leaves no unhandled rejection", async () => {
  // IDV_STORM_SEED / IDV_STORM_ROUNDS run a longer or another storm by hand.
  const r = rng(Number(process.env.IDV_STORM_SEED ?? 20261206));
  const rounds = Number(process.env.IDV_STORM_ROUNDS ?? 60);
  const outcomes = { fulfilled: 0, rejected: 0, nonIdvErrors: [] };
  for (let round = 0; round < rounds; round++) {
    const box = {};
    const kind = FETCH_KINDS[round % FETCH_KINDS.length];
    const client = new IdvClient(configFor(makeFetch(kind, r, box), r));
    box.client = client;
    const abort = new AbortController();
    const pending = [];
    for (let i = 0; i < 6; i++) {
      let promise;
      try {
        promise = call(client, r, abort);
      } catch (error) {
        promise = Promise.reject(error);
      }
      pending.push(promise);
      const when = r.int(6);
      if (when === 0) client.free();
      else if (when === 1) abort.abort(new Error("aborted by the test"));
    }
    if (r.next() < 0.5) setTimeout(() => client.free(), r.int(10));
    // Bounded: a hanging fetch is ended by the client's timeout (at most 200 ms an attempt).
    const settled = await Promise.allSettled(pending);
    for (const s of settled) {
      if (s.status === "fulfilled") outcomes.fulfilled++;
      else {
        outcomes.rejected++;
        if (!isIdvError(s.reason)) outcomes.nonIdvErrors.push(String(s.reason));
      }
    }
    client.free();
    await drain();
  }
  // Late timers (retry back-offs, timeouts of requests a freed client left) get their turn.
  await delay(300);
  await drain();
  assert.deepEqual(unhandled.map(String), [], "a rejection nobody could observe");
  assert.deepEqual(outcomes.nonIdvErrors, [], "every rejection is an IdvError");
  // The storm exercised both ends.
  assert.ok(outcomes.fulfilled > 20, `fulfilled ${outcomes.fulfilled}`);
  assert.ok(outcomes.rejected > 50, `rejected ${outcomes.rejected}`);
});
