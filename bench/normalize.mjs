// Benchmark 1: normalization throughput in Node and in headless Chromium.
//   node --expose-gc bench/normalize.mjs [--quick] [--env node|chromium|both] [--out file.json]
import { ROOT, parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { FULL, QUICK, runNormalize } from "./normalize-core.mjs";
import { normalizeSection } from "./lib/report.mjs";

export async function runNode({ quick }) {
  const pkg = await import("../pkg/index.mjs");
  const base = await import("./baseline.mjs");
  if (typeof globalThis.gc !== "function") log("normalize: run node with --expose-gc for steadier numbers");
  const t0 = performance.now();
  const result = runNormalize({ pkg, base, config: quick ? QUICK : FULL, log: (m) => log(`node: ${m}`) });
  return { env: "node", engine: `Node ${process.version}`, seconds: Math.round((performance.now() - t0) / 100) / 10, ...result };
}

export async function runChromium({ quick }) {
  const { startStaticServer } = await import("../tests/support/static-server.mjs");
  const { launch } = await import("./lib/chromium.mjs");
  const site = await startStaticServer(ROOT);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (!m.text().startsWith("Failed to load resource")) log(`chromium: ${m.text()}`); // favicon
    });
    await page.goto(`${site.url}/bench/normalize.html`);
    await page.waitForFunction(() => window.__ready === true || null, null, { timeout: 30_000 }).catch(() => {
      throw new Error(`the benchmark page did not load: ${errors.join("; ")}`);
    });
    const t0 = performance.now();
    const result = await page.evaluate((opts) => window.__runNormalize(opts), { quick });
    return {
      env: "chromium",
      engine: `Chromium ${browser.version()}`,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      ...result,
    };
  } finally {
    await browser.close();
    await site.close();
  }
}

export async function run({ quick = false, env = "both" } = {}) {
  const out = {};
  if (env === "node" || env === "both") out.node = await runNode({ quick });
  if (env === "chromium" || env === "both") out.chromium = await runChromium({ quick });
  return out;
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = await run(args);
  if (args.out) writeJson(args.out, result);
  else console.log(normalizeSection(result).join("\n"));
}

export { FULL, QUICK };
