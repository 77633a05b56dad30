// IdvClient (the built package) in Node against the mock providers: every
// method for every provider, faults, inserts while paging, timeouts, aborts,
// auth errors that never show the key, one provider down.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { IdvClient, isIdvError } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { settleWithin, waitFor } from "../support/wait.mjs";

let mock;
before(async () => {
  mock = await startMockServer({ seed: 7, sessions: 600, retryAfterSeconds: 0 });
});
after(() => mock?.close());

function config(url, extra = {}) {
  return {
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: url },
    retryBaseMs: 5,
    ...extra,
  };
}

const truthKeys = (server, provider, filter = () => true) =>
  server.control.sessions(provider).sessions.filter(filter).map((s) => s.key).sort();
const keysOf = (sessions) => sessions.map((s) => s.key).sort();
const busiestMangopayUser = (server) => {
  const people = server.control.people().filter((p) => p.mangopayUserId);
  return people.sort((a, b) => b.counts.mangopay - a.counts.mangopay)[0].mangopayUserId;
};

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

test("listAll returns exactly the seeded sessions of every provider", async () => {
  const client = new IdvClient(config(mock.url));
  const equals = await client.listAll("equals", {});
  assert.deepEqual(keysOf(equals), truthKeys(mock, "equals"));
  const didit = await client.listAll("didit", {});
  assert.deepEqual(keysOf(didit), truthKeys(mock, "didit"));
  const user = busiestMangopayUser(mock);
  const progress = [];
  const mangopay = await client.listAll("mangopay", { userId: user }, { onProgress: (p) => progress.push(p) });
  assert.deepEqual(keysOf(mangopay), truthKeys(mock, "mangopay", (s) => s.userRef === user));
  assert.ok(mangopay.every((s) => s.userRef === user));
  assert.equal(progress.at(-1).sessions, mangopay.length);
  assert.equal(progress.at(-1).provider, "mangopay");
  // Every status of the SPEC's table shows up across the three providers.
  const statuses = new Set([...equals, ...didit].map((s) => s.status));
  for (const s of ["not_started", "in_progress", "in_review", "approved", "declined", "resubmission_requested",
    "expired", "abandoned", "outdated", "unknown"]) {
    assert.ok(statuses.has(s), `${s} missing`);
  }
});

test("listAll survives 10% 429, 5% 5xx, 2% resets, 2% cut bodies and 2% HTML pages with the same result", async () => {
  const faulty = await startMockServer({
    seed: 7, sessions: 600, retryAfterSeconds: 0,
    faults: { 429: 0.1, 500: 0.02, 502: 0.02, 503: 0.01, reset: 0.02, truncate: 0.02, html: 0.02 },
  });
  try {
    const client = new IdvClient(config(faulty.url, { maxRetries: 10, concurrency: 4 }));
    for (const provider of ["equals", "didit"]) {
      const sessions = await client.listAll(provider, provider === "equals" ? { limit: 50 } : { limit: 20 });
      assert.deepEqual(keysOf(sessions), truthKeys(faulty, provider), provider);
    }
    const user = busiestMangopayUser(faulty);
    const sessions = await client.listAll("mangopay", { userId: user }, { details: true });
    assert.deepEqual(keysOf(sessions), truthKeys(faulty, "mangopay", (s) => s.userRef === user));
    assert.ok(sessions.every((s) => s.verificationUrl), "details fetched every View");
  } finally {
    await faulty.close();
  }
});

test("a listing walked while sessions arrive at the head: every session of its start once, nothing invented", async () => {
  const server = await startMockServer({ seed: 3, sessions: 4000, latencyMs: 20 });
  try {
    const client = new IdvClient(config(server.url, { concurrency: 2 }));
    for (const provider of ["equals", "didit"]) {
      const before = truthKeys(server, provider);
      let inserts = 0;
      let calls = 0;
      const sessions = await client.listAll(provider, { limit: 100 }, {
        onProgress: () => {
          if (++calls <= 3) {
            server.control.insert(provider, 3);
            inserts += 3;
          }
        },
      });
      const keys = keysOf(sessions);
      assert.equal(new Set(keys).size, keys.length, `${provider}: a session returned twice`);
      for (const key of before) assert.ok(keys.includes(key), `${provider}: ${key} lost`);
      assert.equal(inserts, 9, `${provider}: sessions arrived during the walk`);
      const now = new Set(truthKeys(server, provider));
      assert.equal(now.size, before.length + inserts);
      for (const key of keys) assert.ok(now.has(key), `${provider}: ${key} invented`);
    }
  } finally {
    await server.close();
  }
});

test("a listing walked while sessions are removed: every survivor once, no removed one invented", async () => {
  const server = await startMockServer({ seed: 4, sessions: 4000, latencyMs: 20 });
  try {
    const client = new IdvClient(config(server.url, { concurrency: 2 }));
    for (const provider of ["equals", "didit"]) {
      const before = truthKeys(server, provider);
      const removed = new Set();
      let calls = 0;
      const sessions = await client.listAll(provider, { limit: 100 }, {
        onProgress: () => {
          if (++calls === 2 || calls === 4) {
            for (const key of server.control.remove(provider, 5).removed) removed.add(key);
          }
        },
      });
      const keys = keysOf(sessions);
      assert.equal(removed.size, 10, `${provider}: sessions removed during the walk`);
      assert.equal(new Set(keys).size, keys.length, `${provider}: a session returned twice`);
      const survivors = truthKeys(server, provider);
      assert.equal(survivors.length, before.length - removed.size);
      for (const key of survivors) assert.ok(keys.includes(key), `${provider}: ${key} lost`);
      // A removed session is returned only if it was read before it went (it existed then).
      for (const key of keys) assert.ok(survivors.includes(key) || removed.has(key), `${provider}: ${key} invented`);
    }
  } finally {
    await server.close();
  }
});

test("listSessions pages with next; sessions() iterates; status filters", async () => {
  const client = new IdvClient(config(mock.url));
  const first = await client.listSessions("didit", { limit: 25 });
  assert.equal(first.sessions.length, 25);
  assert.equal(first.total, truthKeys(mock, "didit").length);
  assert.deepEqual(first.next, { limit: 25, offset: 25 });
  const second = await client.listSessions("didit", first.next);
  assert.equal(second.sessions.length, 25);
  assert.notEqual(second.sessions[0].key, first.sessions[0].key);

  const seen = [];
  for await (const session of client.sessions("equals", { limit: 100 })) seen.push(session.key);
  assert.deepEqual(seen.sort(), truthKeys(mock, "equals"));

  let count = 0;
  for await (const _ of client.sessions("didit", { limit: 10 })) if (++count === 15) break;
  assert.equal(count, 15);

  const inReview = await client.listAll("didit", { status: ["in_progress", "outdated"] });
  assert.ok(inReview.length > 0);
  assert.ok(inReview.every((s) => s.status === "in_progress" || s.status === "outdated"));
  assert.ok(inReview.some((s) => s.providerStatus === "Awaiting User"));
  const equalsApproved = await client.listAll("equals", { status: "approved" });
  assert.ok(equalsApproved.length > 0 && equalsApproved.every((s) => s.status === "approved"));
});

test("getSession and createSession for Mangopay and Didit; Equals is unsupported", async () => {
  const client = new IdvClient(config(mock.url));
  const user = busiestMangopayUser(mock);
  const created = await client.createSession("mangopay", { userId: user, returnUrl: "https://example.com/back", tag: "t" });
  assert.equal(created.status, "in_progress");
  assert.equal(created.providerStatus, "PENDING");
  assert.equal(created.userRef, user);
  assert.ok(created.verificationUrl.includes(created.id));
  const viewed = await client.getSession("mangopay", created.id);
  assert.equal(viewed.id, created.id);
  assert.deepEqual(viewed.checks, []);

  const diditCreated = await client.createSession("didit", { workflowId: "wf-1", vendorData: "user-created", callback: "https://example.com/cb" });
  assert.equal(diditCreated.status, "not_started");
  assert.match(diditCreated.createdAt, /^\d{4}-\d\d-\d\dT/);
  const decision = await client.getSession("didit", diditCreated.id, { includeRaw: true });
  assert.equal(decision.userRef, "user-created");
  assert.equal(decision.raw.session_id, diditCreated.id);
  const listed = await client.listAll("didit", { vendorData: "user-created" });
  assert.deepEqual(listed.map((s) => s.id), [diditCreated.id]);

  const missing = await rejects(client.getSession("didit", "00000000-0000-0000-0000-000000000000"));
  assert.equal(missing.code, "not_found");
  assert.equal(missing.httpStatus, 404);
  for (const p of [client.getSession("equals", "x"), client.createSession("equals", {})]) {
    const e = await rejects(p);
    assert.equal(e.code, "unsupported");
    assert.ok(e instanceof Error && isIdvError(e));
  }
  const bad = await rejects(client.createSession("mangopay", { userId: user }));
  assert.equal(bad.code, "config");
  assert.match(bad.message, /returnUrl/);
});

test("a timeout and an abort each surface as their code and close their requests", async () => {
  // The mock holds every answer for a minute: only the client's timeout or abort can end a
  // request before that, so "the request was closed" is read from the mock's in-flight count,
  // not from a stopwatch. The bounds below are hang guards far under that minute.
  const slow = await startMockServer({ seed: 1, sessions: 50, latencyMs: 60_000 });
  try {
    const client = new IdvClient(config(slow.url, { timeoutMs: 200, maxRetries: 1 }));
    const { error: timeout } = await settleWithin(15_000, "listSessions with a 200 ms timeout", client.listSessions("didit", {}));
    assert.ok(timeout, "rejected");
    assert.equal(timeout.code, "timeout");
    assert.equal(timeout.retryable, true);
    assert.equal(slow.control.stats().requests.didit, 2, "the request and its one retry");
    await waitFor(() => slow.control.stats().inFlight.didit === 0, { what: "the timed-out requests were closed" });

    const patient = new IdvClient(config(slow.url, { timeoutMs: 120_000 }));
    const controller = new AbortController();
    const listing = patient.listAll("equals", {}, { signal: controller.signal });
    await waitFor(() => slow.control.stats().inFlight.equals > 0, { what: "a page request in flight" });
    controller.abort();
    const { error: aborted } = await settleWithin(15_000, "listAll after its signal was aborted", listing);
    assert.ok(aborted, "rejected");
    assert.equal(aborted.code, "aborted");
    await waitFor(() => slow.control.stats().inFlight.equals === 0, { what: "the aborted page request was closed" });
    const already = await rejects(patient.getSession("didit", "x", { signal: controller.signal }));
    assert.equal(already.code, "aborted");
  } finally {
    await slow.close();
  }
});

test("a wrong key gives code auth and the key appears nowhere in the error", async () => {
  const secrets = { mangopay: "mp-WRONG-secret-123", equals: "eq-WRONG-secret-456", didit: "dd-WRONG-secret-789" };
  const client = new IdvClient({
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: secrets.mangopay, baseUrl: mock.url },
    equals: { apiKey: secrets.equals, baseUrl: mock.url },
    didit: { apiKey: secrets.didit, baseUrl: mock.url },
  });
  const calls = {
    mangopay: rejects(client.listSessions("mangopay", { userId: "user_m_x" })),
    equals: rejects(client.listSessions("equals", {})),
    didit: rejects(client.listSessions("didit", {})),
  };
  for (const [provider, call] of Object.entries(calls)) {
    const e = await call;
    assert.equal(e.code, "auth", provider);
    assert.equal(e.provider, provider);
    assert.ok([401, 403].includes(e.httpStatus));
    assert.equal(e.retryable, false);
    const everything = [e.message, e.stack, JSON.stringify(e), JSON.stringify(Object.getOwnPropertyNames(e).map((k) => e[k])), String(e)].join("\n");
    for (const secret of Object.values(secrets)) assert.ok(!everything.includes(secret), `${provider} error shows a key`);
  }
});

test("one provider down still returns the other two in listUserSessions", async () => {
  const server = await startMockServer({ seed: 7, sessions: 300 });
  try {
    const person = server.control.people()[0];
    assert.ok(person.mangopayUserId && person.diditVendorData && person.equalsAssociatedPersonId);
    const client = new IdvClient(config(server.url, { maxRetries: 1 }));
    const refs = { mangopay: person.mangopayUserId, equals: { associatedPersonId: person.equalsAssociatedPersonId }, didit: person.diditVendorData };
    const all = await client.listUserSessions(refs);
    assert.deepEqual(all.errors, []);
    assert.deepEqual(new Set(all.sessions.map((s) => s.provider)), new Set(["mangopay", "equals", "didit"]));
    const times = all.sessions.map((s) => Date.parse(s.createdAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), "newest first");

    server.control.setDown("equals", true);
    const partial = await client.listUserSessions(refs);
    assert.equal(partial.errors.length, 1);
    assert.ok(partial.errors[0] instanceof Error);
    assert.equal(partial.errors[0].provider, "equals");
    assert.equal(partial.errors[0].httpStatus, 503);
    assert.deepEqual(new Set(partial.sessions.map((s) => s.provider)), new Set(["mangopay", "didit"]));
    assert.equal(partial.sessions.length, all.sessions.filter((s) => s.provider !== "equals").length);
  } finally {
    await server.close();
  }
});

test("config errors are IdvErrors with code config", () => {
  for (const [cfg, part] of [
    [{}, "at least one provider"],
    [{ equals: {} }, "apiKey"],
    [{ mangopay: { apiKey: "k" } }, "clientId"],
    [{ didit: { apiKey: "k" }, timeoutMs: "fast" }, "timeoutMs"],
  ]) {
    let e;
    try {
      new IdvClient(cfg);
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof Error, JSON.stringify(cfg));
    assert.equal(e.code, "config");
    assert.match(e.message, new RegExp(part));
  }
});
