// The package as a user gets it: `npm pack`, installed into an empty folder,
// imported by ESM and CJS, and type-checked with tsc from a TypeScript consumer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

test("npm pack installs into an empty folder; ESM, CJS and TypeScript consumers work", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "idv-sessions-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], join(root, "pkg")));
  const files = packed[0].files.map((f) => f.path).sort();
  for (const needed of ["index.mjs", "index.cjs", "node.mjs", "browser.mjs", "index.d.ts", "index.d.mts",
    "idv_sessions.cjs", "idv_sessions.mjs", "idv_sessions.d.ts", "idv_sessions_bg.wasm", "README.md", "package.json"]) {
    assert.ok(files.includes(needed), `${needed} missing from the tarball: ${files}`);
  }
  assert.ok(!files.some((f) => f.endsWith(".tgz") || f.includes(".gitignore")), String(files));

  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tarball)], dir);

  const row = JSON.stringify({ Id: "idnver_1", Status: "VALIDATED", CreationDate: 1746449121, LastUpdate: null });
  writeFileSync(join(dir, "esm.mjs"),
    `import { normalizeSession } from "idv-sessions";\n` +
    `console.log(JSON.stringify(normalizeSession("mangopay", ${JSON.stringify(row)})));\n`);
  writeFileSync(join(dir, "cjs.cjs"),
    `const { normalizeSession, mapStatus } = require("idv-sessions");\n` +
    `console.log(JSON.stringify({ ...normalizeSession("mangopay", ${JSON.stringify(row)}), mapped: mapStatus("didit", "Kyc Expired") }));\n`);
  const fromEsm = JSON.parse(run("node", ["esm.mjs"], dir));
  const fromCjs = JSON.parse(run("node", ["cjs.cjs"], dir));
  assert.equal(fromEsm.status, "approved");
  assert.equal(fromEsm.createdAt, "2025-05-05T12:45:21Z");
  assert.equal(fromCjs.status, "approved");
  assert.equal(fromCjs.mapped, "outdated");

  cpSync(join(root, "tests/types/consumer.ts"), join(dir, "consumer.ts"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
      lib: ["es2022", "dom", "esnext.disposable"], types: [], skipLibCheck: false, noUnusedLocals: false,
    },
    files: ["consumer.ts"],
  }));
  try {
    run(join(root, "node_modules/.bin/tsc"), ["-p", dir], dir);
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
