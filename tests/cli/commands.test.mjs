// `idv-sessions get`, `user` and `create`, installed from the packed tarball, against the mock
// providers: their output against the package's own answers, their formats, their errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { IdvClient, summarize } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { assertNoSecretInOutputs, cliEnv, installPackage, runCli } from "./helpers.mjs";

const STANDARD_KYC = "a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35";

let pkg;
let mock;
let env;
let client;
before(async () => {
  pkg = installPackage();
  mock = await startMockServer({ seed: 5, sessions: 120, retryAfterSeconds: 0 });
  env = cliEnv(mock.url);
  client = new IdvClient({
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: mock.url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: mock.url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: mock.url },
  });
});
after(async () => {
  await mock?.close();
  pkg?.cleanup();
});

const cli = (args, options = {}) => runCli(pkg.bin, args, { env, ...options });
const person = () => mock.control.people()[0]; // at all three providers, many sessions each
const withoutTimes = (summary) => ({ ...summary, sessionsInWindow: undefined, flags: { ...summary.flags, sessionSpike: undefined, approvedLivenessWithinDays: undefined } });

test("get: the session as the package reads it, json when stdout is not a terminal, table when asked", async () => {
  const didit = mock.control.sessions("didit").sessions.find((s) => s.status === "Declined");
  const r = await cli(["get", "didit", didit.id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const session = JSON.parse(r.stdout);
  assert.deepEqual(session, await client.getSession("didit", didit.id));
  assert.equal(session.status, "declined");
  assert.ok(session.checks.length > 0);

  const table = await cli(["get", "didit", didit.id, "--format", "table"]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, new RegExp(`^provider\\s+didit\\nid\\s+${didit.id}\\n`));
  assert.match(table.stdout, /status\s+declined \(Declined\)/);
  assert.match(table.stdout, /checks\s+\n\s+KIND\s+STATUS\s+PROVIDER TYPE/);
  assert.match(table.stdout, /\n\s+document\s+approved\s+id_verifications\s+Approved\n/);

  const mangopay = mock.control.sessions("mangopay").sessions.find((s) => s.status === "REFUSED");
  const mp = await cli(["get", "mangopay", mangopay.id, "--include-raw"]);
  assert.equal(mp.code, 0, mp.stderr);
  const view = JSON.parse(mp.stdout);
  assert.equal(view.status, "declined");
  assert.equal(view.raw.Id, mangopay.id);
  assert.ok(view.checks.some((c) => c.status === "declined" && c.reasons.length > 0));
});

test("get: not found, and Equals (no endpoint for one session) are errors with the code, exit 1", async () => {
  const missing = await cli(["get", "didit", "00000000-0000-4000-8000-000000000000"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /^error: not_found: didit: /);
  const mp = await cli(["get", "mangopay", "idnver_NOPE"]);
  assert.equal(mp.code, 1);
  assert.match(mp.stderr, /^error: not_found: mangopay: /);
  const equals = await cli(["get", "equals", "anything"]);
  assert.equal(equals.code, 1);
  assert.match(equals.stderr, /^error: unsupported: equals: .*idv-sessions list equals --user/);
});

test("user --format json: { sessions, summary, errors } as listUserSessions and summarize give them", async () => {
  const p = person();
  const r = await cli(["user", "--mangopay", p.mangopayUserId, "--equals", p.equalsAssociatedPersonId, "--didit", p.diditVendorData, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ["sessions", "summary", "errors"]);
  const expected = await client.listUserSessions({ mangopay: p.mangopayUserId, equals: p.equalsAssociatedPersonId, didit: p.diditVendorData });
  assert.deepEqual(out.sessions, expected.sessions);
  assert.equal(out.sessions.length, p.counts.mangopay + p.counts.equals + p.counts.didit);
  assert.deepEqual(withoutTimes(out.summary), withoutTimes(summarize(expected.sessions)));
  assert.deepEqual(out.errors, []);

  // json is also the default when stdout is not a terminal.
  const plain = await cli(["user", "--didit", p.diditVendorData]);
  assert.equal(plain.code, 0);
  assert.equal(JSON.parse(plain.stdout).sessions.length, p.counts.didit);
});

test("user: one failing provider goes to stderr and exit 1, the others' sessions still print", async () => {
  const p = person();
  mock.control.setDown("equals", true);
  try {
    const r = await cli(["user", "--mangopay", p.mangopayUserId, "--equals", p.equalsAssociatedPersonId, "--didit", p.diditVendorData, "--format", "json"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: http: equals: .*503/m);
    const out = JSON.parse(r.stdout);
    assert.equal(out.sessions.length, p.counts.mangopay + p.counts.didit);
    assert.deepEqual(out.errors.map((e) => [e.provider, e.code, e.httpStatus]), [["equals", "http", 503]]);
    assert.equal(out.summary.sessionCount, out.sessions.length);
  } finally {
    mock.control.setDown("equals", false);
  }
  // A provider without its credentials is one of those failures.
  const e = { ...env };
  delete e.DIDIT_API_KEY;
  const r = await cli(["user", "--mangopay", p.mangopayUserId, "--didit", p.diditVendorData, "--format", "json"], { env: e });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: config: didit: DIDIT_API_KEY is not set/);
  const out = JSON.parse(r.stdout);
  assert.equal(out.sessions.length, p.counts.mangopay);
  assert.deepEqual(out.errors.map((x) => [x.provider, x.code]), [["didit", "config"]]);
});

test("user --format table: every session with its provider, then whether the person is verified now", async () => {
  const p = mock.control.people()[4]; // one approved session at each provider
  const r = await cli(["user", "--mangopay", p.mangopayUserId, "--equals", p.equalsAssociatedPersonId, "--didit", p.diditVendorData, "--format", "table"]);
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rest] = r.stdout.split("\n");
  assert.match(header, /^PROVIDER\s+ID\s+STATUS/);
  const sessions = (await client.listUserSessions({ mangopay: p.mangopayUserId, equals: p.equalsAssociatedPersonId, didit: p.diditVendorData })).sessions;
  const rows = rest.slice(0, sessions.length);
  rows.forEach((row, i) => assert.ok(row.startsWith(sessions[i].provider), row));
  const summary = summarize(sessions);
  assert.match(r.stdout, new RegExp(`verified now\\s+${summary.verified ? "yes" : "no"}`));
  assert.match(r.stdout, new RegExp(`sessions\\s+${sessions.length} \\(`));
  assert.match(r.stdout, /flags\s+approved liveness within 90 days: (yes|no); newest declined: (yes|no); session spike: (yes|no)/);
});

test("create didit and mangopay: the new session with its verificationUrl; a Mangopay idempotency key creates once", async () => {
  const r = await cli(["create", "didit", "--workflow-id", STANDARD_KYC, "--user", "cli-user-1", "--return-url", "https://example.com/done"]);
  assert.equal(r.code, 0, r.stderr);
  const created = JSON.parse(r.stdout);
  assert.equal(created.provider, "didit");
  assert.equal(created.status, "not_started");
  assert.equal(created.userRef, "cli-user-1");
  assert.equal(created.returnUrl, "https://example.com/done");
  assert.match(created.verificationUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
  assert.ok(mock.control.sessions("didit").sessions.some((s) => s.id === created.id), "created at the provider");

  const user = person().mangopayUserId;
  const args = ["create", "mangopay", "--user", user, "--return-url", "https://example.com/kyc", "--idempotency-key", "cli-idempotency-key-0001"];
  const before = mock.control.sessions("mangopay").count;
  const first = await cli(args);
  assert.equal(first.code, 0, first.stderr);
  const a = JSON.parse(first.stdout);
  assert.equal(a.provider, "mangopay");
  assert.equal(a.userRef, user);
  assert.equal(a.returnUrl, "https://example.com/kyc");
  assert.ok(a.verificationUrl);
  // Mangopay answers a reused key with 409; the client reads the first answer back under
  // the same key (GET /responses/{key}): the second run prints the same session, creates nothing.
  const again = await cli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).id, a.id);
  assert.equal(mock.control.sessions("mangopay").count, before + 1, "one session created");

  const table = await cli(["create", "didit", "--workflow-id", STANDARD_KYC, "--format", "table"]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^provider\s+didit\n/);
  assert.match(table.stdout, /\nverification url\s+http:\/\/127\.0\.0\.1:\d+\/\S+\n/);
});

test("create: Equals is unsupported (exit 1); a provider's refusal is its error (exit 1)", async () => {
  const equals = await cli(["create", "equals"]);
  assert.equal(equals.code, 1);
  assert.equal(equals.stdout, "");
  assert.match(equals.stderr, /^error: unsupported: equals: sessions are issued by Equals/);
  const unknownUser = await cli(["create", "mangopay", "--user", "user_m_NOBODY", "--return-url", "https://example.com/kyc"]);
  assert.equal(unknownUser.code, 1);
  assert.equal(unknownUser.stdout, "");
  assert.match(unknownUser.stderr, /^error: not_found: mangopay: /);
});

test("no secret of the environment in any output of this file", () => {
  assertNoSecretInOutputs();
});
