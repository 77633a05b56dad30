// Webhook delivery: a local receiver checks what each provider's notifications look like, Didit's
// signatures, retries, corruption, delays and cancellation.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockServer } from './server.mjs';
import { CREDENTIALS } from './data.mjs';
import { dumps, parse, pyStr } from './python-json.mjs';
import { DD_AUTH, control, getJson, postJson, sleep } from './helpers.mjs';
import { waitFor } from '../support/wait.mjs';

const WORKFLOW = 'a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35';
const SCALE = 0.00003; // Didit retries after 1.8 ms and 7.2 ms, Mangopay every 18 ms, Equals every 9 ms

/** A webhook receiver: records every request; `answer(req)` decides the status (or 'hang'). */
async function startReceiver() {
  const received = [];
  const waiters = [];
  const r = {
    received,
    answer: () => 200,
    url: '',
    /** Resolves with the requests once `n` have arrived on `path` (a prefix), or rejects after ms
     * (a hang guard: deliveries take milliseconds, the bound is for a busy machine). */
    waitFor(path, n, ms = 10_000) {
      const matching = () => received.filter((x) => x.path.startsWith(path));
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length >= n) {
            clearTimeout(timer);
            resolve(matching());
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`${matching().length} of ${n} requests on ${path} after ${ms} ms`)), ms);
        if (!check()) waiters.push(check);
      });
    },
    on(path) {
      return received.filter((x) => x.path.startsWith(path));
    },
  };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url, 'http://x');
      const entry = { method: req.method, path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks), t: performance.now() };
      received.push(entry);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]()) waiters.splice(i, 1);
      const status = r.answer(entry);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${r.server.address().port}/hooks`;
  r.close = () => {
    r.server.closeAllConnections();
    return new Promise((resolve) => r.server.close(resolve));
  };
  return r;
}

const hmac = (secret, bytes) => createHmac('sha256', secret).update(bytes).digest('hex');

/** Verify a Didit delivery as Didit's official verifier would; returns which signatures match. */
function verifyDidit(delivery, secret) {
  const data = parse(delivery.body.toString('utf8'));
  return {
    raw: hmac(secret, delivery.body) === delivery.headers['x-signature'],
    v2: hmac(secret, Buffer.from(dumps(data, { ensureAscii: false }), 'utf8')) === delivery.headers['x-signature-v2'],
    simple: hmac(secret, [data.timestamp, data.session_id, data.status, data.webhook_type].map(pyStr).join(':')) === delivery.headers['x-signature-simple'],
  };
}

let srv;
let url;
let rx;

before(async () => {
  rx = await startReceiver();
  srv = await startMockServer({ seed: 9, sessions: 40, webhookUrl: rx.url });
  url = srv.url;
});

after(async () => {
  await srv.close();
  await rx.close();
});

beforeEach(async () => {
  await control(url, 'reset', {});
  await control(url, 'webhooks', { url: rx.url, corrupt: 0, delayMs: 0, retryScale: 1, timeoutScale: 1, diditSecret: CREDENTIALS.didit.webhookSecret });
  rx.received.length = 0;
  rx.answer = () => 200;
});

const ddCreate = (body) => postJson(`${url}/v3/session/`, { workflow_id: WORKFLOW, ...body }, DD_AUTH);

/** Waits until no delivery is pending (a bounded poll: 10 s, for a busy machine). */
async function settled() {
  await waitFor(() => srv.control.webhooks().pending === 0, { what: 'deliveries settled (none pending)' });
}

// ---------------------------------------------------------------------------------------------
describe('Didit', () => {
  test('create: a signed status.updated POST; the three signatures verify; body is the canonical form', async () => {
    const notBefore = Math.floor(Date.now() / 1000);
    const created = await ddCreate({ vendor_data: 'user-1', metadata: { plan: 'gold', 10: 'x', 9: 'y', score: 0.5 } });
    assert.equal(created.status, 201);
    const [d] = await rx.waitFor('/hooks/didit', 1);
    const notAfter = Math.ceil(Date.now() / 1000);
    assert.equal(d.method, 'POST');
    assert.equal(d.headers['content-type'], 'application/json');
    assert.equal(d.headers['user-agent'], 'DiditWebhook/2.0 +https://didit.me');
    const text = d.body.toString('utf8');
    const body = JSON.parse(text);
    assert.equal(dumps(parse(text)), text, 'sorted keys, no spaces: Python\'s canonical form');
    assert.match(text, /"metadata":\{"10":"x","9":"y","plan":"gold","score":0\.5\}/, 'integer-like keys sorted as strings');
    assert.deepEqual(Object.keys(body).sort(), [
      'application_id', 'created_at', 'environment', 'event_id', 'metadata', 'session_id', 'status', 'timestamp',
      'vendor_data', 'webhook_type', 'workflow_id',
    ]);
    assert.equal(body.webhook_type, 'status.updated');
    assert.equal(body.status, 'Not Started');
    assert.equal(body.session_id, created.body.session_id);
    assert.equal(body.environment, 'sandbox');
    assert.equal(body.vendor_data, 'user-1');
    assert.equal(body.workflow_id, WORKFLOW);
    assert.match(body.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(d.headers['x-timestamp'], String(body.timestamp));
    // The wall clock, read between the create and the delivery's arrival (however long they took).
    assert.ok(body.timestamp >= notBefore && body.timestamp <= notAfter, `wall-clock timestamp ${body.timestamp}, not in [${notBefore}, ${notAfter}]`);
    assert.ok(Number.isInteger(body.created_at));
    assert.deepEqual(verifyDidit(d, 'mock-didit-webhook-secret'), { raw: true, v2: true, simple: true });
    assert.equal(d.headers['x-signature'], d.headers['x-signature-v2'], 'ASCII body: raw and V2 agree');
    assert.deepEqual(verifyDidit(d, 'another-secret'), { raw: false, v2: false, simple: false });
    await settled();
    const log = srv.control.webhooks().deliveries;
    assert.deepEqual(log.map(({ at, ...rest }) => rest), [
      { provider: 'didit', id: body.event_id, type: 'status.updated', sessionId: body.session_id, attempt: 1, status: 200 },
    ]);
    assert.ok(!Number.isNaN(Date.parse(log[0].at)));
  });

  test('status change with a decision (the same object as GET decision); non-ASCII data; no vendor_data/metadata when unset', async () => {
    const created = (await ddCreate({ vendor_data: 'José 北京 😀' })).body;
    srv.control.setStatus('didit', created.session_id, 'Approved');
    const [, d] = await rx.waitFor('/hooks/didit', 2);
    const text = d.body.toString('utf8');
    assert.ok(/^[\x20-\x7e]*$/.test(text), 'ensure_ascii: the body is pure ASCII');
    assert.ok(text.includes('"vendor_data":"Jos\\u00e9 \\u5317\\u4eac \\ud83d\\ude00"'), text.slice(0, 200));
    const body = JSON.parse(text);
    assert.equal(body.status, 'Approved');
    assert.equal('metadata' in body, false);
    const decision = await getJson(`${url}/v3/session/${created.session_id}/decision/`, DD_AUTH);
    assert.deepEqual(body.decision, decision.body);
    assert.deepEqual(verifyDidit(d, CREDENTIALS.didit.webhookSecret), { raw: true, v2: true, simple: true });
    assert.notEqual(d.headers['x-signature'], d.headers['x-signature-v2'], 'non-ASCII: V2 signs the unescaped form');

    // a session without vendor_data: absent; statuses without decision: absent
    const bare = (await ddCreate({})).body;
    srv.control.setStatus('didit', bare.session_id, 'In Progress');
    const all = await rx.waitFor('/hooks/didit', 4);
    const last = JSON.parse(all[3].body.toString('utf8'));
    assert.equal(last.status, 'In Progress');
    assert.equal('vendor_data' in last, false);
    assert.equal('decision' in last, false);
    for (const status of ['Declined', 'In Review', 'Abandoned']) {
      srv.control.setStatus('didit', bare.session_id, status);
    }
    const more = await rx.waitFor('/hooks/didit', 7);
    assert.deepEqual(more.slice(4).map((x) => JSON.parse(x.body).decision?.status), ['Declined', 'In Review', 'Abandoned']);
  });

  test('inserts notify; a custom diditSecret signs; health shows it', async () => {
    await control(url, 'webhooks', { diditSecret: 'whsec-custom' });
    assert.equal((await control(url, 'health')).credentials.didit.webhookSecret, 'whsec-custom');
    const { inserted } = await control(url, 'insert', { provider: 'didit', count: 2 });
    const got = await rx.waitFor('/hooks/didit', 2);
    assert.deepEqual(got.map((x) => JSON.parse(x.body).session_id).sort(), inserted.map((s) => s.id).sort());
    for (const d of got) assert.deepEqual(verifyDidit(d, 'whsec-custom'), { raw: true, v2: true, simple: true });
  });

  test('500 from the receiver: 2 retries with the same body and headers', async () => {
    await control(url, 'webhooks', { retryScale: SCALE });
    rx.answer = () => 500;
    await ddCreate({});
    const got = await rx.waitFor('/hooks/didit', 3);
    await settled();
    await sleep(30);
    assert.equal(rx.on('/hooks/didit').length, 3, 'no fourth attempt');
    for (const d of got.slice(1)) {
      assert.deepEqual(d.body, got[0].body);
      for (const h of ['x-signature', 'x-signature-v2', 'x-signature-simple', 'x-timestamp']) assert.equal(d.headers[h], got[0].headers[h], h);
    }
    const log = srv.control.webhooks().deliveries;
    assert.deepEqual(log.map((e) => [e.attempt, e.status]), [[1, 500], [2, 500], [3, 500]]);
    assert.equal(new Set(log.map((e) => e.id)).size, 1);
  });

  test('corrupt: the three signature headers fail to verify', async () => {
    await control(url, 'webhooks', { corrupt: true });
    await ddCreate({});
    const [d] = await rx.waitFor('/hooks/didit', 1);
    assert.deepEqual(verifyDidit(d, CREDENTIALS.didit.webhookSecret), { raw: false, v2: false, simple: false });
    // each differs from the right signature in one hex digit
    const right = hmac(CREDENTIALS.didit.webhookSecret, d.body);
    assert.equal([...right].filter((c, i) => c !== d.headers['x-signature'][i]).length, 1);
    await control(url, 'webhooks', { corrupt: 0 });
    await ddCreate({});
    const [, ok] = await rx.waitFor('/hooks/didit', 2);
    assert.deepEqual(verifyDidit(ok, CREDENTIALS.didit.webhookSecret), { raw: true, v2: true, simple: true });
  });
});

// ---------------------------------------------------------------------------------------------
describe('Mangopay', () => {
  test('a bare GET per documented IDV transition; nothing for creates or other statuses', async () => {
    const s = srv.control.sessions('mangopay').sessions.find((x) => x.status === 'PENDING');
    const expected = [
      ['VALIDATED', 'IDENTITY_VERIFICATION_VALIDATED'],
      ['REFUSED', 'IDENTITY_VERIFICATION_FAILED'],
      ['REVIEW', 'IDENTITY_VERIFICATION_INCONCLUSIVE'],
      ['OUT_OF_DATE', 'IDENTITY_VERIFICATION_OUTDATED'],
      ['EXPIRED', 'IDENTITY_VERIFICATION_EXPIRED'],
    ];
    const notBefore = Math.floor(Date.now() / 1000);
    for (const status of ['PENDING', 'TIMEOUT', 'ERROR', 'OUTDATED']) srv.control.setStatus('mangopay', s.id, status);
    for (const [status] of expected) srv.control.setStatus('mangopay', s.id, status);
    const got = await rx.waitFor('/hooks/mangopay', 5);
    const notAfter = Math.ceil(Date.now() / 1000);
    await sleep(30);
    assert.equal(rx.on('/hooks/mangopay').length, 5, 'only the five documented transitions');
    const byType = new Map(got.map((g) => [g.query.get('EventType'), g]));
    for (const [, type] of expected) {
      const g = byType.get(type);
      assert.ok(g, type);
      assert.equal(g.method, 'GET');
      assert.equal(g.path, '/hooks/mangopay');
      assert.deepEqual([...g.query.keys()], ['EventType', 'RessourceId', 'Date']);
      assert.equal(g.query.get('RessourceId'), s.id);
      const date = Number(g.query.get('Date'));
      assert.ok(date >= notBefore && date <= notAfter, `Date ${date}: the wall clock between the change and the delivery, [${notBefore}, ${notAfter}]`);
      assert.equal(g.body.length, 0);
      assert.equal(g.headers['x-signature'], undefined);
    }
    // a create (PENDING) sends nothing
    const person = srv.control.people().find((p) => p.mangopayUserId);
    const tokenRes = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CREDENTIALS.mangopay.clientId}:${CREDENTIALS.mangopay.apiKey}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const token = (await tokenRes.json()).access_token;
    const created = await postJson(`${url}/v2.01/${CREDENTIALS.mangopay.clientId}/users/${person.mangopayUserId}/identity-verifications`, { ReturnUrl: 'https://example.com/' }, { authorization: `Bearer ${token}` });
    assert.equal(created.status, 200);
    await sleep(40);
    assert.equal(rx.on('/hooks/mangopay').length, 5);
  });

  test('retries every 10 min (scaled), 6 attempts at most; a timeout counts as a failure', async () => {
    await control(url, 'webhooks', { retryScale: SCALE, timeoutScale: 0.01 }); // Mangopay's 2 s timeout -> 20 ms
    rx.answer = (r) => (r.path.startsWith('/hooks/mangopay') ? 'hang' : 200);
    const s = srv.control.sessions('mangopay').sessions.find((x) => x.status === 'PENDING');
    srv.control.setStatus('mangopay', s.id, 'VALIDATED');
    await rx.waitFor('/hooks/mangopay', 6);
    await settled();
    const log = srv.control.webhooks().deliveries;
    assert.deepEqual(log.map((e) => e.attempt), [1, 2, 3, 4, 5, 6]);
    assert.ok(log.every((e) => e.status === 'error' && /timeout/.test(e.error)), JSON.stringify(log[0]));
    assert.equal(rx.on('/hooks/mangopay').length, 6);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Equals', () => {
  test('status change: POST {body: {messageId, webhookEventTypeName, eventTime, …the row}}', async () => {
    const row = srv.control.sessions('equals').sessions.find((x) => x.status === 'in_progress' && x.userRef !== x.applicationId);
    srv.control.setStatus('equals', row.id, 'completed', { result: 'declined', applicationId: row.applicationId });
    const [e] = await rx.waitFor('/hooks/equals', 1);
    assert.equal(e.method, 'POST');
    assert.equal(e.headers['content-type'], 'application/json');
    const { body } = JSON.parse(e.body);
    assert.deepEqual(Object.keys(body), ['messageId', 'webhookEventTypeName', 'eventTime', 'id', 'applicationId', 'associatedPersonId', 'correlationId', 'status', 'result']);
    assert.equal(body.webhookEventTypeName, 'IdentityVerificationStatusUpdated');
    assert.equal(body.id, row.id);
    assert.equal(body.applicationId, row.applicationId);
    assert.equal(body.associatedPersonId, row.userRef);
    assert.equal(body.status, 'completed');
    assert.equal(body.result, 'declined');
    assert.match(body.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const listed = await getJson(`${url}/v2/applications/identity-verification-sessions?applicationId=${row.applicationId}`, { authorization: `ApiKey ${CREDENTIALS.equals.apiKey}` });
    assert.equal(listed.body.rows.find((r) => r.id === row.id).correlationId, body.correlationId);
    // an insert notifies as well; no result key when there is none
    await control(url, 'insert', { provider: 'equals', count: 1 });
    const [, ins] = await rx.waitFor('/hooks/equals', 2);
    const inserted = JSON.parse(ins.body).body;
    if (inserted.status !== 'completed') assert.equal('result' in inserted, false);
  });

  test('500: retried every 5 min (scaled) with the same messageId, 10 attempts at most', async () => {
    await control(url, 'webhooks', { retryScale: SCALE });
    rx.answer = () => 503;
    const row = srv.control.sessions('equals').sessions.find((x) => x.status === 'to_be_completed');
    srv.control.setStatus('equals', row.id, 'in_progress', { applicationId: row.applicationId });
    const got = await rx.waitFor('/hooks/equals', 10);
    await settled();
    await sleep(40);
    assert.equal(rx.on('/hooks/equals').length, 10);
    assert.equal(new Set(got.map((g) => JSON.parse(g.body).body.messageId)).size, 1, 'one messageId');
    assert.deepEqual(srv.control.webhooks().deliveries.map((e) => e.status), Array(10).fill(503));
  });
});

// ---------------------------------------------------------------------------------------------
describe('settings and lifecycle', () => {
  test('delayMs delays the first delivery, never the API response', async () => {
    await control(url, 'webhooks', { delayMs: 150 });
    const t0 = performance.now();
    const created = await ddCreate({});
    const tResponse = performance.now();
    assert.equal(created.status, 201);
    assert.equal(rx.on('/hooks/didit').length, 0, 'answered before the delivery');
    const [d] = await rx.waitFor('/hooks/didit', 1);
    assert.ok(d.t - t0 >= 145, `delivered after ${(d.t - t0).toFixed(0)} ms`);
    assert.ok(d.t > tResponse);
  });

  test('a hanging or unreachable receiver does not slow the API; network errors are logged and retried', async () => {
    // Told by order, not by a stopwatch: a delivery attempt is logged when it ends, here after a
    // 10 s timeout (Didit's 5 s, timeoutScale 2). An API that waited for its notification would
    // answer only then, with the attempt already in the log.
    await control(url, 'webhooks', { timeoutScale: 2 });
    rx.answer = () => 'hang';
    for (let i = 1; i <= 3; i++) {
      assert.equal((await ddCreate({})).status, 201);
      assert.deepEqual(srv.control.webhooks().deliveries, [], `create ${i} answered before any delivery attempt ended`);
    }
    await rx.waitFor('/hooks/didit', 3);

    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${closed.address().port}`;
    await new Promise((resolve) => closed.close(resolve));
    await control(url, 'reset', {}); // drops the hanging deliveries
    await control(url, 'webhooks', { url: deadUrl, retryScale: SCALE });
    await ddCreate({});
    await settled();
    const log = srv.control.webhooks().deliveries;
    assert.deepEqual(log.map((e) => [e.attempt, e.status]), [[1, 'error'], [2, 'error'], [3, 'error']]);
    assert.match(log[0].error, /ECONNREFUSED/);
  });

  test('GET /__mock/webhooks; url null turns delivery off; validation', async () => {
    const view = await control(url, 'webhooks');
    assert.deepEqual(Object.keys(view), ['url', 'diditSecret', 'corrupt', 'delayMs', 'retryScale', 'timeoutScale', 'pending', 'deliveries']);
    assert.equal(view.url, rx.url);
    assert.equal(view.diditSecret, 'mock-didit-webhook-secret');
    assert.equal((await control(url, 'health')).webhooks.url, rx.url);
    await control(url, 'webhooks', { url: null });
    await ddCreate({});
    srv.control.setStatus('mangopay', srv.control.sessions('mangopay').sessions[0].id, 'VALIDATED');
    await sleep(40);
    assert.equal(rx.received.length, 0);
    for (const bad of [{ url: 'ftp://x' }, { url: 'not a url' }, { corrupt: 2 }, { delayMs: -1 }, { retryScale: 'x' }, { colour: 'red' }, { diditSecret: '' }]) {
      assert.equal((await postJson(`${url}/__mock/webhooks`, bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal(srv.control.setWebhooks({ url: `${rx.url}/` }).url, rx.url, 'trailing slash dropped');
  });

  test('close() cancels pending retries; the process is not kept alive', async () => {
    const s = await startMockServer({ seed: 2, sessions: 20, webhookUrl: rx.url });
    s.control.setWebhooks({ retryScale: 0.001 }); // Didit's retries after 60 ms and 240 ms
    rx.answer = () => 500;
    await postJson(`${s.url}/v3/session/`, { workflow_id: WORKFLOW }, DD_AUTH);
    await rx.waitFor('/hooks/didit', 1);
    assert.equal(s.control.webhooks().pending, 1);
    await s.close();
    await sleep(120);
    assert.equal(rx.on('/hooks/didit').length, 1, 'no retry after close');

    // a child process with a retry due in a minute exits as soon as its server is closed
    const script = `
      import { startMockServer } from ${JSON.stringify(new URL('./server.mjs', import.meta.url).href)};
      import http from 'node:http';
      const rx = http.createServer((req, res) => { req.resume(); res.writeHead(500); res.end(); });
      await new Promise((r) => rx.listen(0, '127.0.0.1', r));
      const s = await startMockServer({ sessions: 20, webhookUrl: 'http://127.0.0.1:' + rx.address().port });
      s.control.setStatus('didit', s.control.sessions('didit').sessions[0].id, 'Approved');
      while (s.control.webhooks().deliveries.length === 0) await new Promise((r) => setTimeout(r, 10));
      await s.close();
      rx.close();
    `;
    // Its retry is due in a minute (Didit's first, retryScale 1): a child still running after 30 s
    // (a hang guard, far above a Node start on a busy machine) is one that close() left waiting.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise((resolve) => child.on('exit', (...args) => resolve(args)));
    clearTimeout(killer);
    assert.equal(signal, null, `still running after 30 s, killed (${stderr})`);
    assert.equal(code, 0, `exited by itself (${stderr})`);
  });
});

test('CLI: --webhook-url sets where notifications go', async () => {
  const server = fileURLToPath(new URL('./server.mjs', import.meta.url));
  const child = spawn(process.execPath, [server, '--port', '0', '--sessions', '20', '--webhook-url', rx.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', () => reject(new Error('exited')));
    });
    const cliUrl = line.replace('listening on ', '');
    assert.equal((await getJson(`${cliUrl}/__mock/webhooks`)).body.url, rx.url);
    const id = (await getJson(`${cliUrl}/__mock/sessions?provider=didit`)).body.sessions[0].id;
    await postJson(`${cliUrl}/__mock/status`, { provider: 'didit', id, status: 'Declined' });
    const got = await rx.waitFor('/hooks/didit', 1);
    assert.equal(JSON.parse(got.at(-1).body).session_id, id);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
  }
});
