// Benchmark 3: what the package weighs. The shipped wasm and its glue, raw and
// gzipped, and the wasm's code by crate (twiggy over a wasm-bindgen output that
// keeps the names; no cargo build).
//   node bench/size.mjs [--out file.json]
import { readFileSync, statSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { tmpdir, homedir } from "node:os";
import { join } from "node:path";
import { ROOT, parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { sizeSection } from "./lib/report.mjs";

const SHIPPED = [
  { file: "pkg/idv_sessions_bg.wasm", what: "wasm module (one file for every entry)" },
  { file: "pkg/idv_sessions.mjs", what: "ES-module glue (wasm-bindgen)" },
  { file: "pkg/browser.mjs", what: "browser entry" },
  { file: "pkg/idv_sessions.cjs", what: "Node CommonJS glue (wasm-bindgen)" },
  { file: "bench/baseline.mjs", what: "for scale: the JS baseline normalizer (normalization only, no client)" },
];
const TARGET_WASM = "target/wasm32-unknown-unknown/release/idv_sessions_wasm.wasm";

function measureFile(rel) {
  const data = readFileSync(join(ROOT, rel));
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length, modified: statSync(join(ROOT, rel)).mtime.toISOString() };
}

/** RFC 4180 CSV (twiggy quotes names holding commas or quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const PRIMITIVES = new Set(["str", "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "T", "R", "W", "F"]);
const BUILTINS = /^(memcpy|memmove|memset|memcmp|bcmp|round|floor|ceil|fmod|pow|exp|log|__[a-z]+[0-9]*[a-z]*)$/;

/** The crate a symbol belongs to: the first path segment of the (implementing) type. */
export function crateOf(name) {
  if (/^"?function names"? subsection|names" subsection|^custom section|subsection$/.test(name)) return "(names and custom sections)";
  if (name.startsWith("data segment") || /^data\[\d+\]$/.test(name)) return "(data segments)";
  if (/^__wbg|^__wbindgen|^__externref|shim|^export |^import |^elem\[|^type\[|^table\[|^memory\[|^global\[|^Closure\(|^Ref\(|^RefMut\(|-> Externref|^wasm-bindgen/.test(name)) {
    return "(wasm-bindgen glue, exports, tables)";
  }
  if (!name.includes("::")) return BUILTINS.test(name) ? "compiler_builtins" : "(wasm-bindgen glue, exports, tables)";
  const lead = leadingPath(name);
  if (lead?.isPath) return lead.ident;
  // `<T as Trait>::f` with a primitive, slice or generic T: the trait's crate.
  const as = / as ([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/.exec(name);
  if (as) return as[1];
  if (lead?.ident === "__rustc") return "std"; // the allocator shims
  if (lead && PRIMITIVES.has(lead.ident)) return "core"; // inherent methods of primitives: `<u64>::_fmt`
  return lead?.ident ?? "(other)";
}

/** The first identifier of a symbol and whether a path (`::`) follows it. */
function leadingPath(symbol) {
  let t = symbol;
  for (;;) {
    const before = t;
    t = t.replace(/^[<&(\[\s*]+/, "").replace(/^(mut|dyn|const|impl)\s+/, "");
    if (t === before) break;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?(::)?/.exec(t);
  return m ? { ident: m[1], isPath: Boolean(m[3]) } : null;
}

function crateBreakdown() {
  const wasm = join(ROOT, TARGET_WASM);
  if (!existsSync(wasm)) return { error: `${TARGET_WASM} not found (build the package first)` };
  const twiggy = existsSync(join(homedir(), ".cargo/bin/twiggy")) ? join(homedir(), ".cargo/bin/twiggy") : "twiggy";
  const dir = mkdtempSync(join(tmpdir(), "idv-bench-size-"));
  try {
    execFileSync("wasm-bindgen", ["--target", "web", "--out-name", "idv_sessions", "--out-dir", dir, wasm], { stdio: ["ignore", "ignore", "pipe"] });
    const bound = join(dir, "idv_sessions_bg.wasm");
    const csv = execFileSync(twiggy, ["top", "-n", "100000", "--format", "csv", bound], { maxBuffer: 64 << 20 }).toString();
    const [, ...rows] = parseCsv(csv);
    const groups = new Map();
    let total = 0;
    for (const [name, shallow] of rows) {
      if (!name || name.startsWith("Σ")) continue;
      const size = Number(shallow);
      if (!Number.isFinite(size)) continue;
      total += size;
      const crate = crateOf(name);
      const g = groups.get(crate) ?? { crate, bytes: 0, items: 0 };
      g.bytes += size;
      g.items += 1;
      groups.set(crate, g);
    }
    const names = groups.get("(names and custom sections)")?.bytes ?? 0;
    const crates = [...groups.values()].sort((a, b) => b.bytes - a.bytes);
    return {
      source: TARGET_WASM,
      sourceModified: statSync(wasm).mtime.toISOString(),
      boundBytes: statSync(bound).size,
      itemsTotalBytes: total,
      withoutNamesBytes: total - names,
      crates,
    };
  } catch (e) {
    return { error: String(e.message ?? e).slice(0, 500) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `npm install` puts on disk: every file of `npm pack` of pkg/ (README included), unpacked. */
export function installedSize() {
  try {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"],
      { cwd: join(ROOT, "pkg"), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const [info] = JSON.parse(out);
    const dependencies = Object.keys(JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8")).dependencies ?? {});
    return { unpacked: info.unpackedSize, tarball: info.size, files: info.entryCount, dependencies: dependencies.length };
  } catch (e) {
    return { error: String(e.message ?? e).slice(0, 500) };
  }
}

export async function run() {
  const files = SHIPPED.map((f) => ({ ...f, ...measureFile(f.file) }));
  log("size: npm pack --dry-run for the installed size");
  const installed = installedSize();
  log("size: running wasm-bindgen and twiggy for the per-crate breakdown");
  return { files, installed, breakdown: crateBreakdown() };
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = await run(args);
  if (args.out) writeJson(args.out, result);
  else console.log(sizeSection(result).join("\n"));
}
