// `idv-sessions webhooks`, installed from the packed tarball: deliveries signed with the
// package's signWebhook, forged ones, garbage, unknown paths and methods, a provider whose
// secret is not set, real deliveries from the mock providers, and the exit on SIGINT/SIGTERM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import net from "node:net";
import { parseWebhook, signWebhook } from "../../pkg/index.mjs";
import { startMockServer } from "../mock/server.mjs";
import {
  DIDIT_WEBHOOK_SECRET, EQUALS_WEBHOOK_AUTHORIZATION, assertNoSecretInOutputs, cliEnv, installPackage, startCli, waitFor,
} from "./helpers.mjs";

let pkg;
let mock;
let env;
before(async () => {
  pkg = installPackage();
  mock = await startMockServer({ seed: 9, sessions: 60 });
  env = cliEnv(mock.url);
});
after(async () => {
  await mock?.close();
  pkg?.cleanup();
});

/** Starts a receiver on a free port; resolves once it says where it listens. */
async function receiver(args = [], extraEnv = {}) {
  const e = { ...env, ...extraEnv };
  for (const [k, v] of Object.entries(extraEnv)) if (v === undefined) delete e[k];
  const run = startCli(pkg.bin, ["webhooks", "--port", "0", ...args], { env: e });
  const line = await waitFor(() => /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(run.output.stderr), "the listening line");
  const events = () => run.output.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const stop = async (signal = "SIGINT") => {
    run.child.kill(signal);
    const limit = setTimeout(() => run.child.kill("SIGKILL"), 15_000);
    const ended = await run.exited;
    clearTimeout(limit);
    return ended;
  };
  return { url: line[1], run, events, stop };
}

const DIDIT_PAYLOAD = {
  session_id: "5f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f", status: "Approved", webhook_type: "status.updated",
  vendor_data: "user-7", workflow_id: "a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35", created_at: 1746449121,
};
const EQUALS_PAYLOAD = {
  messageId: "0b9a6f4e-2d1c-4e8b-9a7f-3c5d6e7f8a9b", webhookEventTypeName: "IdentityVerificationStatusUpdated",
  eventTime: "2026-11-01T10:00:00Z", id: "8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d", applicationId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  correlationId: "c0ffee00-1111-4222-8333-444455556666", status: "completed", result: "approved",
};

const send = (url, { method = "POST", headers = {}, body } = {}) => fetch(url, { method, headers, body });

test("signed deliveries of the three providers: 200 and one JSON line each, as parseWebhook reads them", async () => {
  const r = await receiver();
  try {
    const didit = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: DIDIT_WEBHOOK_SECRET });
    const a = await send(`${r.url}/webhooks/didit`, didit);
    assert.equal(a.status, 200);
    const equals = signWebhook("equals", { payload: EQUALS_PAYLOAD, secret: EQUALS_WEBHOOK_AUTHORIZATION });
    const b = await send(`${r.url}/webhooks/equals`, equals);
    assert.equal(b.status, 200);
    const mangopay = signWebhook("mangopay", {
      payload: { EventType: "IDENTITY_VERIFICATION_FAILED", RessourceId: "idnver_01JTG8BTG92TTRP5VSNV35ZYGM" },
      url: `${r.url}/webhooks/mangopay`,
    });
    assert.equal(mangopay.method, "GET");
    const c = await send(mangopay.url, { method: "GET", headers: mangopay.headers });
    assert.equal(c.status, 200);

    const events = await waitFor(() => (r.events().length === 3 ? r.events() : null), "three events on stdout");
    const expected = [
      parseWebhook("didit", { body: didit.body, headers: didit.headers, secret: DIDIT_WEBHOOK_SECRET }),
      parseWebhook("equals", { body: equals.body, headers: equals.headers, secret: EQUALS_WEBHOOK_AUTHORIZATION }),
      parseWebhook("mangopay", { url: mangopay.url }),
    ];
    assert.deepEqual(events, expected);
    assert.deepEqual(events.map((e) => [e.provider, e.status, e.verification]),
      [["didit", "approved", "signature"], ["equals", "approved", "envelope"], ["mangopay", "declined", "none"]]);
    assert.equal(r.run.output.stderr.split("\n").filter(Boolean).length, 1, `only the listening line: ${r.run.output.stderr}`);
  } finally {
    assert.deepEqual(await r.stop(), { code: 0, signal: null });
  }
});

test("forged and garbage deliveries: 401 and 400, logged on stderr, nothing on stdout", async () => {
  const r = await receiver();
  try {
    const forged = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: "not-the-secret" });
    assert.equal((await send(`${r.url}/webhooks/didit`, forged)).status, 401);
    const tampered = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: DIDIT_WEBHOOK_SECRET });
    assert.equal((await send(`${r.url}/webhooks/didit`, { ...tampered, body: tampered.body.replace("Approved", "Declined") })).status, 401);
    assert.equal((await send(`${r.url}/webhooks/didit`, { headers: { "content-type": "application/json" }, body: "{}" })).status, 401,
      "no signature header");
    const stale = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: DIDIT_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    assert.equal((await send(`${r.url}/webhooks/didit`, stale)).status, 401, "an hour old");
    const wrongAuth = signWebhook("equals", { payload: EQUALS_PAYLOAD, secret: "Bearer someone-else" });
    assert.equal((await send(`${r.url}/webhooks/equals`, wrongAuth)).status, 401);

    // Garbage that passes the signature check: not the provider's format.
    const garbage = "this is not json";
    const signed = { "x-signature": createHmac("sha256", DIDIT_WEBHOOK_SECRET).update(garbage).digest("hex") };
    const g1 = await send(`${r.url}/webhooks/didit`, { headers: signed, body: garbage });
    assert.equal(g1.status, 400);
    assert.equal((await g1.json()).error, "decode");
    const g2 = await send(`${r.url}/webhooks/equals`, { headers: { authorization: EQUALS_WEBHOOK_AUTHORIZATION }, body: garbage });
    assert.equal(g2.status, 400);
    const g3 = await send(`${r.url}/webhooks/mangopay?Foo=1`, { method: "GET" });
    assert.equal(g3.status, 400);

    await waitFor(() => r.run.output.stderr.split("\n").filter((l) => l.startsWith("warning: ")).length === 8, "eight rejections logged");
    const log = r.run.output.stderr;
    assert.equal((log.match(/^warning: POST \/webhooks\/didit: 401: /gm) ?? []).length, 4, log);
    assert.match(log, /^warning: POST \/webhooks\/equals: 401: /m);
    assert.match(log, /^warning: POST \/webhooks\/didit: 400: didit: /m);
    assert.match(log, /^warning: POST \/webhooks\/equals: 400: equals: /m);
    assert.match(log, /^warning: GET \/webhooks\/mangopay: 400: mangopay: /m);
    assert.ok(!log.includes(forged.headers["x-signature"]), "no signature in the log");
    assert.equal(r.run.output.stdout, "");
  } finally {
    assert.deepEqual(await r.stop("SIGTERM"), { code: 0, signal: null });
  }
});

test("unknown paths 404, wrong methods 405, bodies over 1 MiB 413; --path-prefix", async () => {
  const r = await receiver(["--path-prefix", "/hooks/idv/"]);
  try {
    assert.equal((await send(`${r.url}/hooks/idv/paypal`)).status, 404);
    assert.equal((await send(`${r.url}/webhooks/didit`)).status, 404, "the default prefix is replaced");
    assert.equal((await send(`${r.url}/hooks/idv`)).status, 404);
    assert.equal((await send(`${r.url}/`, { method: "GET" })).status, 404);
    const get = await send(`${r.url}/hooks/idv/didit`, { method: "GET" });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    const post = await send(`${r.url}/hooks/idv/mangopay`, { body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
    assert.equal((await send(`${r.url}/hooks/idv/equals`, { method: "PUT", body: "{}" })).status, 405);
    const big = await send(`${r.url}/hooks/idv/didit`, { body: "x".repeat(1024 * 1024 + 1) }).catch(() => null);
    if (big) assert.equal(big.status, 413);
    const didit = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: DIDIT_WEBHOOK_SECRET });
    assert.equal((await send(`${r.url}/hooks/idv/didit`, didit)).status, 200);
    await waitFor(() => r.events().length === 1, "the event");
    assert.match(r.run.output.stderr, /^warning: POST \/hooks\/idv\/paypal: 404: /m);
    assert.match(r.run.output.stderr, /^warning: GET \/hooks\/idv\/didit: 405: /m);
  } finally {
    assert.deepEqual(await r.stop(), { code: 0, signal: null });
  }
});

test("a provider whose secret is not set (or blank) is answered 401; Mangopay has none to set; --quiet keeps the listening line", async () => {
  const r = await receiver(["--quiet"], { DIDIT_WEBHOOK_SECRET: undefined, EQUALS_WEBHOOK_AUTHORIZATION: " " });
  try {
    const didit = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: DIDIT_WEBHOOK_SECRET });
    assert.equal((await send(`${r.url}/webhooks/didit`, didit)).status, 401);
    const equals = signWebhook("equals", { payload: EQUALS_PAYLOAD, secret: EQUALS_WEBHOOK_AUTHORIZATION });
    assert.equal((await send(`${r.url}/webhooks/equals`, equals)).status, 401);
    const unsigned = signWebhook("equals", { payload: EQUALS_PAYLOAD });
    assert.equal((await send(`${r.url}/webhooks/equals`, unsigned)).status, 401, "no Authorization at all");
    const mangopay = signWebhook("mangopay", { payload: { EventType: "IDENTITY_VERIFICATION_VALIDATED", RessourceId: "idnver_1" }, url: `${r.url}/webhooks/mangopay` });
    assert.equal((await send(mangopay.url, { method: "GET" })).status, 200);
    await waitFor(() => r.events().length === 1, "the Mangopay event");
    assert.equal(r.run.output.stderr.trim(), `listening on ${r.url}`, "--quiet: only the listening line");
  } finally {
    assert.deepEqual(await r.stop(), { code: 0, signal: null });
  }
  const loud = await receiver([], { DIDIT_WEBHOOK_SECRET: "" });
  try {
    const didit = signWebhook("didit", { payload: DIDIT_PAYLOAD, secret: DIDIT_WEBHOOK_SECRET });
    assert.equal((await send(`${loud.url}/webhooks/didit`, didit)).status, 401);
    await waitFor(() => /DIDIT_WEBHOOK_SECRET is not set/.test(loud.run.output.stderr), "the reason logged");
  } finally {
    await loud.stop();
  }
});

test("the mock providers' own deliveries: Didit signed as Didit signs, Mangopay's GET", async () => {
  const r = await receiver();
  try {
    mock.control.setWebhooks({ url: `${r.url}/webhooks`, diditSecret: DIDIT_WEBHOOK_SECRET, retryScale: 0.0001 });
    const didit = mock.control.sessions("didit").sessions.find((s) => s.status === "In Progress");
    mock.control.setStatus("didit", didit.id, "Approved");
    const mangopay = mock.control.sessions("mangopay").sessions.find((s) => s.status === "PENDING");
    mock.control.setStatus("mangopay", mangopay.id, "REFUSED");
    const events = await waitFor(() => (r.events().length >= 2 ? r.events() : null), "two deliveries");
    const byProvider = Object.fromEntries(events.map((e) => [e.provider, e]));
    assert.equal(byProvider.didit.sessionId, didit.id);
    assert.equal(byProvider.didit.status, "approved");
    assert.equal(byProvider.didit.verification, "signature");
    assert.ok(byProvider.didit.session, "the signed decision carries the session");
    assert.equal(byProvider.mangopay.sessionId, mangopay.id);
    assert.equal(byProvider.mangopay.status, "declined");
    const log = mock.control.webhooks().deliveries;
    assert.ok(log.filter((d) => d.provider !== "equals").every((d) => d.status === 200), JSON.stringify(log));
  } finally {
    mock.control.setWebhooks({ url: null });
    assert.deepEqual(await r.stop(), { code: 0, signal: null });
  }
});

test("a port in use: an error on stderr, exit 1", async () => {
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  try {
    const run = startCli(pkg.bin, ["webhooks", "--port", String(blocker.address().port)], { env });
    const ended = await run.exited;
    assert.deepEqual(ended, { code: 1, signal: null });
    assert.match(run.output.stderr, /^error: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    assert.equal(run.output.stdout, "");
  } finally {
    blocker.close();
  }
});

test("no secret of the environment in any output of this file", () => {
  assertNoSecretInOutputs();
});
