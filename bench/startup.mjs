// Benchmark 5: cold start, from `import` to the first normalizeSession result,
// in fresh Node processes and fresh Chromium page loads (new browser context
// each: empty HTTP cache, no compiled-code cache); the package against the same
// flow with the JS baseline. Median of N, the two flows interleaved.
//   node bench/startup.mjs [--quick] [--out file.json]
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { ROOT, parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { median, round } from "./lib/measure.mjs";
import { startupSection } from "./lib/report.mjs";

const run_ = promisify(execFile);
const CHILD = fileURLToPath(new URL("./startup/child.mjs", import.meta.url));

async function nodeOnce(impl) {
  const t0 = performance.now();
  const { stdout } = await run_(process.execPath, [CHILD, impl], { cwd: ROOT, timeout: 30_000 });
  const wallMs = performance.now() - t0;
  return { ...JSON.parse(stdout), wallMs };
}

async function chromiumOnce(browser, url, impl) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}/bench/startup/page.html?impl=${impl}`);
    await page.waitForFunction(() => window.__startup, null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.__startup);
    if (r.error || r.status !== "approved") throw new Error(`startup page (${impl}): ${r.error ?? r.status}`);
    return r;
  } finally {
    await context.close();
  }
}

function summarize(samples, keys) {
  const out = { n: samples.length };
  for (const k of keys) out[k] = { median: round(median(samples.map((s) => s[k]))), runs: samples.map((s) => round(s[k])) };
  return out;
}

export async function run({ quick = false } = {}) {
  const n = quick ? 3 : 15;
  const result = { n };

  const node = { wasm: [], js: [] };
  await nodeOnce("wasm"); // warm the OS file cache for both flows
  await nodeOnce("js");
  for (let i = 0; i < n; i++) {
    for (const impl of i % 2 ? ["js", "wasm"] : ["wasm", "js"]) node[impl].push(await nodeOnce(impl));
  }
  result.node = {
    engine: `Node ${process.version}`,
    wasm: summarize(node.wasm, ["importToResultMs", "processToResultMs", "wallMs"]),
    js: summarize(node.js, ["importToResultMs", "processToResultMs", "wallMs"]),
  };
  log(`startup: node import->result wasm ${result.node.wasm.importToResultMs.median} ms, js ${result.node.js.importToResultMs.median} ms`);

  const { startStaticServer } = await import("../tests/support/static-server.mjs");
  const { launch } = await import("./lib/chromium.mjs");
  const site = await startStaticServer(ROOT);
  const browser = await launch();
  try {
    const pages = { wasm: [], js: [] };
    await chromiumOnce(browser, site.url, "wasm");
    await chromiumOnce(browser, site.url, "js");
    for (let i = 0; i < n; i++) {
      for (const impl of i % 2 ? ["js", "wasm"] : ["wasm", "js"]) pages[impl].push(await chromiumOnce(browser, site.url, impl));
    }
    result.chromium = {
      engine: `Chromium ${browser.version()}`,
      wasm: summarize(pages.wasm, ["importToResultMs", "navigationToResultMs"]),
      js: summarize(pages.js, ["importToResultMs", "navigationToResultMs"]),
    };
    log(`startup: chromium import->result wasm ${result.chromium.wasm.importToResultMs.median} ms, js ${result.chromium.js.importToResultMs.median} ms`);
  } finally {
    await browser.close();
    await site.close();
  }
  return result;
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = await run(args);
  if (args.out) writeJson(args.out, result);
  else console.log(startupSection(result).join("\n"));
}
