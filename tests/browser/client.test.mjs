// IdvClient in headless Chromium against the mock providers (another origin:
// real CORS), loaded by a plain ES-module page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../support/static-server.mjs";
import { launchChromium } from "../support/browser.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
let site, browser, page, mock;

before(async () => {
  mock = await startMockServer({ seed: 11, sessions: 400, retryAfterSeconds: 0, faults: { 429: 0.05, 503: 0.05 } });
  site = await startStaticServer(root);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${site.url}/tests/browser/harness.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 15000 });
});
after(async () => {
  await browser?.close();
  await site?.close();
  await mock?.close();
});

const config = (url) => ({
  mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: url },
  equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: url },
  didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: url },
  retryBaseMs: 5,
  maxRetries: 8,
});
const truthKeys = (provider, filter = () => true) =>
  mock.control.sessions(provider).sessions.filter(filter).map((s) => s.key).sort();

test("every method for every provider, through real CORS, with faults", async () => {
  const person = mock.control.people()[0];
  const expected = {
    equals: truthKeys("equals"),
    didit: truthKeys("didit"),
    mangopay: truthKeys("mangopay", (s) => s.userRef === person.mangopayUserId),
  };
  const result = await page.evaluate(async ({ cfg, person }) => {
    const client = new window.idv.IdvClient(cfg);
    const keys = (list) => list.map((s) => s.key).sort();
    const out = {};
    out.equals = keys(await client.listAll("equals", { limit: 100 }));
    out.didit = keys(await client.listAll("didit", {}));
    out.mangopay = keys(await client.listAll("mangopay", { userId: person.mangopayUserId }));
    const page = await client.listSessions("didit", { limit: 10 });
    out.pageNext = page.next;
    let n = 0;
    for await (const s of client.sessions("equals", { limit: 30 })) if (++n >= 40) break;
    out.iterated = n;
    const mp = await client.createSession("mangopay", { userId: person.mangopayUserId, returnUrl: "https://example.com" });
    out.mpCreated = (await client.getSession("mangopay", mp.id)).status;
    const dd = await client.createSession("didit", { workflowId: "wf", vendorData: "browser-user" });
    out.ddCreated = (await client.getSession("didit", dd.id)).status;
    const user = await client.listUserSessions({ mangopay: person.mangopayUserId, equals: person.equalsAssociatedPersonId, didit: person.diditVendorData });
    out.userProviders = [...new Set(user.sessions.map((s) => s.provider))].sort();
    out.userErrors = user.errors.length;
    return out;
  }, { cfg: config(mock.url), person });
  assert.deepEqual(result.equals, expected.equals);
  assert.deepEqual(result.didit, expected.didit);
  assert.deepEqual(result.mangopay, expected.mangopay);
  assert.deepEqual(result.pageNext, { limit: 10, offset: 10 });
  assert.equal(result.iterated, 40);
  assert.equal(result.mpCreated, "in_progress");
  assert.equal(result.ddCreated, "not_started");
  assert.deepEqual(result.userProviders, ["didit", "equals", "mangopay"]);
  assert.equal(result.userErrors, 0);
});

test("timeout, abort, wrong key and a provider down, in the browser", async () => {
  mock.control.setFaults({ latencyMs: 0 });
  mock.control.setDown("didit", true);
  const person = mock.control.people()[0];
  try {
    const result = await page.evaluate(async ({ cfg, person }) => {
      const { IdvClient, isIdvError } = window.idv;
      const catchErr = async (p) => { try { await p; return null; } catch (e) { return e; } };
      const out = {};
      const wrong = new IdvClient({ equals: { apiKey: "browser-WRONG-key-1", baseUrl: cfg.equals.baseUrl } });
      const auth = await catchErr(wrong.listSessions("equals", {}));
      out.auth = { code: auth.code, isError: auth instanceof Error, idv: isIdvError(auth),
        leaks: [auth.message, auth.stack, JSON.stringify(auth)].join(" ").includes("browser-WRONG-key-1") };
      const client = new IdvClient({ ...cfg, maxRetries: 0 });
      const down = await client.listUserSessions({ equals: person.equalsAssociatedPersonId, didit: person.diditVendorData });
      out.downSessions = down.sessions.length;
      out.down = down.errors.map((e) => [e.provider, e.code, e.httpStatus]);
      // A fetch that never answers: only an abort (ours or the timeout's) ends it. It keeps each
      // request's signal, to tell whether the abort reached the request.
      const hanging = () => {
        const signals = [];
        let onFirst;
        const first = new Promise((resolve) => (onFirst = resolve));
        const fetch = (url, init) => {
          signals.push(init.signal);
          onFirst();
          return new Promise((_, reject) => {
            init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
          });
        };
        return { fetch, signals, first };
      };
      // A hang guard, not a stopwatch: a call still pending after 10 s is reported as such (an
      // abort that reached nothing, a timeout that never fired), not waited for.
      const settle = (promise) => new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ pending: true }), 10_000);
        promise.then((value) => ({ value }), (error) => ({ error })).then((outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        });
      });
      const report = (outcome, fetch) => ({
        pending: !!outcome.pending,
        code: outcome.error?.code,
        requests: fetch.signals.length,
        requestsAborted: fetch.signals.filter((s) => s.aborted).length,
      });
      const held = hanging();
      const controller = new AbortController();
      const slow = new IdvClient({ ...cfg, fetch: held.fetch });
      const listing = settle(slow.listAll("equals", {}, { signal: controller.signal }));
      await Promise.race([held.first, listing]); // abort once a request is in flight
      controller.abort();
      out.aborted = report(await listing, held);
      const stalled = hanging();
      const stuck = new IdvClient({ ...cfg, timeoutMs: 100, maxRetries: 0, fetch: stalled.fetch });
      out.timeout = report(await settle(stuck.listSessions("didit", {})), stalled);
      const direct = await catchErr(Promise.resolve().then(() => new IdvClient({ didit: { apiKey: "k" } })));
      out.browserGuard = { code: direct?.code, proxy: /proxy/.test(direct?.message ?? "") };
      out.allowed = !!new IdvClient({ didit: { apiKey: "k" }, dangerouslyAllowBrowser: true });
      return out;
    }, { cfg: config(mock.url), person });
    assert.deepEqual(result.auth, { code: "auth", isError: true, idv: true, leaks: false });
    assert.deepEqual(result.down, [["didit", "http", 503]]);
    assert.ok(result.downSessions > 0, "Equals still answered");
    // The abort ended the call and reached every request in flight; the 100 ms timeout ended the
    // one request (maxRetries 0) by aborting it.
    assert.equal(result.aborted.pending, false, "the listing was still pending 10 s after its signal was aborted");
    assert.equal(result.aborted.code, "aborted");
    assert.ok(result.aborted.requests > 0, "a request was in flight when the signal was aborted");
    assert.equal(result.aborted.requestsAborted, result.aborted.requests, "every request in flight was aborted");
    assert.deepEqual(result.timeout, { pending: false, code: "timeout", requests: 1, requestsAborted: 1 });
    assert.deepEqual(result.browserGuard, { code: "config", proxy: true });
    assert.equal(result.allowed, true);
  } finally {
    mock.control.setDown("didit", false);
  }
});
