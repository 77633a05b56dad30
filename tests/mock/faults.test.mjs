// Fault injection, latency, rate limiting and provider outages.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startMockServer } from './server.mjs';
import { DD_AUTH, EQ_AUTH, MP, basic, control, getJson, mangopayToken, mpHeaders, postJson, sleep } from './helpers.mjs';
import { settleWithin, waitFor } from '../support/wait.mjs';

let srv;
let url;
let token;
let userId;

before(async () => {
  srv = await startMockServer({ seed: 3, sessions: 60, retryAfterSeconds: 1, slowMs: 800 });
  url = srv.url;
  token = await mangopayToken(url);
  userId = (await control(url, 'people'))[0].mangopayUserId;
});

after(() => srv.close());

beforeEach(async () => {
  await control(url, 'faults', {});
});

/** One representative request per provider, with valid credentials. */
const requests = {
  mangopay: () => fetch(`${url}/v2.01/${MP.clientId}/users/${userId}/identity-verifications?per_page=3`, { headers: mpHeaders(token) }),
  equals: () => fetch(`${url}/v2/applications/identity-verification-sessions?limit=3`, { headers: EQ_AUTH }),
  didit: () => fetch(`${url}/v3/sessions/?limit=3`, { headers: DD_AUTH }),
};

describe('forced faults (rate 1)', () => {
  test('429 with Retry-After and the provider\'s own body', async () => {
    await control(url, 'faults', { 429: 1 });
    const mp = await requests.mangopay();
    assert.equal(mp.status, 429);
    assert.equal(mp.headers.get('retry-after'), '1');
    const mpBody = await mp.json();
    assert.deepEqual(Object.keys(mpBody), ['Message', 'Type', 'Id', 'Date', 'errors']);
    assert.equal(mpBody.Message, 'Rate limit exceeded. Please contact support for more assistance');
    assert.equal(mpBody.Type, 'rate_limit');
    assert.equal(mpBody.errors, null);
    assert.equal(mp.headers.get('x-ratelimit').split(',').length, 4);

    const eq = await requests.equals();
    assert.equal(eq.status, 429);
    assert.equal(eq.headers.get('retry-after'), '1');
    assert.equal(typeof (await eq.json()).message, 'string');

    const dd = await requests.didit();
    assert.equal(dd.status, 429);
    assert.equal(dd.headers.get('retry-after'), '1');
    assert.deepEqual(await dd.json(), { detail: 'Request was throttled. Expected available in 1 seconds.' });
  });

  for (const code of [500, 502, 503]) {
    test(`${code} with an HTML body`, async () => {
      await control(url, 'faults', { [code]: 1 });
      for (const [name, send] of Object.entries(requests)) {
        const r = await send();
        assert.equal(r.status, code, name);
        assert.match(r.headers.get('content-type'), /^text\/html/);
        const text = await r.text();
        assert.match(text, /<html>/);
        assert.throws(() => JSON.parse(text));
      }
    });
  }

  test('reset: the connection is destroyed without a response', async () => {
    await control(url, 'faults', { reset: 1 });
    for (const send of Object.values(requests)) await assert.rejects(send(), TypeError);
  });

  test('slow: headers first, the complete body over ~slowMs', async () => {
    const normal = await (await requests.didit()).text();
    await control(url, 'faults', { slow: 1 });
    const t0 = performance.now();
    const r = await requests.didit();
    const tHeaders = performance.now() - t0;
    const text = await r.text();
    const tBody = performance.now() - t0;
    assert.equal(r.status, 200);
    assert.equal(text, normal);
    assert.ok(tBody >= 700, `body took ${tBody.toFixed(0)} ms`);
    assert.ok(tBody - tHeaders >= 500, `headers at ${tHeaders.toFixed(0)} ms, body at ${tBody.toFixed(0)} ms`);
  });

  test('truncate: 200, a complete but malformed JSON body', async () => {
    const normal = await (await requests.equals()).text();
    await control(url, 'faults', { truncate: 1 });
    for (const send of Object.values(requests)) {
      const r = await send();
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /application\/json/);
      const text = await r.text();
      assert.equal(Buffer.byteLength(text), Number(r.headers.get('content-length')));
      assert.throws(() => JSON.parse(text), SyntaxError);
    }
    const r = await requests.equals();
    const text = await r.text();
    assert.equal(text, normal.slice(0, Math.floor(Buffer.byteLength(normal) / 2)));
  });

  test('html: 200 with an HTML page instead of JSON', async () => {
    await control(url, 'faults', { html: 1 });
    for (const send of Object.values(requests)) {
      const r = await send();
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.match(await r.text(), /^<!DOCTYPE html>/);
    }
  });

  test('control endpoints, hosted pages and the token endpoint are never faulted by default', async () => {
    await control(url, 'faults', { faults: '500=1' });
    assert.equal((await getJson(`${url}/__mock/health`)).status, 200);
    assert.equal((await fetch(`${url}/hosted/idnver_x`)).status, 200);
    assert.equal(typeof (await mangopayToken(url)), 'string');
    assert.equal((await requests.equals()).status, 500);
    await control(url, 'faults', { faults: '500=1', faultsOnToken: true });
    const tok = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(MP.clientId, MP.apiKey), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(tok.status, 500);
    await control(url, 'faults', { faultsOnToken: false });
  });

  test('{} resets faults and latency', async () => {
    const set = await control(url, 'faults', { 503: 1, latencyMs: 50 });
    assert.equal(set.faults['503'], 1);
    assert.equal(set.latencyMs, 50);
    assert.equal((await requests.didit()).status, 503);
    const cleared = await control(url, 'faults', {});
    assert.equal(cleared.faults['503'], 0);
    assert.equal(cleared.latencyMs, 0);
    assert.equal((await requests.didit()).status, 200);
  });
});

describe('latency and randomness', () => {
  test('latency is added to provider responses only', async () => {
    await control(url, 'faults', { latencyMs: 300 });
    for (const send of Object.values(requests)) {
      const t0 = performance.now();
      const r = await send();
      await r.arrayBuffer();
      assert.equal(r.status, 200);
      assert.ok(performance.now() - t0 >= 290, 'latency applied');
    }
    // Control endpoints are not delayed, told by order rather than by a stopwatch: with a provider
    // request held by a 60 s latency, a control request sent after it answers first.
    await control(url, 'faults', { latencyMs: 60_000 });
    const held = new AbortController();
    let providerAnswered = false;
    const provider = fetch(`${url}/v3/sessions/?limit=3`, { headers: DD_AUTH, signal: held.signal })
      .then(() => (providerAnswered = true), () => {});
    try {
      await waitFor(() => srv.control.stats().inFlight.didit === 1, { what: 'the provider request is in flight' });
      const health = await settleWithin(10_000, 'GET /__mock/health during a 60 s latency', control(url, 'health'));
      assert.equal(health.value?.ok, true, `health answered: ${health.error ?? ''}`);
      assert.equal(providerAnswered, false, 'the control request answered while the provider request was still held');
    } finally {
      held.abort();
      await provider;
    }
  });

  test('fault rolls are random but reproducible for a seed', async () => {
    const run = async (seed) => {
      const s = await startMockServer({ seed, sessions: 20, faults: '500=0.3,503=0.3' });
      try {
        const out = [];
        for (let i = 0; i < 30; i++) {
          const r = await fetch(`${s.url}/v3/sessions/?limit=1`, { headers: DD_AUTH });
          await r.arrayBuffer();
          out.push(r.status);
        }
        return out.join(',');
      } finally {
        await s.close();
      }
    };
    const a = await run(11);
    assert.equal(await run(11), a);
    assert.notEqual(await run(12), a);
    const statuses = new Set(a.split(','));
    assert.ok(statuses.has('200') && statuses.has('500') && statuses.has('503'), a);
  });

  test('CLI-style fault spec is validated', async () => {
    await assert.rejects(startMockServer({ faults: '404=0.5' }), /unknown fault kind/);
    await assert.rejects(startMockServer({ faults: '500=2' }), /between 0 and 1/);
    assert.equal((await postJson(`${url}/__mock/faults`, { faults: 'slow=abc' })).status, 400);
  });
});

describe('rate limiting (scaled)', () => {
  test('limits scale with rateScale; 429 + Retry-After once exhausted', async () => {
    const s = await startMockServer({ seed: 1, sessions: 20, rateScale: 0.01 }); // Mangopay 23/15 min, Equals 6/min, Didit 3/min per method
    try {
      // Didit: 300/min per method -> 3
      for (let i = 0; i < 3; i++) assert.equal((await getJson(`${s.url}/v3/sessions/`, DD_AUTH)).status, 200);
      const dd = await getJson(`${s.url}/v3/sessions/`, DD_AUTH);
      assert.equal(dd.status, 429);
      const ddWait = Number(dd.res.headers.get('retry-after'));
      assert.ok(ddWait >= 1 && ddWait <= 60, String(ddWait));
      assert.equal(dd.body.detail, `Request was throttled. Expected available in ${ddWait} seconds.`);
      // per method: POST still has its own budget
      const created = await postJson(`${s.url}/v3/session/`, { workflow_id: 'a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35' }, DD_AUTH);
      assert.equal(created.status, 201);

      // Equals: 600/min (the mock's choice) -> 6
      const eqPath = `${s.url}/v2/applications/identity-verification-sessions`;
      for (let i = 0; i < 6; i++) assert.equal((await getJson(eqPath, EQ_AUTH)).status, 200);
      const eq = await getJson(eqPath, EQ_AUTH);
      assert.equal(eq.status, 429);
      assert.ok(Number(eq.res.headers.get('retry-after')) >= 1);

      // Mangopay: 2300 / 15 min -> 23, the token request included
      const tok = await mangopayToken(s.url);
      const path = `${s.url}/v2.01/${MP.clientId}/identity-verifications/idnver_x`;
      let last;
      for (let i = 0; i < 22; i++) {
        last = await getJson(path, mpHeaders(tok));
        assert.equal(last.status, 404, `call ${i + 2}`);
      }
      assert.equal(last.res.headers.get('x-ratelimit-remaining').split(',')[0], '0');
      const mp = await getJson(path, mpHeaders(tok));
      assert.equal(mp.status, 429);
      assert.equal(mp.body.Type, 'rate_limit');
      const mpWait = Number(mp.res.headers.get('retry-after'));
      assert.ok(mpWait >= 1 && mpWait <= 900, String(mpWait));
      assert.equal(mp.res.headers.get('x-ratelimit').split(',')[0], '23');
    } finally {
      await s.close();
    }
  });

  test('windowScale shortens the windows: the budget comes back', async () => {
    const s = await startMockServer({ seed: 1, sessions: 20, rateScale: 0.01, windowScale: 0.005 }); // Didit: 3 per 300 ms
    try {
      for (let i = 0; i < 3; i++) assert.equal((await getJson(`${s.url}/v3/sessions/`, DD_AUTH)).status, 200);
      assert.equal((await getJson(`${s.url}/v3/sessions/`, DD_AUTH)).status, 429);
      await sleep(350);
      assert.equal((await getJson(`${s.url}/v3/sessions/`, DD_AUTH)).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe('provider outage', () => {
  test('/__mock/down makes one provider answer 503 HTML on every call', async () => {
    await control(url, 'down', { provider: 'mangopay', down: true });
    const r = await requests.mangopay();
    assert.equal(r.status, 503);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(await r.text(), /503/);
    const tok = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(MP.clientId, MP.apiKey) },
      body: 'grant_type=client_credentials',
    });
    assert.equal(tok.status, 503);
    assert.equal((await requests.equals()).status, 200);
    assert.equal((await requests.didit()).status, 200);
    assert.equal((await control(url, 'health')).down.mangopay, true);
    await control(url, 'down', { provider: 'mangopay', down: false });
    assert.equal((await requests.mangopay()).status, 200);
  });
});
