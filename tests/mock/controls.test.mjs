// The control endpoints for client tests: stats, scripted faults, token revocation, hostile
// paging, echoed secrets and status changes.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startMockServer } from './server.mjs';
import { DD_AUTH, EQ_AUTH, MP, control, getJson, mangopayToken, mpHeaders, postJson, sleep } from './helpers.mjs';
import { waitFor } from '../support/wait.mjs';

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
    assert.deepEqual(stats.requests, { mangopay: 3, equals: 2, didit: 4, onfido: 0, stripe: 0 });
    assert.equal(stats.tokenRequests, 1);
    assert.deepEqual(stats.creates, { mangopay: 1, didit: 2, onfido: 0, stripe: 0 });
    assert.deepEqual(stats.inFlight, { mangopay: 0, equals: 0, didit: 0, onfido: 0, stripe: 0 });
    assert.deepEqual(srv.control.stats(), stats);

    const zero = await control(url, 'stats/reset', {});
    const none = { mangopay: 0, equals: 0, didit: 0, onfido: 0, stripe: 0 };
    assert.deepEqual(zero, {
      requests: none,
      tokenRequests: 0,
      creates: { mangopay: 0, didit: 0, onfido: 0, stripe: 0 },
      onfidoApplicantCreates: 0,
      inFlight: none,
      maxInFlight: none,
    });
    assert.deepEqual(srv.control.resetStats(), zero);
  });

  test('in flight from arrival to the end of the response; maxima kept until reset', async () => {
    srv.control.resetStats();
    // held requests stay in flight until their client gives up
    srv.control.script('didit', 'list', Array(3).fill({ kind: 'hold', holdMs: 10_000 }));
    srv.control.script('equals', 'list', [{ kind: 'hold', holdMs: 10_000 }]);
    const abort = new AbortController();
    const send = (path, headers) => fetch(`${url}${path}`, { headers, signal: abort.signal }).catch((e) => e);
    const pending = [1, 2, 3].map(() => send('/v3/sessions/', DD_AUTH));
    pending.push(send('/v2/applications/identity-verification-sessions', EQ_AUTH));
    let during;
    for (let i = 0; i < 200; i++) {
      during = await control(url, 'stats');
      if (during.inFlight.didit === 3 && during.inFlight.equals === 1) break;
      await sleep(5);
    }
    assert.deepEqual(during.inFlight, { mangopay: 0, equals: 1, didit: 3, onfido: 0, stripe: 0 });
    abort.abort();
    await Promise.all(pending);
    let afterwards;
    for (let i = 0; i < 200; i++) {
      afterwards = srv.control.stats();
      if (afterwards.inFlight.didit === 0 && afterwards.inFlight.equals === 0) break;
      await sleep(5);
    }
    assert.deepEqual(afterwards.inFlight, { mangopay: 0, equals: 0, didit: 0, onfido: 0, stripe: 0 });
    assert.deepEqual(afterwards.maxInFlight, { mangopay: 0, equals: 1, didit: 3, onfido: 0, stripe: 0 });
    assert.deepEqual(afterwards.requests, { mangopay: 0, equals: 1, didit: 3, onfido: 0, stripe: 0 });
    assert.deepEqual(srv.control.resetStats().maxInFlight, { mangopay: 0, equals: 0, didit: 0, onfido: 0, stripe: 0 });
  });

  test('a slow body keeps the request in flight until its end', async () => {
    srv.control.setFaults({ slowMs: 200 });
    srv.control.script('didit', 'list', ['slow']);
    const res = await fetch(`${url}/v3/sessions/?limit=2`, { headers: DD_AUTH });
    assert.equal(res.headers.get('x-mock-fault'), 'slow');
    assert.equal(srv.control.stats().inFlight.didit, 1, 'headers received, body still coming');
    await res.json();
    await sleep(10);
    assert.equal(srv.control.stats().inFlight.didit, 0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('scripted faults', () => {
  test('entries are consumed in order by the matching endpoint, before the random roll', async () => {
    const view = await control(url, 'script', { provider: 'didit', endpoint: 'list', faults: ['503', { kind: 429, retryAfter: 7 }, 'ok', 'html'] });
    assert.deepEqual(view, { pending: 4, scripts: [{ provider: 'didit', endpoint: 'list', faults: ['503', { kind: '429', retryAfter: 7 }, 'ok', 'html'] }] });
    await control(url, 'faults', { 500: 1 }); // the random roll would fail every request
    const first = await ddList();
    assert.equal(first.status, 503);
    assert.equal(first.res.headers.get('x-mock-fault'), '503');
    assert.match(first.text, /<html>/);
    const second = await ddList();
    assert.equal(second.status, 429);
    assert.equal(second.res.headers.get('retry-after'), '7');
    assert.equal(second.body.detail, 'Request was throttled. Expected available in 7 seconds.');
    assert.deepEqual((await control(url, 'script')).scripts[0].faults, ['ok', 'html']);
    const third = await ddList();
    assert.equal(third.status, 200, 'ok: served normally although the random rate is 1');
    assert.equal(third.body.results.length, 3);
    const fourth = await ddList();
    assert.equal(fourth.status, 200);
    assert.match(fourth.text, /^<!DOCTYPE html>/);
    assert.equal((await ddList()).status, 500, 'script used up: the random roll again');
    assert.deepEqual(await control(url, 'script'), { pending: 0, scripts: [] });
  });

  test('endpoint queues first, then "any"; "any" never takes the token endpoint', async () => {
    srv.control.script('mangopay', 'any', ['502']);
    srv.control.script('mangopay', 'get', ['500']);
    const token = await mangopayToken(url); // not taken by "any"
    const get = await getJson(`${url}/v2.01/${MP.clientId}/identity-verifications/idnver_x`, mpHeaders(token));
    assert.equal(get.status, 500, 'the get queue');
    assert.equal((await getJson(`${url}/v2.01/${MP.clientId}/identity-verifications/idnver_x`, mpHeaders(token))).status, 502, 'then any');
    assert.equal((await mpList(token)).status, 200);
    // the token endpoint is scripted by name, whatever faultsOnToken says
    srv.control.script('mangopay', 'token', ['truncate', 'reset']);
    const truncated = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${MP.clientId}:${MP.apiKey}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    assert.equal(truncated.status, 200);
    assert.equal(truncated.headers.get('x-mock-fault'), 'truncate');
    const half = await truncated.text();
    assert.throws(() => JSON.parse(half), SyntaxError);
    await assert.rejects(mangopayToken(url), TypeError);
    assert.equal(typeof (await mangopayToken(url)), 'string');
  });

  test('forbidden: each provider\'s 403 for a reason other than credentials', async () => {
    srv.control.script('mangopay', 'list', ['forbidden']);
    srv.control.script('equals', 'list', ['forbidden']);
    srv.control.script('didit', 'create', ['forbidden']);
    const token = await mangopayToken(url);
    const mp = await mpList(token);
    assert.equal(mp.status, 403);
    assert.match(mp.res.headers.get('content-type'), /^application\/problem\+json/);
    assert.deepEqual(Object.keys(mp.body), ['type', 'title', 'status', 'traceId']);
    assert.equal(mp.body.type, 'https://tools.ietf.org/html/rfc9110#section-15.5.4');
    assert.equal(mp.body.title, 'Forbidden');
    assert.equal(mp.body.status, 403);
    assert.match(mp.body.traceId, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const eq = await eqList();
    assert.equal(eq.status, 403);
    assert.deepEqual(eq.body, { message: 'Forbidden' });
    srv.control.resetStats();
    const dd = await ddCreate();
    assert.equal(dd.status, 403);
    assert.deepEqual(await dd.json(), { detail: 'You do not have enough credits to perform this request.' });
    assert.equal(srv.control.stats().creates.didit, 0, 'refused before the handler');
  });

  test('hold: answers normally after holdMs; abandoned (nothing created) when the client gives up', async () => {
    srv.control.script('equals', 'list', [{ kind: 'hold', holdMs: 150 }]);
    const t0 = performance.now();
    const held = await eqList();
    assert.ok(performance.now() - t0 >= 145, 'held');
    assert.equal(held.status, 200);
    assert.equal(held.res.headers.get('x-mock-fault'), 'hold');
    assert.equal(held.body.rows.length, 3);

    srv.control.resetStats();
    const before = srv.control.sessions('didit').count;
    srv.control.script('didit', 'create', ['hold']); // default holdMs: 60 s
    await assert.rejects(ddCreate(undefined, AbortSignal.timeout(60)), /abort|timeout/i);
    // The mock sees the closed connection a moment later; held for 60 s otherwise, far past the bound.
    await waitFor(() => srv.control.stats().inFlight.didit === 0, { what: 'the held request ended with its connection' });
    const stats = srv.control.stats();
    assert.equal(stats.creates.didit, 0);
    assert.equal(srv.control.sessions('didit').count, before);
  });

  test('commit-then-reset: the session exists, the answer never comes; a retry under the key is a 409, /responses has it', async () => {
    const token = await mangopayToken(url);
    srv.control.resetStats();
    const before = srv.control.sessions('mangopay').count;
    srv.control.script('mangopay', 'create', ['commit-then-reset']);
    await assert.rejects(mpCreate(token, { 'idempotency-key': 'k-commit-0000001' }), TypeError);
    assert.equal(srv.control.sessions('mangopay').count, before + 1);
    assert.equal(srv.control.stats().creates.mangopay, 1);
    const retry = await mpCreate(token, { 'idempotency-key': 'k-commit-0000001' });
    assert.equal(retry.status, 409);
    assert.equal(retry.body.Type, 'idempotent_creation_conflict');
    assert.equal(srv.control.sessions('mangopay').count, before + 1, 'not created again');
    const stored = await getJson(`${url}/v2.01/${MP.clientId}/responses/k-commit-0000001`, mpHeaders(token));
    assert.equal(srv.control.sessions('mangopay').sessions.at(-1).id, stored.body.Resource.Id);
    assert.equal(srv.control.stats().creates.mangopay, 2);
  });

  test('commit-then-500 and commit-then-hold: created for real, then a 500 page or a held answer', async () => {
    const before = srv.control.sessions('didit').count;
    srv.control.script('didit', 'create', ['commit-then-500', { kind: 'commit-then-hold', holdMs: 120 }, 'commit-then-hold']);
    const failed = await ddCreate();
    assert.equal(failed.status, 500);
    assert.match(failed.headers.get('content-type'), /^text\/html/);
    await failed.text();
    assert.equal(srv.control.sessions('didit').count, before + 1);
    const t0 = performance.now();
    const late = await ddCreate();
    assert.ok(performance.now() - t0 >= 115);
    assert.equal(late.status, 201);
    const created = await late.json();
    assert.equal(srv.control.sessions('didit').sessions[0].id, created.session_id);
    await assert.rejects(ddCreate(undefined, AbortSignal.timeout(60)));
    assert.equal(srv.control.sessions('didit').count, before + 3, 'the abandoned one exists too');
  });

  test('validation; clear; /__mock/reset clears scripts too', async () => {
    const bad = [
      { provider: 'didit', endpoint: 'list', faults: ['teapot'] },
      { provider: 'didit', endpoint: 'list', faults: ['commit-then-reset'] },
      { provider: 'didit', endpoint: 'token', faults: ['500'] },
      { provider: 'equals', endpoint: 'create', faults: ['500'] },
      { provider: 'didit', endpoint: 'list', faults: [{ kind: '500', retryAfter: 3 }] },
      { provider: 'didit', endpoint: 'list', faults: [{ kind: 'hold', holdMs: -1 }] },
      { provider: 'didit', endpoint: 'list', faults: '500' },
      { provider: 'sumsub', endpoint: 'list', faults: [] },
    ];
    for (const b of bad) assert.equal((await postJson(`${url}/__mock/script`, b)).status, 400, JSON.stringify(b));
    assert.equal((await control(url, 'script')).pending, 0, 'nothing queued by a refused call');
    await control(url, 'script', { provider: 'equals', endpoint: 'any', faults: ['500', '500'] });
    await control(url, 'script', { provider: 'equals', endpoint: 'any', faults: ['502'] }); // appended
    assert.deepEqual((await control(url, 'script')).scripts, [{ provider: 'equals', endpoint: 'any', faults: ['500', '500', '502'] }]);
    assert.deepEqual(await control(url, 'script/clear', {}), { pending: 0, scripts: [] });
    assert.equal((await eqList()).status, 200);
    srv.control.script('equals', 'list', ['500']);
    await control(url, 'reset', {});
    assert.equal((await eqList()).status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
describe('token revocation', () => {
  test('every token issued so far gets the documented 401; a new token works', async () => {
    srv.control.revokeTokens(); // the tokens of the tests before
    const a = await mangopayToken(url);
    const b = await mangopayToken(url);
    assert.equal((await mpList(a)).status, 200);
    assert.deepEqual(await control(url, 'revoke-tokens', {}), { revoked: 2 });
    for (const token of [a, b]) {
      const r = await mpList(token);
      assert.equal(r.status, 401);
      assert.deepEqual(Object.keys(r.body), ['Message', 'Type', 'Date']);
      assert.equal(r.body.Message, 'The authorization credentials are not valid');
      assert.equal(r.body.Type, 'invalid_credentials');
    }
    const fresh = await mangopayToken(url);
    assert.equal((await mpList(fresh)).status, 200);
    assert.deepEqual(srv.control.revokeTokens(), { revoked: 1 });
    assert.equal((await mpList(fresh)).status, 401);
  });
});

// ---------------------------------------------------------------------------------------------
describe('hostile paging', () => {
  const ids = (rows, key) => rows.map((r) => r[key]);

  test('huge-count: real rows under absurd totals, a next link / URL that never ends', async () => {
    const token = await mangopayToken(url);
    const normal = {
      mp2: await mpList(token, 'page=2&per_page=1'),
      eq: await eqList('limit=3&offset=3'),
      dd: await ddList('limit=3&offset=3'),
    };
    assert.deepEqual(await control(url, 'paging', { provider: 'mangopay', mode: 'huge-count' }), {
      paging: { mangopay: 'huge-count', equals: 'normal', didit: 'normal', onfido: 'normal', stripe: 'normal' },
    });
    srv.control.setPaging('equals', 'huge-count');
    srv.control.setPaging('didit', 'huge-count');
    assert.deepEqual((await control(url, 'health')).paging, { mangopay: 'huge-count', equals: 'huge-count', didit: 'huge-count', onfido: 'normal', stripe: 'normal' });

    const mp = await mpList(token, 'page=2&per_page=1');
    assert.deepEqual(mp.body, normal.mp2.body);
    assert.equal(mp.res.headers.get('x-number-of-pages'), '4000000000');
    assert.equal(mp.res.headers.get('x-number-of-items'), '400000000000');
    const link = mp.res.headers.get('link');
    assert.match(link, /[?&]page=3&per_page=1>; rel="next"/);
    assert.match(link, /[?&]page=1&per_page=1>; rel="prev"/);
    assert.match(link, /[?&]page=4000000000&per_page=1>; rel="last"/);
    const beyond = await mpList(token, 'page=5000&per_page=1');
    assert.deepEqual(beyond.body, []);
    assert.match(beyond.res.headers.get('link'), /page=5001&per_page=1>; rel="next"/);

    const eq = await eqList('limit=3&offset=3');
    assert.equal(eq.body.count, 4000000000);
    assert.deepEqual(eq.body.rows, normal.eq.body.rows);

    const dd = await ddList('limit=3&offset=3');
    assert.equal(dd.body.count, 4000000000);
    assert.deepEqual(dd.body.results, normal.dd.body.results);
    assert.equal(new URL(dd.body.next).searchParams.get('offset'), '6');
    const far = await ddList('limit=3&offset=900');
    assert.deepEqual(far.body.results, []);
    assert.equal(new URL(far.body.next).searchParams.get('offset'), '903');
    assert.equal(normal.mp2.body.length, 1);
  });

  test('ignore-page: always the first rows, metadata of the page asked for', async () => {
    const token = await mangopayToken(url);
    const first = {
      mp: await mpList(token, 'page=1&per_page=1'),
      eq: await eqList('limit=3'),
      dd: await ddList('limit=3'),
    };
    const secondMp = await mpList(token, 'page=2&per_page=1');
    for (const p of ['mangopay', 'equals', 'didit']) srv.control.setPaging(p, 'ignore-page');

    const mp = await mpList(token, 'page=2&per_page=1');
    assert.deepEqual(ids(mp.body, 'Id'), ids(first.mp.body, 'Id'));
    for (const h of ['x-number-of-pages', 'x-number-of-items', 'link']) {
      assert.equal(mp.res.headers.get(h), secondMp.res.headers.get(h), h);
    }
    assert.match(mp.res.headers.get('link'), /page=1&per_page=1>; rel="prev"/);
    assert.notDeepEqual(ids(mp.body, 'Id'), ids(secondMp.body, 'Id'));

    const eq = await eqList('limit=3&offset=6');
    assert.deepEqual(ids(eq.body.rows, 'id'), ids(first.eq.body.rows, 'id'));
    assert.equal(eq.body.offset, 6);
    assert.equal(eq.body.count, first.eq.body.count);

    const dd = await ddList('limit=3&offset=3');
    assert.deepEqual(ids(dd.body.results, 'session_id'), ids(first.dd.body.results, 'session_id'));
    assert.equal(dd.body.count, first.dd.body.count);
    assert.equal(new URL(dd.body.next).searchParams.get('offset'), '6');
    assert.ok(dd.body.previous && !new URL(dd.body.previous).searchParams.has('offset'), dd.body.previous);
  });

  test('validation; /__mock/reset goes back to normal', async () => {
    assert.equal((await postJson(`${url}/__mock/paging`, { provider: 'didit', mode: 'sideways' })).status, 400);
    assert.equal((await postJson(`${url}/__mock/paging`, { provider: 'sumsub', mode: 'normal' })).status, 400);
    srv.control.setPaging('didit', 'huge-count');
    await control(url, 'reset', {});
    assert.deepEqual((await control(url, 'health')).paging, { mangopay: 'normal', equals: 'normal', didit: 'normal', onfido: 'normal', stripe: 'normal' });
    assert.equal((await ddList()).body.count, 40);
  });
});

// ---------------------------------------------------------------------------------------------
describe('echoed secrets', () => {
  /** The value appears near the start, and again across character 400 of the message. */
  function assertEchoed(message, value, label) {
    const first = message.indexOf(value);
    assert.ok(first >= 0 && first < 200, `${label}: near the start (at ${first})`);
    const again = message.indexOf(value, first + value.length);
    assert.ok(again >= 0, `${label}: repeated`);
    return again;
  }
  function assertStraddles(message, value, label) {
    const at = assertEchoed(message, value, label);
    assert.equal(at, 400 - Math.floor(value.length / 2), `${label}: centred on character 400`);
    if (value.length >= 21) assert.ok(at <= 390 && at + value.length >= 411, `${label}: spans 390-410`);
  }

  test('Mangopay: token endpoint and API calls answer 400 param_error quoting Authorization and x- headers', async () => {
    const token = await mangopayToken(url);
    srv.control.setEcho('mangopay', true);
    const basicAuth = `Basic ${Buffer.from(`${MP.clientId}:${MP.apiKey}`).toString('base64')}`;
    const tok = await postJson(`${url}/v2.01/oauth/token`, 'grant_type=client_credentials', { authorization: basicAuth, 'x-forwarded-for': '10.9.8.7' });
    assert.equal(tok.status, 400);
    assert.deepEqual(Object.keys(tok.body), ['Message', 'Type', 'Id', 'Date', 'errors']);
    assert.equal(tok.body.Type, 'param_error');
    assertStraddles(tok.body.Message, basicAuth, 'basic');
    assert.ok(!tok.body.Message.includes('10.9.8.7'), 'x-forwarded-* are not echoed');
    assert.deepEqual(Object.keys(tok.body.errors), ['authorization']);
    assert.ok(tok.body.errors.authorization.includes(basicAuth));

    const secretHeader = 'proxy-secret-0123456789abcdef';
    const list = await mpList(token, `per_page=3`);
    assert.equal(list.status, 400);
    assertStraddles(list.body.Message, `Bearer ${token}`, 'bearer');
    const custom = await getJson(`${url}/v2.01/${MP.clientId}/identity-verifications/x`, { ...mpHeaders(token), 'x-proxy-token': secretHeader });
    assertStraddles(custom.body.Message, `Bearer ${token}`, 'bearer first');
    assertEchoed(custom.body.Message, secretHeader, 'x-proxy-token');
    assert.deepEqual(Object.keys(custom.body.errors), ['authorization', 'x-proxy-token']);
    assert.ok(custom.body.errors['x-proxy-token'].includes(secretHeader));
  });

  test('Equals {message} and Didit {detail}; off again; /__mock/reset turns echo off', async () => {
    assert.deepEqual(await control(url, 'echo', { provider: 'equals', on: true }), { echo: { mangopay: false, equals: true, didit: false, onfido: false, stripe: false } });
    srv.control.setEcho('didit', true);
    assert.deepEqual((await control(url, 'health')).echo, { mangopay: false, equals: true, didit: true, onfido: false, stripe: false });
    const eq = await eqList();
    assert.equal(eq.status, 400);
    assert.deepEqual(Object.keys(eq.body), ['message']);
    assertStraddles(eq.body.message, EQ_AUTH.authorization, 'equals key');
    const dd = await getJson(`${url}/v3/sessions/`, { ...DD_AUTH, 'x-request-id': 'req-42' });
    assert.equal(dd.status, 400);
    assert.deepEqual(Object.keys(dd.body), ['detail']);
    assertStraddles(dd.body.detail, DD_AUTH['x-api-key'], 'didit key');
    assertEchoed(dd.body.detail, 'req-42', 'x-request-id');
    assert.ok(dd.body.detail.indexOf('x-api-key') < dd.body.detail.indexOf('x-request-id'), 'x-api-key first');
    await control(url, 'echo', { provider: 'equals', on: false });
    assert.equal((await eqList()).status, 200);
    await control(url, 'reset', {});
    assert.equal((await ddList()).status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
describe('status changes', () => {
  test('Mangopay: Status, LastUpdate and Checks follow', async () => {
    const token = await mangopayToken(url);
    const pending = srv.control.sessions('mangopay').sessions.find((s) => s.status === 'PENDING');
    const view = (id) => getJson(`${url}/v2.01/${MP.clientId}/identity-verifications/${id}`, mpHeaders(token));
    const before = (await view(pending.id)).body;
    assert.deepEqual(before.Checks, []);
    const changed = await control(url, 'status', { provider: 'mangopay', id: pending.id, status: 'VALIDATED' });
    assert.deepEqual(changed, { ...pending, status: 'VALIDATED' });
    const after = (await view(pending.id)).body;
    assert.equal(after.Status, 'VALIDATED');
    assert.ok(after.LastUpdate > 1793491200, 'after the reference date');
    assert.ok(after.Checks.length >= 3 && after.Checks.every((c) => c.CheckStatus === 'VALIDATED'));
    const list = await getJson(`${url}/v2.01/${MP.clientId}/users/${pending.userRef}/identity-verifications?per_page=100`, mpHeaders(token));
    const listed = list.body.find((s) => s.Id === pending.id);
    assert.equal(listed.Status, 'VALIDATED');
  });

  test('Equals: status, result and updatedAt; applicationId picks one of a shared id', async () => {
    const all = srv.control.sessions('equals').sessions;
    const row = all.find((s) => s.status === 'in_progress');
    const done = srv.control.setStatus('equals', row.id, 'completed', { result: 'approved' });
    assert.equal(done.status, 'completed');
    assert.equal(done.result, 'approved');
    const listed = (await eqList('limit=1000')).body.rows.find((r) => r.id === row.id);
    assert.equal(listed.status, 'completed');
    assert.equal(listed.result, 'approved');
    assert.ok(listed.updatedAt > '2026-11-01T00:00:00Z', listed.updatedAt);
    const back = await control(url, 'status', { provider: 'equals', id: row.id, status: 'in_progress' });
    assert.equal(back.result, undefined, 'result only when given');

    const counts = new Map();
    for (const s of all) counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
    const shared = all.filter((s) => counts.get(s.id) === 2);
    const [a, b] = shared.filter((s) => s.id === shared[0].id);
    const ambiguous = await postJson(`${url}/__mock/status`, { provider: 'equals', id: a.id, status: 'expired' });
    assert.equal(ambiguous.status, 400);
    assert.match(ambiguous.body.error, /applicationId/);
    const picked = await control(url, 'status', { provider: 'equals', id: a.id, applicationId: b.applicationId, status: 'expired' });
    assert.equal(picked.key, b.key);
    const rows = srv.control.sessions('equals').sessions.filter((s) => s.id === a.id);
    assert.deepEqual(rows.map((r) => r.status).sort(), ['completed', 'expired']);
  });

  test('Didit: status, list features and decision blocks follow; created sessions too', async () => {
    const created = await (await ddCreate({ workflow_id: WORKFLOW, vendor_data: 'user-1' })).json();
    const decision = (id) => getJson(`${url}/v3/session/${id}/decision/`, DD_AUTH);
    assert.equal((await decision(created.session_id)).body.id_verifications, null);
    const changed = srv.control.setStatus({ provider: 'didit', id: created.session_id, status: 'Approved' });
    assert.equal(changed.key, `didit:${created.session_id}`);
    assert.equal(changed.status, 'Approved');
    const d = (await decision(created.session_id)).body;
    assert.equal(d.status, 'Approved');
    assert.equal(d.id_verifications[0].status, 'Approved');
    assert.equal(d.face_matches[0].status, 'Approved');
    const row = (await ddList('limit=1')).body.results[0];
    assert.equal(row.session_id, created.session_id);
    assert.equal(row.status, 'Approved');
    assert.ok(row.features.every((f) => f.status === 'Approved'));
    assert.equal(row.full_name !== null, true, 'started: the person shows');
    const declined = srv.control.setStatus('didit', created.session_id, 'Declined');
    assert.equal(declined.status, 'Declined');
    assert.ok((await ddList('limit=1')).body.results[0].features.some((f) => f.status === 'Declined'));
  });

  test('unknown id 404; bad input 400', async () => {
    const r = await postJson(`${url}/__mock/status`, { provider: 'didit', id: 'nope', status: 'Approved' });
    assert.equal(r.status, 404);
    assert.equal((await postJson(`${url}/__mock/status`, { provider: 'mangopay', id: 'idnver_nope', status: 'VALIDATED' })).status, 404);
    assert.equal((await postJson(`${url}/__mock/status`, { provider: 'equals', id: 'x', status: 'completed' })).status, 404);
    assert.equal((await postJson(`${url}/__mock/status`, { provider: 'didit', id: 'nope' })).status, 400);
    assert.equal((await postJson(`${url}/__mock/status`, { provider: 'sumsub', id: 'x', status: 'y' })).status, 400);
  });
});
