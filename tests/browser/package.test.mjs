// The built package in headless Chromium, loaded by a plain <script type="module">.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../support/static-server.mjs";
import { launchChromium } from "../support/browser.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
let site, browser;

before(async () => {
  site = await startStaticServer(root);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

test("normalization works in Chromium exactly as in Node", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${site.url}/tests/browser/normalize.html`);
  await page.waitForFunction(() => window.__result, null, { timeout: 15000 });
  const result = await page.evaluate(() => window.__result);
  assert.deepEqual(errors, []);
  assert.equal(result.failure, undefined, result.failure);
  assert.equal(result.didit.status, "declined");
  assert.deepEqual(result.didit.checks.map((c) => c.kind), ["document", "liveness", "face_match", "aml", "ip_analysis"]);
  assert.equal(result.didit.person.fullName, "Elena Martinez Garcia");
  assert.deepEqual(result.mangopay.map((s) => [s.status, s.userRef, s.createdAt]), [
    ["in_progress", "u1", "2025-05-05T12:45:21Z"],
    ["declined", "u1", "2025-05-05T12:57:32Z"],
  ]);
  assert.equal("updatedAt" in result.mangopay[0], false);
  assert.deepEqual(result.equals.map((s) => s.status), ["in_review", "not_started", "resubmission_requested", "expired"]);
  assert.equal(result.mapped, "outdated");
  assert.deepEqual(result.error, { isError: true, name: "IdvError", code: "decode", provider: "equals", idv: true });
  await page.close();
});

test("parseWebhook and signWebhook work in Chromium as in Node", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${site.url}/tests/browser/webhooks.html`);
  await page.waitForFunction(() => window.__result, null, { timeout: 15000 });
  const result = await page.evaluate(() => window.__result);
  assert.deepEqual(errors, []);
  assert.equal(result.failure, undefined, result.failure);
  assert.equal(result.verified.length, 15);
  assert.ok(result.verified.every((v) => v.endsWith(v.includes("simple") ? ":envelope" : ":signature")), `${result.verified}`);
  assert.equal(result.roundTrip, "in_review");
  assert.deepEqual(result.error, { idv: true, code: "signature" });
  await page.close();
});
