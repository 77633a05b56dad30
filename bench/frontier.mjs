// The size/speed frontier: the same crate built at several release profiles, each bound and shrunk
// as scripts/build-pkg.sh does (wasm-bindgen, wasm-opt -Oz, names removed), then timed against the
// JavaScript baseline in one process (every variant and the baseline interleaved, best of the runs,
// 100,000 rows per provider as bytes, the package's fastest input). What it shows: how much each
// kilobyte saved costs in speed, the choice behind the `opt-level`s in Cargo.toml.
//   node --expose-gc bench/frontier.mjs [--quick] [--out file.json]      (make frontier)
// Builds go to target/frontier (a target directory of their own: the shipped build is untouched).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, parseArgs, writeJson, log } from "./lib/cli.mjs";
import { listBody } from "./gen.mjs";
import * as baseline from "./baseline.mjs";

// The core (the root crate and its dependencies) at each level; the JS binding (crates/wasm) at
// "z" as shipped, and once at 3 as well (one profile for everything, as before the split).
const PROFILES = [
  { name: "core `opt-level = 3`, binding `\"z\"` (shipped)", env: {} },
  { name: "core and binding `opt-level = 3`", env: {}, config: ["profile.release.package.idv-sessions-wasm.opt-level=3"] },
  { name: "core `opt-level = 3`, LLVM inline threshold 60", env: { RUSTFLAGS: "-C llvm-args=-inline-threshold=60" } },
  { name: "core `opt-level = \"s\"`", env: { CARGO_PROFILE_RELEASE_OPT_LEVEL: "s" } },
  { name: "core `opt-level = \"z\"`", env: { CARGO_PROFILE_RELEASE_OPT_LEVEL: "z" } },
];
const PROVIDERS = ["mangopay", "equals", "didit", "onfido", "stripe"];
const gc = globalThis.gc ?? (() => {});

/** Builds one profile into `dir` (a copy of pkg/ with this build's .wasm and glue). */
function build(profile, i) {
  const targetDir = path.join(ROOT, "target", "frontier", String(i));
  log(`frontier: building ${profile.name}`);
  const config = (profile.config ?? []).flatMap((c) => ["--config", c]);
  execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "idv-sessions-wasm", ...config], {
    cwd: ROOT, stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CARGO_TARGET_DIR: targetDir, ...profile.env },
  });
  const raw = path.join(targetDir, "wasm32-unknown-unknown", "release", "idv_sessions_wasm.wasm");
  const bound = path.join(targetDir, "bound");
  rmSync(bound, { recursive: true, force: true });
  execFileSync("wasm-bindgen", ["--target", "nodejs", "--out-name", "idv_sessions", "--remove-name-section",
    "--remove-producers-section", "--out-dir", bound, raw], { cwd: ROOT });
  const dir = path.join(targetDir, "pkg");
  rmSync(dir, { recursive: true, force: true });
  cpSync(path.join(ROOT, "pkg"), dir, { recursive: true });
  execFileSync(path.join(ROOT, "node_modules/.bin/wasm-opt"), ["-Oz", path.join(bound, "idv_sessions_bg.wasm"),
    "-o", path.join(dir, "idv_sessions_bg.wasm")]);
  cpSync(path.join(bound, "idv_sessions.js"), path.join(dir, "idv_sessions.cjs"));
  const wasm = readFileSync(path.join(dir, "idv_sessions_bg.wasm"));
  return { dir, raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length };
}

async function run({ quick = false } = {}) {
  const rows = quick ? 10_000 : 100_000;
  const runs = quick ? 3 : 5;
  const variants = PROFILES.map((profile, i) => ({ ...profile, ...build(profile, i) }));
  for (const v of variants) v.module = await import(pathToFileURL(path.join(v.dir, "index.mjs")).href);
  const result = { rows, runs, variants: variants.map(({ name, raw, gzip }) => ({ name, raw, gzip, ratio: {} })) };
  for (const provider of PROVIDERS) {
    const { body, options } = listBody(provider, rows);
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    const contenders = [
      { key: "js", fn: () => baseline.normalizeList(provider, bytes, options) },
      ...variants.map((v, i) => ({ key: i, fn: () => v.module.normalizeList(provider, bytes, options) })),
    ];
    const best = new Map(contenders.map((c) => [c.key, Infinity]));
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(k + r) % contenders.length];
        gc();
        const t0 = performance.now();
        c.fn();
        best.set(c.key, Math.min(best.get(c.key), performance.now() - t0));
      }
    }
    variants.forEach((_, i) => {
      result.variants[i].ratio[provider] = best.get(i) / best.get("js");
    });
    log(`frontier: ${provider} done (JS ${best.get("js").toFixed(1)} ms)`);
  }
  return result;
}

function table(result) {
  const lines = [
    `| release profile | \`.wasm\` raw | zlib level 9 | ${PROVIDERS.map((p) => `${p} time ÷ JS`).join(" | ")} |`,
    `|---|---:|---:|${PROVIDERS.map(() => "---:").join("|")}|`,
  ];
  for (const v of result.variants) {
    lines.push(`| ${v.name} | ${v.raw.toLocaleString("en")} | ${v.gzip.toLocaleString("en")} | ` +
      `${PROVIDERS.map((p) => `${v.ratio[p].toFixed(2)}×`).join(" | ")} |`);
  }
  lines.push("", `${result.rows.toLocaleString("en")} rows per provider as bytes, Node ${process.version}, ` +
    `best of ${result.runs} interleaved runs; below 1 the package is faster than the JavaScript baseline.`);
  return lines;
}

const args = parseArgs();
const result = await run(args);
writeJson(args.out ?? path.join(ROOT, "bench", "results", "frontier.json"), result);
mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(path.join(ROOT, "bench", "results", "frontier.md"), table(result).join("\n") + "\n");
console.log(table(result).join("\n"));
