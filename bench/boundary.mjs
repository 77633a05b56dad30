// Boundary strategies, side by side in one Node process (bench only):
//   node --expose-gc bench/boundary.mjs [--quick] [--out file.json]
// Builds (once) a variant of the wasm with `--features boundary-bench`, which
// adds `normalizeListViaSerdeWasmBindgen` (objects built field by field through
// serde-wasm-bindgen), and times it against what the package ships (JSON text
// written in Rust + one JSON.parse) and the JS baseline, for text and bytes in.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT, parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { interleave, stats } from "./lib/measure.mjs";
import { firstDifference } from "./lib/deep-equal.mjs";
import { listBody } from "./gen.mjs";
import * as base from "./baseline.mjs";

const OUT_DIR = join(ROOT, "bench/results/boundary-build");

/** The bench-only wasm variant, bound for Node. */
function buildVariant() {
  const glue = join(OUT_DIR, "idv_sessions.js");
  const targetDir = join(ROOT, "target/boundary-bench");
  log("boundary: building the bench-only variant (--features boundary-bench)");
  execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "idv-sessions-wasm", "--features", "boundary-bench"], {
    cwd: ROOT,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
    stdio: ["ignore", "ignore", "inherit"],
  });
  mkdirSync(OUT_DIR, { recursive: true });
  // The repository's package.json says "type": "module"; this glue is CommonJS.
  writeFileSync(join(OUT_DIR, "package.json"), '{ "type": "commonjs" }\n');
  execFileSync("wasm-bindgen", ["--target", "nodejs", "--out-dir", OUT_DIR,
    join(targetDir, "wasm32-unknown-unknown/release/idv_sessions_wasm.wasm")], { stdio: "inherit" });
  // The JS snippets the wasm imports are ES modules (required by the CommonJS glue: Node >= 20.19).
  writeFileSync(join(OUT_DIR, "snippets/package.json"), '{ "type": "module" }\n');
  const wasmOpt = join(ROOT, "node_modules/.bin/wasm-opt");
  if (existsSync(wasmOpt)) {
    const wasm = join(OUT_DIR, "idv_sessions_bg.wasm");
    execFileSync(wasmOpt, ["-Oz", wasm, "-o", wasm]);
  }
  return glue;
}

export function run({ quick = false } = {}) {
  const variant = createRequire(import.meta.url)(buildVariant());
  const rows = quick ? 2_000 : 20_000;
  const runs = quick ? 3 : 7;
  const encoder = new TextEncoder();
  const result = { rows, runs, providers: {} };
  for (const provider of ["mangopay", "equals", "didit", "onfido", "stripe"]) {
    const { body, options } = listBody(provider, rows, 1);
    const text = JSON.stringify(body);
    const bytes = encoder.encode(text);
    const shipped = variant.normalizeList(provider, bytes, options);
    const viaSwb = variant.normalizeListViaSerdeWasmBindgen(provider, bytes, options);
    const diff = firstDifference(viaSwb, shipped);
    if (diff) throw new Error(`serde-wasm-bindgen output differs for ${provider}: ${diff}`);
    const times = interleave([
      { name: "json-out:text", fn: () => variant.normalizeList(provider, text, options) },
      { name: "json-out:bytes", fn: () => variant.normalizeList(provider, bytes, options) },
      { name: "swb-objects:text", fn: () => variant.normalizeListViaSerdeWasmBindgen(provider, text, options) },
      { name: "swb-objects:bytes", fn: () => variant.normalizeListViaSerdeWasmBindgen(provider, bytes, options) },
      { name: "js:text", fn: () => base.normalizeList(provider, text, options) },
    ], runs);
    const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
    result.providers[provider] = s;
    log(`boundary: ${provider} ${rows} rows: ${Object.entries(s).map(([k, v]) => `${k} ${v.best} ms`).join(", ")}`);
  }
  return result;
}

/** A markdown table: each strategy's best time and its ratio to the JS baseline. */
export function table(result) {
  const lines = [
    `### Boundary strategies (Node ${process.version}, ${result.rows.toLocaleString("en-US")} rows, best of ${result.runs})`,
    "",
    "| provider | strategy | best | JS baseline (text) | wasm ÷ JS time |",
    "|---|---|---:|---:|---:|",
  ];
  for (const [provider, s] of Object.entries(result.providers)) {
    const js = s["js:text"].best;
    for (const name of ["json-out:bytes", "json-out:text", "swb-objects:bytes", "swb-objects:text"]) {
      const label = {
        "json-out:bytes": "bytes in, JSON out + JSON.parse (shipped)",
        "json-out:text": "text in, JSON out + JSON.parse",
        "swb-objects:bytes": "bytes in, objects via serde-wasm-bindgen",
        "swb-objects:text": "text in, objects via serde-wasm-bindgen",
      }[name];
      lines.push(`| ${provider} | ${label} | ${s[name].best} ms | ${js} ms | ${(s[name].best / js).toFixed(2)}× |`);
    }
  }
  return lines.join("\n");
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = run(args);
  if (args.out) writeJson(args.out, result);
  console.log(table(result));
}
