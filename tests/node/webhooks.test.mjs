// Webhooks through the built package in Node: Didit's official vectors from
// every body form a server hands over (string, Buffer, ArrayBuffer, Headers),
// re-encoded bodies, sign -> parse, errors that never show a secret, and the
// mock providers' real deliveries verified, resolved and replayed.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { parseWebhook, signWebhook, IdvClient, IdvError, isIdvError } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/didit-webhook-signatures.json", import.meta.url)));
const now = vectors.timestamp * 1000;

function catchError(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an IdvError");
}

test("every official Didit vector verifies from a string, a Buffer, an ArrayBuffer and a Headers", () => {
  for (const [name, c] of Object.entries(vectors.cases)) {
    const bytes = Buffer.from(c.body, "utf8");
    const bodies = [c.body, bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), new Uint8Array(bytes)];
    for (const body of bodies) {
      for (const [header, sig, verification] of [
        ["X-Signature", c.signatures.raw, "signature"],
        ["x-signature-v2", c.signatures.v2, "signature"],
        ["X-SIGNATURE-SIMPLE", c.signatures.simple, "envelope"],
      ]) {
        for (const headers of [{ [header]: sig, "x-timestamp": String(vectors.timestamp) }, new Headers({ [header]: sig })]) {
          const event = parseWebhook("didit", { body, headers, secret: vectors.secret, now });
          assert.equal(event.verification, verification, `${name} ${header}`);
          assert.equal(event.provider, "didit");
          assert.equal(event.type, "session.updated");
          assert.equal(event.sessionId, vectors.session_id);
          assert.equal(event.needsFetch, verification !== "signature" || !event.session);
        }
      }
    }
  }
});

test("a body re-encoded by a proxy fails the raw signature and passes V2", () => {
  const c = vectors.cases.unicode_names;
  const body = JSON.stringify(JSON.parse(c.body), null, 2);
  const e = catchError(() => parseWebhook("didit", { body, headers: { "x-signature": c.signatures.raw }, secret: vectors.secret, now }));
  assert.ok(e instanceof IdvError && e.code === "signature");
  const event = parseWebhook("didit", {
    body, headers: { "x-signature": c.signatures.raw, "x-signature-v2": c.signatures.v2 }, secret: vectors.secret, now,
  });
  assert.equal(event.verification, "signature");
  assert.equal(event.session.person.firstName, "José");
});

test("wrong deliveries are signature errors that never show a secret or a signature", () => {
  const c = vectors.cases.basic_approved;
  const cases = [
    [{ body: c.body, headers: { "x-signature": c.signatures.raw }, secret: "nope", now }, "no signature matches"],
    [{ body: c.body.replace("wp-42", "wp-43"), headers: { "x-signature": c.signatures.raw, "x-signature-v2": c.signatures.v2 }, secret: vectors.secret, now }, "no signature matches"],
    [{ body: c.body, headers: { "x-signature": c.signatures.raw }, secret: vectors.secret, now: now + 301_000 }, "stale"],
    [{ body: c.body, headers: { "x-signature": c.signatures.raw, "x-timestamp": String(vectors.timestamp + 600) }, secret: vectors.secret, now: now + 600_000 }, "X-Timestamp"],
    [{ body: c.body, headers: {}, secret: vectors.secret, now }, "no X-Signature"],
    [{ body: c.body, headers: { "x-signature": c.signatures.raw }, now }, "no secret"],
  ];
  for (const [input, part] of cases) {
    const e = catchError(() => parseWebhook("didit", input));
    assert.ok(isIdvError(e) && e instanceof IdvError, part);
    assert.equal(e.code, "signature", part);
    assert.match(e.message, new RegExp(part), part);
    const shown = JSON.stringify({ ...e, message: e.message, stack: e.stack });
    for (const secret of [vectors.secret, c.signatures.raw, c.signatures.v2]) assert.ok(!shown.includes(secret), part);
  }
  const parsed = catchError(() => parseWebhook("didit", { body: JSON.parse(c.body), headers: {}, secret: vectors.secret, now }));
  assert.equal(parsed.code, "decode");
  assert.match(parsed.message, /raw request body/);
});

test("signWebhook deliveries verify, for every provider", () => {
  const payload = { session_id: "s-1", status: "Declined", webhook_type: "status.updated", metadata: { 10: "a", 2: "b" }, score: 0.00001 };
  const didit = signWebhook("didit", { payload, secret: "s3cret" });
  assert.equal(didit.method, "POST");
  assert.match(didit.body, /"metadata":\{"10":"a","2":"b"\}/);
  assert.match(didit.body, /"score":1e-05/);
  const event = parseWebhook("didit", { body: didit.body, headers: didit.headers, secret: ["old", "s3cret"] });
  assert.deepEqual([event.verification, event.status, event.providerStatus], ["signature", "declined", "Declined"]);

  const mp = signWebhook("mangopay", { payload: { EventType: "IDENTITY_VERIFICATION_FAILED", RessourceId: "idnver_1" }, url: "https://x.example/hooks/mangopay" });
  const mpEvent = parseWebhook("mangopay", { url: mp.url });
  assert.deepEqual([mp.method, mpEvent.status, mpEvent.verification, mpEvent.needsFetch], ["GET", "declined", "none", true]);

  const eq = signWebhook("equals", { payload: { id: "e-1", applicationId: "a-1", status: "completed", result: "approved" }, secret: "Bearer abc" });
  const eqEvent = parseWebhook("equals", { body: eq.body, headers: eq.headers, secret: "Bearer abc" });
  assert.deepEqual([eqEvent.status, eqEvent.verification, eqEvent.extra.applicationId], ["approved", "envelope", "a-1"]);
});

// ---- against the mock's real deliveries ----

let mock;
let receiver;
after(async () => {
  await mock?.close();
  receiver?.close();
});

test("the mock's deliveries verify, resolve to the session, and replays dedupe by id", async () => {
  const received = [];
  receiver = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const provider = req.url.split("?")[0].split("/").pop();
    try {
      received.push(parseWebhook(provider, {
        body: Buffer.concat(chunks), headers: req.headers, url: `http://${req.headers.host}${req.url}`,
        secret: provider === "didit" ? CREDENTIALS.didit.webhookSecret : undefined,
      }));
      res.writeHead(200).end();
    } catch (e) {
      received.push(e);
      res.writeHead(401).end();
    }
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const hooks = `http://127.0.0.1:${receiver.address().port}/hooks`;
  mock = await startMockServer({ seed: 3, sessions: 60, webhookUrl: hooks });
  const client = new IdvClient({
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: mock.url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: mock.url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: mock.url },
  });
  const pick = (provider, want) => mock.control.sessions(provider).sessions.find(want);
  const didit = pick("didit", (s) => s.status === "In Progress");
  const mp = pick("mangopay", (s) => s.status === "PENDING");
  const eq = pick("equals", (s) => s.status === "in_progress");
  mock.control.setStatus("didit", didit.id, "Approved");
  mock.control.setStatus("mangopay", mp.id, "VALIDATED");
  mock.control.setStatus({ provider: "equals", id: eq.id, status: "completed", result: "declined", applicationId: eq.applicationId });
  const deadline = Date.now() + 5000;
  while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(received.length, 3, `${received.map(String)}`);
  assert.ok(received.every((e) => !(e instanceof Error)), `${received}`);
  const by = Object.fromEntries(received.map((e) => [e.provider, e]));

  assert.deepEqual([by.didit.verification, by.didit.status, by.didit.needsFetch], ["signature", "approved", false]);
  assert.equal(by.didit.session.id, didit.id);
  assert.equal(by.didit.session.status, "approved");
  assert.deepEqual([by.mangopay.verification, by.mangopay.status, by.mangopay.needsFetch], ["none", "approved", true]);
  assert.deepEqual([by.equals.verification, by.equals.status, by.equals.needsFetch], ["none", "declined", true]);

  const resolvedMp = await client.resolveWebhook(by.mangopay);
  assert.deepEqual([resolvedMp.id, resolvedMp.status], [mp.id, "approved"]);
  const resolvedEq = await client.resolveWebhook(by.equals);
  assert.deepEqual([resolvedEq.id, resolvedEq.status, resolvedEq.extra.applicationId], [eq.id, "declined", eq.applicationId]);
  const resolvedDd = await client.resolveWebhook(by.didit);
  assert.deepEqual([resolvedDd.id, resolvedDd.status], [didit.id, "approved"]);

  // A corrupted Didit signature is refused.
  mock.control.setWebhooks({ corrupt: 1 });
  mock.control.setStatus("didit", didit.id, "Declined");
  const until = Date.now() + 5000;
  while (received.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.ok(received[3] instanceof IdvError, `${received[3]}`);
  assert.equal(received[3].code, "signature");
});
