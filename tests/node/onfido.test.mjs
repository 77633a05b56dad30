// Onfido through the built package against the mock (SPEC section 9): every run listed once with
// its unified status, pages, filters (statuses, applicant, whole-day dates with exact bounds after
// fetching), a run with its checks and reports, creates with an existing or a new applicant (never
// a second applicant), the user view, and webhooks: the mock's deliveries, signWebhook's accepted
// by Onfido's own WebhookEventVerifier, resolveWebhook.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebhookEventVerifier } from "@onfido/api";
import { IdvClient, isIdvError, mapStatus, parseWebhook, signWebhook } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { ONFIDO_WORKFLOWS } from "../mock/onfido-data.mjs";
import { control, sleep, startReceiver } from "../mock/helpers.mjs";

let mock;
let rx;
before(async () => {
  mock = await startMockServer({ seed: 11, sessions: 120, retryAfterSeconds: 0 });
  rx = await startReceiver();
});
after(async () => {
  await mock?.close();
  await rx?.close();
});

const client = (extra = {}) =>
  new IdvClient({ onfido: { apiKey: CREDENTIALS.onfido.apiToken, baseUrl: `${mock.url}/v3.6` }, retryBaseMs: 5, ...extra });
const truth = () => mock.control.sessions("onfido").sessions;
const keys = (sessions) => sessions.map((s) => s.key).sort();

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

test("listAll: every run once, with its unified status, user and link", async () => {
  const progress = [];
  const list = await client().listAll("onfido", {}, { onProgress: (p) => progress.push(p) });
  const all = truth();
  assert.deepEqual(keys(list), keys(all));
  const byKey = new Map(all.map((s) => [s.key, s]));
  for (const s of list) {
    const t = byKey.get(s.key);
    assert.equal(s.providerStatus, t.status);
    assert.equal(s.status, mapStatus("onfido", t.status));
    assert.equal(s.userRef, t.userRef);
    assert.equal(s.extra.applicantId, t.applicantId);
    assert.equal(s.createdAt, t.createdAt);
  }
  const statuses = new Set(list.map((s) => s.status));
  for (const s of ["in_progress", "in_review", "approved", "declined", "abandoned", "error", "unknown"]) {
    assert.ok(statuses.has(s), `${s} missing`);
  }
  assert.ok(list.some((s) => s.verificationUrl?.startsWith(`${mock.url}/hosted/onfido/`)));
  assert.ok(progress.length >= Math.ceil(all.length / 20), `${progress.length} pages`);
  assert.equal(progress.at(-1).sessions, all.length);
});

test("listSessions pages by `page` and hands back the next query until a short page", async () => {
  const c = client();
  const seen = [];
  let query = {};
  let pages = 0;
  while (query) {
    const page = await c.listSessions("onfido", query);
    seen.push(...page.sessions);
    pages++;
    assert.equal(page.total, undefined, "Onfido gives no total");
    if (page.next) assert.deepEqual(page.next, { page: pages + 1 });
    query = page.next;
  }
  assert.deepEqual(keys(seen), keys(truth()));
  assert.equal(pages, Math.ceil(truth().length / 20) + (truth().length % 20 === 0 ? 1 : 0));
  const err = await rejects(c.listSessions("onfido", { perPage: 5 }));
  assert.equal(err.code, "config");
});

test("filters: statuses sent as Onfido's comma list, one applicant, whole-day dates with exact bounds", async () => {
  const c = client();
  const review = await c.listAll("onfido", { status: "in_review" });
  assert.deepEqual(
    keys(review),
    keys(truth().filter((s) => ["processing", "awaiting_client_input", "review"].includes(s.status))),
  );
  const applicant = truth().find((s) => s.applicantId).applicantId;
  const one = await c.listAll("onfido", { applicantId: applicant });
  assert.deepEqual(keys(one), keys(truth().filter((s) => s.applicantId === applicant)));
  // An instant inside a day: Onfido's day filter is wider, the exact bound is applied after.
  const times = truth().map((s) => Date.parse(s.createdAt)).sort((a, b) => a - b);
  const from = new Date(times[Math.floor(times.length / 3)] + 1000).toISOString();
  const to = new Date(times[Math.floor((2 * times.length) / 3)] - 1000).toISOString();
  const ranged = await c.listAll("onfido", { dateFrom: from, dateTo: to });
  const want = truth().filter((s) => Date.parse(s.createdAt) >= Date.parse(from) && Date.parse(s.createdAt) <= Date.parse(to));
  assert.ok(want.length > 0);
  assert.deepEqual(keys(ranged), keys(want));
  const bad = await rejects(c.listAll("onfido", { dateFrom: "last tuesday" }));
  assert.equal(bad.code, "config");
});

test("getSession: the run, and with details the reports of its applicant's checks as checks", async () => {
  const c = client();
  const run = truth().find((s) => s.status === "declined" && s.checkId);
  const plain = await c.getSession("onfido", run.id);
  assert.equal(plain.key, run.key);
  assert.deepEqual(plain.checks, []);
  const detailed = await c.getSession("onfido", run.id, { details: true });
  assert.ok(detailed.checks.length >= 2, JSON.stringify(detailed.checks));
  assert.ok(detailed.checks.some((k) => k.kind === "document" && k.status === "declined"), JSON.stringify(detailed.checks));
  assert.ok(detailed.checks.every((k) => typeof k.providerType === "string" && k.providerType.length > 0));
  const missing = await rejects(c.getSession("onfido", "00000000-0000-4000-8000-000000000000"));
  assert.equal(missing.code, "not_found");
});

test("createSession: for an applicant, or for a new one in two requests; a failure after it names the applicant", async () => {
  const c = client();
  const applicant = truth().find((s) => s.applicantId).applicantId;
  const workflowId = ONFIDO_WORKFLOWS[0].id;
  const created = await c.createSession("onfido", { workflowId, applicantId: applicant, customerUserId: "crm-1", completedRedirectUrl: "https://example.com/ok" });
  assert.equal(created.status, "in_progress");
  assert.equal(created.userRef, "crm-1");
  assert.equal(created.returnUrl, "https://example.com/ok");
  assert.ok(created.verificationUrl.startsWith(`${mock.url}/hosted/onfido/`));
  assert.ok(truth().some((s) => s.key === created.key));

  mock.control.resetStats();
  const fresh = await c.createSession("onfido", { workflowId, applicant: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" } });
  assert.equal(mock.control.stats().onfidoApplicantCreates, 1);
  assert.ok(truth().some((s) => s.key === fresh.key && s.applicantId === fresh.extra.applicantId));

  // The run is refused after the applicant exists: the error says which applicant to reuse.
  mock.control.resetStats();
  const err = await rejects(c.createSession("onfido", { workflowId: "not-a-uuid", applicant: { firstName: "Bo", lastName: "Li" } }));
  assert.ok(isIdvError(err));
  assert.equal(mock.control.stats().onfidoApplicantCreates, 1);
  assert.match(err.message, /applicantId: "[0-9a-f-]{36}"/);
  // Bad input is refused before anything is sent.
  mock.control.resetStats();
  for (const input of [{ workflowId }, { workflowId, applicant: { firstName: "x" } }, { workflowId, applicantId: applicant, applicant: { firstName: "a", lastName: "b" } }]) {
    assert.equal((await rejects(c.createSession("onfido", input))).code, "config", JSON.stringify(input));
  }
  assert.equal(mock.control.stats().requests.onfido, 0);
});

test("listUserSessions takes an Onfido applicant", async () => {
  const applicant = truth().find((s) => s.applicantId).applicantId;
  const { sessions, errors } = await client().listUserSessions({ onfido: applicant });
  assert.deepEqual(errors, []);
  assert.deepEqual(keys(sessions), keys(truth().filter((s) => s.applicantId === applicant)));
});

test("a wrong token is an auth error that never shows it; a region must be Onfido's", async () => {
  const err = await rejects(new IdvClient({ onfido: { apiKey: "wrong-token-SECRET", baseUrl: `${mock.url}/v3.6` }, maxRetries: 0 }).listSessions("onfido", {}));
  assert.equal(err.code, "auth");
  assert.ok(!JSON.stringify({ ...err, message: err.message }).includes("wrong-token-SECRET"));
  assert.throws(() => new IdvClient({ onfido: { apiKey: "t", region: "mars" } }), (e) => e.code === "config" && /eu, us, ca/.test(e.message));
  assert.throws(() => new IdvClient({ onfido: { apiKey: "t", region: "us", baseUrl: mock.url } }), (e) => e.code === "config");
});

test("webhooks: the mock's deliveries verify and resolve; signWebhook's pass Onfido's own verifier", async () => {
  const token = CREDENTIALS.onfido.webhookToken;
  await control(mock.url, "webhooks", { url: rx.url, retryScale: 0.00002 });
  const run = truth().find((s) => s.status === "processing");
  mock.control.setStatus("onfido", run.id, "approved");
  const isCompletion = (d) => JSON.parse(d.body).payload.action === "workflow_run.completed";
  for (let i = 0; i < 400 && !rx.on("/hooks/onfido").some(isCompletion); i++) await sleep(5);
  await control(mock.url, "webhooks", { url: null });
  const found = rx.on("/hooks/onfido").find(isCompletion);
  const delivery = { body: String(found.body), headers: found.headers };
  const event = parseWebhook("onfido", { body: delivery.body, headers: delivery.headers, secret: token });
  assert.equal(event.type, "session.updated");
  assert.equal(event.sessionId, run.id);
  assert.equal(event.status, "approved");
  assert.equal(event.verification, "signature");
  const resolved = await client().resolveWebhook(event);
  assert.equal(resolved.key, run.key);
  assert.equal(resolved.status, "approved");
  assert.throws(
    () => parseWebhook("onfido", { body: delivery.body.replace("approved", "declined"), headers: delivery.headers, secret: token }),
    (e) => e.code === "signature",
  );

  const signed = signWebhook("onfido", {
    payload: { resource_type: "workflow_run", action: "workflow_run.completed", object: { id: run.id, status: "approved", completed_at_iso8601: "2026-01-01T00:00:00Z" } },
    secret: token,
  });
  const verified = new WebhookEventVerifier(token).readPayload(signed.body, signed.headers["x-sha2-signature"]);
  assert.equal(verified.payload.object.id, run.id);
  assert.equal(parseWebhook("onfido", { body: signed.body, headers: signed.headers, secret: token }).sessionId, run.id);
});
