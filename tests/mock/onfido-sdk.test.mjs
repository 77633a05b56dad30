// Faithfulness check: Onfido's official Node client (@onfido/api 6.2.0, generated from
// onfido/onfido-openapi-spec) against the mock, with `basePath` pointing at it. When the client
// and the mock disagree, the mock is wrong.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, DefaultApi, OnfidoInvalidSignatureError, WebhookEventVerifier } from '@onfido/api';
import { startMockServer } from './server.mjs';
import { CREDENTIALS } from './data.mjs';
import { ONFIDO_WORKFLOWS } from './onfido-data.mjs';
import { ONFIDO_PAGE_SIZE } from './onfido.mjs';
import { control, sleep, startReceiver } from './helpers.mjs';

let srv;
let onfido;
let rx;

before(async () => {
  srv = await startMockServer({ seed: 2, sessions: 90 });
  onfido = new DefaultApi(new Configuration({ apiToken: CREDENTIALS.onfido.apiToken, basePath: `${srv.url}/v3.6` }));
  rx = await startReceiver();
});

after(async () => {
  await srv.close();
  await rx.close();
});

test('createApplicant, createWorkflowRun (its link.url is served), findWorkflowRun', async () => {
  const applicant = (await onfido.createApplicant({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' })).data;
  assert.match(applicant.id, /^[0-9a-f-]{36}$/);
  assert.equal(applicant.first_name, 'Ada');
  assert.deepEqual((await onfido.findApplicant(applicant.id)).data, applicant);

  const created = await onfido.createWorkflowRun({
    workflow_id: ONFIDO_WORKFLOWS[0].id,
    applicant_id: applicant.id,
    customer_user_id: 'crm-ada',
    tags: ['sdk'],
    link: { completed_redirect_url: 'https://example.com/ok', expired_redirect_url: 'https://example.com/late' },
  });
  assert.equal(created.status, 201);
  const run = created.data;
  assert.equal(run.status, 'awaiting_input');
  assert.equal(run.applicant_id, applicant.id);
  assert.equal(run.workflow_version_id, ONFIDO_WORKFLOWS[0].versionId);
  assert.equal(typeof run.link.url, 'string');
  assert.ok(run.link.url.startsWith(`${srv.url}/hosted/onfido/`), run.link.url);
  assert.equal(run.link.completed_redirect_url, 'https://example.com/ok');
  assert.equal((await fetch(run.link.url)).status, 200);
  // the keys of onfido-node's own expectation (test/resources/workflow-runs.test.ts)
  for (const key of ['id', 'applicant_id', 'workflow_id', 'workflow_version_id', 'dashboard_url', 'status', 'output', 'reasons', 'error', 'sdk_token', 'link', 'created_at', 'updated_at', 'tags', 'customer_user_id']) {
    assert.ok(key in run, key);
  }
  const found = await onfido.findWorkflowRun(run.id);
  assert.deepEqual(found.data, run);
});

test('listWorkflowRuns page by page until a short page: every run once, in the mock\'s order', async () => {
  const truth = (await control(srv.url, 'sessions?provider=onfido')).sessions.map((s) => s.id);
  const seen = [];
  let pages = 0;
  for (let page = 1; ; page++) {
    const { data } = await onfido.listWorkflowRuns(page);
    pages++;
    seen.push(...data.map((r) => r.id));
    if (data.length < ONFIDO_PAGE_SIZE) break;
  }
  assert.equal(pages, Math.floor(truth.length / ONFIDO_PAGE_SIZE) + 1);
  assert.equal(new Set(seen).size, seen.length, 'no duplicate');
  assert.deepEqual(seen, truth);
});

test('listWorkflowRuns filters as the client sends them: status, Date bounds cut to days, sort, applicant, tags csv', async () => {
  const truth = (await control(srv.url, 'sessions?provider=onfido')).sessions;
  const approved = (await onfido.listWorkflowRuns(1, 'approved,review')).data;
  assert.ok(approved.length > 0 && approved.every((r) => r.status === 'approved' || r.status === 'review'));
  const day = truth[30].createdAt.slice(0, 10);
  // the client turns a Date into YYYY-MM-DD (api.js: toISOString().substring(0, 10))
  const after = (await onfido.listWorkflowRuns(1, undefined, new Date(`${day}T18:00:00Z`))).data;
  assert.ok(after.length > 0 && after.every((r) => r.created_at.slice(0, 10) > day));
  const asc = (await onfido.listWorkflowRuns(1, undefined, undefined, undefined, 'asc')).data;
  assert.deepEqual(asc.map((r) => r.id), truth.map((t) => t.id).reverse().slice(0, ONFIDO_PAGE_SIZE));
  const person = srv.control.people()[0];
  const mine = (await onfido.listWorkflowRuns(undefined, undefined, undefined, undefined, undefined, person.onfidoApplicantId)).data;
  assert.ok(mine.length >= 2 && mine.every((r) => r.applicant_id === person.onfidoApplicantId));
  const tagged = (await onfido.listWorkflowRuns(undefined, undefined, undefined, undefined, undefined, undefined, ['onboarding', 'high-risk'])).data;
  assert.ok(tagged.length > 0 && tagged.every((r) => r.tags.includes('onboarding') && r.tags.includes('high-risk')));
});

test('listChecks, listReports, findReport, findCheck', async () => {
  const person = srv.control.people()[0];
  const { checks } = (await onfido.listChecks(person.onfidoApplicantId)).data;
  assert.ok(checks.length >= 1);
  const { reports } = (await onfido.listReports(checks[0].id)).data;
  assert.deepEqual(reports.map((r) => r.id), checks[0].report_ids);
  assert.deepEqual((await onfido.findReport(reports[0].id)).data, reports[0]);
  assert.deepEqual((await onfido.findCheck(checks[0].id)).data, checks[0]);
});

test('errors reach the client as Onfido\'s error body: 401, 404, 422', async () => {
  const wrong = new DefaultApi(new Configuration({ apiToken: 'wrong-token', basePath: `${srv.url}/v3.6` }));
  await assert.rejects(wrong.listWorkflowRuns(), (err) => {
    assert.equal(err.response.status, 401);
    assert.equal(err.response.data.error.type, 'authorization_error');
    return true;
  });
  await assert.rejects(onfido.findWorkflowRun('00000000-0000-4000-8000-000000000000'), (err) => err.response.status === 404 && err.response.data.error.type === 'resource_not_found');
  await assert.rejects(onfido.createApplicant({ first_name: 'Only' }), (err) => {
    assert.equal(err.response.status, 422);
    assert.equal(err.response.data.error.type, 'validation_error');
    assert.ok(err.response.data.error.fields.last_name);
    return true;
  });
});

test('WebhookEventVerifier accepts the mock\'s deliveries and rejects a corrupted one', async () => {
  const verifier = new WebhookEventVerifier(CREDENTIALS.onfido.webhookToken);
  // the published vector first (onfido-node test/classic-webhook-event-verifier.test.ts)
  const published = new WebhookEventVerifier('_ABC123abc123ABC123abc123ABC123_');
  const raw = '{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"check-123","status":"complete","completed_at_iso8601":"2020-01-01T00:00:00Z","href":"https://api.onfido.com/v3/checks/check-123"}}}';
  assert.equal(published.readPayload(raw, 'a0082d7481f9f0a2907583dbe1f344d6d4c0d9989df2fd804f98479f60cd760e').payload.object.id, 'check-123');

  await control(srv.url, 'webhooks', { url: rx.url, retryScale: 0.00002 });
  const run = srv.control.sessions('onfido').sessions.find((s) => s.status === 'processing');
  srv.control.setStatus('onfido', run.id, 'declined');
  const isCompletion = (d) => JSON.parse(d.body).payload.action === 'workflow_run.completed';
  for (let i = 0; i < 400 && !rx.on('/hooks/onfido').some(isCompletion); i++) await sleep(5);
  const got = rx.on('/hooks/onfido');
  const actions = [];
  for (const d of got) {
    const event = verifier.readPayload(d.body, d.headers['x-sha2-signature']);
    actions.push(event.payload.action);
  }
  assert.ok(actions.includes('workflow_run.completed'), actions.join());
  const completed = got.map((d) => JSON.parse(d.body).payload).find((p) => p.action === 'workflow_run.completed');
  assert.equal(completed.resource.status, 'declined');

  rx.received.length = 0;
  await control(srv.url, 'webhooks', { corrupt: 1 });
  await control(srv.url, 'insert', { provider: 'onfido', count: 1 });
  const [bad] = await rx.waitFor('/hooks/onfido', 1);
  assert.throws(() => verifier.readPayload(bad.body, bad.headers['x-sha2-signature']), OnfidoInvalidSignatureError);
  await control(srv.url, 'webhooks', { url: null, corrupt: 0 });
});
