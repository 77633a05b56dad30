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
      // A fetch that never answers: only an abort (ours or the timeout's) ends it.
      const hanging = (url, init) => new Promise((_, reject) => {
        init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      });
      const controller = new AbortController();
      const t0 = performance.now();
      setTimeout(() => controller.abort(), 50);
      const slow = new IdvClient({ ...cfg, fetch: hanging });
      const aborted = await catchErr(slow.listAll("equals", {}, { signal: controller.signal }));
      out.aborted = { code: aborted.code, ms: performance.now() - t0 };
      const stuck = new IdvClient({ ...cfg, timeoutMs: 100, maxRetries: 0, fetch: hanging });
      const t1 = performance.now();
      const timeout = await catchErr(stuck.listSessions("didit", {}));
      out.timeout = { code: timeout.code, ms: performance.now() - t1 };
      const direct = await catchErr(Promise.resolve().then(() => new IdvClient({ didit: { apiKey: "k" } })));
      out.browserGuard = { code: direct?.code, proxy: /proxy/.test(direct?.message ?? "") };
      out.allowed = !!new IdvClient({ didit: { apiKey: "k" }, dangerouslyAllowBrowser: true });
      return out;
    }, { cfg: config(mock.url), person });
    assert.deepEqual(result.auth, { code: "auth", isError: true, idv: true, leaks: false });
    assert.deepEqual(result.down, [["didit", "http", 503]]);
    assert.ok(result.downSessions > 0, "Equals still answered");
    assert.equal(result.aborted.code, "aborted");
    assert.ok(result.aborted.ms < 1000, `abort took ${result.aborted.ms} ms`);
    assert.equal(result.timeout.code, "timeout");
    assert.ok(result.timeout.ms < 1000, `timeout took ${result.timeout.ms} ms`);
    assert.deepEqual(result.browserGuard, { code: "config", proxy: true });
    assert.equal(result.allowed, true);
  } finally {
    mock.control.setDown("didit", false);
  }
});
