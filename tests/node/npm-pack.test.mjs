// The package as a user gets it: `npm pack` once, installed into an empty folder,
// then used from that install by each kind of consumer: Node ESM and CJS, tsc
// under node16, nodenext and bundler resolution, @arethetypeswrong/cli and publint
// on the tarball, esbuild bundles for Node (run by Node) and for browsers (the
// README's one-line recipes), and a Vite build; the browser bundles are opened in
// headless Chromium. Nothing here uses the network. Run after `scripts/build-pkg.sh`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { startStaticServer } from "../support/static-server.mjs";
import { launchChromium } from "../support/browser.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const runAsync = promisify(execFile);

// One Mangopay row; the expected normalization, wherever it runs.
const ROW = { Id: "idnver_1", Status: "VALIDATED", CreationDate: 1746449121, LastUpdate: null };
const EXPECTED = { status: "approved", createdAt: "2025-05-05T12:45:21Z", mapped: "outdated", listed: 0 };
const USE = (exported) => `{
  status: ${exported}.normalizeSession("mangopay", ${JSON.stringify(ROW)}).status,
  createdAt: ${exported}.normalizeSession("mangopay", ${JSON.stringify(JSON.stringify(ROW))}).createdAt,
  mapped: ${exported}.mapStatus("didit", "Kyc Expired"),
  listed: ${exported}.normalizeList("didit", new TextEncoder().encode('{"count":0,"results":[]}')).length,
}`;

let dir; // the consumer: package.json, node_modules/idv-sessions, the files each test writes
let tarball;
let packedFiles;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "idv-sessions-consumer-"));
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], join(root, "pkg")));
  tarball = join(dir, packed.filename);
  packedFiles = packed.files.map((f) => f.path).sort();
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const installed = () => join(dir, "node_modules/idv-sessions");
const write = (rel, text) => {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), text);
};

test("the tarball: one .wasm, every entry and its types, both licenses, complete metadata", () => {
  // The JS snippet the wasm imports (the IdvError class) sits under a hashed folder.
  // (They are ES modules: snippets/package.json says so to Node.)
  const snippets = packedFiles.filter((f) => f.startsWith("snippets/"));
  assert.equal(snippets.length, 3, `${snippets}`);
  assert.match(snippets[0], /^snippets\/idv-sessions-wasm-[0-9a-f]+\/src\/guarded\.js$/);
  assert.match(snippets[1], /^snippets\/idv-sessions-wasm-[0-9a-f]+\/src\/idv_error\.js$/);
  assert.equal(snippets[2], "snippets/package.json");
  assert.deepEqual(packedFiles.filter((f) => !f.startsWith("snippets/")), [
    "LICENSE-APACHE", "LICENSE-MIT", "README.md", "browser.mjs", "cli.mjs", "cli/help.mjs", "cli/main.mjs",
    "cli/output.mjs", "cli/providers.mjs", "cli/webhooks.mjs", "idv_sessions.cjs", "idv_sessions.d.ts",
    "idv_sessions.mjs", "idv_sessions_bg.wasm", "index.cjs", "index.d.mts", "index.d.ts", "index.mjs", "node.mjs",
    "package.json", "wasm.d.ts",
  ]);
  const manifest = JSON.parse(readFileSync(join(installed(), "package.json"), "utf8"));
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.equal(manifest.repository.url, "git+https://github.com/idv-sessions/idv-sessions.git");
  assert.equal(manifest.homepage, "https://github.com/idv-sessions/idv-sessions#readme");
  assert.equal(manifest.bugs.url, "https://github.com/idv-sessions/idv-sessions/issues");
  assert.match(readFileSync(join(installed(), "LICENSE-MIT"), "utf8"), /^MIT License/);
  assert.match(readFileSync(join(installed(), "LICENSE-APACHE"), "utf8"), /Apache License\s+Version 2\.0/);
  const wasm = createRequire(join(dir, "x.js")).resolve("idv-sessions/wasm");
  assert.equal(wasm, join(installed(), "idv_sessions_bg.wasm"), "the ./wasm export");
});

test("installed size, the .wasm counted once", (t) => {
  const files = readdirSync(installed(), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const size = (e) => statSync(join(e.parentPath ?? e.path, e.name)).size;
  const total = files.reduce((sum, e) => sum + size(e), 0);
  const wasm = files.filter((e) => e.name.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm: ${wasm.map((e) => e.name)}`);
  const wasmBytes = size(wasm[0]);
  t.diagnostic(`installed size: ${total.toLocaleString("en")} bytes in ${files.length} files; ` +
    `idv_sessions_bg.wasm ${wasmBytes.toLocaleString("en")} bytes (once), everything else ${(total - wasmBytes).toLocaleString("en")}`);
});

test("Node: ESM and CJS consumers, and one instance for a process that uses both", () => {
  write("esm.mjs", `import * as idv from "idv-sessions";\nconsole.log(JSON.stringify(${USE("idv")}));\n`);
  write("cjs.cjs", `const idv = require("idv-sessions");\nconsole.log(JSON.stringify(${USE("idv")}));\n`);
  write("mixed.mjs", `import { createRequire } from "node:module";\nimport * as idv from "idv-sessions";\n` +
    `const cjs = createRequire(import.meta.url)("idv-sessions");\n` +
    `console.log(Object.keys(cjs).every((k) => cjs[k] === idv[k]) && cjs.memoryBytes === idv.memoryBytes);\n`);
  assert.deepEqual(JSON.parse(run("node", ["esm.mjs"], dir)), EXPECTED);
  assert.deepEqual(JSON.parse(run("node", ["cjs.cjs"], dir)), EXPECTED);
  assert.equal(run("node", ["mixed.mjs"], dir).trim(), "true");
});

test("tsc --strict, default lib, skipLibCheck false: node16 and nodenext (ESM and CJS files), bundler", async () => {
  const consumer = readFileSync(join(root, "tests/types/consumer.ts"), "utf8");
  write("ts/consumer.mts", consumer);
  write("ts/consumer.cts", consumer);
  write("ts/consumer.ts", consumer);
  const modes = {
    node16: { module: "node16", files: ["consumer.mts", "consumer.cts"] },
    nodenext: { module: "nodenext", files: ["consumer.mts", "consumer.cts"] },
    bundler: { module: "esnext", files: ["consumer.ts"] },
  };
  const results = await Promise.all(Object.entries(modes).map(async ([resolution, { module, files }]) => {
    const config = join(dir, `ts/tsconfig.${resolution}.json`);
    writeFileSync(config, JSON.stringify({
      // No `lib`: the default of the target (es2022, with the DOM).
      compilerOptions: { strict: true, noEmit: true, target: "es2022", module, moduleResolution: resolution,
        types: [], skipLibCheck: false },
      files,
    }));
    try {
      await runAsync(bin("tsc"), ["-p", config], { cwd: dir });
      return null;
    } catch (e) {
      return `${resolution}:\n${e.stdout}${e.stderr}`;
    }
  }));
  const failures = results.filter(Boolean).join("\n");
  const hint = failures.includes("Property 'dispose' does not exist")
    ? "\n(the generated classes declare [Symbol.dispose]: the TypeScript classes must be written in crates/wasm/src/types.d.ts, with skip_typescript on their structs)"
    : "";
  assert.equal(failures, "", `tsc failed:\n${failures}${hint}`);
});

test("@arethetypeswrong/cli: no problem for any entry point in any resolution mode", async () => {
  let out;
  try {
    out = (await runAsync(bin("attw"), [tarball, "--format", "json"], { cwd: dir })).stdout;
  } catch (e) {
    out = e.stdout || assert.fail(`attw failed: ${e.stderr}`);
  }
  const { analysis, problems } = JSON.parse(out);
  assert.deepEqual(problems ?? {}, {}, JSON.stringify(problems, null, 2));
  const types = (entry) => Object.fromEntries(Object.entries(analysis.entrypoints[entry].resolutions)
    .map(([mode, r]) => [mode, r.resolution?.fileName.replace("/node_modules/idv-sessions/", "")]));
  assert.deepEqual(Object.keys(analysis.entrypoints).sort(), [".", "./package.json", "./wasm"]);
  assert.deepEqual(types("."), { node10: "index.d.ts", "node16-cjs": "index.d.ts", "node16-esm": "index.d.mts", bundler: "index.d.mts" });
  // ./wasm is the module as a file (for require.resolve and bundlers): typed as a module with no exports.
  assert.deepEqual(types("./wasm"), { node10: "wasm.d.ts", "node16-cjs": "wasm.d.ts", "node16-esm": "wasm.d.ts", bundler: "wasm.d.ts" });
});

test("publint: no error, warning or suggestion", async () => {
  const data = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: "suggestion",
  });
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`), []);
});

/** The README's esbuild one-liners (browser, Node), run in the consumer with its esbuild on PATH. */
function readmeRecipes() {
  const lines = readFileSync(join(installed(), "README.md"), "utf8").split("\n").map((l) => l.trim())
    .filter((l) => l.startsWith("esbuild ") && l.endsWith("&& cp node_modules/idv-sessions/idv_sessions_bg.wasm dist/"));
  const node = lines.filter((l) => l.includes("--platform=node"));
  const browser = lines.filter((l) => !l.includes("--platform=node"));
  assert.equal(node.length, 1, `the README's esbuild line for Node: ${lines}`);
  assert.equal(browser.length, 1, `the README's esbuild line for browsers: ${lines}`);
  const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}${delimiter}${process.env.PATH}` };
  // Without a warning: a user's build that warns on every run looks broken. (esbuild does not
  // report duplicate object keys inside node_modules; scripts/dedupe-glue-imports.mjs fails the
  // build if the glue has any.)
  const exec = (line) => {
    const r = spawnSync("sh", ["-c", line], { cwd: dir, env, encoding: "utf8" });
    assert.equal(r.status, 0, `${line}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /WARNING/i, `${line}: esbuild warned`);
    return r.stdout;
  };
  return { node: () => exec(node[0]), browser: () => exec(browser[0]) };
}

/** Runs a Node bundle from a folder holding only it (and the .wasm when given): no node_modules. */
function runAlone(bundle, wasm) {
  const alone = mkdtempSync(join(tmpdir(), "idv-sessions-bundle-"));
  try {
    copyFileSync(bundle, join(alone, bundle.split("/").pop()));
    if (wasm) copyFileSync(wasm, join(alone, "idv_sessions_bg.wasm"));
    return run("node", [bundle.split("/").pop()], alone);
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
}

test("esbuild --platform=node, CommonJS and ESM output: the bundle and the .wasm run anywhere", () => {
  write("src/server.js", `import * as idv from "idv-sessions";\nconsole.log(JSON.stringify(${USE("idv")}));\n`);
  write("src/server.cjs", `const idv = require("idv-sessions");\nconsole.log(JSON.stringify(${USE("idv")}));\n`);
  readmeRecipes().node(); // CommonJS output (esbuild's default for Node) from ES-module source
  assert.deepEqual(JSON.parse(runAlone(join(dir, "dist/server.js"), join(dir, "dist/idv_sessions_bg.wasm"))), EXPECTED);

  const wasm = createRequire(join(dir, "x.js")).resolve("idv-sessions/wasm");
  for (const [source, format, outfile] of [["src/server.js", "esm", "out/esm.mjs"], ["src/server.cjs", "cjs", "out/cjs.cjs"]]) {
    const esbuild = spawnSync(bin("esbuild"), [source, "--bundle", "--platform=node", `--format=${format}`,
      `--outfile=${outfile}`, "--log-level=warning"], { cwd: dir, encoding: "utf8" });
    assert.equal(esbuild.status, 0, esbuild.stderr);
    assert.equal(esbuild.stderr, "", "no esbuild warning");
    assert.deepEqual(JSON.parse(runAlone(join(dir, outfile), wasm)), EXPECTED, outfile);
  }
  // Without the .wasm the bundle says what to do.
  assert.throws(() => runAlone(join(dir, "out/esm.mjs")), (e) => e.stderr.includes('copy require.resolve("idv-sessions/wasm") there'));
});

test("browsers: a Vite build and an esbuild bundle, each opened in headless Chromium", async (t) => {
  const page = `<!doctype html>\n<meta charset="utf-8">\n<title>consumer</title>\n<script type="module" src="./SRC"></script>\n`;
  const app = `import * as idv from "idv-sessions";\nwindow.__result = ${USE("idv")};\n`;
  write("src/app.js", app);
  readmeRecipes().browser();
  write("dist/index.html", page.replace("SRC", "app.js"));

  write("vite/main.js", app);
  write("vite/index.html", page.replace("SRC", "main.js"));
  run("node", [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], join(dir, "vite"));
  const viteAssets = readdirSync(join(dir, "vite/dist/assets"));
  assert.equal(viteAssets.filter((f) => f.endsWith(".wasm")).length, 1, String(viteAssets));

  const sites = { vite: await startStaticServer(join(dir, "vite/dist")), esbuild: await startStaticServer(join(dir, "dist")) };
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    for (const site of Object.values(sites)) await site.close();
  });
  for (const [name, site] of Object.entries(sites)) {
    const tab = await browser.newPage();
    const problems = [];
    tab.on("pageerror", (e) => problems.push(String(e)));
    tab.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && problems.push(`${r.status()} ${r.url()}`));
    await tab.goto(`${site.url}/`);
    const done = await tab.waitForFunction(() => window.__result, null, { timeout: 15000 }).then(() => true, () => false);
    assert.deepEqual(problems, [], name);
    assert.ok(done, `${name}: no result`);
    assert.deepEqual(await tab.evaluate(() => window.__result), EXPECTED, name);
    await tab.close();
  }
});
