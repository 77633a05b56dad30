// The package in a module Web Worker in headless Chromium: the browser-safety
// check applies there as in a page (SPEC section 6; README, security).
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

test("a worker with a secret key sent straight to a provider is refused, as a page is", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${site.url}/tests/browser/harness.html`);
  const result = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const worker = new Worker("/tests/browser/worker.mjs", { type: "module" });
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      }),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(result, {
    direct: "IdvError:config",
    providerHostWithPort: "IdvError:config",
    providerHostWithDot: "IdvError:config",
    proxy: "ok",
    allowed: "ok",
  });
  await page.close();
});
