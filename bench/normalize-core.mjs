// Normalization throughput, the same code in Node and in Chromium: the package's
// normalizeList against the hand-written JS baseline (bench/baseline.mjs), for
// each boundary strategy (JSON text, UTF-8 bytes, an already-parsed object).
// No Node built-ins: the caller passes the package and the baseline in.

import { listBody } from "./gen.mjs";
import { firstDifference } from "./lib/deep-equal.mjs";
import { collect, interleave, stats, round } from "./lib/measure.mjs";

export const PROVIDERS = ["mangopay", "equals", "didit", "onfido", "stripe"];
export const STRATEGIES = ["text", "bytes", "object"];

export const FULL = {
  sizes: [
    { rows: 10_000, runs: 5 },
    { rows: 100_000, runs: 3 },
  ],
  // 1M sessions per provider as 1,000 pages of 1,000 rows, cycling through a
  // pool of distinct pages (one 1M-row Didit body would be ~0.8 GB of JSON).
  paged: { pages: 1000, rowsPerPage: 1000, pool: 16, chunks: 10 },
};

export const QUICK = {
  sizes: [
    { rows: 1_000, runs: 3 },
    { rows: 5_000, runs: 3 },
  ],
  paged: { pages: 20, rowsPerPage: 1000, pool: 4, chunks: 4 },
};

const encoder = new TextEncoder();

/** The three forms of one body. */
function forms(body) {
  const text = JSON.stringify(body);
  return { text, bytes: encoder.encode(text), object: body };
}

/** Fails the benchmark when the package and the baseline disagree on any form. */
function verify(pkg, base, provider, body, options) {
  const f = forms(body);
  const want = pkg.normalizeList(provider, f.text, options);
  for (const strategy of STRATEGIES) {
    const got = base.normalizeList(provider, f[strategy], options);
    const diff = firstDifference(got, want);
    if (diff) throw new Error(`baseline differs from the package for ${provider} (${strategy}): ${diff}`);
    const again = pkg.normalizeList(provider, f[strategy], options);
    const diff2 = firstDifference(again, want);
    if (diff2) throw new Error(`the package's ${strategy} form differs from its text form for ${provider}: ${diff2}`);
  }
  return want.length;
}

function contenders(pkg, base, provider, f, options) {
  const out = [];
  for (const strategy of STRATEGIES) {
    const input = f[strategy];
    out.push({ name: `wasm:${strategy}`, fn: () => pkg.normalizeList(provider, input, options) });
    out.push({ name: `js:${strategy}`, fn: () => base.normalizeList(provider, input, options) });
  }
  return out;
}

/**
 * Where the package's time goes for one body, from the outside: what V8 alone
 * needs to parse the input JSON, to stringify the parsed object (the object
 * form crosses as JSON text), and to parse the package's output JSON (the
 * package builds its result with JSON.parse). The rest is the wasm side.
 */
function breakdown(pkg, provider, f, options, times) {
  const bestOf = (fn) => {
    let b = Infinity;
    for (let i = 0; i < 2; i++) {
      collect();
      const t0 = performance.now();
      fn();
      b = Math.min(b, performance.now() - t0);
    }
    return round(b);
  };
  const outputText = JSON.stringify(pkg.normalizeList(provider, f.text, options));
  const parseOutputMs = bestOf(() => JSON.parse(outputText));
  return {
    inputBytes: f.bytes.length,
    outputBytes: encoder.encode(outputText).length,
    parseInputMs: bestOf(() => JSON.parse(f.text)),
    stringifyInputMs: bestOf(() => JSON.stringify(f.object)),
    parseOutputMs,
    wasmTextMs: times["wasm:text"].best,
    jsTextMs: times["js:text"].best,
    jsObjectMs: times["js:object"].best,
    insideWasmMs: round(times["wasm:text"].best - parseOutputMs),
  };
}

/**
 * Runs the whole normalization benchmark in the current engine.
 * `pkg` and `base` expose `normalizeList`; `log` reports progress.
 */
export function runNormalize({ pkg, base, config = FULL, log = () => {}, providers = PROVIDERS }) {
  const result = { config, providers: {} };
  for (const provider of providers) {
    const entry = { sizes: [], paged: null };
    result.providers[provider] = entry;

    // Verify once per provider, on a body with every status and field variant.
    const sample = listBody(provider, 3000, 7);
    entry.verifiedRows = verify(pkg, base, provider, sample.body, sample.options);
    log(`${provider}: baseline deep-equals the package on ${entry.verifiedRows} rows (text, bytes, object)`);

    let fastest = "text";
    for (const { rows, runs } of config.sizes) {
      const { body, options } = listBody(provider, rows, 1);
      const f = forms(body);
      const times = interleave(contenders(pkg, base, provider, f, options), runs);
      const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
      const wasmBest = STRATEGIES.map((st) => [st, s[`wasm:${st}`].best]).sort((a, b) => a[1] - b[1]);
      fastest = wasmBest[0][0];
      entry.sizes.push({ rows, runs, bodyBytes: f.bytes.length, times: s, fastestWasm: fastest });
      log(`${provider} ${rows} rows: ${Object.entries(s).map(([k, v]) => `${k} ${v.best} ms`).join(", ")}`);
      if (rows === config.sizes[config.sizes.length - 1].rows) {
        entry.breakdown = breakdown(pkg, provider, f, options, s);
      }
      collect();
    }

    // 1M sessions (or the quick run's smaller count) as pages, in the
    // package's fastest form at the largest size, against the baseline in the same form.
    const { pages, rowsPerPage, pool, chunks } = config.paged;
    const poolForms = [];
    let pageBytes = 0;
    for (let i = 0; i < pool; i++) {
      const page = { offset: i * rowsPerPage, count: pages * rowsPerPage };
      const { body, options } = listBody(provider, rowsPerPage, 100 + i, page);
      const all = forms(body);
      pageBytes += all.bytes.length / pool;
      poolForms.push({ input: all[fastest], options });
    }
    const perChunk = pages / chunks;
    const chunkTimes = { wasm: [], js: [] };
    const run = (impl, c) => {
      let n = 0;
      for (let p = c * perChunk; p < (c + 1) * perChunk; p++) {
        const { input, options } = poolForms[p % pool];
        n += impl.normalizeList(provider, input, options).length;
      }
      return n;
    };
    let total = 0;
    for (let c = 0; c < chunks; c++) {
      const order = c % 2 ? [["js", base], ["wasm", pkg]] : [["wasm", pkg], ["js", base]];
      for (const [name, impl] of order) {
        collect();
        const t0 = performance.now();
        total += run(impl, c);
        chunkTimes[name].push(performance.now() - t0);
      }
    }
    if (total !== 2 * pages * rowsPerPage) throw new Error(`${provider}: paged run normalized ${total} sessions`);
    const sum = (v) => round(v.reduce((a, b) => a + b, 0));
    entry.paged = {
      sessions: pages * rowsPerPage,
      pages,
      rowsPerPage,
      pool,
      chunks,
      strategy: fastest,
      pageBytes: Math.round(pageBytes),
      wasm: { totalMs: sum(chunkTimes.wasm), chunk: stats(chunkTimes.wasm) },
      js: { totalMs: sum(chunkTimes.js), chunk: stats(chunkTimes.js) },
    };
    log(`${provider} ${pages}x${rowsPerPage} (${fastest}): wasm ${entry.paged.wasm.totalMs} ms, js ${entry.paged.js.totalMs} ms`);
    collect();
  }
  return result;
}
