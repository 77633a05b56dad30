// The Onfido mock with plain fetch: auth errors, paging edges, filters, 404/422 bodies, creates,
// checks and reports, controls, rate limit, webhooks (signatures checked with node:crypto and
// against Onfido's published test vectors).

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startMockServer } from './server.mjs';
import { REQUIRED_STATUSES } from './data.mjs';
import { ONFIDO_UNKNOWN_REPORT, ONFIDO_WORKFLOWS } from './onfido-data.mjs';
import { ONFIDO_PAGE_SIZE } from './onfido.mjs';
import { onfidoSignature } from './webhooks.mjs';
import { ON_AUTH, control, getJson, postJson, sleep, startReceiver } from './helpers.mjs';

let srv;
let url;

before(async () => {
  // rate limit scaled up: these tests send more than 400 requests a minute
  srv = await startMockServer({ seed: 7, sessions: 120, rateScale: 100 });
  url = srv.url;
});

after(() => srv.close());

beforeEach(async () => {
  await control(url, 'reset', {});
  await control(url, 'faults', {});
});

const runs = (query = '') => getJson(`${url}/v3.6/workflow_runs${query}`, ON_AUTH);
const truth = () => srv.control.sessions('onfido').sessions;
const WORKFLOW = ONFIDO_WORKFLOWS[0].id;

/** Every run of the list, page by page, until a short page. */
async function allPages(query = '') {
  const out = [];
  for (let page = 1; page < 100; page++) {
    const r = await runs(`?page=${page}${query}`);
    assert.equal(r.status, 200);
    out.push(...r.body);
    if (r.body.length < ONFIDO_PAGE_SIZE) return out;
  }
  throw new Error('no short page');
}

// ---------------------------------------------------------------------------------------------
describe('auth and errors', () => {
  test('missing or wrong token: 401 authorization_error in the documented error shape', async () => {
    for (const headers of [{}, { authorization: 'Token token=wrong' }, { authorization: 'Bearer mock-onfido-api-token' }, { authorization: 'mock-onfido-api-token' }]) {
      const denied = await getJson(`${url}/v3.6/workflow_runs`, headers);
      assert.equal(denied.status, 401, JSON.stringify(headers));
      assert.deepEqual(Object.keys(denied.body.error), ['type', 'message', 'fields']);
      assert.equal(denied.body.error.type, 'authorization_error');
      assert.deepEqual(denied.body.error.fields, {});
      assert.ok(!denied.text.includes('mock-onfido-api-token'), 'the token is not echoed');
    }
    // the Rails form with a quoted token is the same credential
    assert.equal((await getJson(`${url}/v3.6/workflow_runs`, { authorization: 'Token token="mock-onfido-api-token"' })).status, 200);
  });

  test('404 resource_not_found for unknown ids and paths; 405 for other methods', async () => {
    for (const path of ['workflow_runs/00000000-0000-4000-8000-000000000000', 'applicants/nope', 'checks/nope', 'reports/nope', 'nothing']) {
      const r = await getJson(`${url}/v3.6/${path}`, ON_AUTH);
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.body, { error: { type: 'resource_not_found', message: 'The resource could not be found', fields: {} } });
    }
    const del = await fetch(`${url}/v3.6/workflow_runs`, { method: 'DELETE', headers: ON_AUTH });
    assert.equal(del.status, 405);
  });
});

// ---------------------------------------------------------------------------------------------
describe('GET /v3.6/workflow_runs', () => {
  test('a bare array, 20 per page, newest first by created_at; pages walk the whole list; no paging headers', async () => {
    const first = await runs();
    assert.ok(Array.isArray(first.body));
    assert.equal(first.body.length, ONFIDO_PAGE_SIZE);
    assert.equal(first.res.headers.get('link'), null);
    assert.equal(first.res.headers.get('x-total-count'), null);
    const all = await allPages();
    assert.deepEqual(all.map((r) => r.id), truth().map((t) => t.id));
    assert.equal(all.length, 120);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].created_at >= all[i].created_at, `order at ${i}`);
    assert.deepEqual((await runs('?page=99')).body, [], 'past the end: []');
    assert.equal((await runs('?page=6')).body.length, 120 - 5 * ONFIDO_PAGE_SIZE, 'the last page is short');
  });

  test('page and sort are validated: 422 validation_error naming the field', async () => {
    for (const [query, field] of [['?page=0', 'page'], ['?page=-1', 'page'], ['?page=abc', 'page'], ['?sort=up', 'sort'], ['?created_at_gt=2026-13-01', 'created_at_gt'], ['?created_at_lt=yesterday', 'created_at_lt'], ['?created_at_gt=2026-10-01T00:00:00Z', 'created_at_gt']]) {
      const r = await runs(query);
      assert.equal(r.status, 422, query);
      assert.equal(r.body.error.type, 'validation_error');
      assert.ok(Array.isArray(r.body.error.fields[field]), `${query}: ${JSON.stringify(r.body)}`);
    }
  });

  test('sort=asc is the reverse order', async () => {
    const asc = await allPages('&sort=asc');
    assert.deepEqual(asc.map((r) => r.id), truth().map((t) => t.id).reverse());
  });

  test('status: a comma-separated list of exact values (the unknown one too)', async () => {
    const got = await allPages('&status=approved,declined');
    assert.ok(got.length > 0);
    assert.deepEqual(got.map((r) => r.id), truth().filter((t) => t.status === 'approved' || t.status === 'declined').map((t) => t.id));
    const unknown = await allPages('&status=suspended');
    assert.ok(unknown.length >= 1 && unknown.every((r) => r.status === 'suspended'));
  });

  test('created_at_gt / created_at_lt compare whole UTC days', async () => {
    const all = truth();
    const day = all[Math.floor(all.length / 2)].createdAt.slice(0, 10);
    const after = await allPages(`&created_at_gt=${day}`);
    assert.deepEqual(after.map((r) => r.id), all.filter((t) => t.createdAt.slice(0, 10) > day).map((t) => t.id));
    const before = await allPages(`&created_at_lt=${day}`);
    assert.deepEqual(before.map((r) => r.id), all.filter((t) => t.createdAt.slice(0, 10) < day).map((t) => t.id));
    const none = await allPages(`&created_at_gt=${day}&created_at_lt=${day}`);
    assert.deepEqual(none, []);
  });

  test('applicant_id and tags (every tag given; csv as the client sends it, or repeated)', async () => {
    const person = srv.control.people()[0];
    const mine = await allPages(`&applicant_id=${person.onfidoApplicantId}`);
    assert.ok(mine.length >= 2);
    assert.ok(mine.every((r) => r.applicant_id === person.onfidoApplicantId));
    assert.deepEqual(mine.map((r) => r.id), truth().filter((t) => t.applicantId === person.onfidoApplicantId).map((t) => t.id));
    const both = await allPages('&tags=onboarding,high-risk');
    assert.ok(both.length >= 1);
    assert.ok(both.every((r) => r.tags.includes('onboarding') && r.tags.includes('high-risk')));
    assert.deepEqual((await allPages('&tags=onboarding&tags=high-risk')).map((r) => r.id), both.map((r) => r.id));
    assert.deepEqual((await allPages('&tags[]=onboarding&tags[]=high-risk')).map((r) => r.id), both.map((r) => r.id));
    const one = await allPages('&tags=onboarding');
    assert.ok(one.length > both.length);
  });

  test('hostile paging ignore-page serves page 1 for every page', async () => {
    await control(url, 'paging', { provider: 'onfido', mode: 'ignore-page' });
    assert.deepEqual((await runs('?page=3')).body.map((r) => r.id), (await runs('?page=1')).body.map((r) => r.id));
  });
});

// ---------------------------------------------------------------------------------------------
describe('seeded runs', () => {
  test('every status, the unknown one, link variants, with and without customer_user_id, tags', async () => {
    const all = await allPages();
    const statuses = new Set(all.map((r) => r.status));
    for (const s of REQUIRED_STATUSES.onfido) assert.ok(statuses.has(s), s);
    assert.ok(all.some((r) => r.link && typeof r.link.url === 'string'), 'a link with url');
    assert.ok(all.some((r) => r.link === null), 'link: null');
    assert.ok(all.some((r) => !('link' in r)), 'no link');
    assert.ok(all.some((r) => r.link && !('url' in r.link)), 'a link without url');
    assert.ok(all.some((r) => typeof r.customer_user_id === 'string') && all.some((r) => !('customer_user_id' in r)));
    assert.ok(all.some((r) => r.tags.length === 0) && all.some((r) => r.tags.length >= 2));
    const run = all.find((r) => r.status === 'error');
    assert.deepEqual(Object.keys(run.error), ['type', 'message']);
    assert.ok(all.filter((r) => r.status !== 'error').every((r) => r.error === null));
    for (const r of all) {
      assert.match(r.id, /^[0-9a-f-]{36}$/);
      assert.match(r.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(Array.isArray(r.reasons));
    }
  });

  test('checks and reports cover every report kind, status, result and sub_result, with breakdown reasons', async () => {
    const people = srv.control.people().filter((p) => p.onfidoApplicantId);
    const reports = [];
    const checks = [];
    for (const p of people) {
      const c = await getJson(`${url}/v3.6/checks?applicant_id=${p.onfidoApplicantId}`, ON_AUTH);
      assert.equal(c.status, 200);
      for (const check of c.body.checks) {
        checks.push(check);
        const r = await getJson(`${url}/v3.6/reports?check_id=${check.id}`, ON_AUTH);
        assert.deepEqual(r.body.reports.map((x) => x.id), check.report_ids);
        reports.push(...r.body.reports);
      }
    }
    const names = new Set(reports.map((r) => r.name));
    const kinds = [
      'document', 'facial_similarity_photo', 'facial_similarity_photo_fully_auto', 'facial_similarity_video', 'facial_similarity_motion',
      'watchlist_standard', 'watchlist_aml', 'proof_of_address', 'identity_enhanced', 'us_driving_licence', 'india_pan', 'device_intelligence',
      'known_faces', ONFIDO_UNKNOWN_REPORT,
    ];
    for (const k of kinds) assert.ok(names.has(k), k);
    for (const s of ['complete', 'awaiting_data', 'awaiting_approval', 'cancelled', 'withdrawn']) assert.ok(reports.some((r) => r.status === s), s);
    for (const s of ['clear', 'consider', 'unidentified']) assert.ok(reports.some((r) => r.result === s), s);
    for (const s of ['clear', 'rejected', 'suspected', 'caution']) assert.ok(reports.some((r) => r.sub_result === s), s);
    assert.ok(reports.filter((r) => !r.name.startsWith('document')).every((r) => r.sub_result === null), 'sub_result: documents only');
    const flagged = reports.filter((r) => r.result === 'consider');
    assert.ok(flagged.every((r) => Object.values(r.breakdown).some((g) => g.result === 'consider')), 'a consider report names its reason');
    const reason = flagged.find((r) => r.name === 'document');
    const group = Object.values(reason.breakdown).find((g) => g.result === 'consider');
    assert.ok(Object.values(group.breakdown).some((b) => b.result === 'consider'));
    for (const s of ['in_progress', 'complete', 'withdrawn', 'paused']) assert.ok(checks.some((c) => c.status === s), `check ${s}`);

    const one = reports[0];
    assert.deepEqual((await getJson(`${url}/v3.6/reports/${one.id}`, ON_AUTH)).body, one);
    assert.deepEqual((await getJson(`${url}/v3.6/checks/${checks[0].id}`, ON_AUTH)).body, checks[0]);
  });

  test('checks and reports need their query parameter (422) and a known owner (404)', async () => {
    const noApplicant = await getJson(`${url}/v3.6/checks`, ON_AUTH);
    assert.equal(noApplicant.status, 422);
    assert.ok(noApplicant.body.error.fields.applicant_id);
    assert.equal((await getJson(`${url}/v3.6/checks?applicant_id=00000000-0000-4000-8000-000000000000`, ON_AUTH)).status, 404);
    const noCheck = await getJson(`${url}/v3.6/reports`, ON_AUTH);
    assert.equal(noCheck.status, 422);
    assert.ok(noCheck.body.error.fields.check_id);
    assert.equal((await getJson(`${url}/v3.6/reports?check_id=nope`, ON_AUTH)).status, 404);
  });

  test('the same seed gives the same runs', async () => {
    const other = await startMockServer({ seed: 7, sessions: 120 });
    try {
      const a = await runs('?page=2');
      const b = await getJson(`${other.url}/v3.6/workflow_runs?page=2`, ON_AUTH);
      assert.deepEqual(b.body.map((r) => [r.id, r.status, r.created_at]), a.body.map((r) => [r.id, r.status, r.created_at]));
    } finally {
      await other.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('creates', () => {
  test('POST /applicants then POST /workflow_runs: 201, link.url served, the run first in the list', async () => {
    srv.control.resetStats();
    const applicant = await postJson(`${url}/v3.6/applicants`, { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com', dob: '1990-02-03' }, ON_AUTH);
    assert.equal(applicant.status, 201);
    assert.match(applicant.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(applicant.body.href, `/v3.6/applicants/${applicant.body.id}`);
    assert.deepEqual((await getJson(`${url}/v3.6/applicants/${applicant.body.id}`, ON_AUTH)).body, applicant.body);

    const run = await postJson(
      `${url}/v3.6/workflow_runs`,
      { workflow_id: WORKFLOW, applicant_id: applicant.body.id, tags: ['t1'], customer_user_id: 'crm-42', link: { completed_redirect_url: 'https://example.com/done', language: 'fr_FR' } },
      ON_AUTH,
    );
    assert.equal(run.status, 201);
    assert.equal(run.body.status, 'awaiting_input');
    assert.equal(run.body.customer_user_id, 'crm-42');
    assert.deepEqual(run.body.tags, ['t1']);
    assert.equal(run.body.link.completed_redirect_url, 'https://example.com/done');
    assert.equal(run.body.link.language, 'fr_FR');
    assert.ok(run.body.link.url.startsWith(`${url}/hosted/onfido/`));
    assert.equal(typeof run.body.sdk_token, 'string');
    const page = await fetch(run.body.link.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /https:\/\/example\.com\/done/);
    assert.equal((await runs()).body[0].id, run.body.id);
    assert.deepEqual((await getJson(`${url}/v3.6/workflow_runs/${run.body.id}`, ON_AUTH)).body, run.body);
    const stats = srv.control.stats();
    assert.equal(stats.creates.onfido, 1);
    assert.equal(stats.onfidoApplicantCreates, 1);
    assert.equal(srv.control.sessions('onfido').sessions[0].userRef, 'crm-42');
  });

  test('422 validation_error with fields for bad bodies; 400 bad_request for non-JSON', async () => {
    const applicantId = srv.control.people().find((p) => p.onfidoApplicantId).onfidoApplicantId;
    const cases = [
      [{}, ['workflow_id', 'applicant_id']],
      [{ workflow_id: 'not-a-uuid', applicant_id: applicantId }, ['workflow_id']],
      [{ workflow_id: WORKFLOW, applicant_id: '00000000-0000-4000-8000-000000000000' }, ['applicant_id']],
      [{ workflow_id: WORKFLOW, applicant_id: applicantId, tags: Array(31).fill('x') }, ['tags']],
      [{ workflow_id: WORKFLOW, applicant_id: applicantId, tags: [''] }, ['tags']],
      [{ workflow_id: WORKFLOW, applicant_id: applicantId, customer_user_id: 'x'.repeat(257) }, ['customer_user_id']],
      [{ workflow_id: WORKFLOW, applicant_id: applicantId, link: { language: 'xx_XX' } }, ['link.language']],
    ];
    const before = truth().length;
    for (const [body, fields] of cases) {
      const r = await postJson(`${url}/v3.6/workflow_runs`, body, ON_AUTH);
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.equal(r.body.error.type, 'validation_error');
      assert.deepEqual(Object.keys(r.body.error.fields).sort(), fields.sort(), JSON.stringify(r.body));
    }
    assert.equal(truth().length, before, 'nothing created');
    const applicant = await postJson(`${url}/v3.6/applicants`, { first_name: 'Bad<name>' }, ON_AUTH);
    assert.equal(applicant.status, 422);
    assert.deepEqual(Object.keys(applicant.body.error.fields).sort(), ['first_name', 'last_name']);
    const notJson = await postJson(`${url}/v3.6/applicants`, '{nope', ON_AUTH);
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error.type, 'bad_request');
  });
});

// ---------------------------------------------------------------------------------------------
describe('controls', () => {
  test('insert (for an applicant), status changes, sessions, down, forbidden, echo', async () => {
    const person = srv.control.people()[0];
    const ins = await control(url, 'insert', { provider: 'onfido', count: 2, userRef: person.onfidoApplicantId });
    assert.equal(ins.inserted.length, 2);
    assert.equal(ins.total, 122);
    assert.deepEqual((await runs()).body.slice(0, 2).map((r) => r.id), ins.inserted.map((r) => r.id).reverse());
    assert.ok((await runs()).body.slice(0, 2).every((r) => r.applicant_id === person.onfidoApplicantId));
    assert.equal((await postJson(`${url}/__mock/insert`, { provider: 'onfido', count: 1, userRef: 'not-an-applicant' })).status, 400);

    const id = ins.inserted[0].id;
    const changed = await control(url, 'status', { provider: 'onfido', id, status: 'approved' });
    assert.equal(changed.status, 'approved');
    const run = (await getJson(`${url}/v3.6/workflow_runs/${id}`, ON_AUTH)).body;
    assert.equal(run.status, 'approved');
    const checks = (await getJson(`${url}/v3.6/checks?applicant_id=${run.applicant_id}`, ON_AUTH)).body.checks;
    const check = checks.find((c) => c.id === changed.checkId);
    assert.equal(check.status, 'complete');
    assert.equal(check.result, 'clear');
    assert.equal((await postJson(`${url}/__mock/status`, { provider: 'onfido', id: 'nope', status: 'approved' })).status, 404);

    await control(url, 'down', { provider: 'onfido', down: true });
    assert.equal((await runs()).status, 503);
    await control(url, 'down', { provider: 'onfido', down: false });
    srv.control.script('onfido', 'list', ['forbidden']);
    const forbidden = await runs();
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.type, 'user_authorization_error');
    await control(url, 'echo', { provider: 'onfido', on: true });
    const echoed = await runs();
    assert.equal(echoed.status, 400);
    assert.equal(echoed.body.error.type, 'bad_request');
    assert.match(echoed.body.error.message, /mock-onfido-api-token/);
  });

  test('rate limit (the mock\'s 400 per minute x rate-scale): 429 rate_limit with Retry-After, through the fault machinery too', async () => {
    const small = await startMockServer({ seed: 7, sessions: 20, rateScale: 0.01 }); // 4 per minute
    try {
      const statuses = [];
      let limited;
      for (let i = 0; i < 5; i++) {
        const r = await getJson(`${small.url}/v3.6/workflow_runs`, ON_AUTH);
        statuses.push(r.status);
        if (r.status === 429) limited = r;
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
      assert.ok(Number(limited.res.headers.get('retry-after')) >= 1);
      assert.deepEqual(limited.body, { error: { type: 'rate_limit', message: 'Rate limit exceeded. Please try again later.', fields: {} } });
      small.control.script('onfido', 'get', [{ kind: '429', retryAfter: 9 }]);
      const run = small.control.sessions('onfido').sessions[0].id;
      const injected = await getJson(`${small.url}/v3.6/workflow_runs/${run}`, ON_AUTH);
      assert.equal(injected.status, 429);
      assert.equal(injected.res.headers.get('retry-after'), '9');
    } finally {
      await small.close();
    }
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

  /** Until the mock has logged every attempt (it logs one when the answer's status line arrives). */
  const settled = async () => {
    for (let i = 0; i < 400 && srv.control.webhooks().pending; i++) await sleep(5);
  };
  const verify = (d) => createHmac('sha256', 'mock-onfido-webhook-token').update(d.body).digest('hex') === d.headers['x-sha2-signature'];

  test('the published onfido-node vectors: the mock signs their bodies to their signatures', () => {
    // onfido/onfido-node test/classic-webhook-event-verifier.test.ts
    const classic = '{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"check-123","status":"complete","completed_at_iso8601":"2020-01-01T00:00:00Z","href":"https://api.onfido.com/v3/checks/check-123"}}}';
    assert.equal(onfidoSignature(classic, '_ABC123abc123ABC123abc123ABC123_'), 'a0082d7481f9f0a2907583dbe1f344d6d4c0d9989df2fd804f98479f60cd760e');
    // onfido/onfido-node test/studio-webhook-event-verifier.test.ts
    const studio =
      '{"payload":{"resource_type":"workflow_task","action":"workflow_task.started","object":{"id":"profile_1eb92","task_spec_id":"profile_1eb92","task_def_id":"profile_data","workflow_run_id":"bc77c6e5-753a-4580-96a6-aaed3e5a8d19","status":"started","started_at_iso8601":"2024-07-10T12:49:09Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/bc77c6e5-753a-4580-96a6-aaed3e5a8d19/tasks/profile_1eb92"},"resource":{"created_at":"2024-07-10T12:49:09Z","id":"profile_1eb92","workflow_run_id":"bc77c6e5-753a-4580-96a6-aaed3e5a8d19","updated_at":"2024-07-10T12:49:09Z","input":{},"task_def_version":null,"task_def_id":"profile_data","output":null}}}';
    assert.equal(onfidoSignature(studio, 'YKOC6mkBxi6yK2zlUIrLMvsJMFEZObP5'), 'c95a5b785484f6fa1bc25f381b5595d66bf85cb442eefb06aa007802ee6a4dfa');
    assert.equal(onfidoSignature(Buffer.from(studio), 'YKOC6mkBxi6yK2zlUIrLMvsJMFEZObP5'), 'c95a5b785484f6fa1bc25f381b5595d66bf85cb442eefb06aa007802ee6a4dfa');
  });

  test('a create starts the first task; an end status sends report.completed, check.completed, workflow_run.completed', async () => {
    const applicantId = srv.control.people().find((p) => p.onfidoApplicantId).onfidoApplicantId;
    const run = (await postJson(`${url}/v3.6/workflow_runs`, { workflow_id: ONFIDO_WORKFLOWS[1].id, applicant_id: applicantId }, ON_AUTH)).body;
    const [started] = await rx.waitFor('/hooks/onfido', 1);
    assert.equal(started.method, 'POST');
    assert.ok(verify(started));
    assert.match(started.headers['x-sha2-signature'], /^[0-9a-f]{64}$/);
    const { payload } = JSON.parse(started.body);
    assert.equal(payload.action, 'workflow_task.started');
    assert.equal(payload.resource_type, 'workflow_task');
    assert.equal(payload.object.workflow_run_id, run.id);
    assert.equal(payload.object.status, 'started');
    assert.match(payload.object.id, /^profile_data_[0-9a-f]{5}$/);

    srv.control.setStatus('onfido', run.id, 'processing');
    const moved = await rx.waitFor('/hooks/onfido', 3);
    assert.deepEqual(moved.slice(1).map((d) => JSON.parse(d.body).payload.action).sort(), ['workflow_task.completed', 'workflow_task.started']);

    srv.control.setStatus('onfido', run.id, 'approved');
    // three reports, one check, the run
    const all = await rx.waitFor('/hooks/onfido', 3 + 5);
    const done = all.slice(3).map((d) => JSON.parse(d.body).payload);
    const actions = done.map((p) => p.action).sort();
    assert.deepEqual(actions, ['check.completed', 'report.completed', 'report.completed', 'report.completed', 'workflow_run.completed']);
    const completed = done.find((p) => p.action === 'workflow_run.completed');
    assert.deepEqual(Object.keys(completed.object), ['id', 'status', 'completed_at_iso8601', 'href']);
    assert.equal(completed.object.status, 'approved');
    assert.equal(completed.object.href, `${url}/v3.6/workflow_runs/${run.id}`);
    assert.equal(completed.resource.id, run.id);
    assert.equal(completed.resource.status, 'approved');
    assert.ok(all.every(verify));
    await settled();
    const log = srv.control.webhooks().deliveries.filter((d) => d.provider === 'onfido');
    assert.ok(log.some((d) => d.id === `workflow_run.completed:${run.id}:${completed.object.completed_at_iso8601}`));
  });

  test('retries carry the same body and signature; corrupt alters the signature', async () => {
    let n = 0;
    rx.answer = () => (++n < 3 ? 500 : 200);
    const applicantId = srv.control.people().find((p) => p.onfidoApplicantId).onfidoApplicantId;
    // a create sends one delivery (workflow_task.started)
    const run = (await postJson(`${url}/v3.6/workflow_runs`, { workflow_id: WORKFLOW, applicant_id: applicantId }, ON_AUTH)).body;
    const got = await rx.waitFor('/hooks/onfido', 3);
    assert.ok(got.every((d) => d.body.equals(got[0].body) && d.headers['x-sha2-signature'] === got[0].headers['x-sha2-signature']));
    assert.equal(JSON.parse(got[0].body).payload.object.workflow_run_id, run.id);
    await settled();
    assert.deepEqual(srv.control.webhooks().deliveries.filter((d) => d.provider === 'onfido').map((d) => [d.attempt, d.status]).slice(0, 3), [[1, 500], [2, 500], [3, 200]]);

    rx.received.length = 0;
    await control(url, 'webhooks', { corrupt: 1 });
    await control(url, 'insert', { provider: 'onfido', count: 1 });
    const [bad] = await rx.waitFor('/hooks/onfido', 1);
    assert.equal(verify(bad), false);
  });
});
