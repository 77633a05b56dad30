// Faithfulness check: the official Mangopay Node SDK (mangopay4-nodejs-sdk, CommonJS) against the
// mock. When the SDK and the mock disagree, the mock is wrong.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startMockServer } from './server.mjs';
import { MP, control } from './helpers.mjs';

const require = createRequire(import.meta.url);
const Mangopay = require('mangopay4-nodejs-sdk');

let srv;
let api;
let userId;

before(async () => {
  srv = await startMockServer({ seed: 1, sessions: 500 });
  api = new Mangopay({
    clientId: MP.clientId,
    clientApiKey: MP.apiKey,
    baseUrl: srv.url,
    errorHandler: () => {}, // the default logs every error response to the console
  });
  const people = await control(srv.url, 'people');
  userId = people[0].mangopayUserId;
});

after(() => srv.close());

// First: SDK instances share one header object (Api.prototype.requestOptions), so once any
// instance holds a token a second instance would reuse it.
test('SDK with wrong credentials is refused with invalid_credentials', async () => {
  const bad = new Mangopay({ clientId: MP.clientId, clientApiKey: 'wrong', baseUrl: srv.url, errorHandler: () => {} });
  await assert.rejects(bad.IdentityVerifications.get('idnver_x'), (err) => {
    assert.equal(err.Type, 'invalid_credentials');
    assert.equal(err.Message, 'The authorization credentials are not valid');
    return true;
  });
});

test('SDK creates a session for a seeded user and reads it back', async () => {
  const created = await api.IdentityVerifications.create(userId, { ReturnUrl: 'https://example.com/back', Tag: 'sdk-test' });
  assert.match(created.Id, /^idnver_[0-9A-Z]{26}$/);
  assert.equal(created.Status, 'PENDING');
  assert.equal(created.ReturnUrl, 'https://example.com/back');
  assert.equal(created.Tag, 'sdk-test');
  assert.ok(created.HostedUrl.startsWith(`${srv.url}/hosted/${created.Id}?`), created.HostedUrl);
  assert.ok(created.HostedUrl.includes(`redirectURL=${encodeURIComponent('https://example.com/back')}`));
  assert.equal(typeof created.CreationDate, 'number');

  const got = await api.IdentityVerifications.get(created.Id);
  assert.equal(got.Id, created.Id);
  assert.equal(got.Status, 'PENDING');
  assert.equal(got.UserId, userId);
  assert.equal(got.HostedUrl, created.HostedUrl);
  assert.deepEqual(got.Checks, []);

  const hosted = await fetch(got.HostedUrl);
  assert.equal(hosted.status, 200);
  assert.match(hosted.headers.get('content-type'), /text\/html/);
});

test('SDK lists a user\'s sessions page by page, with the pagination headers', async () => {
  const truth = (await control(srv.url, 'sessions?provider=mangopay')).sessions.filter((s) => s.userRef === userId);
  assert.ok(truth.length > 10, `person 1 should have many sessions, has ${truth.length}`);

  const page1 = await api.IdentityVerifications.getAll(userId, { parameters: { page: 1, per_page: 5 } });
  assert.deepEqual(page1.map((s) => s.Id), truth.slice(0, 5).map((s) => s.id));
  const page2 = await api.IdentityVerifications.getAll(userId, { parameters: { page: 2, per_page: 5 } });
  assert.deepEqual(page2.map((s) => s.Id), truth.slice(5, 10).map((s) => s.id));
  assert.deepEqual(page2.map((s) => s.Status), truth.slice(5, 10).map((s) => s.status));

  const full = await api.IdentityVerifications.getAll(userId, {
    parameters: { page: 2, per_page: 5 },
    resolveWithFullResponse: true,
  });
  assert.equal(full.status, 200);
  assert.equal(full.headers['x-number-of-items'], String(truth.length));
  assert.equal(full.headers['x-number-of-pages'], String(Math.ceil(truth.length / 5)));
  assert.match(full.headers.link, /page=1&per_page=5>; rel="first"/);
  assert.match(full.headers.link, /page=1&per_page=5>; rel="prev"/);
  assert.match(full.headers.link, /page=3&per_page=5>; rel="next"/);
  assert.deepEqual(full.body.map((s) => s.Id), truth.slice(5, 10).map((s) => s.id));

  // the SDK parses x-ratelimit* into four windows it recognises by their reset time
  assert.equal(api.rateLimits.length, 4);
  assert.deepEqual(api.rateLimits.map((r) => r.minutesInterval), [15, 30, 60, 1440]);
  assert.ok(api.rateLimits.every((r) => r.callsMade >= 1 && r.callsRemaining > 0));
  assert.equal(api.rateLimits[0].callsMade + api.rateLimits[0].callsRemaining, 2300);
});

test('SDK sees documented error bodies', async () => {
  await assert.rejects(api.IdentityVerifications.get('idnver_DOESNOTEXIST'), (err) => {
    assert.equal(err.Type, 'ressource_not_found');
    assert.equal(err.Message, 'The ressource does not exist');
    assert.match(err.errors.RessourceNotFound, /idnver_DOESNOTEXIST/);
    return true;
  });
  await assert.rejects(api.IdentityVerifications.create(userId, { Tag: 'no return url' }), (err) => {
    assert.equal(err.Type, 'param_error');
    assert.ok(err.errors.ReturnUrl);
    return true;
  });
});

test('SDK idempotency: a reused key is blocked with 409, the first answer is read back with Idempotency.get', async () => {
  const key = 'sdk-idempotency-key-0001';
  const opts = () => ({ headers: { 'Idempotency-Key': key } });
  const before = (await control(srv.url, 'sessions?provider=mangopay')).count;
  // fresh objects each call: the SDK writes the response into the object it was given
  const a = await api.IdentityVerifications.create(userId, { ReturnUrl: 'https://example.com/i' }, opts());
  for (const returnUrl of ['https://example.com/i', 'https://example.com/other']) {
    await assert.rejects(api.IdentityVerifications.create(userId, { ReturnUrl: returnUrl }, opts()), (err) => {
      assert.equal(err.Type, 'idempotent_creation_conflict');
      assert.equal(err.Message, 'A resource has already been created with this Idempotency Key');
      return true;
    });
  }
  assert.equal((await control(srv.url, 'sessions?provider=mangopay')).count, before + 1);
  const stored = await api.Idempotency.get(key);
  assert.equal(stored.StatusCode, '200');
  assert.equal(stored.ContentType, 'application/json; charset=utf-8');
  assert.equal(stored.Resource.Id, a.Id);
  assert.equal(stored.Resource.HostedUrl, a.HostedUrl);
  await assert.rejects(api.Idempotency.get('sdk-idempotency-key-unknown'), (err) => err.Type === 'ressource_not_found');
});
