// Faithfulness check: Stripe's official Node client (stripe 23.2.0) against the mock, through its
// `host`/`port`/`protocol` options. When the client and the mock disagree, the mock is wrong.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startMockServer } from './server.mjs';
import { CREDENTIALS } from './data.mjs';
import { control, startReceiver } from './helpers.mjs';

let srv;
let stripe;
let rx;

before(async () => {
  srv = await startMockServer({ seed: 4, sessions: 500 });
  stripe = new Stripe(CREDENTIALS.stripe.secretKey, { host: '127.0.0.1', port: srv.port, protocol: 'http', maxNetworkRetries: 1 });
  rx = await startReceiver();
});

after(async () => {
  await srv.close();
  await rx.close();
});

test('create, retrieve (expanded), list', async () => {
  const created = await stripe.identity.verificationSessions.create({
    type: 'document',
    client_reference_id: 'user-sdk-1',
    return_url: 'https://example.com/back',
    metadata: { order: '1001' },
    options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
  });
  assert.match(created.id, /^vs_/);
  assert.equal(created.status, 'requires_input');
  assert.equal(created.client_reference_id, 'user-sdk-1');
  assert.deepEqual(created.metadata, { order: '1001' });
  assert.deepEqual(created.options.document.allowed_types, ['passport', 'id_card']);
  assert.equal(created.options.document.require_matching_selfie, true);
  assert.equal((await fetch(created.url)).status, 200);
  assert.match(created.lastResponse.requestId, /^req_/);

  const verified = srv.control.sessions('stripe').sessions.find((s) => s.status === 'verified' && !s.redaction);
  const got = await stripe.identity.verificationSessions.retrieve(verified.id, { expand: ['last_verification_report', 'verified_outputs'] });
  assert.equal(got.status, 'verified');
  assert.equal(got.last_verification_report.object, 'identity.verification_report');
  assert.equal(got.last_verification_report.document.status, 'verified');
  assert.equal(typeof got.verified_outputs.last_name, 'string');
  const plain = await stripe.identity.verificationSessions.retrieve(verified.id);
  assert.equal(plain.last_verification_report, got.last_verification_report.id);

  const page = await stripe.identity.verificationSessions.list({ limit: 3 });
  assert.equal(page.object, 'list');
  assert.equal(page.data.length, 3);
  assert.equal(page.has_more, true);
  assert.equal(page.data[0].id, created.id, 'newest first');
  const filtered = await stripe.identity.verificationSessions.list({ status: 'canceled', created: { gte: verified.created - 86400 * 365 }, limit: 100 });
  assert.ok(filtered.data.length > 0 && filtered.data.every((s) => s.status === 'canceled' && s.created >= verified.created - 86400 * 365));
  const mine = await stripe.identity.verificationSessions.list({ client_reference_id: 'user-sdk-1' });
  assert.deepEqual(mine.data.map((s) => s.id), [created.id]);
});

test('list().autoPagingToArray: every session once, in the mock\'s order (forwards and backwards)', async () => {
  const truth = (await control(srv.url, 'sessions?provider=stripe')).sessions.map((s) => s.id);
  // 100 per page: the default 10 would send 50 list requests in well under a second, over
  // Stripe's 25 per second on one endpoint (the mock limits like Stripe)
  const all = await stripe.identity.verificationSessions.list({ limit: 100 }).autoPagingToArray({ limit: 10000 });
  const ids = all.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicate');
  assert.deepEqual(ids, truth, 'none missing, same order');
  // backwards from the oldest: ending_before, newest last
  const back = await stripe.identity.verificationSessions.list({ limit: 100, ending_before: truth.at(-1) }).autoPagingToArray({ limit: 10000 });
  assert.deepEqual(back.map((s) => s.id).sort(), truth.slice(0, -1).sort());
  const verified = await stripe.identity.verificationSessions.list({ limit: 100, status: 'verified' }).autoPagingToArray({ limit: 10000 });
  const truthVerified = (await control(srv.url, 'sessions?provider=stripe')).sessions.filter((s) => s.status === 'verified').map((s) => s.id);
  assert.deepEqual(verified.map((s) => s.id), truthVerified);
});

test('a create whose answer is lost (reset-after-store) is retried by the client under its key: the same session, one stored', async () => {
  srv.control.resetStats();
  srv.control.script('stripe', 'create', ['reset-after-store']);
  const before = srv.control.sessions('stripe').count;
  const keysBefore = new Set(srv.control.idempotency().keys.map((k) => k.key));
  const created = await stripe.identity.verificationSessions.create({ type: 'id_number', client_reference_id: 'user-lost-answer' });
  assert.equal(srv.control.sessions('stripe').count, before + 1, 'one session');
  const stored = srv.control.sessions('stripe').sessions.filter((s) => s.userRef === 'user-lost-answer');
  assert.deepEqual(stored.map((s) => s.id), [created.id]);
  const stats = srv.control.stats();
  assert.equal(stats.requests.stripe, 2, 'the first (reset) and the client\'s retry');
  assert.equal(stats.creates.stripe, 2, 'both reached the handler: the retry was replayed');
  const keys = srv.control.idempotency().keys.filter((k) => !keysBefore.has(k.key));
  assert.deepEqual(keys.map((k) => [k.provider, k.state, k.status]), [['stripe', 'done', 200]], 'one key, used by both attempts');
  assert.match(keys[0].key, /^stripe-node-retry-/, 'the client\'s own key');
  assert.equal(created.lastResponse.headers['idempotent-replayed'], 'true');
});

test('errors arrive as the client\'s typed errors', async () => {
  const wrong = new Stripe('sk_test_nottherightkey1234', { host: '127.0.0.1', port: srv.port, protocol: 'http', maxNetworkRetries: 0 });
  await assert.rejects(wrong.identity.verificationSessions.list(), (err) => {
    assert.equal(err.type, 'StripeAuthenticationError');
    assert.equal(err.statusCode, 401);
    assert.ok(!err.message.includes('nottherightkey'), err.message);
    return true;
  });
  await assert.rejects(stripe.identity.verificationSessions.retrieve('vs_1missing'), (err) => {
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.statusCode, 404);
    return true;
  });
  await assert.rejects(stripe.identity.verificationSessions.create({ type: 'selfie' }), (err) => err.type === 'StripeInvalidRequestError' && err.param === 'type');
  const opts = { idempotencyKey: 'sdk-key-mismatch' };
  await stripe.identity.verificationSessions.create({ type: 'document' }, opts);
  await assert.rejects(stripe.identity.verificationSessions.create({ type: 'id_number' }, opts), (err) => {
    assert.equal(err.type, 'StripeIdempotencyError');
    assert.equal(err.statusCode, 400);
    return true;
  });
});

test('cancel and redact through the client', async () => {
  const s = await stripe.identity.verificationSessions.create({ type: 'document' });
  const canceled = await stripe.identity.verificationSessions.cancel(s.id);
  assert.equal(canceled.status, 'canceled');
  const verified = srv.control.sessions('stripe').sessions.find((x) => x.status === 'verified' && !x.redaction);
  const redacting = await stripe.identity.verificationSessions.redact(verified.id);
  assert.equal(redacting.redaction.status, 'processing');
  assert.equal((await stripe.identity.verificationSessions.retrieve(verified.id)).redaction.status, 'redacted');
});

test('stripe.webhooks.constructEvent accepts the mock\'s deliveries, and rejects a corrupted one', async () => {
  await control(srv.url, 'webhooks', { url: rx.url, retryScale: 0.00002 });
  const s = await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'user-hooks' });
  srv.control.setStatus('stripe', s.id, 'processing');
  const got = await rx.waitFor('/hooks/stripe', 2);
  const events = got.map((d) => stripe.webhooks.constructEvent(d.body, d.headers['stripe-signature'], CREDENTIALS.stripe.webhookSecret));
  assert.deepEqual(events.map((e) => e.type).sort(), ['identity.verification_session.created', 'identity.verification_session.processing']);
  assert.ok(events.every((e) => e.data.object.id === s.id));
  // the string body and an explicit tolerance work too
  assert.equal(stripe.webhooks.constructEvent(got[0].body.toString('utf8'), got[0].headers['stripe-signature'], CREDENTIALS.stripe.webhookSecret, 60).id, events[0].id);

  rx.received.length = 0;
  await control(srv.url, 'webhooks', { corrupt: 1 });
  srv.control.setStatus('stripe', s.id, 'verified');
  const [bad] = await rx.waitFor('/hooks/stripe', 1);
  assert.throws(() => stripe.webhooks.constructEvent(bad.body, bad.headers['stripe-signature'], CREDENTIALS.stripe.webhookSecret), (err) => err.type === 'StripeSignatureVerificationError');
  await control(srv.url, 'webhooks', { url: null, corrupt: 0 });
});
