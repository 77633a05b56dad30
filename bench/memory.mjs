// Benchmark 4: does memory stay flat? wasm linear memory (`memoryBytes()`,
// which can only grow) and the JS heap, across 1,000 listAll calls against the
// mock (one small Equals list, no latency) and 1,000 normalizeList calls of a
// 1,000-row body; and the peak of one normalizeList call of 100,000 rows per
// provider and input form, and of one listAll of 20,000 Didit sessions, each in
// a fresh process (bench/memory-peak.mjs).
//   node --expose-gc bench/memory.mjs [--quick] [--out file.json]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { collect } from "./lib/measure.mjs";
import { memorySection } from "./lib/report.mjs";
import { IdvClient, normalizeList, memoryBytes } from "../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../tests/mock/server.mjs";
import { listBody } from "./gen.mjs";

const AT_IMPORT = memoryBytes();

function sample(calls) {
  collect();
  const m = process.memoryUsage();
  return { calls, wasmBytes: memoryBytes(), jsHeapBytes: m.heapUsed, rssBytes: m.rss };
}

/** Samples at 0, 1, 10, 100 and then every `every` calls up to `calls`. */
async function track(calls, every, fn) {
  const samples = [sample(0)];
  const marks = new Set([1, 10, 100]);
  for (let i = 1; i <= calls; i++) {
    await fn(i);
    if (marks.has(i) || i % every === 0) samples.push(sample(i));
  }
  return samples;
}

export async function run({ quick = false } = {}) {
  const calls = quick ? 100 : 1000;
  const every = quick ? 50 : 250;
  const out = { atImport: AT_IMPORT, calls };

  // rateScale: 1,000 calls in a few seconds would pass the mock's Equals limit
  // (600/min) and each call past it would wait out Retry-After: not what this measures.
  const mock = await startMockServer({ seed: 1, sessions: 50, latencyMs: 0, rateScale: 1000 });
  try {
    const client = new IdvClient({ equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: mock.url } });
    const rows = (await client.listAll("equals", {})).length;
    log(`memory: ${calls} listAll calls of ${rows} Equals sessions`);
    const t0 = performance.now();
    out.listAll = {
      what: `client.listAll("equals", {}) -> ${rows} sessions, one client`,
      samples: await track(calls, every, async () => {
        const s = await client.listAll("equals", {});
        if (s.length !== rows) throw new Error(`listAll returned ${s.length} sessions, wanted ${rows}`);
      }),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    client.free();
  } finally {
    await mock.close();
  }

  const provider = "equals";
  const text = JSON.stringify(listBody(provider, 1000, 5).body);
  log(`memory: ${calls} normalizeList calls of a 1,000-row Equals body (${(text.length / 1e6).toFixed(2)} MB)`);
  const t1 = performance.now();
  out.normalizeList = {
    what: `normalizeList("${provider}", <1,000 rows as JSON text, ${text.length.toLocaleString("en")} bytes>)`,
    samples: await track(calls, every, () => {
      if (normalizeList(provider, text).length !== 1000) throw new Error("normalizeList lost rows");
    }),
    seconds: Math.round((performance.now() - t1) / 100) / 10,
  };

  const peakRows = quick ? 5_000 : 100_000;
  const child = fileURLToPath(new URL("./memory-peak.mjs", import.meta.url));
  out.peak = [];
  for (const p of ["mangopay", "equals", "didit", "onfido", "stripe"]) {
    for (const form of ["bytes", "text"]) {
      log(`memory: peak of one normalizeList of ${peakRows} ${p} rows as ${form}, fresh process`);
      const line = execFileSync(process.execPath, ["--max-old-space-size=4096", child, p, form, String(peakRows)], { encoding: "utf8" });
      out.peak.push(JSON.parse(line.trim().split("\n").pop()));
    }
  }
  const listRows = quick ? 2_000 : 20_000;
  log(`memory: peak of one listAll of ${listRows} didit sessions, fresh process`);
  const line = execFileSync(process.execPath, [child, "listAll", "didit", String(listRows)], { encoding: "utf8" });
  out.listAllPeak = JSON.parse(line.trim().split("\n").pop());
  return out;
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = await run(args);
  if (args.out) writeJson(args.out, result);
  else console.log(memorySection(result).join("\n"));
}
