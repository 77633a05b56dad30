// Every endpoint of every mock provider, with plain fetch.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMockServer, generateData } from './server.mjs';
import { REQUIRED_STATUSES, UNKNOWN_STATUSES, truth } from './data.mjs';
import { DD_AUTH, EQ_AUTH, MP, basic, control, getJson, mangopayToken, mpHeaders, postJson, sleep } from './helpers.mjs';

let srv;
let url;
let people;
let token;

before(async () => {
  srv = await startMockServer({ seed: 1, sessions: 500 });
  url = srv.url;
  people = await control(url, 'people');
  token = await mangopayToken(url);
});

after(() => srv.close());

// ---------------------------------------------------------------------------------------------
describe('control endpoints and CORS', () => {
  test('health reports the data set and configuration', async () => {
    const h = await control(url, 'health');
    assert.equal(h.ok, true);
    assert.deepEqual(h.sessions, { mangopay: 500, equals: 500, didit: 500, onfido: 500, stripe: 500 });
    assert.equal(h.referenceDate, '2026-11-01T00:00:00Z');
    assert.equal(h.credentials.mangopay.clientId, 'mock-client');
  });

  test('people mapping links a person across providers', async () => {
    const p1 = people[0];
    assert.equal(p1.index, 1);
    assert.match(p1.mangopayUserId, /^user_m_[0-9A-Z]{26}$/);
    assert.equal(p1.diditVendorData, 'user-1');
    assert.match(p1.equalsAssociatedPersonId, /^[0-9a-f-]{36}$/);
    assert.ok(p1.equalsApplicationIds.length >= 2);
    assert.ok(p1.counts.mangopay >= 10 && p1.counts.equals >= 3 && p1.counts.didit >= 5, JSON.stringify(p1.counts));
    const all = await control(url, 'sessions');
    assert.equal(all.mangopay.sessions.filter((s) => s.userRef === p1.mangopayUserId).length, p1.counts.mangopay);
    assert.equal(all.didit.sessions.filter((s) => s.userRef === 'user-1').length, p1.counts.didit);
    assert.equal(all.equals.sessions.filter((s) => s.userRef === p1.equalsAssociatedPersonId).length, p1.counts.equals);
  });

  test('preflight and CORS headers on every response', async () => {
    const pre = await fetch(`${url}/v3/sessions/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-api-key,idempotency-key',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    const allowHeaders = pre.headers.get('access-control-allow-headers');
    for (const h of ['authorization', 'x-api-key', 'content-type', 'idempotency-key']) assert.ok(allowHeaders.includes(h), h);
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/);

    for (const r of [
      await fetch(`${url}/v2/applications/identity-verification-sessions`), // 401
      await fetch(`${url}/v3/sessions/`, { headers: DD_AUTH }),
      await fetch(`${url}/__mock/health`),
    ]) {
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const expose = r.headers.get('access-control-expose-headers');
      for (const h of ['x-number-of-pages', 'x-number-of-items', 'link', 'x-ratelimit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after']) {
        assert.ok(expose.includes(h), h);
      }
      await r.arrayBuffer();
    }
  });

  test('unknown paths and bad control input', async () => {
    assert.equal((await getJson(`${url}/nothing/here`)).status, 404);
    assert.equal((await getJson(`${url}/__mock/nope`)).status, 404);
    assert.equal((await postJson(`${url}/__mock/insert`, { provider: 'sumsub', count: 1 })).status, 400);
    assert.equal((await postJson(`${url}/__mock/faults`, { 418: 1 })).status, 400);
    assert.equal((await postJson(`${url}/__mock/faults`, '{not json')).status, 400);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Mangopay', () => {
  const base = () => `${url}/v2.01/${MP.clientId}`;

  test('OAuth token: documented shape; bad basic credentials and bad grant refused', async () => {
    const ok = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(MP.clientId, MP.apiKey), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(ok.status, 200);
    const tok = await ok.json();
    assert.deepEqual(Object.keys(tok).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(tok.token_type, 'bearer');
    assert.equal(tok.expires_in, 1200);

    for (const auth of [basic(MP.clientId, 'wrong-key'), basic('other-client', MP.apiKey), 'Basic !!!', undefined]) {
      const r = await postJson(`${url}/v2.01/oauth/token`, 'grant_type=client_credentials', auth ? { authorization: auth } : {});
      assert.equal(r.status, 401, String(auth));
      assert.equal(r.body.Type, 'invalid_credentials');
      assert.equal(r.body.Message, 'The authorization credentials are not valid');
      assert.equal(typeof r.body.Date, 'number');
    }
    const noGrant = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(MP.clientId, MP.apiKey), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    assert.equal(noGrant.status, 400);
    assert.equal((await noGrant.json()).error, 'unsupported_grant_type');
  });

  test('bearer token required; scheme case-insensitive; wrong ClientId in path is 401', async () => {
    const user = people[0].mangopayUserId;
    const path = `${base()}/users/${user}/identity-verifications`;
    assert.equal((await getJson(path)).status, 401);
    const bogus = await getJson(path, { authorization: 'Bearer not-a-token' });
    assert.equal(bogus.status, 401);
    assert.equal(bogus.body.Type, 'invalid_credentials');
    assert.equal((await getJson(path, { authorization: `bearer ${token}` })).status, 200);
    assert.equal((await getJson(path, { authorization: `BEARER ${token}` })).status, 200);
    const wrongClient = await getJson(`${url}/v2.01/someone-else/users/${user}/identity-verifications`, mpHeaders(token));
    assert.equal(wrongClient.status, 401);
    assert.equal(wrongClient.body.Type, 'invalid_credentials');
  });

  test('tokens really expire', async () => {
    const short = await startMockServer({ sessions: 20, tokenTtlSeconds: 1 });
    try {
      const res = await fetch(`${short.url}/v2.01/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(MP.clientId, MP.apiKey), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const tok = await res.json();
      assert.equal(tok.expires_in, 1);
      const path = `${short.url}/v2.01/${MP.clientId}/identity-verifications/idnver_x`;
      assert.equal((await getJson(path, mpHeaders(tok.access_token))).status, 404); // valid token, unknown id
      await sleep(1150);
      const expired = await getJson(path, mpHeaders(tok.access_token));
      assert.equal(expired.status, 401);
      assert.deepEqual(Object.keys(expired.body).sort(), ['Date', 'Message', 'Type']);
      assert.equal(expired.body.Type, 'invalid_credentials');
    } finally {
      await short.close();
    }
  });

  test('list: bare array oldest first, page/per_page, headers, link rels, edges', async () => {
    const user = people[0].mangopayUserId;
    const truthRows = (await control(url, 'sessions?provider=mangopay')).sessions.filter((s) => s.userRef === user);
    const n = truthRows.length;
    assert.ok(n >= 11);
    const path = `${base()}/users/${user}/identity-verifications`;

    const def = await getJson(path, mpHeaders(token));
    assert.equal(def.status, 200);
    assert.ok(Array.isArray(def.body));
    assert.equal(def.body.length, 10); // default per_page
    assert.deepEqual(Object.keys(def.body[0]), ['Id', 'Status', 'CreationDate', 'LastUpdate']);
    assert.equal(def.res.headers.get('x-number-of-items'), String(n));

    const all = await getJson(`${path}?per_page=100`, mpHeaders(token));
    assert.deepEqual(all.body.map((s) => s.Id), truthRows.map((s) => s.id));
    for (let i = 1; i < all.body.length; i++) assert.ok(all.body[i - 1].CreationDate <= all.body[i].CreationDate);

    const pages = Math.ceil(n / 4);
    const first = await getJson(`${path}?page=1&per_page=4`, mpHeaders(token));
    assert.equal(first.res.headers.get('x-number-of-pages'), String(pages));
    const rels = (r) => [...r.res.headers.get('link').matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [m[2], m[1]]);
    assert.deepEqual(rels(first).map(([rel]) => rel), ['first', 'next', 'last']);
    assert.deepEqual(Object.fromEntries(rels(first)).next, `${path}?page=2&per_page=4`);
    assert.deepEqual(Object.fromEntries(rels(first)).last, `${path}?page=${pages}&per_page=4`);

    const last = await getJson(`${path}?page=${pages}&per_page=4`, mpHeaders(token));
    assert.equal(last.body.length, n - (pages - 1) * 4);
    assert.deepEqual(rels(last).map(([rel]) => rel), ['first', 'prev', 'last']);
    assert.deepEqual(last.body.map((s) => s.Id), truthRows.slice((pages - 1) * 4).map((s) => s.id));

    const past = await getJson(`${path}?page=${pages + 1}&per_page=4`, mpHeaders(token));
    assert.equal(past.status, 200);
    assert.deepEqual(past.body, []);
    assert.equal(past.res.headers.get('x-number-of-items'), String(n));

    const tooBig = await getJson(`${path}?per_page=101`, mpHeaders(token));
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.body.Type, 'param_error');
    assert.ok(tooBig.body.errors.per_page);
    assert.equal((await getJson(`${path}?page=0`, mpHeaders(token))).status, 400);
    assert.equal((await getJson(`${path}?per_page=abc`, mpHeaders(token))).status, 400);

    const unknown = await getJson(`${base()}/users/user_m_UNKNOWN/identity-verifications`, mpHeaders(token));
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body, []);
    assert.equal(unknown.res.headers.get('x-number-of-items'), '0');
  });

  test('LastUpdate is null on some PENDING sessions', () => {
    const pendingNull = srv.data.mangopay.sessions.filter((s) => s.LastUpdate === null);
    assert.ok(pendingNull.length > 0);
    assert.ok(pendingNull.every((s) => s.Status === 'PENDING'));
  });

  test('view: full object with Checks consistent with Status; 404 body as documented', async () => {
    const all = (await control(url, 'sessions?provider=mangopay')).sessions;
    const byStatus = (st) => all.find((s) => s.status === st);
    const view = async (id) => (await getJson(`${base()}/identity-verifications/${id}`, mpHeaders(token))).body;

    const validated = await view(byStatus('VALIDATED').id);
    assert.deepEqual(Object.keys(validated), ['Id', 'Tag', 'HostedUrl', 'ReturnUrl', 'Status', 'UserId', 'CreationDate', 'LastUpdate', 'Checks']);
    assert.equal(validated.Status, 'VALIDATED');
    assert.ok(validated.HostedUrl.startsWith(`${url}/hosted/`));
    const doc = validated.Checks.find((c) => c.Type === 'IDENTITY_DOCUMENT_VERIFICATION');
    assert.equal(doc.CheckStatus, 'VALIDATED');
    assert.match(doc.CheckId, /^idnchc_/);
    assert.deepEqual(Object.keys(doc), ['CheckId', 'Type', 'CheckStatus', 'Reasons', 'CreationDate', 'LastUpdate', 'Data']);
    const checkTypes = [
      'IDENTITY_DOCUMENT_VERIFICATION', 'IDV_AGE_CHECK', 'IDV_NAME_MATCH_CHECK', 'BUSINESS_VERIFICATION', 'BUSINESS_NAME_MATCH',
    ];
    assert.ok(validated.Checks.every((c) => checkTypes.includes(c.Type)));

    const refused = await view(byStatus('REFUSED').id);
    const bad = refused.Checks.find((c) => c.CheckStatus === 'REFUSED');
    assert.ok(bad, 'a refused session has a refused check');
    assert.ok(bad.Reasons.length > 0 || refused.Checks.some((c) => c.Reasons.length > 0));
    const reasonTypes = refused.Checks.flatMap((c) => c.Reasons.map((r) => r.Type));
    const documented = [
      'DOCUMENT_NOT_ACCEPTED', 'FACE_MATCH_FAIL', 'DOCUMENT_FALSIFIED', 'DOCUMENT_UNREADABLE', 'DOCUMENT_HAS_EXPIRED',
      'DOCUMENT_TYPE_NOT_SUPPORTED', 'DOCUMENT_INCOMPLETE', 'BUSINESS_INSIGHTS_MATCH_FAILED', 'BUSINESS_NAME_MATCH_FAILED',
    ];
    assert.ok(reasonTypes.length > 0 && reasonTypes.every((t) => documented.includes(t)), reasonTypes.join());

    const review = await view(byStatus('REVIEW').id);
    assert.ok(review.Checks.some((c) => c.Type === 'BUSINESS_VERIFICATION'));

    const pending = await view(byStatus('PENDING').id);
    assert.deepEqual(pending.Checks, []);

    const all4 = await Promise.all(['VALIDATED', 'REFUSED', 'REVIEW', 'OUT_OF_DATE'].map((s) => view(byStatus(s).id)));
    assert.ok(all4.flatMap((v) => v.Checks.map((c) => c.Type)).includes('IDV_AGE_CHECK'));

    const missing = await getJson(`${base()}/identity-verifications/idnver_NOPE`, mpHeaders(token));
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.body), ['Message', 'Type', 'Id', 'Date', 'errors']);
    assert.equal(missing.body.Type, 'ressource_not_found');
    assert.equal(missing.body.Message, 'The ressource does not exist');
    assert.match(missing.body.errors.RessourceNotFound, /idnver_NOPE/);
  });

  test('create: documented response, validation, unknown user, visible in list and view', async () => {
    const user = people[1].mangopayUserId;
    const path = `${base()}/users/${user}/identity-verifications`;
    const countBefore = (await getJson(path, mpHeaders(token))).res.headers.get('x-number-of-items');

    const created = await postJson(path, { ReturnUrl: 'https://example.com/r?a=1&b=2', Tag: 'endpoint-test' }, mpHeaders(token));
    assert.equal(created.status, 200);
    assert.deepEqual(Object.keys(created.body), ['Id', 'Tag', 'CreationDate', 'HostedUrl', 'Status', 'ReturnUrl']);
    assert.equal(created.body.Status, 'PENDING');
    const hosted = new URL(created.body.HostedUrl);
    assert.equal(hosted.pathname, `/hosted/${created.body.Id}`);
    assert.equal(hosted.searchParams.get('redirectURL'), 'https://example.com/r?a=1&b=2');
    assert.ok(hosted.searchParams.get('sessionId'));

    const list = await getJson(`${path}?per_page=100`, mpHeaders(token));
    assert.equal(list.res.headers.get('x-number-of-items'), String(Number(countBefore) + 1));
    assert.equal(list.body.at(-1).Id, created.body.Id, 'newest is last (oldest first order)');
    const view = await getJson(`${base()}/identity-verifications/${created.body.Id}`, mpHeaders(token));
    assert.equal(view.body.UserId, user);
    assert.equal(view.body.Tag, 'endpoint-test');

    const noTag = await postJson(path, { ReturnUrl: 'https://example.com/' }, mpHeaders(token));
    assert.equal(noTag.status, 200);
    assert.equal(noTag.body.Tag, null);

    const missing = await postJson(path, { Tag: 'x' }, mpHeaders(token));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.Type, 'param_error');
    assert.equal(typeof missing.body.errors.ReturnUrl, 'string');
    const long = await postJson(path, { ReturnUrl: `https://example.com/${'a'.repeat(490)}` }, mpHeaders(token));
    assert.equal(long.status, 400);
    assert.ok(long.body.errors.ReturnUrl);
    const longTag = await postJson(path, { ReturnUrl: 'https://example.com/', Tag: 't'.repeat(256) }, mpHeaders(token));
    assert.equal(longTag.status, 400);
    assert.ok(longTag.body.errors.Tag);

    const ghost = await postJson(`${base()}/users/user_m_GHOST/identity-verifications`, { ReturnUrl: 'https://example.com/' }, mpHeaders(token));
    assert.equal(ghost.status, 404);
    assert.equal(ghost.body.Type, 'ressource_not_found');
  });

  test('create: every reuse of an Idempotency-Key is the documented 409; /responses/{key} has the first answer', async () => {
    const user = people[0].mangopayUserId;
    const path = `${base()}/users/${user}/identity-verifications`;
    const headers = { ...mpHeaders(token), 'Idempotency-Key': 'endpoint-idem-key-000001' };
    const count = async () => (await control(url, 'sessions?provider=mangopay')).count;
    const c0 = await count();
    const a = await postJson(path, { ReturnUrl: 'https://example.com/i', Tag: 't' }, headers);
    assert.equal(a.status, 200);
    // the same request again, and another one: both blocked
    for (const body of ['{"Tag":"t","ReturnUrl":"https://example.com/i"}', { ReturnUrl: 'https://example.com/different' }]) {
      const again = await postJson(path, body, headers);
      assert.equal(again.status, 409);
      assert.equal(again.body.Type, 'idempotent_creation_conflict');
      assert.equal(again.body.Message, 'A resource has already been created with this Idempotency Key');
      assert.equal(again.body.errors, null);
    }
    assert.equal(await count(), c0 + 1);
    const stored = await getJson(`${base()}/responses/endpoint-idem-key-000001`, mpHeaders(token));
    assert.equal(stored.status, 200);
    assert.equal(stored.body.StatusCode, '200');
    assert.deepEqual(stored.body.Resource, a.body);
  });

  test('x-ratelimit headers: four windows with the documented limits', async () => {
    const r = await getJson(`${base()}/identity-verifications/idnver_x`, mpHeaders(token));
    const made = r.res.headers.get('x-ratelimit').split(',').map(Number);
    const remaining = r.res.headers.get('x-ratelimit-remaining').split(',').map(Number);
    const reset = r.res.headers.get('x-ratelimit-reset').split(',').map(Number);
    assert.equal(made.length, 4);
    assert.deepEqual(made.map((m, i) => m + remaining[i]), [2300, 4500, 8800, 105600]);
    const now = Date.now() / 1000;
    [15, 30, 60, 1440].forEach((minutes, i) => {
      assert.ok(reset[i] > now - 1 && reset[i] <= now + minutes * 60, `window ${i}`);
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('Equals', () => {
  const path = () => `${url}/v2/applications/identity-verification-sessions`;

  test('auth: missing 401, wrong 403', async () => {
    const missing = await getJson(path());
    assert.equal(missing.status, 401);
    assert.equal(typeof missing.body.message, 'string');
    assert.equal((await getJson(path(), { authorization: 'ApiKey wrong' })).status, 403);
    assert.equal((await getJson(path(), { authorization: 'mock-equals-api-key' })).status, 403);
    assert.equal((await getJson(path(), { authorization: 'Bearer mock-equals-api-key' })).status, 403);
    assert.equal((await getJson(path(), EQ_AUTH)).status, 200);
  });

  test('defaults, order, row shape, result only on completed', async () => {
    const r = await getJson(path(), EQ_AUTH);
    assert.equal(r.body.limit, 100);
    assert.equal(r.body.offset, 0);
    assert.equal(r.body.count, 500);
    assert.equal(r.body.rows.length, 100);
    const all = (await getJson(`${path()}?limit=1000`, EQ_AUTH)).body.rows;
    assert.equal(all.length, 500);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].createdAt >= all[i].createdAt, 'newest first');
    for (const row of all) {
      assert.match(row.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(row.actionUrl.startsWith(`${url}/hosted/`));
      if ('result' in row) assert.equal(row.status, 'completed');
      assert.ok(!Object.values(row).includes(null), 'absent, never null');
    }
    assert.ok(all.some((row) => row.status === 'completed' && !('result' in row)), 'completed rows without result');
    assert.ok(all.some((row) => !('associatedPersonId' in row)), 'rows of personal applications');
    const keys = all.map((row) => `equals:${row.id}:${row.applicationId}`);
    assert.equal(new Set(keys).size, 500);
    const truthKeys = (await control(url, 'sessions?provider=equals')).sessions.map((s) => s.key);
    assert.deepEqual(keys, truthKeys);
  });

  test('one session id appears once per application', async () => {
    const all = (await getJson(`${path()}?limit=1000`, EQ_AUTH)).body.rows;
    const apps = new Map();
    for (const row of all) apps.set(row.id, [...(apps.get(row.id) ?? []), row.applicationId]);
    const shared = [...apps.entries()].filter(([, a]) => a.length > 1);
    assert.ok(shared.length >= 2, `shared ids: ${shared.length}`);
    for (const [, a] of shared) assert.equal(new Set(a).size, a.length);
  });

  test('pagination edges and parameter validation', async () => {
    const a = await getJson(`${path()}?limit=7&offset=495`, EQ_AUTH);
    assert.equal(a.body.rows.length, 5);
    assert.equal(a.body.count, 500);
    const past = await getJson(`${path()}?offset=900`, EQ_AUTH);
    assert.equal(past.status, 200);
    assert.deepEqual(past.body.rows, []);
    assert.equal(past.body.count, 500);
    for (const q of ['limit=1001', 'limit=0', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x', 'applicationId=not-a-uuid']) {
      const r = await getJson(`${path()}?${q}`, EQ_AUTH);
      assert.equal(r.status, 400, q);
      assert.equal(typeof r.body.message, 'string');
    }
    assert.equal((await getJson(`${path()}?limit=1000`, EQ_AUTH)).status, 200);
    assert.equal((await getJson(`${path()}?limit=1`, EQ_AUTH)).body.rows.length, 1);
  });

  test('filters: associatedPersonId and applicationId', async () => {
    const p1 = people[0];
    const byPerson = await getJson(`${path()}?associatedPersonId=${p1.equalsAssociatedPersonId}`, EQ_AUTH);
    assert.equal(byPerson.body.count, p1.counts.equals);
    assert.ok(byPerson.body.rows.every((r) => r.associatedPersonId === p1.equalsAssociatedPersonId));
    const ids = byPerson.body.rows.map((r) => r.id);
    assert.ok(ids.length > new Set(ids).size, 'person 1 has a session shared by two applications');

    const app = p1.equalsApplicationIds[1];
    const byApp = await getJson(`${path()}?applicationId=${app}`, EQ_AUTH);
    assert.ok(byApp.body.count >= 1);
    assert.ok(byApp.body.rows.every((r) => r.applicationId === app));
    const both = await getJson(`${path()}?applicationId=${app}&associatedPersonId=${p1.equalsAssociatedPersonId}`, EQ_AUTH);
    assert.equal(both.body.count, byApp.body.count);
    const none = await getJson(`${path()}?associatedPersonId=00000000-0000-4000-8000-000000000000`, EQ_AUTH);
    assert.deepEqual([none.body.count, none.body.rows], [0, []]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Didit', () => {
  const list = (q = '') => `${url}/v3/sessions/${q}`;

  test('auth: missing 403, wrong 401, DRF detail bodies', async () => {
    const missing = await getJson(list());
    assert.equal(missing.status, 403);
    assert.equal(typeof missing.body.detail, 'string');
    const wrong = await getJson(list(), { 'x-api-key': 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(typeof wrong.body.detail, 'string');
  });

  test('no trailing slash: 301 to the slashed path, query preserved', async () => {
    const r = await fetch(`${url}/v3/sessions?status=In%20Review&limit=5`, { headers: DD_AUTH, redirect: 'manual' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), `${url}/v3/sessions/?status=In%20Review&limit=5`);
    const followed = await getJson(`${url}/v3/sessions?limit=5`, DD_AUTH);
    assert.equal(followed.status, 200);
    assert.equal(followed.body.results.length, 5);
  });

  test('list: default limit 50, clamp at 100, newest first, row shape', async () => {
    const r = await getJson(list(), DD_AUTH);
    assert.equal(r.body.count, 500);
    assert.equal(r.body.results.length, 50);
    assert.equal(r.body.previous, null);
    assert.equal(r.body.next, `${url}/v3/sessions/?limit=50&offset=50`);
    const row = r.body.results[0];
    assert.deepEqual(Object.keys(row), [
      'session_id', 'session_kind', 'session_number', 'session_url', 'portrait_image', 'document_type', 'full_name',
      'country', 'status', 'vendor_data', 'didit_internal_id', 'created_at', 'features', 'workflow_label', 'workflow_id',
    ]);
    assert.equal(row.session_kind, 'user');
    assert.match(row.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    for (let i = 1; i < r.body.results.length; i++) assert.ok(r.body.results[i - 1].session_number > r.body.results[i].session_number);

    const clamped = await getJson(list('?limit=500'), DD_AUTH);
    assert.equal(clamped.body.results.length, 100);
    assert.equal(new URL(clamped.body.next).searchParams.get('limit'), '100');
    assert.equal((await getJson(list('?limit=0'), DD_AUTH)).body.results.length, 50);
    assert.equal((await getJson(list('?limit=junk'), DD_AUTH)).body.results.length, 50);
  });

  test('next/previous chain visits every session exactly once', async () => {
    const seen = [];
    let next = list('?limit=64');
    let pages = 0;
    let prevPage = null;
    while (next) {
      const r = await getJson(next, DD_AUTH);
      assert.equal(r.status, 200);
      if (prevPage !== null) {
        // DRF: the link back to the first page drops `offset`
        const expected = prevPage === 0 ? '?limit=64' : `?limit=64&offset=${prevPage * 64}`;
        assert.equal(new URL(r.body.previous).search, expected);
      } else {
        assert.equal(r.body.previous, null);
      }
      seen.push(...r.body.results.map((s) => s.session_id));
      next = r.body.next;
      prevPage = pages;
      pages++;
    }
    assert.equal(pages, Math.ceil(500 / 64));
    assert.equal(seen.length, 500);
    assert.equal(new Set(seen).size, 500);
    const truthIds = (await control(url, 'sessions?provider=didit')).sessions.map((s) => s.id);
    assert.deepEqual(seen, truthIds);

    const last = await getJson(list('?limit=64&offset=448'), DD_AUTH);
    assert.equal(last.body.results.length, 500 - 448);
    assert.equal(last.body.next, null);
    const past = await getJson(list('?offset=5000'), DD_AUTH);
    assert.deepEqual(past.body.results, []);
    assert.equal(past.body.next, null);
  });

  test('filters: status (comma-separated), vendor_data, country, workflow, dates; kept in next', async () => {
    const truthRows = (await control(url, 'sessions?provider=didit')).sessions;
    const r = await getJson(list('?status=Approved,In%20Review&limit=10'), DD_AUTH);
    const expected = truthRows.filter((s) => s.status === 'Approved' || s.status === 'In Review');
    assert.equal(r.body.count, expected.length);
    assert.ok(r.body.results.every((s) => s.status === 'Approved' || s.status === 'In Review'));
    const next = new URL(r.body.next);
    assert.equal(next.searchParams.get('status'), 'Approved,In Review');
    assert.equal(next.searchParams.get('offset'), '10');
    const page2 = await getJson(r.body.next, DD_AUTH);
    assert.deepEqual(page2.body.results.map((s) => s.session_id), expected.slice(10, 20).map((s) => s.id));

    const v = await getJson(list('?vendor_data=user-1&limit=100'), DD_AUTH);
    assert.equal(v.body.count, truthRows.filter((s) => s.userRef === 'user-1').length);
    assert.ok(v.body.count >= 5);
    assert.ok(v.body.results.every((s) => s.vendor_data === 'user-1'));

    const country = v.body.results.find((s) => s.country)?.country;
    const c = await getJson(list(`?country=${country}&limit=100`), DD_AUTH);
    assert.ok(c.body.count > 0 && c.body.results.every((s) => s.country === country));

    const wf = 'c5d81a4e-2f7b-4e93-a6c0-1b8e5d3f9a72';
    const w = await getJson(list(`?workflow_id=${wf}&limit=100`), DD_AUTH);
    assert.ok(w.body.count > 0 && w.body.results.every((s) => s.workflow_id === wf));

    const d = await getJson(list('?date_from=2026-01-01&date_to=2026-01-31&limit=100'), DD_AUTH);
    assert.equal(d.body.count, truthRows.filter((s) => s.createdAt >= '2026-01-01' && s.createdAt < '2026-02-01').length);
    assert.ok(d.body.count > 0);
    assert.equal((await getJson(list('?date_from=yesterday'), DD_AUTH)).status, 400);
    assert.deepEqual((await getJson(list('?date_to=2026-02-30'), DD_AUTH)).body, { date_to: ['Enter a valid date.'] });
  });

  test('features: arrays of {feature,status}, a few legacy strings', async () => {
    const truthRows = (await control(url, 'sessions?provider=didit')).sessions;
    const legacy = truthRows.filter((s) => s.legacyFeatures);
    assert.ok(legacy.length >= 2);
    const all = [];
    for (let offset = 0; offset < 500; offset += 100) all.push(...(await getJson(list(`?limit=100&offset=${offset}`), DD_AUTH)).body.results);
    const legacyRows = all.filter((s) => typeof s.features === 'string');
    assert.equal(legacyRows.length, legacy.length);
    assert.equal(legacyRows[0].features, 'OCR + FACE');
    assert.ok(all.filter((s) => Array.isArray(s.features)).every((s) => s.features.every((f) => typeof f.feature === 'string' && typeof f.status === 'string')));
    assert.ok(all.some((s) => s.vendor_data === null), 'some sessions without vendor_data');
  });

  test('decision: blocks consistent with status; 404 for unknown', async () => {
    const truthRows = (await control(url, 'sessions?provider=didit')).sessions;
    const decision = async (id) => (await getJson(`${url}/v3/session/${id}/decision/`, DD_AUTH)).body;
    const blocks = [
      'id_verifications', 'liveness_checks', 'face_matches', 'aml_screenings', 'ip_analyses', 'poa_verifications',
      'nfc_verifications', 'phone_verifications', 'email_verifications', 'database_validations',
    ];

    const approved = await decision(truthRows.find((s) => s.status === 'Approved' && !s.legacyFeatures).id);
    const top = ['session_id', 'session_kind', 'session_number', 'session_url', 'status', 'workflow_id', 'features'];
    for (const k of [...top, 'vendor_data', 'metadata', 'callback', 'created_at', ...blocks]) {
      assert.ok(k in approved, k);
    }
    assert.ok(Array.isArray(approved.features) && approved.features.every((f) => typeof f === 'string'));
    assert.ok(approved.id_verifications === null || approved.id_verifications[0].status === 'Approved');
    const ran = blocks.filter((k) => approved[k] !== null);
    assert.ok(ran.length >= 1);
    for (const k of ran) {
      for (const item of approved[k]) {
        assert.equal(item.status, 'Approved');
        assert.match(item.node_id, /^feature_/);
        assert.ok(Array.isArray(item.warnings));
      }
    }

    const notStarted = await decision(truthRows.find((s) => s.status === 'Not Started').id);
    assert.ok(blocks.every((k) => notStarted[k] === null));

    const declined = await decision(truthRows.find((s) => s.status === 'Declined' && !s.legacyFeatures).id);
    const declinedItems = blocks.flatMap((k) => declined[k] ?? []).filter((i) => i.status === 'Declined');
    assert.ok(declinedItems.length >= 1);
    const w = declinedItems[0].warnings[0];
    assert.deepEqual(Object.keys(w).sort(), ['additional_data', 'log_type', 'long_description', 'risk', 'short_description']);

    const withId = truthRows.filter((s) => s.status === 'Approved' && !s.legacyFeatures);
    let idv = null;
    for (const s of withId) {
      const d = await decision(s.id);
      if (d.id_verifications) {
        idv = d.id_verifications[0];
        break;
      }
    }
    for (const k of ['document_type', 'first_name', 'last_name', 'full_name', 'issuing_state']) assert.ok(idv[k], k);

    const missing = await getJson(`${url}/v3/session/00000000-0000-4000-8000-000000000000/decision/`, DD_AUTH);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { detail: 'Not found.' });
  });

  test('create: 201 shape; missing workflow_id 400; appears in list and decision', async () => {
    const bad = await postJson(`${url}/v3/session/`, { vendor_data: 'user-9' }, DD_AUTH);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { workflow_id: ['This field is required.'] });

    const wf = 'a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35';
    const r = await postJson(`${url}/v3/session/`, { workflow_id: wf, vendor_data: 'user-1', callback: 'https://example.com/cb', metadata: { a: 1 } }, DD_AUTH);
    assert.equal(r.status, 201);
    assert.deepEqual(Object.keys(r.body), [
      'session_id', 'session_number', 'session_token', 'url', 'status', 'workflow_id', 'vendor_data', 'callback', 'metadata',
    ]);
    assert.equal(r.body.status, 'Not Started');
    assert.equal(r.body.workflow_id, wf);
    assert.deepEqual(r.body.metadata, { a: 1 });

    const top = await getJson(list('?vendor_data=user-1&limit=1'), DD_AUTH);
    assert.equal(top.body.results[0].session_id, r.body.session_id);
    assert.equal(top.body.results[0].session_url, r.body.url);
    assert.ok(top.body.results[0].features.every((f) => f.status === 'Not Finished'));
    const d = await getJson(`${url}/v3/session/${r.body.session_id}/decision/`, DD_AUTH);
    assert.equal(d.body.status, 'Not Started');
    assert.equal(d.body.callback, 'https://example.com/cb');
    assert.equal(d.body.session_number, r.body.session_number);
  });
});

// ---------------------------------------------------------------------------------------------
describe('data set', () => {
  test('every SPEC status is present even with --sessions 20', async () => {
    const small = await startMockServer({ seed: 1, sessions: 20 });
    try {
      const t = await control(small.url, 'sessions');
      const mp = new Set(t.mangopay.sessions.map((s) => s.status));
      const eq = new Set(t.equals.sessions.map((s) => (s.result ? `${s.status}+${s.result}` : s.status)));
      const dd = new Set(t.didit.sessions.map((s) => s.status));
      for (const s of REQUIRED_STATUSES.mangopay) assert.ok(mp.has(s), `mangopay ${s}`);
      for (const s of REQUIRED_STATUSES.equals) assert.ok(eq.has(s), `equals ${s}`);
      for (const s of REQUIRED_STATUSES.didit) assert.ok(dd.has(s), `didit ${s}`);
      for (const s of ['PENDING', 'REVIEW', 'VALIDATED', 'REFUSED', 'OUT_OF_DATE', 'OUTDATED', 'EXPIRED', 'TIMEOUT', 'ERROR']) assert.ok(mp.has(s), s);
      const diditSpec = [
        'Not Started', 'In Progress', 'Awaiting User', 'In Review', 'Approved', 'Declined', 'Resubmitted', 'Expired',
        'Abandoned', 'Kyc Expired',
      ];
      for (const s of diditSpec) assert.ok(dd.has(s), s);
      assert.ok(mp.has(UNKNOWN_STATUSES.mangopay[0]) && eq.has(UNKNOWN_STATUSES.equals[0]) && dd.has(UNKNOWN_STATUSES.didit[0]));
      assert.equal(t.mangopay.count, 20);
      assert.equal(t.equals.count, 20);
      assert.equal(t.didit.count, 20);
      const keys = [...t.equals.sessions.map((s) => s.key)];
      assert.equal(new Set(keys).size, keys.length);
      assert.ok(new Set(t.equals.sessions.map((s) => s.id)).size < keys.length, 'a shared Equals id even when small');
    } finally {
      await small.close();
    }
  });

  test('timestamps lie in the two years before 2026-11-01', () => {
    const d = generateData({ seed: 5, sessions: 300 });
    const lo = '2024-11-01';
    const hi = '2026-11-01T00:00:00';
    for (const p of ['mangopay', 'equals', 'didit']) {
      for (const s of truth(d, p)) assert.ok(s.createdAt >= lo && s.createdAt < hi, `${p} ${s.createdAt}`);
    }
  });

  test('determinism: same seed identical, other seed different', async () => {
    const a = generateData({ seed: 42, sessions: 200 });
    const b = generateData({ seed: 42, sessions: 200 });
    const c = generateData({ seed: 43, sessions: 200 });
    const snap = (d) => JSON.stringify({ people: d.people, mp: truth(d, 'mangopay'), eq: truth(d, 'equals'), dd: truth(d, 'didit') });
    assert.equal(snap(a), snap(b));
    assert.notEqual(snap(a), snap(c));

    // over HTTP too, including derived details (Checks, decisions)
    const s1 = await startMockServer({ seed: 7, sessions: 60 });
    const s2 = await startMockServer({ seed: 7, sessions: 60 });
    try {
      const t1 = await control(s1.url, 'sessions');
      const t2 = await control(s2.url, 'sessions');
      assert.deepEqual(t1, t2);
      const strip = (text, origin) => text.split(origin).join('ORIGIN');
      const id = t1.didit.sessions.find((s) => s.status === 'Declined').id;
      const d1 = await getJson(`${s1.url}/v3/session/${id}/decision/`, DD_AUTH);
      const d2 = await getJson(`${s2.url}/v3/session/${id}/decision/`, DD_AUTH);
      assert.equal(strip(d1.text, s1.url), strip(d2.text, s2.url));
      const mpId = t1.mangopay.sessions.find((s) => s.status === 'REFUSED').id;
      const v1 = await getJson(`${s1.url}/v2.01/${MP.clientId}/identity-verifications/${mpId}`, mpHeaders(await mangopayToken(s1.url)));
      const v2 = await getJson(`${s2.url}/v2.01/${MP.clientId}/identity-verifications/${mpId}`, mpHeaders(await mangopayToken(s2.url)));
      assert.equal(strip(v1.text, s1.url), strip(v2.text, s2.url));
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
  });

  test('20k sessions per provider can be generated', () => {
    // How fast is for bench/, not for a test: no timing assertion here.
    const d = generateData({ seed: 3, sessions: 20000 });
    assert.equal(d.didit.sessions.length, 20000);
    assert.equal(d.equals.rows.length, 20000);
    assert.equal(d.mangopay.sessions.length, 20000);
  });
});

// ---------------------------------------------------------------------------------------------
describe('inserts and reset', () => {
  test('/__mock/insert adds newest sessions that shift offsets; reset restores', async () => {
    const eqPath = `${url}/v2/applications/identity-verification-sessions`;
    await control(url, 'reset', {}); // earlier tests created sessions
    const before = await control(url, 'sessions');
    assert.deepEqual(before.didit.sessions, truth(generateData({ seed: 1, sessions: 500 }), 'didit'));
    const eq0 = (await getJson(`${eqPath}?limit=10`, EQ_AUTH)).body;
    const dd0 = (await getJson(`${url}/v3/sessions/?limit=10`, DD_AUTH)).body;

    const ins = await control(url, 'insert', { provider: 'equals', count: 3 });
    assert.equal(ins.inserted.length, 3);
    const eq1 = (await getJson(`${eqPath}?limit=10&offset=3`, EQ_AUTH)).body;
    assert.equal(eq1.count, eq0.count + 3);
    assert.deepEqual(eq1.rows, eq0.rows);
    const top = (await getJson(`${eqPath}?limit=3`, EQ_AUTH)).body.rows.map((r) => `equals:${r.id}:${r.applicationId}`);
    assert.deepEqual(top, ins.inserted.map((i) => i.key).reverse());

    await control(url, 'insert', { provider: 'didit', count: 2, userRef: 'user-2' });
    const dd1 = (await getJson(`${url}/v3/sessions/?limit=10&offset=2`, DD_AUTH)).body;
    assert.deepEqual(dd1.results.map((s) => s.session_id), dd0.results.map((s) => s.session_id));
    const newest = (await getJson(`${url}/v3/sessions/?limit=2`, DD_AUTH)).body.results;
    assert.ok(newest.every((s) => s.vendor_data === 'user-2'));
    assert.ok(newest[0].session_number > dd0.results[0].session_number);

    const user = people[3].mangopayUserId;
    const mpIns = await control(url, 'insert', { provider: 'mangopay', count: 1, userRef: user });
    const list = await getJson(`${url}/v2.01/${MP.clientId}/users/${user}/identity-verifications?per_page=100`, mpHeaders(token));
    assert.equal(list.body.at(-1).Id, mpIns.inserted[0].id);

    await control(url, 'reset', {});
    const after = await control(url, 'sessions');
    assert.deepEqual(after, before);
  });
});
