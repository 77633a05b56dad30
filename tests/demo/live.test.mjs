// The demo server's live events without a browser: webhooks in (verified with the package's
// parseWebhook), Server-Sent Events out (/api/events), the counters (/api/webhooks), the
// demo-only status route, and a clean shutdown with streams open.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startDemo } from "../../scripts/demo.mjs";
import { CREDENTIALS } from "../mock/server.mjs";
import { signWebhook } from "../../pkg/index.mjs";

let demo;

/** An SSE connection: parsed frames as they arrive. */
async function openStream(headers = {}) {
  const controller = new AbortController();
  const res = await fetch(`${demo.url}/api/events`, { headers, signal: controller.signal });
  const frames = [];
  const waiters = [];
  let buffer = "";
  let ended = false;
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]()) waiters.splice(i, 1);
  };
  const pump = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = { comment: [], event: "message", data: null, id: null };
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) frame.comment.push(line.slice(1).trim());
          else if (line.startsWith("data: ")) frame.data = JSON.parse(line.slice(6));
          else if (line.startsWith("event: ")) frame.event = line.slice(7);
          else if (line.startsWith("id: ")) frame.id = line.slice(4);
          else if (line.startsWith("retry: ")) frame.retry = Number(line.slice(7));
        }
        frames.push(frame);
      }
      check();
    }
    ended = true;
    check();
  })().catch((e) => {
    if (e.name !== "AbortError") throw e;
  });
  return {
    res,
    frames,
    pump,
    get ended() {
      return ended;
    },
    messages: () => frames.filter((f) => f.event === "message" && f.data),
    /** Resolves once `pred(frames)` holds (or rejects after ms). */
    until(pred, ms = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout; frames: ${JSON.stringify(frames).slice(0, 800)}`)), ms);
        const ok = () => {
          if (!pred(frames)) return false;
          clearTimeout(timer);
          resolve(frames);
          return true;
        };
        if (!ok()) waiters.push(ok);
      });
    },
    close: () => controller.abort(),
  };
}

const post = (url, value) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
const mockStatus = async (provider, id, status) => {
  const res = await post(`${demo.mockUrl}/__mock/status`, { provider, id, status });
  assert.equal(res.status, 200);
  return res.json();
};

before(async () => {
  demo = await startDemo({ port: 0, seed: 3, sessions: 40, latencyMs: 0, keepAliveMs: 60 });
});
after(() => demo?.close());

test("the directory announces the stream; /api/events is text/event-stream with data frames, stats and keep-alives", async () => {
  const directory = await (await fetch(`${demo.url}/api/directory`)).json();
  assert.equal(directory.events, "/api/events");
  const stream = await openStream();
  assert.equal(stream.res.status, 200);
  assert.match(stream.res.headers.get("content-type"), /^text\/event-stream/);
  assert.equal(stream.res.headers.get("cache-control"), "no-store");
  await stream.until((f) => f.some((x) => x.event === "stats"));
  assert.equal(stream.frames[0].retry, 2000);

  const { sessions } = await (await fetch(`${demo.mockUrl}/__mock/sessions?provider=mangopay`)).json();
  const target = sessions.find((s) => s.status === "PENDING");
  const before = Math.floor(Date.now() / 1000);
  await mockStatus("mangopay", target.id, "VALIDATED");
  await stream.until(() => stream.messages().some((m) => m.data.key === `mangopay:${target.id}`));
  const msg = stream.messages().find((m) => m.data.key === `mangopay:${target.id}`);
  assert.equal(msg.id, String(msg.data.seq));
  const { event, session, source, resolveError, receivedAt } = msg.data;
  assert.deepEqual(
    [event.provider, event.type, event.providerType, event.sessionId, event.verification, event.needsFetch],
    ["mangopay", "session.updated", "IDENTITY_VERIFICATION_VALIDATED", target.id, "none", true],
  );
  assert.ok(Date.parse(event.occurredAt) / 1000 >= before - 1);
  assert.equal(event.raw, undefined);
  assert.equal(event.session, undefined, "the session is beside the event, not inside");
  // Mangopay signs nothing: the server fetched the session with its own credentials.
  assert.equal(source, "fetched");
  assert.equal(resolveError, null);
  assert.deepEqual([session.key, session.status, session.providerStatus], [`mangopay:${target.id}`, "approved", "VALIDATED"]);
  assert.ok(Date.parse(receivedAt) > 0);
  assert.ok(!JSON.stringify(stream.frames).includes(CREDENTIALS.mangopay.apiKey), "no secret in the stream");

  // keep-alive comments every keepAliveMs
  await stream.until((f) => f.filter((x) => x.comment.includes("keep-alive")).length >= 2);
  const stats = stream.frames.filter((f) => f.event === "stats").at(-1).data;
  assert.deepEqual([stats.accepted, stats.rejected], [1, 0]);
  stream.close();
});

test("a new page gets the kept events as backlog; a reconnecting one only what it missed", async () => {
  const first = await openStream();
  await first.until((f) => f.some((x) => x.event === "stats"));
  const backlog = first.messages();
  assert.ok(backlog.length >= 1);
  assert.ok(backlog.every((m) => m.data.replay === "backlog"));
  const lastSeen = backlog.at(-1).id;
  first.close();

  const { sessions } = await (await fetch(`${demo.mockUrl}/__mock/sessions?provider=didit`)).json();
  const target = sessions.find((s) => s.status === "In Progress" || s.status === "Not Started");
  await mockStatus("didit", target.id, "Approved");
  const stats = async () => (await fetch(`${demo.url}/api/webhooks`)).json();
  for (let i = 0; i < 100 && !(await stats()).events.some((m) => m.key === `didit:${target.id}`); i++) await new Promise((r) => setTimeout(r, 20));

  const again = await openStream({ "last-event-id": lastSeen });
  await again.until((f) => f.some((x) => x.event === "stats"));
  const missed = again.messages();
  assert.deepEqual(missed.map((m) => m.data.key), [`didit:${target.id}`]);
  assert.equal(missed[0].data.replay, "missed");
  // Didit signs the body, decision included: the session came in the event, nothing fetched.
  assert.deepEqual([missed[0].data.event.verification, missed[0].data.source, missed[0].data.session.status], ["signature", "event", "approved"]);
  again.close();
});

test("deliveries: 200 and published when verified, 401 bad or no signature, 400 signed but not the format, retries deduplicated", async () => {
  const stream = await openStream();
  await stream.until((f) => f.some((x) => x.event === "stats"));
  const view = async () => (await fetch(`${demo.url}/api/webhooks`)).json();
  const before = await view();
  const { sessions } = await (await fetch(`${demo.mockUrl}/__mock/sessions?provider=didit`)).json();
  const payload = {
    event_id: "11111111-2222-4333-8444-555555555555",
    webhook_type: "status.updated",
    timestamp: Math.floor(Date.now() / 1000),
    created_at: Math.floor(Date.now() / 1000),
    session_id: sessions[0].id,
    status: "In Progress",
  };
  const send = (signed) => fetch(`${demo.url}/webhooks/didit`, { method: "POST", headers: signed.headers, body: signed.body });

  const wrong = signWebhook("didit", { payload, secret: "not-the-secret" });
  assert.equal((await send(wrong)).status, 401);
  // Unsigned garbage is a bad signature (checked over the raw bytes before any parse);
  // garbage signed with the secret is not the format.
  const unsignedGarbage = await fetch(`${demo.url}/webhooks/didit`, { method: "POST", headers: { "content-type": "application/json" }, body: "not json" });
  assert.equal(unsignedGarbage.status, 401);
  const signature = createHmac("sha256", CREDENTIALS.didit.webhookSecret).update("not json").digest("hex");
  const garbage = await fetch(`${demo.url}/webhooks/didit`, { method: "POST", headers: { "content-type": "application/json", "x-signature": signature }, body: "not json" });
  assert.equal(garbage.status, 400);
  const mangopayNoQuery = await fetch(`${demo.url}/webhooks/mangopay`);
  assert.equal(mangopayNoQuery.status, 400);
  const equalsGarbage = await fetch(`${demo.url}/webhooks/equals`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(equalsGarbage.status, 400);

  const good = signWebhook("didit", { payload, secret: CREDENTIALS.didit.webhookSecret });
  const ok = await send(good);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { received: true });
  const dup = await send(good);
  assert.equal(dup.status, 200);
  assert.deepEqual(await dup.json(), { received: true, duplicate: true });

  await stream.until(() => stream.messages().some((m) => m.data.event.deliveryId === payload.event_id));
  const published = stream.messages().filter((m) => m.data.event.deliveryId === payload.event_id);
  assert.equal(published.length, 1, "the badly signed one and the retry are not published");
  // No decision in the body: the server fetched the session.
  assert.equal(published[0].data.source, "fetched");
  assert.equal(published[0].data.event.verification, "signature");

  const after = await view();
  assert.equal(after.rejected - before.rejected, 5);
  assert.equal(after.accepted - before.accepted, 1);
  assert.equal(after.duplicates - before.duplicates, 1);
  assert.deepEqual(
    after.rejections.slice(-5).map((r) => [r.provider, r.status, r.code]),
    [["didit", 401, "signature"], ["didit", 401, "signature"], ["didit", 400, "decode"], ["mangopay", 400, "decode"], ["equals", 400, "decode"]],
  );
  assert.ok(!JSON.stringify(after).includes(CREDENTIALS.didit.webhookSecret));
  assert.equal((await fetch(`${demo.url}/webhooks/veriff`, { method: "POST", body: "{}" })).status, 404);
  stream.close();
});

test("Onfido: the proxy adds the API token; deliveries are verified with the webhook token, a completed run is published as signed, a task event fetched", async () => {
  // /api/onfido stands for the mock's /v3.6, the token added by the server.
  const listed = await fetch(`${demo.url}/api/onfido/workflow_runs?page=1`);
  assert.equal(listed.status, 200);
  const runs = await listed.json();
  assert.ok(Array.isArray(runs) && runs.length > 0);
  assert.equal((await fetch(`${demo.url}/api/onfido/workflow_runs?page=1`, { headers: { authorization: "Token token=wrong" } })).status, 200, "the browser's Authorization is never forwarded");
  const run = await (await fetch(`${demo.url}/api/onfido/workflow_runs/${runs[0].id}`)).json();
  assert.equal(run.id, runs[0].id);

  const stream = await openStream();
  await stream.until((f) => f.some((x) => x.event === "stats"));
  const view = async () => (await fetch(`${demo.url}/api/webhooks`)).json();
  const before = await view();
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const completed = {
    payload: {
      resource_type: "workflow_run",
      action: "workflow_run.completed",
      object: { id: run.id, status: run.status, completed_at_iso8601: at, href: `${demo.mockUrl}/v3.6/workflow_runs/${run.id}` },
      resource: run,
    },
  };
  const task = {
    payload: {
      resource_type: "workflow_task",
      action: "workflow_task.started",
      object: { id: "profile_data_test", workflow_run_id: run.id, status: "started", started_at_iso8601: at, href: `${demo.mockUrl}/v3.6/workflow_runs/${run.id}/tasks/profile_data_test` },
    },
  };
  const send = (signed) => fetch(`${demo.url}/webhooks/onfido`, { method: "POST", headers: signed.headers, body: signed.body });

  assert.equal((await send(signWebhook("onfido", { payload: completed, secret: "not-the-token" }))).status, 401);
  const unsigned = await fetch(`${demo.url}/webhooks/onfido`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(completed) });
  assert.equal(unsigned.status, 401);
  const garbage = await fetch(`${demo.url}/webhooks/onfido`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sha2-signature": createHmac("sha256", CREDENTIALS.onfido.webhookToken).update("not json").digest("hex") },
    body: "not json",
  });
  assert.equal(garbage.status, 400);

  const good = signWebhook("onfido", { payload: completed, secret: CREDENTIALS.onfido.webhookToken });
  assert.equal((await send(good)).status, 200);
  assert.deepEqual(await (await send(good)).json(), { received: true, duplicate: true });
  assert.equal((await send(signWebhook("onfido", { payload: task, secret: CREDENTIALS.onfido.webhookToken }))).status, 200);

  const key = `onfido:${run.id}`;
  await stream.until(() => stream.messages().filter((m) => m.data.key === key).length >= 2);
  const [done, started] = stream.messages().filter((m) => m.data.key === key).map((m) => m.data);
  // The completed run came in the signed body; the task event names the run only: fetched.
  assert.deepEqual([done.event.providerType, done.event.verification, done.source, done.session.providerStatus], ["workflow_run.completed", "signature", "event", run.status]);
  assert.deepEqual([started.event.providerType, started.event.verification, started.source, started.session.key], ["workflow_task.started", "signature", "fetched", key]);
  assert.equal(started.resolveError, null);

  const after = await view();
  assert.deepEqual([after.accepted - before.accepted, after.duplicates - before.duplicates, after.rejected - before.rejected], [2, 1, 3]);
  assert.deepEqual(
    after.rejections.slice(-3).map((r) => [r.provider, r.status, r.code]),
    [["onfido", 401, "signature"], ["onfido", 401, "signature"], ["onfido", 400, "decode"]],
  );
  const text = JSON.stringify(after) + JSON.stringify(stream.frames);
  assert.ok(!text.includes(CREDENTIALS.onfido.webhookToken) && !text.includes(CREDENTIALS.onfido.apiToken), "no secret");
  stream.close();
});

test("Stripe: the proxy adds the secret key and reaches Identity only; events are verified with the endpoint secret, published with their session", async () => {
  // /api/stripe stands for Stripe's base URL (the package appends /v1/identity/…), the key added by
  // the server.
  const base = `${demo.url}/api/stripe/v1/identity/verification_sessions`;
  const listed = await fetch(`${base}?limit=3`);
  assert.equal(listed.status, 200);
  const list = await listed.json();
  assert.deepEqual([list.object, list.data.length], ["list", 3]);
  assert.equal((await fetch(`${base}?limit=3`, { headers: { authorization: "Bearer sk_test_wrong" } })).status, 200, "the browser's Authorization is never forwarded");
  // Identity only (refused by the proxy itself, never sent on), GET and POST only.
  for (const path of ["/v1/charges", "/v1/customers", "/v1/identity", "/__mock/health"]) {
    const res = await fetch(`${demo.url}/api/stripe${path}`);
    assert.equal(res.status, 404, path);
    assert.deepEqual(await res.json(), { message: "not a stripe API path" }, path);
  }
  assert.equal((await fetch(`${base}/${list.data[0].id}`, { method: "DELETE" })).status, 405);
  // Stripe-Version is passed on: the mock refuses a malformed one.
  assert.equal((await fetch(`${base}?limit=1`, { headers: { "stripe-version": "not-a-version" } })).status, 400);
  assert.equal((await fetch(`${base}?limit=1`, { headers: { "stripe-version": "2026-11-18.endive" } })).status, 200);

  const stream = await openStream();
  await stream.until((f) => f.some((x) => x.event === "stats"));
  // A form-encoded create under an Idempotency-Key: the same request again is answered with the
  // same session (the key reached Stripe), and the mock's signed created event is published.
  const create = () =>
    fetch(base, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "idempotency-key": "demo-live-stripe-1" },
      body: "type=document&client_reference_id=user-live&return_url=https%3A%2F%2Fexample.com%2Fdone",
    });
  const first = await create();
  assert.equal(first.status, 200);
  const created = await first.json();
  assert.deepEqual([created.status, created.client_reference_id, created.type], ["requires_input", "user-live", "document"]);
  const replayed = await create();
  assert.equal(replayed.status, 200);
  assert.equal((await replayed.json()).id, created.id);
  const createdKey = `stripe:${created.id}`;
  await stream.until(() => stream.messages().some((m) => m.data.key === createdKey));
  const announced = stream.messages().find((m) => m.data.key === createdKey).data;
  assert.deepEqual(
    [announced.event.providerType, announced.event.verification, announced.source, announced.session.userRef, announced.session.status],
    ["identity.verification_session.created", "signature", "event", "user-live", "in_progress"],
  );

  const view = async () => (await fetch(`${demo.url}/api/webhooks`)).json();
  const before = await view();
  const session = await (await fetch(`${base}/${list.data[0].id}`)).json();
  const now = Math.floor(Date.now() / 1000);
  const event = (id, type, object) => ({ id, object: "event", api_version: "2026-11-18.endive", created: now, data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type });
  const processing = event("evt_demo_processing", "identity.verification_session.processing", { ...session, status: "processing", last_error: null, url: null, client_secret: null });
  const report = event("evt_demo_report", "identity.verification_report.created", { id: "vr_demo", object: "identity.verification_report" });
  const secret = CREDENTIALS.stripe.webhookSecret;
  const send = (signed) => fetch(`${demo.url}/webhooks/stripe`, { method: "POST", headers: signed.headers, body: signed.body });

  assert.equal((await send(signWebhook("stripe", { payload: processing, secret: "whsec_not_the_secret" }))).status, 401);
  const unsigned = await fetch(`${demo.url}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(processing) });
  assert.equal(unsigned.status, 401);
  // Signed long ago: a replay.
  assert.equal((await send(signWebhook("stripe", { payload: processing, secret, timestamp: now - 3600 }))).status, 401);
  const garbage = await fetch(`${demo.url}/webhooks/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": `t=${now},v1=${createHmac("sha256", secret).update(`${now}.not json`).digest("hex")}` },
    body: "not json",
  });
  assert.equal(garbage.status, 400);

  const good = signWebhook("stripe", { payload: processing, secret });
  assert.equal((await send(good)).status, 200);
  // A retry: the same event, signed again.
  assert.deepEqual(await (await send(signWebhook("stripe", { payload: processing, secret }))).json(), { received: true, duplicate: true });
  assert.equal((await send(signWebhook("stripe", { payload: report, secret }))).status, 200);

  const key = `stripe:${session.id}`;
  await stream.until(() => stream.messages().some((m) => m.data.key === key) && stream.messages().some((m) => m.data.event.id === report.id));
  const updates = stream.messages().filter((m) => m.data.key === key).map((m) => m.data);
  assert.equal(updates.length, 1);
  // The session came in the signed event: nothing fetched.
  const [update] = updates;
  assert.deepEqual(
    [update.event.providerType, update.event.verification, update.event.needsFetch, update.source, update.session.status, update.session.providerStatus],
    ["identity.verification_session.processing", "signature", false, "event", "in_review", "processing"],
  );
  // An event about something else than a verification session: published, about no session.
  const other = stream.messages().find((m) => m.data.event.id === report.id).data;
  assert.deepEqual([other.event.providerType, other.event.verification, other.key, other.session, other.source, other.resolveError], ["identity.verification_report.created", "signature", null, null, null, null]);

  const after = await view();
  assert.deepEqual([after.accepted - before.accepted, after.duplicates - before.duplicates, after.rejected - before.rejected], [2, 1, 4]);
  assert.deepEqual(
    after.rejections.slice(-4).map((r) => [r.provider, r.status, r.code]),
    [["stripe", 401, "signature"], ["stripe", 401, "signature"], ["stripe", 401, "signature"], ["stripe", 400, "decode"]],
  );
  const text = JSON.stringify(after) + JSON.stringify(stream.frames);
  assert.ok(!text.includes(CREDENTIALS.stripe.webhookSecret) && !text.includes(CREDENTIALS.stripe.secretKey), "no secret");
  stream.close();
});

test("POST /api/demo/status changes a session at the mock; bad input is refused", async () => {
  const { sessions } = await (await fetch(`${demo.mockUrl}/__mock/sessions?provider=equals`)).json();
  const row = sessions.find((s) => s.status === "in_progress") ?? sessions[0];
  const res = await post(`${demo.url}/api/demo/status`, { provider: "equals", id: row.id, applicationId: row.applicationId, status: "completed", result: "declined" });
  assert.equal(res.status, 200);
  const summary = await res.json();
  assert.deepEqual([summary.key, summary.status, summary.result], [row.key, "completed", "declined"]);
  assert.equal((await post(`${demo.url}/api/demo/status`, { provider: "veriff", id: "x", status: "y" })).status, 400);
  assert.equal((await post(`${demo.url}/api/demo/status`, { provider: "didit", id: "no-such-session", status: "Approved" })).status, 404);
  assert.equal((await post(`${demo.url}/api/demo/status`, { provider: "didit", id: row.id })).status, 400);
  assert.equal((await fetch(`${demo.url}/api/demo/status`)).status, 405);
});

test("close() ends open streams cleanly and does not hang", async () => {
  const own = await startDemo({ port: 0, seed: 3, sessions: 20, latencyMs: 0 });
  const streams = await Promise.all(
    [0, 1, 2].map(async () => {
      const res = await fetch(`${own.url}/api/events`);
      const reader = res.body.getReader();
      await reader.read(); // the first frames
      return reader;
    }),
  );
  const started = Date.now();
  await own.close();
  assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
  for (const reader of streams) {
    let done = false;
    while (!done) ({ done } = await reader.read()); // ends, no error
  }
  // No more deliveries to the closed server.
  assert.equal(own.mock.control.webhooks().url, null);
});
