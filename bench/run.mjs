// Runs every benchmark in sequence (each in its own Node process, never two at
// once), prints one markdown table of every result and ratio, and writes
// bench/results/latest.json and bench/results/latest.md.
//   node bench/run.mjs [--quick] [--only normalize-node,normalize-chromium,listing,size,memory,startup,webhooks]
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT, parseArgs, writeJson, log } from "./lib/cli.mjs";
import { summaryTable, normalizeSection, listingSection, sizeSection, memorySection, startupSection, webhooksSection } from "./lib/report.mjs";

const args = parseArgs();
const quick = Boolean(args.quick);
const STEPS = [
  { id: "normalize-node", script: "bench/normalize.mjs", flags: ["--expose-gc", "--max-old-space-size=8192"], extra: ["--env", "node"] },
  { id: "normalize-chromium", script: "bench/normalize.mjs", flags: [], extra: ["--env", "chromium"] },
  { id: "listing", script: "bench/listing.mjs", flags: [] },
  { id: "size", script: "bench/size.mjs", flags: [] },
  { id: "memory", script: "bench/memory.mjs", flags: ["--expose-gc"] },
  { id: "startup", script: "bench/startup.mjs", flags: [] },
  { id: "webhooks", script: "bench/webhooks.mjs", flags: ["--expose-gc"] },
];
const only = typeof args.only === "string" ? new Set(args.only.split(",")) : null;

function sha256(rel) {
  try {
    return createHash("sha256").update(readFileSync(join(ROOT, rel))).digest("hex").slice(0, 16);
  } catch {
    return null;
  }
}

function git(...a) {
  try {
    return execFileSync("git", a, { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return null;
  }
}

function runStep(step, out) {
  return new Promise((resolve) => {
    const argv = [...step.flags, join(ROOT, step.script), ...(step.extra ?? []), "--out", out, ...(quick ? ["--quick"] : [])];
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

const wasmFile = "pkg/idv_sessions_bg.wasm";
const meta = {
  date: new Date().toISOString(),
  quick,
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGB: Math.round(totalmem() / 1e9),
  loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  git: { head: git("rev-parse", "--short", "HEAD"), dirty: Boolean(git("status", "--porcelain", "--", "src", "pkg", "Cargo.toml")) },
  wasm: { file: wasmFile, bytes: statSync(join(ROOT, wasmFile)).size, sha256AtStart: sha256(wasmFile) },
};

const tmp = mkdtempSync(join(tmpdir(), "idv-bench-"));
const results = {};
const failures = [];
const t0 = performance.now();
try {
  for (const step of STEPS) {
    if (only && !only.has(step.id)) continue;
    const file = join(tmp, `${step.id}.json`);
    const started = performance.now();
    log(`=== ${step.id}${quick ? " (quick)" : ""}`);
    const { code, signal } = await runStep(step, file);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    if (code !== 0) {
      failures.push(`${step.id}: exited with ${signal ?? code}`);
      log(`=== ${step.id} FAILED (${signal ?? code}) after ${seconds} s`);
      continue;
    }
    results[step.id] = JSON.parse(readFileSync(file, "utf8"));
    results[step.id].stepSeconds = seconds;
    log(`=== ${step.id} done in ${seconds} s`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
meta.totalSeconds = Math.round((performance.now() - t0) / 100) / 10;
meta.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
meta.wasm.sha256AtEnd = sha256(wasmFile);
meta.wasm.changedDuringRun = meta.wasm.sha256AtStart !== meta.wasm.sha256AtEnd;
meta.failures = failures;

const normalize = {};
if (results["normalize-node"]) normalize.node = results["normalize-node"].node;
if (results["normalize-chromium"]) normalize.chromium = results["normalize-chromium"].chromium;
const all = {
  meta,
  normalize: Object.keys(normalize).length ? normalize : undefined,
  listing: results.listing,
  size: results.size,
  memory: results.memory,
  startup: results.startup,
  webhooks: results.webhooks,
};

const header = [
  `## Benchmarks${quick ? " (quick run: reduced sizes)" : ""}`,
  "",
  `${meta.date.slice(0, 16).replace("T", " ")} UTC, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}` +
    `${normalize.chromium ? `, ${normalize.chromium.engine}` : ""}; commit ${meta.git.head}${meta.git.dirty ? " + uncommitted changes" : ""}; ` +
    `\`${wasmFile}\` ${meta.wasm.bytes.toLocaleString("en")} bytes (sha256 ${meta.wasm.sha256AtStart}); ` +
    `load average ${meta.loadAverageAtStart[0]} at start, ${meta.loadAverageAtEnd[0]} at end; total ${meta.totalSeconds} s.` +
    (meta.wasm.changedDuringRun ? " **The wasm changed during the run (rebuilt by someone else): numbers mix two builds.**" : ""),
  "",
];
const summary = summaryTable(all);
const details = [];
if (all.normalize) details.push("", ...normalizeSection(all.normalize));
if (all.listing) details.push("", ...listingSection(all.listing));
if (all.size) details.push("", ...sizeSection(all.size));
if (all.memory) details.push("", ...memorySection(all.memory));
if (all.startup) details.push("", ...startupSection(all.startup));
if (all.webhooks) details.push("", ...webhooksSection(all.webhooks));
if (failures.length) summary.push("", `**Failed:** ${failures.join("; ")}`);

mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeJson(join(ROOT, "bench/results/latest.json"), all);
writeFileSync(join(ROOT, "bench/results/latest.md"), [...header, ...summary, "", "### Details", ...details, ""].join("\n"));
console.log([...header, ...summary].join("\n"));
log(`wrote bench/results/latest.json and bench/results/latest.md (details per benchmark) in ${meta.totalSeconds} s`);
process.exitCode = failures.length ? 1 : 0;
