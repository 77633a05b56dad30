// Mangopay's events API (`GET /v2.01/{ClientId}/events`, webhooks.md 2): the seeded events, paging,
// filters, the 45-day rule, and the events of runtime status changes (with their webhooks).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { startMockServer } from './server.mjs';
import { MANGOPAY_IDV_EVENTS, REFERENCE_UNIX } from './data.mjs';
import { MP, control, getJson, mangopayToken, mpHeaders, postJson, sleep } from './helpers.mjs';

const DAY = 86400;
const TYPES = {
  VALIDATED: 'IDENTITY_VERIFICATION_VALIDATED',
  REFUSED: 'IDENTITY_VERIFICATION_FAILED',
  REVIEW: 'IDENTITY_VERIFICATION_INCONCLUSIVE',
  OUT_OF_DATE: 'IDENTITY_VERIFICATION_OUTDATED',
  EXPIRED: 'IDENTITY_VERIFICATION_EXPIRED',
};

/** The seeded events the docs imply, derived here independently of the mock's own code. */
function expectedSeeded(srv, oldest) {
  return srv.data.mangopay.sessions
    .filter((s) => TYPES[s.Status] && s.LastUpdate !== null && s.LastUpdate >= oldest)
    .map((s) => ({ ResourceId: s.Id, EventType: TYPES[s.Status], Date: s.LastUpdate }))
    .sort((a, b) => a.Date - b.Date || (a.ResourceId < b.ResourceId ? -1 : 1));
}

/** `<url>; rel="x"` entries of a link header, by rel. */
function links(header) {
  return Object.fromEntries(
    (header ?? '')
      .split(', ')
      .filter(Boolean)
      .map((part) => {
        const m = /^<([^>]+)>; rel="(\w+)"$/.exec(part);
        assert.ok(m, `bad link entry ${part}`);
        return [m[2], m[1]];
      }),
  );
}

async function allPages(url, headers) {
  const out = [];
  let next = url;
  let pages = 0;
  while (next) {
    const r = await getJson(next, headers);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body);
    next = links(r.res.headers.get('link')).next;
    if (++pages > 1000) throw new Error('too many pages');
  }
  return out;
}

describe('events API', () => {
  let srv;
  let h;
  let base;

  before(async () => {
    srv = await startMockServer({ seed: 1, sessions: 500 });
    h = mpHeaders(await mangopayToken(srv.url));
    base = `${srv.url}/v2.01/${MP.clientId}/events`;
  });
  after(() => srv.close());

  test('the seeded events of the last 45 days, oldest first, as a bare array; Bearer auth', async () => {
    const health = await control(srv.url, 'health');
    const { now, oldest, count } = health.mangopayEvents;
    assert.equal(now, REFERENCE_UNIX);
    assert.equal(oldest, REFERENCE_UNIX - 45 * DAY);
    assert.deepEqual(MANGOPAY_IDV_EVENTS, TYPES);

    const expected = expectedSeeded(srv, oldest);
    assert.ok(expected.length >= 20, `only ${expected.length} seeded events in the window`);
    assert.ok(count > expected.length, 'older seeded events exist but are out of the window');
    for (const type of [TYPES.VALIDATED, TYPES.REFUSED, TYPES.REVIEW]) assert.ok(expected.some((e) => e.EventType === type), type);

    const r = await getJson(`${base}?per_page=100`, h);
    assert.equal(r.status, 200);
    assert.match(r.res.headers.get('content-type'), /^application\/json/);
    assert.ok(Array.isArray(r.body));
    assert.deepEqual(r.body, expected);
    for (const e of r.body) assert.deepEqual(Object.keys(e), ['ResourceId', 'EventType', 'Date']);
    assert.equal(r.res.headers.get('x-number-of-items'), String(expected.length));
    assert.equal(r.res.headers.get('x-number-of-pages'), String(Math.ceil(expected.length / 100)));
    assert.ok(r.res.headers.get('x-ratelimit'), 'Mangopay rate-limit headers');

    // every event's session exists and has that status now
    for (const e of r.body) {
      const s = await getJson(`${srv.url}/v2.01/${MP.clientId}/identity-verifications/${e.ResourceId}`, h);
      assert.equal(TYPES[s.body.Status], e.EventType);
      assert.equal(s.body.LastUpdate, e.Date);
    }

    assert.equal((await getJson(base)).status, 401);
    assert.equal((await getJson(base, { authorization: 'Bearer nope' })).body.Type, 'invalid_credentials');
    assert.equal((await getJson(`${srv.url}/v2.01/other-client/events`, h)).status, 401);
    const post = await postJson(base, {}, h);
    assert.equal(post.status, 405);
  });

  test('paging: per_page, x-number-of-pages/items, link keeps the filters, past the end, limits', async () => {
    const { oldest } = (await control(srv.url, 'health')).mangopayEvents;
    const expected = expectedSeeded(srv, oldest);
    const pages = Math.ceil(expected.length / 7);
    const p2 = await getJson(`${base}?page=2&per_page=7`, h);
    assert.deepEqual(p2.body, expected.slice(7, 14));
    assert.equal(p2.res.headers.get('x-number-of-pages'), String(pages));
    assert.equal(p2.res.headers.get('x-number-of-items'), String(expected.length));
    const l = links(p2.res.headers.get('link'));
    assert.equal(l.first, `${base}?page=1&per_page=7`);
    assert.equal(l.prev, `${base}?page=1&per_page=7`);
    assert.equal(l.next, `${base}?page=3&per_page=7`);
    assert.equal(l.last, `${base}?page=${pages}&per_page=7`);

    assert.deepEqual(await allPages(`${base}?per_page=7`, h), expected);

    const past = await getJson(`${base}?page=${pages + 1}&per_page=7`, h);
    assert.equal(past.status, 200);
    assert.deepEqual(past.body, []);
    assert.equal(past.res.headers.get('x-number-of-items'), String(expected.length));

    const dflt = await getJson(base, h);
    assert.equal(dflt.body.length, 10, 'per_page defaults to 10');

    const filtered = await getJson(`${base}?EventType=${TYPES.REFUSED}&AfterDate=${oldest}&per_page=2`, h);
    const fl = links(filtered.res.headers.get('link'));
    assert.equal(fl.first, `${base}?page=1&per_page=2&EventType=${TYPES.REFUSED}&AfterDate=${oldest}`);

    for (const q of ['per_page=101', 'per_page=0', 'per_page=x', 'page=0', 'page=-1']) {
      const bad = await getJson(`${base}?${q}`, h);
      assert.equal(bad.status, 400, q);
      assert.equal(bad.body.Type, 'param_error', q);
      assert.ok(bad.body.errors.per_page || bad.body.errors.page, q);
    }
    assert.equal((await getJson(`${base}?per_page=100`, h)).status, 200);
  });

  test('filters: EventType, AfterDate and BeforeDate (inclusive)', async () => {
    const { oldest } = (await control(srv.url, 'health')).mangopayEvents;
    const expected = expectedSeeded(srv, oldest);
    for (const type of [TYPES.VALIDATED, TYPES.REFUSED, TYPES.REVIEW]) {
      const got = await allPages(`${base}?EventType=${type}&per_page=100`, h);
      assert.deepEqual(got, expected.filter((e) => e.EventType === type), type);
      assert.ok(got.length > 0, type);
    }
    assert.deepEqual((await getJson(`${base}?EventType=PAYIN_NORMAL_SUCCEEDED`, h)).body, []);

    const mid = expected[Math.floor(expected.length / 2)].Date;
    const after = await allPages(`${base}?AfterDate=${mid}&per_page=100`, h);
    assert.deepEqual(after, expected.filter((e) => e.Date >= mid));
    const beforeOnly = await allPages(`${base}?BeforeDate=${mid}&per_page=100`, h);
    assert.deepEqual(beforeOnly, expected.filter((e) => e.Date <= mid));
    const exact = await getJson(`${base}?AfterDate=${mid}&BeforeDate=${mid}`, h);
    assert.deepEqual(exact.body, expected.filter((e) => e.Date === mid));
    assert.ok(exact.body.length >= 1);
    assert.deepEqual((await getJson(`${base}?AfterDate=${mid + 1}&BeforeDate=${mid}`, h)).body, []);

    const both = await allPages(`${base}?EventType=${TYPES.VALIDATED}&AfterDate=${mid}&per_page=3`, h);
    assert.deepEqual(both, expected.filter((e) => e.Date >= mid && e.EventType === TYPES.VALIDATED));

    for (const q of ['AfterDate=yesterday', 'BeforeDate=1.5', 'AfterDate=']) {
      const bad = await getJson(`${base}?${q}`, h);
      assert.equal(bad.status, 400, q);
      assert.equal(bad.body.Type, 'param_error');
    }
  });

  test('45-day rule: AfterDate or BeforeDate older than 45 days before the mock clock is a 400 param_error', async () => {
    const { now, oldest } = (await control(srv.url, 'health')).mangopayEvents;
    assert.equal(oldest, now - 45 * DAY);
    for (const q of [`AfterDate=${oldest - 1}`, `BeforeDate=${oldest - 1}`, `AfterDate=${REFERENCE_UNIX - 46 * DAY}`, 'AfterDate=0', `AfterDate=${oldest - 1}&BeforeDate=${now}`]) {
      const r = await getJson(`${base}?${q}`, h);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.Type, 'param_error');
      assert.equal(typeof r.body.Message, 'string');
      assert.equal(typeof r.body.Date, 'number');
      assert.match(r.body.Id, /#\d+$/);
      assert.match(Object.values(r.body.errors)[0], /45 days/);
    }
    const ok = await getJson(`${base}?AfterDate=${oldest}&BeforeDate=${now}&per_page=100`, h);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, expectedSeeded(srv, oldest));
    // dates in the future are allowed
    assert.equal((await getJson(`${base}?AfterDate=${now + 365 * DAY}`, h)).status, 200);
  });

  test('scripted faults target the events endpoint', async () => {
    await control(srv.url, 'script', { provider: 'mangopay', endpoint: 'events', faults: ['503', 'ok'] });
    assert.equal((await getJson(base, h)).status, 503);
    assert.equal((await getJson(base, h)).status, 200);
    assert.equal((await control(srv.url, 'script')).pending, 0);
  });

  test('the official SDK reads the events (Events.getAll)', async () => {
    const require = createRequire(import.meta.url);
    const Mangopay = require('mangopay4-nodejs-sdk');
    const api = new Mangopay({ clientId: MP.clientId, clientApiKey: MP.apiKey, baseUrl: srv.url, errorHandler: () => {} });
    const { oldest } = (await control(srv.url, 'health')).mangopayEvents;
    const events = await api.Events.getAll({ parameters: { EventType: TYPES.VALIDATED, per_page: 100 } });
    assert.deepEqual(
      events.map((e) => ({ ResourceId: e.ResourceId, EventType: e.EventType, Date: e.Date })),
      expectedSeeded(srv, oldest).filter((e) => e.EventType === TYPES.VALIDATED),
    );
  });
});

describe('events of runtime changes', () => {
  let srv;
  let h;
  let base;
  let receiver;
  const received = [];

  before(async () => {
    receiver = http.createServer((req, res) => {
      received.push(new URL(req.url, 'http://x'));
      req.resume();
      res.end('ok');
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    srv = await startMockServer({ seed: 2, sessions: 100, webhookUrl: `http://127.0.0.1:${receiver.address().port}/hooks` });
    h = mpHeaders(await mangopayToken(srv.url));
    base = `${srv.url}/v2.01/${MP.clientId}/events`;
  });
  after(async () => {
    await srv.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  test('/__mock/status changes appear (after the seeded ones, with the webhook Date); no event for other statuses', async () => {
    const { oldest } = (await control(srv.url, 'health')).mangopayEvents;
    const seeded = expectedSeeded(srv, oldest);
    const pending = (await control(srv.url, 'sessions?provider=mangopay')).sessions.filter((s) => s.status === 'PENDING');
    const [a, b, c] = pending;
    const t0 = Math.floor(Date.now() / 1000);
    await control(srv.url, 'status', { provider: 'mangopay', id: a.id, status: 'VALIDATED' });
    await control(srv.url, 'status', { provider: 'mangopay', id: b.id, status: 'TIMEOUT' }); // no event type
    await control(srv.url, 'status', { provider: 'mangopay', id: c.id, status: 'REVIEW' });
    await control(srv.url, 'status', { provider: 'mangopay', id: a.id, status: 'OUT_OF_DATE' });
    await control(srv.url, 'status', { provider: 'mangopay', id: b.id, status: 'ON_HOLD' }); // unknown: none
    const t1 = Math.floor(Date.now() / 1000);

    // the query without dates: the seeded events of the window, then the runtime ones
    const all = await allPages(`${base}?per_page=100`, h);
    assert.deepEqual(all.slice(0, seeded.length), seeded);
    const runtime = all.slice(seeded.length);
    assert.deepEqual(
      runtime.map((e) => [e.ResourceId, e.EventType]),
      [
        [a.id, TYPES.VALIDATED],
        [c.id, TYPES.REVIEW],
        [a.id, TYPES.OUT_OF_DATE],
      ],
    );
    for (const e of runtime) assert.ok(e.Date >= t0 && e.Date <= t1, `${e.Date} not in [${t0}, ${t1}]`);

    // filters work on runtime events too
    assert.deepEqual((await getJson(`${base}?EventType=${TYPES.REVIEW}&AfterDate=${t0}`, h)).body, [runtime[1]]);
    assert.deepEqual((await getJson(`${base}?AfterDate=${t0}&per_page=100`, h)).body, runtime);

    // each event has its webhook, with the same Date
    for (let i = 0; i < 100 && received.length < 3; i++) await sleep(10);
    const hooks = received.map((u) => [u.searchParams.get('RessourceId'), u.searchParams.get('EventType'), Number(u.searchParams.get('Date'))]);
    assert.deepEqual(
      hooks.sort(),
      runtime.map((e) => [e.ResourceId, e.EventType, e.Date]).sort(),
    );
  });

  test('inserted sessions with an event status add events; a create (PENDING) does not; reset drops runtime events', async () => {
    const before = (await control(srv.url, 'health')).mangopayEvents.count;
    const ins = await control(srv.url, 'insert', { provider: 'mangopay', count: 20 });
    const withType = ins.inserted.filter((s) => TYPES[s.status]);
    assert.ok(withType.length > 0);
    const people = await control(srv.url, 'people');
    const userId = people.find((p) => p.mangopayUserId).mangopayUserId;
    const created = await postJson(`${srv.url}/v2.01/${MP.clientId}/users/${userId}/identity-verifications`, { ReturnUrl: 'https://example.com' }, h);
    assert.equal(created.status, 200);
    const health = await control(srv.url, 'health');
    assert.equal(health.mangopayEvents.count, before + withType.length);
    const tail = (await allPages(`${base}?per_page=100`, h)).slice(-withType.length);
    assert.deepEqual(
      tail.map((e) => [e.ResourceId, e.EventType]),
      withType.map((s) => [s.id, TYPES[s.status]]),
    );

    await control(srv.url, 'reset', {});
    const after = await control(srv.url, 'health');
    const fresh = seededCount(srv);
    assert.equal(after.mangopayEvents.count, fresh);
    assert.equal(after.mangopayEvents.now, REFERENCE_UNIX);
    const t = Math.floor(Date.now() / 1000) - 600;
    assert.deepEqual((await getJson(`${base}?AfterDate=${t}`, h)).body, []);
  });
});

/** Events the seeded data of `srv` has (any date). */
function seededCount(srv) {
  return srv.data.mangopay.sessions.filter((s) => TYPES[s.Status] && s.LastUpdate !== null).length;
}
