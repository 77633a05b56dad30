// Benchmark 5: cold start, from `import` to the first normalizeSession result,
// in fresh Node processes and fresh Chromium page loads (new browser context
// each: empty HTTP cache, no compiled-code cache; the page imports through an
// import map as the README shows and times itself with performance.now(), the
// runner awaiting its result without polling); the package against the same
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
    const [kind, preload] = impl.split("+");
    // "commit": the runner sends nothing more until the page has settled its
    // promise (awaited in the page, not polled).
    await page.goto(`${url}/bench/startup/page.html?impl=${kind}${preload ? "&preload" : ""}`, { waitUntil: "commit" });
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
    const flows = ["wasm", "js", "wasm+preload"];
    const pages = Object.fromEntries(flows.map((f) => [f, []]));
    for (const impl of flows) await chromiumOnce(browser, site.url, impl);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < flows.length; k++) {
        const impl = flows[(i + k) % flows.length];
        pages[impl].push(await chromiumOnce(browser, site.url, impl));
      }
    }
    const keys = ["importToResultMs", "navigationToResultMs"];
    result.chromium = {
      engine: `Chromium ${browser.version()}`,
      wasm: summarize(pages.wasm, keys),
      js: summarize(pages.js, keys),
      wasmPreload: summarize(pages["wasm+preload"], keys),
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
