// The control endpoints for client tests: stats, scripted faults, token revocation, hostile
// paging, echoed secrets and status changes.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startMockServer } from './server.mjs';
import { DD_AUTH, EQ_AUTH, MP, control, getJson, mangopayToken, mpHeaders, postJson, sleep } from './helpers.mjs';

const WORKFLOW = 'a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35';

let srv;
let url;
let userId;

before(async () => {
  srv = await startMockServer({ seed: 5, sessions: 40 });
  url = srv.url;
  userId = (await control(url, 'people'))[0].mangopayUserId;
});

after(() => srv.close());

beforeEach(async () => {
  await control(url, 'reset', {});
  await control(url, 'faults', {});
});

const mpList = (token, query = 'per_page=3') =>
  getJson(`${url}/v2.01/${MP.clientId}/users/${userId}/identity-verifications?${query}`, mpHeaders(token));
const mpCreate = (token, headers = {}) =>
  postJson(`${url}/v2.01/${MP.clientId}/users/${userId}/identity-verifications`, { ReturnUrl: 'https://example.com/' }, { ...mpHeaders(token), ...headers });
const eqList = (query = 'limit=3') => getJson(`${url}/v2/applications/identity-verification-sessions?${query}`, EQ_AUTH);
const ddList = (query = 'limit=3') => getJson(`${url}/v3/sessions/?${query}`, DD_AUTH);
const ddCreate = (body = { workflow_id: WORKFLOW }, signal) =>
  fetch(`${url}/v3/session/`, { method: 'POST', headers: { ...DD_AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

// ---------------------------------------------------------------------------------------------
describe('stats', () => {
  test('requests, token requests and creates are counted per provider; reset zeroes them', async () => {
    await control(url, 'stats/reset', {});
    const token = await mangopayToken(url);
    await mpList(token);
    assert.equal((await mpCreate(token)).status, 200);
    await eqList();
    await eqList();
    await ddList();
    assert.equal((await ddCreate()).status, 201);
    assert.equal((await postJson(`${url}/v3/session/`, {}, DD_AUTH)).status, 400); // reached the handler: counted
    await control(url, 'faults', { 503: 1 });
    assert.equal((await ddCreate()).status, 503); // faulted before the handler: not a create
    await control(url, 'faults', {});
    await getJson(`${url}/__mock/health`); // control endpoints are not provider requests
    const stats = await control(url, 'stats');
    assert.deepEqual(stats.requests, { mangopay: 3, equals: 2, didit: 4 });
    assert.equal(stats.tokenRequests, 1);
    assert.deepEqual(stats.creates, { mangopay: 1, didit: 2 });
    assert.deepEqual(stats.inFlight, { mangopay: 0, equals: 0, didit: 0 });
    assert.deepEqual(srv.control.stats(), stats);

    const zero = await control(url, 'stats/reset', {});
    assert.deepEqual(zero, {
      requests: { mangopay: 0, equals: 0, didit: 0 },
      tokenRequests: 0,
      creates: { mangopay: 0, didit: 0 },
      inFlight: { mangopay: 0, equals: 0, didit: 0 },
      maxInFlight: { mangopay: 0, equals: 0, didit: 0 },
    });
    assert.deepEqual(srv.control.resetStats(), zero);
  });

  test('in flight from arrival to the end of the response; maxima kept until reset', async () => {
    srv.control.resetStats();
    await control(url, 'faults', { latencyMs: 150 });
    const pending = [ddList(), ddList(), ddList(), eqList()];
    await sleep(60);
    const during = await control(url, 'stats');
    assert.deepEqual(during.inFlight, { mangopay: 0, equals: 1, didit: 3 });
    await Promise.all(pending);
    await sleep(10);
    const afterwards = srv.control.stats();
    assert.deepEqual(afterwards.inFlight, { mangopay: 0, equals: 0, didit: 0 });
    assert.deepEqual(afterwards.maxInFlight, { mangopay: 0, equals: 1, didit: 3 });
    assert.deepEqual(srv.control.resetStats().maxInFlight, { mangopay: 0, equals: 0, didit: 0 });
  });
});
