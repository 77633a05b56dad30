// Stripe Identity through the built package against the mock (SPEC section 9): every session once
// by cursor, filters, a session with its report and verified outputs, creates that a lost answer
// cannot duplicate (the mock stores the session, then resets the connection), a key reused with
// other parameters, the user view, and webhooks: the mock's deliveries and `stripe`'s own
// generateTestHeaderString accepted by parseWebhook; signWebhook's accepted by
// stripe.webhooks.constructEvent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Stripe from "stripe";
import { IdvClient, mapStatus, parseWebhook, signWebhook } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { control, startReceiver } from "../mock/helpers.mjs";

let mock;
let rx;
before(async () => {
  mock = await startMockServer({ seed: 13, sessions: 260, retryAfterSeconds: 0 });
  rx = await startReceiver();
});
after(async () => {
  await mock?.close();
  await rx?.close();
});

const client = (extra = {}) => new IdvClient({ stripe: { apiKey: CREDENTIALS.stripe.secretKey, baseUrl: mock.url }, retryBaseMs: 5, ...extra });
const truth = () => mock.control.sessions("stripe").sessions;
const keys = (sessions) => sessions.map((s) => s.key).sort();

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

test("listAll: every session once, in slices of creation time walked concurrently, with its unified status", async () => {
  const progress = [];
  mock.control.setFaults({ latencyMs: 10 });
  mock.control.resetStats();
  const list = await client().listAll("stripe", {}, { onProgress: (p) => progress.push(p) });
  const stats = mock.control.stats();
  mock.control.setFaults({});
  assert.ok(stats.maxInFlight.stripe > 1, `slices in flight at once: ${stats.maxInFlight.stripe}`);
  assert.ok(stats.maxInFlight.stripe <= 4);
  const all = truth();
  assert.deepEqual(list.map((s) => s.key), all.map((s) => s.key), "each once, in Stripe's order (newest first)");
  const byKey = new Map(all.map((s) => [s.key, s]));
  for (const s of list) {
    const t = byKey.get(s.key);
    assert.equal(s.providerStatus, t.status);
    assert.equal(s.providerResult, t.lastErrorCode ?? undefined);
    assert.equal(s.status, mapStatus("stripe", t.status, t.lastErrorCode));
    assert.equal(s.createdAt, t.createdAt);
  }
  const statuses = new Set(list.map((s) => s.status));
  for (const s of ["in_progress", "in_review", "approved", "resubmission_requested", "abandoned", "canceled"]) {
    assert.ok(statuses.has(s), `${s} missing`);
  }
  assert.ok(progress.length >= Math.ceil(all.length / 100));
});

test("listSessions hands back startingAfter; sessions() walks every page", async () => {
  const c = client();
  const first = await c.listSessions("stripe", { limit: 7 });
  assert.equal(first.sessions.length, 7);
  assert.deepEqual(first.next, { startingAfter: first.sessions[6].id, limit: 7 });
  const second = await c.listSessions("stripe", first.next);
  assert.notEqual(second.sessions[0].id, first.sessions[0].id);
  const seen = [];
  for await (const s of c.sessions("stripe", { limit: 50 })) seen.push(s);
  assert.deepEqual(keys(seen), keys(truth()));
});

test("filters: one status and a client reference sent to Stripe, created bounds in Unix seconds", async () => {
  const c = client();
  const verified = await c.listAll("stripe", { status: "approved" });
  assert.deepEqual(keys(verified), keys(truth().filter((s) => s.status === "verified")));
  const resubmit = await c.listAll("stripe", { status: "resubmission_requested" });
  assert.deepEqual(keys(resubmit), keys(truth().filter((s) => mapStatus("stripe", s.status, s.lastErrorCode) === "resubmission_requested")));
  const user = truth().find((s) => s.userRef).userRef;
  const mine = await c.listAll("stripe", { clientReferenceId: user });
  assert.deepEqual(keys(mine), keys(truth().filter((s) => s.userRef === user)));
  const times = truth().map((s) => s.created).sort((a, b) => a - b);
  const from = new Date(times[Math.floor(times.length / 4)] * 1000).toISOString();
  const to = new Date(times[Math.floor((3 * times.length) / 4)] * 1000).toISOString();
  const ranged = await c.listAll("stripe", { dateFrom: from, dateTo: to });
  assert.deepEqual(keys(ranged), keys(truth().filter((s) => s.created * 1000 >= Date.parse(from) && s.created * 1000 <= Date.parse(to))));
});

test("getSession: checks from the last verification report, the person from verified outputs", async () => {
  const c = client();
  const verified = truth().find((s) => s.status === "verified" && !s.redaction);
  const s = await c.getSession("stripe", verified.id);
  assert.equal(s.status, "approved");
  assert.ok(s.checks.length >= 1 && s.checks.every((k) => k.status === "approved"), JSON.stringify(s.checks));
  assert.ok(s.person?.lastName, JSON.stringify(s.person));
  // A submission that failed a check (not one refused before any submission, which has no report).
  const failed = truth().find((s) => s.status === "requires_input" && ["document_expired", "selfie_face_mismatch", "document_unverified_other"].includes(s.lastErrorCode));
  const f = await c.getSession("stripe", failed.id);
  assert.equal(f.status, "resubmission_requested");
  assert.ok(f.checks.some((k) => k.status === "declined" && k.reasons.length === 1), JSON.stringify(f.checks));
  assert.equal((await rejects(c.getSession("stripe", "vs_missing"))).code, "not_found");
});

test("createSession: form-encoded, and a lost answer retried under the same key returns the same session, stored once", async () => {
  const c = client();
  const made = await c.createSession("stripe", { clientReferenceId: "user-new", returnUrl: "https://example.com/back", options: { document: { require_matching_selfie: true } } });
  assert.equal(made.status, "in_progress");
  assert.equal(made.userRef, "user-new");
  assert.ok(made.verificationUrl.startsWith(`${mock.url}/hosted/stripe/`));

  mock.control.resetStats();
  mock.control.script("stripe", "create", ["reset-after-store"]);
  const before = mock.control.sessions("stripe").count;
  const again = await c.createSession("stripe", { clientReferenceId: "user-lost-answer", type: "id_number" });
  assert.equal(mock.control.sessions("stripe").count, before + 1, "one session stored");
  assert.deepEqual(truth().filter((s) => s.userRef === "user-lost-answer").map((s) => s.id), [again.id]);
  assert.equal(mock.control.stats().requests.stripe, 2, "the reset one and its retry");

  // The caller's key: the same session again; with other parameters: a config error.
  const first = await c.createSession("stripe", { clientReferenceId: "user-key", idempotencyKey: "order-42" });
  const replay = await c.createSession("stripe", { clientReferenceId: "user-key", idempotencyKey: "order-42" });
  assert.equal(replay.id, first.id);
  const err = await rejects(c.createSession("stripe", { clientReferenceId: "someone-else", idempotencyKey: "order-42" }));
  assert.equal(err.code, "config");
});

test("listUserSessions takes a Stripe client reference; a wrong key is an auth error that never shows it", async () => {
  const user = truth().find((s) => s.userRef).userRef;
  const { sessions, errors } = await client().listUserSessions({ stripe: user });
  assert.deepEqual(errors, []);
  assert.deepEqual(keys(sessions), keys(truth().filter((s) => s.userRef === user)));
  const err = await rejects(new IdvClient({ stripe: { apiKey: "sk_test_WRONG_secret", baseUrl: mock.url }, maxRetries: 0 }).listSessions("stripe", {}));
  assert.equal(err.code, "auth");
  assert.ok(!err.message.includes("sk_test_WRONG_secret"));
});

test("webhooks: the mock's deliveries, stripe's test headers and signWebhook's deliveries verify both ways", async () => {
  const secret = CREDENTIALS.stripe.webhookSecret;
  const stripe = new Stripe(CREDENTIALS.stripe.secretKey);
  await control(mock.url, "webhooks", { url: rx.url, retryScale: 0.00002 });
  const s = await client().createSession("stripe", { clientReferenceId: "user-hooks" });
  mock.control.setStatus("stripe", s.id, "processing");
  const got = await rx.waitFor("/hooks/stripe", 2);
  await control(mock.url, "webhooks", { url: null });
  for (const d of got) {
    const event = parseWebhook("stripe", { body: d.body, headers: d.headers, secret });
    assert.equal(event.type, "session.updated");
    assert.equal(event.sessionId, s.id);
    assert.equal(event.verification, "signature");
    assert.equal(event.session.key, s.key);
  }
  const processing = got.map((d) => parseWebhook("stripe", { body: d.body, headers: d.headers, secret })).find((e) => e.providerType.endsWith(".processing"));
  assert.equal(processing.status, "in_review");
  const resolved = await client().resolveWebhook(processing);
  assert.equal(resolved.status, "in_review");

  const payload = JSON.stringify({ id: "evt_test_1", object: "event", type: "identity.verification_session.verified", created: Math.floor(Date.now() / 1000), data: { object: { id: "vs_x", object: "identity.verification_session", status: "verified", created: 1767225600, last_error: null } } });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  const fromStripe = parseWebhook("stripe", { body: payload, headers: { "stripe-signature": header }, secret });
  assert.equal(fromStripe.status, "approved");
  assert.throws(() => parseWebhook("stripe", { body: payload.replace("verified", "canceled"), headers: { "stripe-signature": header }, secret }), (e) => e.code === "signature");

  const signed = signWebhook("stripe", { payload: JSON.parse(payload), secret });
  const event = stripe.webhooks.constructEvent(signed.body, signed.headers["stripe-signature"], secret);
  assert.equal(event.data.object.id, "vs_x");
});
