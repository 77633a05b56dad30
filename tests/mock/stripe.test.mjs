// The Stripe Identity mock with plain fetch: auth, cursor edges, filters, form parsing,
// idempotency (replay, mismatch, in progress), cancel/redact, errors, rate limit, webhooks.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startMockServer } from './server.mjs';
import { REQUIRED_STATUSES } from './data.mjs';
import { STRIPE_API_VERSION } from './stripe.mjs';
import { ST_AUTH, control, getJson, sleep, startReceiver } from './helpers.mjs';

let srv;
let url;

before(async () => {
  // rate limits scaled up: these tests send more than 25 requests a second to one endpoint
  srv = await startMockServer({ seed: 11, sessions: 150, rateScale: 100 });
  url = srv.url;
});

after(() => srv.close());

beforeEach(async () => {
  await control(url, 'reset', {});
  await control(url, 'faults', {});
});

const PATH = '/v1/identity/verification_sessions';
const list = (query = '', headers = ST_AUTH) => getJson(`${url}${PATH}${query}`, headers);
const truth = () => srv.control.sessions('stripe').sessions;

/** POST a form body (a string, or pairs) to `path`. */
async function post(path, form = '', headers = {}) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...ST_AUTH, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await res.text();
  return { res, status: res.status, body: JSON.parse(text), text };
}

/** Every session, following starting_after from the first page. */
async function walk(query = '', limit = 100) {
  const out = [];
  let after = null;
  for (let i = 0; i < 1000; i++) {
    const r = await list(`?limit=${limit}${after ? `&starting_after=${after}` : ''}${query}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.data);
    if (!r.body.has_more) return out;
    after = r.body.data.at(-1).id;
  }
  throw new Error('has_more never ended');
}

// ---------------------------------------------------------------------------------------------
describe('auth and versions', () => {
  test('missing key 401; wrong key 401 with the key masked, never echoed', async () => {
    const missing = await list('', {});
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.type, 'invalid_request_error');
    assert.match(missing.body.error.message, /^You did not provide an API key/);
    const key = 'sk_test_0123456789abcdefWRONGkey9876';
    const wrong = await list('', { authorization: `Bearer ${key}` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.message, `Invalid API Key provided: sk_test_${'*'.repeat(key.length - 12)}9876`);
    assert.ok(!wrong.text.includes(key.slice(8, -4)), 'the key is masked');
    const pk = await list('', { authorization: 'Bearer pk_test_mock' });
    assert.equal(pk.status, 401);
    assert.match(pk.body.error.message, /publishable API key/);
  });

  test('secret and restricted keys; Basic auth as curl -u sends it; a read-only restricted key cannot write (403)', async () => {
    for (const auth of ['Bearer sk_test_mock', 'Bearer rk_test_mock', 'Bearer rk_test_mock_readonly', `Basic ${Buffer.from('sk_test_mock:').toString('base64')}`]) {
      assert.equal((await list('?limit=1', { authorization: auth })).status, 200, auth);
    }
    assert.equal((await post(PATH, { type: 'document' }, { authorization: 'Bearer rk_test_mock' })).status, 200);
    const ro = await post(PATH, { type: 'document' }, { authorization: 'Bearer rk_test_mock_readonly' });
    assert.equal(ro.status, 403);
    assert.match(ro.body.error.message, /does not have the required permissions/);
    assert.ok(!ro.text.includes('rk_test_mock_readonly'));
  });

  test('Stripe-Version accepted and echoed; a malformed one is a 400; Request-Id on every answer', async () => {
    const plain = await list('?limit=1');
    assert.equal(plain.res.headers.get('stripe-version'), STRIPE_API_VERSION);
    assert.match(plain.res.headers.get('request-id'), /^req_[0-9a-f]{14}$/);
    const pinned = await list('?limit=1', { ...ST_AUTH, 'stripe-version': '2024-06-20' });
    assert.equal(pinned.status, 200);
    assert.equal(pinned.res.headers.get('stripe-version'), '2024-06-20');
    const bad = await list('?limit=1', { ...ST_AUTH, 'stripe-version': 'yesterday' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /Invalid Stripe API version/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('list', () => {
  test('{object, data, has_more, url}; default limit 10; newest first by created', async () => {
    const r = await list();
    assert.deepEqual(Object.keys(r.body), ['object', 'data', 'has_more', 'url']);
    assert.equal(r.body.object, 'list');
    assert.equal(r.body.url, PATH);
    assert.equal(r.body.data.length, 10);
    assert.equal(r.body.has_more, true);
    const all = await walk();
    assert.deepEqual(all.map((s) => s.id), truth().map((t) => t.id));
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].created >= all[i].created);
    assert.equal(new Set(all.map((s) => s.id)).size, 150);
  });

  test('limit 1..100: other values are 400 parameter_invalid_integer on limit', async () => {
    assert.equal((await list('?limit=100')).body.data.length, 100);
    assert.equal((await list('?limit=1')).body.data.length, 1);
    for (const v of ['0', '101', 'ten', '-1', '1.5']) {
      const r = await list(`?limit=${v}`);
      assert.equal(r.status, 400, v);
      assert.equal(r.body.error.param, 'limit');
      assert.equal(r.body.error.code, 'parameter_invalid_integer');
    }
  });

  test('cursors: starting_after and ending_before walk both ways; edges; errors', async () => {
    const ids = truth().map((t) => t.id);
    // backwards from the end with ending_before
    const back = [];
    let before = ids.at(-1);
    const last = await list(`?limit=100&ending_before=${before}`);
    back.unshift(...last.body.data.map((s) => s.id));
    assert.equal(last.body.has_more, true);
    before = last.body.data[0].id;
    const first = await list(`?limit=100&ending_before=${before}`);
    back.unshift(...first.body.data.map((s) => s.id));
    assert.equal(first.body.has_more, false);
    assert.deepEqual(back, ids.slice(0, -1));
    // after the last one: empty; before the first one: empty
    assert.deepEqual((await list(`?starting_after=${ids.at(-1)}`)).body, { object: 'list', data: [], has_more: false, url: PATH });
    assert.deepEqual((await list(`?ending_before=${ids[0]}`)).body.data, []);
    // exactly a page left: has_more false
    assert.equal((await list(`?limit=5&starting_after=${ids.at(-6)}`)).body.has_more, false);
    assert.equal((await list(`?limit=4&starting_after=${ids.at(-6)}`)).body.has_more, true);
    const unknown = await list('?starting_after=vs_1nope');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.error, {
      code: 'resource_missing',
      doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
      message: "No such verification session: 'vs_1nope'",
      param: 'starting_after',
      type: 'invalid_request_error',
    });
    const both = await list(`?starting_after=${ids[3]}&ending_before=${ids[1]}`);
    assert.equal(both.status, 400);
    assert.equal(both.body.error.code, 'parameters_exclusive');
  });

  test('a cursor that the filter excludes still marks the position', async () => {
    const all = truth();
    const cursor = all.find((t, i) => i > 20 && t.status !== 'verified');
    const got = await walk(`&status=verified`, 100).then(() => list(`?limit=100&status=verified&starting_after=${cursor.id}`));
    const expected = all.slice(all.indexOf(cursor) + 1).filter((t) => t.status === 'verified').slice(0, 100).map((t) => t.id);
    assert.deepEqual(got.body.data.map((s) => s.id), expected);
  });

  test('inserts during a walk: none lost, none twice (new ones are newest)', async () => {
    const seen = [];
    let after = null;
    for (let i = 0; ; i++) {
      const r = await list(`?limit=40${after ? `&starting_after=${after}` : ''}`);
      seen.push(...r.body.data.map((s) => s.id));
      if (i === 1) await control(url, 'insert', { provider: 'stripe', count: 5 });
      if (!r.body.has_more) break;
      after = r.body.data.at(-1).id;
    }
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(seen.length, 150);
  });

  test('filters: status, client_reference_id, created (exact and ranges); unknown parameters and values are 400', async () => {
    const all = truth();
    for (const status of ['requires_input', 'processing', 'verified', 'canceled']) {
      const got = await walk(`&status=${status}`);
      assert.deepEqual(got.map((s) => s.id), all.filter((t) => t.status === status).map((t) => t.id), status);
    }
    const ref = all.find((t) => t.userRef).userRef;
    assert.deepEqual((await walk(`&client_reference_id=${ref}`)).map((s) => s.id), all.filter((t) => t.userRef === ref).map((t) => t.id));
    const mid = all[75].created;
    assert.deepEqual((await walk(`&created[gte]=${mid}`)).map((s) => s.id), all.filter((t) => t.created >= mid).map((t) => t.id));
    assert.deepEqual((await walk(`&created[lt]=${mid}&created[gt]=${mid - 86400 * 90}`)).map((s) => s.id), all.filter((t) => t.created < mid && t.created > mid - 86400 * 90).map((t) => t.id));
    assert.deepEqual((await walk(`&created=${mid}`)).map((s) => s.id), all.filter((t) => t.created === mid).map((t) => t.id));
    assert.deepEqual((await walk('&created%5Blte%5D=1')).length, 0, 'encoded brackets too');

    for (const [query, param, code] of [
      ['?status=requires_action', 'status', undefined],
      ['?created[gte]=soon', 'created[gte]', 'parameter_invalid_integer'],
      ['?created[after]=1', 'created[after]', 'parameter_unknown'],
      ['?colour=red', 'colour', 'parameter_unknown'],
      ['?expand[]=data.url', 'expand', undefined],
    ]) {
      const r = await list(query);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error.param, param, query);
      assert.equal(r.body.error.code, code, query);
      assert.equal(r.body.error.type, 'invalid_request_error');
    }
  });

  test('hostile paging: ignore-page serves the first page, huge-count says has_more on every page', async () => {
    const ids = truth().map((t) => t.id);
    await control(url, 'paging', { provider: 'stripe', mode: 'ignore-page' });
    const r = await list(`?limit=5&starting_after=${ids[20]}`);
    assert.deepEqual(r.body.data.map((s) => s.id), ids.slice(0, 5));
    await control(url, 'paging', { provider: 'stripe', mode: 'huge-count' });
    assert.equal((await list(`?starting_after=${ids.at(-1)}`)).body.has_more, true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('seeded sessions and retrieve', () => {
  test('every status, last_error variants, redaction, url only while requires_input, created in Unix seconds', async () => {
    const all = await walk();
    const statuses = new Set(all.map((s) => s.status));
    for (const s of REQUIRED_STATUSES.stripe) assert.ok(statuses.has(s), s);
    const input = all.filter((s) => s.status === 'requires_input');
    assert.ok(input.some((s) => s.last_error === null));
    assert.ok(input.some((s) => s.last_error?.code === 'abandoned'));
    assert.ok(input.some((s) => s.last_error?.code === 'document_expired'));
    assert.ok(input.some((s) => s.last_error && s.last_error.code === null && typeof s.last_error.reason === 'string'));
    assert.ok(all.some((s) => s.redaction?.status === 'redacted'));
    assert.ok(all.filter((s) => s.status !== 'requires_input').every((s) => s.url === null && s.client_secret === null));
    assert.ok(input.every((s) => s.url.startsWith(`${url}/hosted/stripe/`)));
    assert.ok(all.every((s) => Number.isInteger(s.created) && s.created > 1.6e9 && s.object === 'identity.verification_session'));
    assert.ok(all.some((s) => s.client_reference_id === null) && all.some((s) => typeof s.client_reference_id === 'string'));
    assert.ok(all.some((s) => Object.keys(s.metadata).length > 0));
    assert.ok(all.every((s) => !('verified_outputs' in s)), 'verified_outputs is not included by default');
  });

  test('retrieve: last_verification_report is an id unless expanded; verified_outputs only when expanded', async () => {
    const verified = truth().find((t) => t.status === 'verified' && !t.redaction);
    const plain = await getJson(`${url}${PATH}/${verified.id}`, ST_AUTH);
    assert.match(plain.body.last_verification_report, /^vr_/);
    assert.ok(!('verified_outputs' in plain.body));
    const full = await getJson(`${url}${PATH}/${verified.id}?expand[]=last_verification_report&expand[]=verified_outputs`, ST_AUTH);
    assert.equal(full.body.last_verification_report.id, plain.body.last_verification_report);
    assert.equal(full.body.last_verification_report.object, 'identity.verification_report');
    assert.equal(full.body.last_verification_report.verification_session, verified.id);
    assert.equal(full.body.last_verification_report.document.status, 'verified');
    assert.equal(typeof full.body.verified_outputs.first_name, 'string');
    // stripe-node's indexed arrays are the same
    const indexed = await getJson(`${url}${PATH}/${verified.id}?expand[0]=last_verification_report&expand[1]=verified_outputs`, ST_AUTH);
    assert.deepEqual(indexed.body, full.body);
    const report = await getJson(`${url}/v1/identity/verification_reports/${plain.body.last_verification_report}`, ST_AUTH);
    assert.deepEqual(report.body, full.body.last_verification_report);
    const missing = await getJson(`${url}${PATH}/vs_1missing`, ST_AUTH);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'resource_missing');
    assert.equal((await getJson(`${url}${PATH}/${verified.id}?expand[]=status`, ST_AUTH)).status, 400);
  });

  test('reports: document, selfie, id_number, email, phone blocks, verified and unverified with error {code, reason}', async () => {
    const blocks = { document: new Set(), selfie: new Set(), id_number: new Set(), email: new Set(), phone: new Set() };
    const errors = [];
    for (const t of truth()) {
      const s = (await getJson(`${url}${PATH}/${t.id}?expand[]=last_verification_report`, ST_AUTH)).body;
      const rep = s.last_verification_report;
      if (!rep) continue;
      for (const b of Object.keys(blocks)) {
        if (!rep[b]) continue;
        blocks[b].add(rep[b].status);
        if (rep[b].error) errors.push(rep[b].error);
        assert.equal(rep[b].status === 'unverified', rep[b].error !== null, `${t.id} ${b}`);
      }
    }
    for (const b of Object.keys(blocks)) assert.deepEqual([...blocks[b]].sort(), ['unverified', 'verified'], b);
    assert.ok(errors.every((e) => 'code' in e && typeof e.reason === 'string'));
    assert.ok(errors.some((e) => e.code === 'document_expired'));
    assert.ok(errors.some((e) => e.code === 'selfie_face_mismatch'));
  });
});

// ---------------------------------------------------------------------------------------------
describe('create, form parsing, cancel, redact', () => {
  test('create: bracket-nested form, 200 with url and client_secret, first in the list', async () => {
    srv.control.resetStats();
    const r = await post(
      PATH,
      'type=document&client_reference_id=user-77&return_url=https%3A%2F%2Fexample.com%2Fback&metadata[order]=42&metadata[plan]=pro' +
        '&options[document][allowed_types][]=passport&options[document][allowed_types][]=id_card&options[document][require_matching_selfie]=true' +
        '&options[document][require_live_capture]=false&expand[0]=verified_outputs',
    );
    assert.equal(r.status, 200, r.text);
    const s = r.body;
    assert.match(s.id, /^vs_1[0-9A-Za-z]{23}$/);
    assert.equal(s.status, 'requires_input');
    assert.equal(s.type, 'document');
    assert.equal(s.client_reference_id, 'user-77');
    assert.deepEqual(s.metadata, { order: '42', plan: 'pro' });
    assert.deepEqual(s.options, { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true, require_live_capture: false } });
    assert.equal(s.last_error, null);
    assert.equal(s.last_verification_report, null);
    assert.equal(s.verified_outputs, null);
    assert.match(s.client_secret, new RegExp(`^${s.id}_secret_`));
    const page = await fetch(s.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /example\.com\/back/);
    assert.equal((await list('?limit=1')).body.data[0].id, s.id);
    assert.equal(srv.control.stats().creates.stripe, 1);
    assert.equal(truth()[0].userRef, 'user-77');

    const flow = await post(PATH, { verification_flow: 'vf_1MockFlowDocSelfieEmailPhone' });
    assert.equal(flow.status, 200);
    assert.equal(flow.body.type, 'verification_flow');
    assert.equal(flow.body.verification_flow, 'vf_1MockFlowDocSelfieEmailPhone');
  });

  test('create errors: missing type, both type and flow, unknown parameters, bad values, not a form', async () => {
    const before = truth().length;
    for (const [form, param, code] of [
      ['', 'type', 'parameter_missing'],
      ['type=document&verification_flow=vf_1MockFlowDocSelfieEmailPhone', 'type', 'parameters_exclusive'],
      ['type=selfie', 'type', undefined],
      ['verification_flow=vf_nope', 'verification_flow', 'resource_missing'],
      ['type=document&colour=red', 'colour', 'parameter_unknown'],
      ['type=document&options[email][require_verification]=true', 'options[email]', 'parameter_unknown'],
      ['type=document&options[document][require_matching_selfie]=maybe', 'options[document][require_matching_selfie]', undefined],
      ['type=document&options[document][allowed_types][]=visa', 'options[document][allowed_types][0]', undefined],
      ['type=document&return_url=not-a-url', 'return_url', 'url_invalid'],
      ['type=document&metadata[k]=' + 'v'.repeat(501), 'metadata[k]', undefined],
      ['type=document&metadata=x&metadata[a]=1', 'metadata', undefined],
    ]) {
      const r = await post(PATH, form);
      assert.equal(r.status, 400, form);
      assert.equal(r.body.error.param, param, form);
      assert.equal(r.body.error.code, code, form);
    }
    const json = await fetch(`${url}${PATH}`, { method: 'POST', headers: { ...ST_AUTH, 'content-type': 'application/json' }, body: '{"type":"document"}' });
    assert.equal(json.status, 400);
    assert.equal(truth().length, before, 'nothing created');
  });

  test('cancel: requires_input only; redact: the answer shows processing, reads show redacted data', async () => {
    const created = (await post(PATH, { type: 'document', 'metadata[a]': '1' })).body;
    const canceled = await post(`${PATH}/${created.id}/cancel`);
    assert.equal(canceled.status, 200);
    assert.equal(canceled.body.status, 'canceled');
    assert.equal(canceled.body.url, null);
    const again = await post(`${PATH}/${created.id}/cancel`);
    assert.equal(again.status, 400);
    assert.match(again.body.error.message, /requires_input/);

    const verified = truth().find((t) => t.status === 'verified' && !t.redaction);
    const redacted = await post(`${PATH}/${verified.id}/redact`);
    assert.equal(redacted.status, 200);
    assert.deepEqual(redacted.body.redaction, { status: 'processing' });
    const read = (await getJson(`${url}${PATH}/${verified.id}?expand[]=verified_outputs&expand[]=last_verification_report`, ST_AUTH)).body;
    assert.deepEqual(read.redaction, { status: 'redacted' });
    assert.deepEqual(read.metadata, {});
    assert.equal(read.verified_outputs.first_name, '[redacted]');
    assert.equal(read.last_verification_report.document.first_name, '[redacted]');
    assert.equal(read.status, 'verified');
    const processing = truth().find((t) => t.status === 'processing');
    assert.equal((await post(`${PATH}/${processing.id}/redact`)).status, 400);
    assert.equal((await post(`${PATH}/vs_1missing/cancel`)).status, 404);
  });

  test('update: metadata merges (an empty value unsets), requires_input only', async () => {
    const created = (await post(PATH, { type: 'document', 'metadata[a]': '1', 'metadata[b]': '2' })).body;
    const updated = await post(`${PATH}/${created.id}`, { 'metadata[b]': '', 'metadata[c]': '3', type: 'id_number' });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.metadata, { a: '1', c: '3' });
    assert.equal(updated.body.type, 'id_number');
    const verified = truth().find((t) => t.status === 'verified');
    assert.equal((await post(`${PATH}/${verified.id}`, { 'metadata[a]': '1' })).status, 400);
  });
});

// ---------------------------------------------------------------------------------------------
describe('idempotency', () => {
  test('same key and parameters: the first answer replayed (Idempotent-Replayed), one session', async () => {
    const headers = { 'idempotency-key': 'key-replay-1' };
    const a = await post(PATH, 'type=document&metadata[x]=1&client_reference_id=u1', headers);
    const b = await post(PATH, 'client_reference_id=u1&metadata[x]=1&type=document', headers); // order does not matter
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.deepEqual(b.body, a.body);
    assert.equal(a.res.headers.get('idempotent-replayed'), null);
    assert.equal(b.res.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.res.headers.get('original-request'), a.res.headers.get('request-id'));
    assert.equal(b.res.headers.get('idempotency-key'), 'key-replay-1');
    assert.equal(truth().filter((t) => t.userRef === 'u1').length, 1);
  });

  test('other parameters or another endpoint: 400 idempotency_error; a failed validation is not kept', async () => {
    const headers = { 'idempotency-key': 'key-mismatch-1' };
    const first = await post(PATH, { type: 'document' }, headers);
    const other = await post(PATH, { type: 'id_number' }, headers);
    assert.equal(other.status, 400);
    assert.equal(other.body.error.type, 'idempotency_error');
    assert.match(other.body.error.message, /same parameters they were first used with/);
    const elsewhere = await post(`${PATH}/${first.body.id}/cancel`, '', headers);
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.body.error.type, 'idempotency_error');
    assert.match(elsewhere.body.error.message, /same endpoint/);

    const k = { 'idempotency-key': 'key-invalid-first' };
    assert.equal((await post(PATH, 'type=selfie', k)).status, 400);
    const ok = await post(PATH, 'type=document', k);
    assert.equal(ok.status, 200, 'the key was not used by a request that failed validation');
    assert.equal((await post(PATH, 'type=document', { 'idempotency-key': 'x'.repeat(256) })).status, 400);
  });

  test('a key whose first request is still running: 409 idempotency_key_in_use', async () => {
    srv.control.script('stripe', 'create', [{ kind: 'hold', holdMs: 1500 }]);
    const headers = { 'idempotency-key': 'key-in-flight-1' };
    const first = post(PATH, { type: 'document' }, headers);
    for (let i = 0; i < 400 && !srv.control.idempotency().keys.some((k) => k.key === 'key-in-flight-1'); i++) await sleep(5);
    const second = await post(PATH, { type: 'document' }, headers);
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'idempotency_key_in_use');
    assert.equal(second.body.error.type, 'idempotency_error');
    const done = await first;
    assert.equal(done.status, 200);
    const third = await post(PATH, { type: 'document' }, headers);
    assert.equal(third.body.id, done.body.id, 'replayed once finished');
  });

  test('reset-after-store: the retry gets the stored answer; one session', async () => {
    srv.control.script('stripe', 'create', ['reset-after-store']);
    const before = truth().length;
    const headers = { 'idempotency-key': 'key-lost-answer-1' };
    await assert.rejects(post(PATH, { type: 'document' }, headers), TypeError);
    assert.equal(truth().length, before + 1);
    const retry = await post(PATH, { type: 'document' }, headers);
    assert.equal(retry.status, 200);
    assert.equal(retry.res.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.body.id, truth()[0].id);
    assert.equal(truth().length, before + 1);
  });
});

// ---------------------------------------------------------------------------------------------
describe('rate limit and faults', () => {
  test('25 per second per endpoint x rate-scale: 429 rate_limit with Retry-After; another endpoint unaffected', async () => {
    const small = await startMockServer({ seed: 11, sessions: 20, rateScale: 0.08 }); // 2 per second per endpoint
    try {
      const get = (p) => getJson(`${small.url}${p}`, ST_AUTH);
      const statuses = [];
      let limited;
      for (let i = 0; i < 3; i++) {
        const r = await get(PATH);
        statuses.push(r.status);
        if (r.status === 429) limited = r;
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.deepEqual(limited.body.error, {
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
        type: 'invalid_request_error',
      });
      assert.equal(limited.res.headers.get('retry-after'), '1');
      const id = small.control.sessions('stripe').sessions[0].id;
      assert.equal((await get(`${PATH}/${id}`)).status, 200, 'retrieve has its own budget');
    } finally {
      await small.close();
    }
  });

  test('scripted faults, forbidden, down and echo apply to Stripe', async () => {
    srv.control.script('stripe', 'list', ['503', 'forbidden']);
    assert.equal((await list()).status, 503);
    const forbidden = await list();
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.type, 'invalid_request_error');
    await control(url, 'echo', { provider: 'stripe', on: true });
    const echoed = await list();
    assert.equal(echoed.status, 400);
    assert.match(echoed.body.error.message, /sk_test_mock/);
    await control(url, 'echo', { provider: 'stripe', on: false });
    await control(url, 'down', { provider: 'stripe', down: true });
    assert.equal((await list()).status, 503);
  });
});

// ---------------------------------------------------------------------------------------------
describe('webhooks', () => {
  let rx;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());
  beforeEach(async () => {
    rx.received.length = 0;
    rx.answer = () => 200;
    await control(url, 'webhooks', { url: rx.url, retryScale: 0.00002, corrupt: 0 });
  });
  after(() => control(url, 'webhooks', { url: null }));

  /** Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>" with whsec_mock>. */
  const verify = (d) => {
    const { t, v1 } = Object.fromEntries(d.headers['stripe-signature'].split(',').map((kv) => kv.split('=')));
    const expected = createHmac('sha256', 'whsec_mock').update(`${t}.`).update(d.body).digest('hex');
    return v1 === expected && Math.abs(Number(t) - Date.now() / 1000) < 300;
  };

  test('created, then the status events; signed over "<t>.<body>"', async () => {
    const created = (await post(PATH, { type: 'document' }, { 'idempotency-key': 'hook-key-0001' })).body;
    const [d] = await rx.waitFor('/hooks/stripe', 1);
    assert.ok(verify(d));
    const event = JSON.parse(d.body);
    assert.deepEqual(Object.keys(event), ['id', 'object', 'api_version', 'created', 'data', 'livemode', 'pending_webhooks', 'request', 'type']);
    assert.match(event.id, /^evt_1[0-9A-Za-z]{23}$/);
    assert.equal(event.type, 'identity.verification_session.created');
    assert.equal(event.data.object.id, created.id);
    assert.equal(event.request.idempotency_key, 'hook-key-0001');
    assert.match(event.request.id, /^req_/);

    const types = async (n) => (await rx.waitFor('/hooks/stripe', n)).map((x) => JSON.parse(x.body).type);
    srv.control.setStatus('stripe', created.id, 'processing');
    await types(2);
    srv.control.setStatus('stripe', created.id, 'requires_input', { result: 'document_expired' });
    await types(3);
    srv.control.setStatus('stripe', created.id, 'requires_action'); // no event for an unknown status
    srv.control.setStatus('stripe', created.id, 'verified');
    await types(4);
    await post(`${PATH}/${created.id}/redact`);
    const all = await rx.waitFor('/hooks/stripe', 5);
    assert.deepEqual(await types(5), [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
      'identity.verification_session.verified',
      'identity.verification_session.redacted',
    ]);
    const requiresInput = JSON.parse(all[2].body).data.object;
    assert.deepEqual(requiresInput.last_error, { code: 'document_expired', reason: 'The provided identity document has expired.' });
    assert.ok(all.every(verify));
    const redacted = JSON.parse(all[4].body);
    assert.deepEqual(redacted.data.object.redaction, { status: 'redacted' });
    assert.deepEqual(redacted.request, { id: redacted.request.id, idempotency_key: null });
  });

  test('a retry sends the same body under a fresh signature; corrupt breaks it', async () => {
    let n = 0;
    rx.answer = () => (++n < 2 ? 503 : 200);
    await post(PATH, { type: 'document' }); // one event: created
    const got = await rx.waitFor('/hooks/stripe', 2);
    assert.ok(got[1].body.equals(got[0].body));
    assert.ok(got.every(verify));
    rx.received.length = 0;
    rx.answer = () => 200;
    await control(url, 'webhooks', { corrupt: 1 });
    await post(PATH, { type: 'document' });
    const [bad] = await rx.waitFor('/hooks/stripe', 1);
    assert.equal(verify(bad), false);
  });
});
