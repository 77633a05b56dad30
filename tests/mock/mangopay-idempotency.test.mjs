// Mangopay idempotency as documented (https://docs.mangopay.com/api-reference/overview/idempotency):
// every reuse of a key within 24 hours is a 409, whatever the first answer was; the key is 16-36
// alphanumeric characters or dashes; a missed answer is read back at /responses/{key}, which is a
// 404 while the first request is still running. Plus the reset-after-store ("lost answer") control.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startMockServer } from './server.mjs';
import { MP, control, getJson, mangopayToken, mpHeaders, postJson, sleep } from './helpers.mjs';

let srv;
let url;
let token;
let userId;

before(async () => {
  srv = await startMockServer({ seed: 3, sessions: 40 });
  url = srv.url;
  token = await mangopayToken(url);
  userId = (await control(url, 'people'))[0].mangopayUserId;
});

after(() => srv.close());

beforeEach(async () => {
  await control(url, 'reset', {});
});

const createPath = () => `${url}/v2.01/${MP.clientId}/users/${userId}/identity-verifications`;
const create = (key, body = { ReturnUrl: 'https://example.com/back' }, signal) =>
  key === undefined
    ? postJson(createPath(), body, mpHeaders(token))
    : fetch(createPath(), {
        method: 'POST',
        headers: { ...mpHeaders(token), 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal,
      }).then(async (res) => ({ res, status: res.status, body: await res.json() }));
const stored = (key, headers = mpHeaders(token)) => getJson(`${url}/v2.01/${MP.clientId}/responses/${key}`, headers);
const count = () => srv.control.sessions('mangopay').count;

/** Wait until the mock holds `key` in `state` (the request has arrived and registered). */
async function keyState(key, state) {
  for (let i = 0; i < 500; i++) {
    if (srv.control.idempotency().keys.some((k) => k.key === key && k.state === state)) return;
    await sleep(5);
  }
  throw new Error(`key ${key} never reached state ${state}`);
}

test('the documented 409 for every reuse, the first answer at /responses/{key}', async () => {
  const key = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
  const c0 = count();
  const first = await create(key);
  assert.equal(first.status, 200);
  for (const body of [{ ReturnUrl: 'https://example.com/back' }, { ReturnUrl: 'https://example.com/other', Tag: 'x' }]) {
    const again = await create(key, body);
    assert.equal(again.status, 409);
    assert.deepEqual(Object.keys(again.body), ['Message', 'Type', 'Id', 'Date', 'errors']);
    assert.equal(again.body.Message, 'A resource has already been created with this Idempotency Key');
    assert.equal(again.body.Type, 'idempotent_creation_conflict');
    assert.match(again.body.Id, /^[0-9a-f-]{36}#\d+$/);
    assert.equal(typeof again.body.Date, 'number');
    assert.equal(again.body.errors, null);
  }
  assert.equal(count(), c0 + 1);

  const r = await stored(key);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body), ['StatusCode', 'ContentLength', 'ContentType', 'Date', 'RequestURL', 'Resource']);
  assert.equal(r.body.StatusCode, '200');
  assert.equal(r.body.ContentLength, String(Buffer.byteLength(JSON.stringify(first.body))));
  assert.equal(r.body.ContentType, 'application/json; charset=utf-8');
  assert.match(r.body.Date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.equal(r.body.RequestURL, `${url}/v2.01/${MP.clientId}/users/${userId}/identity-verifications`);
  assert.deepEqual(r.body.Resource, first.body);
});

test('a first call that failed is stored too: its status and error body', async () => {
  const key = 'failed-first-call-0001';
  const first = await create(key, { Tag: 'no return url' });
  assert.equal(first.status, 400);
  assert.equal((await create(key)).status, 409, 'blocked although the first one failed');
  const r = await stored(key);
  assert.equal(r.body.StatusCode, '400');
  assert.deepEqual(r.body.Resource, first.body);
  assert.equal(r.body.Resource.Type, 'param_error');
});

test('a key outside 16-36 alphanumerics and dashes is a 400 param_error, and not kept', async () => {
  const c0 = count();
  for (const key of ['short-key-15chr', 'x'.repeat(37), 'has_underscore_0001', 'has space in it 0001', '']) {
    const r = await create(key);
    assert.equal(r.status, 400, JSON.stringify(key));
    assert.equal(r.body.Type, 'param_error');
    assert.equal(typeof r.body.errors['Idempotency-Key'], 'string');
  }
  assert.equal(count(), c0);
  assert.deepEqual(srv.control.idempotency().keys, []);
  for (const key of ['exactly-16-chars', 'a'.repeat(36)]) assert.equal((await create(key)).status, 200, key);
});

test('/responses: 404 ressource_not_found for an unknown key; authenticated like every call', async () => {
  const r = await stored('never-used-key-00001');
  assert.equal(r.status, 404);
  assert.equal(r.body.Type, 'ressource_not_found');
  assert.equal((await stored('never-used-key-00001', {})).status, 401);
});

test('while the first request is still running: a reuse is a 409 and /responses is a 404, until it finishes', async () => {
  const key = 'still-running-key-0001';
  srv.control.script('mangopay', 'create', [{ kind: 'hold', holdMs: 1500 }]);
  const c0 = count();
  const first = create(key);
  await keyState(key, 'pending');
  const reuse = await create(key);
  assert.equal(reuse.status, 409);
  assert.equal(reuse.body.Type, 'idempotent_creation_conflict');
  assert.equal((await stored(key)).status, 404);
  assert.equal(count(), c0, 'the held request has not created anything yet');
  const done = await first;
  assert.equal(done.status, 200);
  assert.equal(count(), c0 + 1);
  const r = await stored(key);
  assert.equal(r.status, 200);
  assert.equal(r.body.Resource.Id, done.body.Id);
});

test('a first request that never ran (dropped during a hold, or reset before the handler) leaves the key free', async () => {
  const key = 'never-ran-key-000001';
  srv.control.script('mangopay', 'create', ['hold']); // 60 s: the client gives up first
  const c0 = count();
  await assert.rejects(create(key, undefined, AbortSignal.timeout(100)));
  // the server sees the connection close just after the client gives up
  for (let i = 0; i < 200 && srv.control.idempotency().keys.length; i++) await sleep(5);
  assert.deepEqual(srv.control.idempotency().keys, []);
  assert.equal((await stored(key)).status, 404);

  srv.control.script('mangopay', 'create', ['reset']);
  await assert.rejects(create(key), TypeError);
  assert.equal(count(), c0);
  const ok = await create(key);
  assert.equal(ok.status, 200, 'the key is used for the first time now');
  assert.equal(count(), c0 + 1);
});

test('reset-after-store: created and stored, the answer lost; the retry is a 409 and /responses has it', async () => {
  const key = 'lost-answer-key-000001';
  srv.control.resetStats();
  srv.control.script('mangopay', 'create', ['reset-after-store']);
  const c0 = count();
  await assert.rejects(create(key), TypeError);
  assert.equal(count(), c0 + 1, 'the session exists');
  assert.deepEqual(srv.control.idempotency().keys, [{ provider: 'mangopay', key, state: 'done', status: 200 }]);
  const retry = await create(key);
  assert.equal(retry.status, 409);
  assert.equal(count(), c0 + 1, 'not created again');
  const r = await stored(key);
  assert.equal(r.body.StatusCode, '200');
  assert.equal(r.body.Resource.Id, srv.control.sessions('mangopay').sessions.at(-1).id);
  assert.equal(srv.control.stats().creates.mangopay, 2, 'both reached the handler');

  // only the create endpoint can lose a stored answer; /__mock/reset forgets the keys
  assert.equal((await postJson(`${url}/__mock/script`, { provider: 'mangopay', endpoint: 'list', faults: ['reset-after-store'] })).status, 400);
  await control(url, 'reset', {});
  assert.equal((await stored(key)).status, 404);
  assert.deepEqual((await control(url, 'idempotency')).keys, []);
});
