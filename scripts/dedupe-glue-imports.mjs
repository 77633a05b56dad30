// One key per snippet module in the ES-module glue's imports object (scripts/build-pkg.sh).
// wasm-bindgen writes one `import * as importN` and one key per import of a snippet module; the
// keys name the same module (one namespace object), so bundlers warn of duplicate keys on every
// build. Keeps the first key of each module, drops the imports no key uses any more, and fails
// if duplicates remain (wasm-bindgen writing them another way must not ship them silently).
//   node scripts/dedupe-glue-imports.mjs pkg/idv_sessions.mjs
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const seen = new Set();
const dropped = new Set();
let text = readFileSync(file, "utf8").replace(/^(\s*)("[^"]+"): (import\d+),\n/gm, (line, indent, key, name) => {
  if (!seen.has(key)) {
    seen.add(key);
    return line;
  }
  dropped.add(name);
  return "";
});
text = text.replace(/^import \* as (import\d+) from ["'][^"']+["'];?\n/gm, (line, name) => (dropped.has(name) ? "" : line));
const keys = [...text.matchAll(/^\s*("\.\/snippets\/[^"]+"):/gm)].map((m) => m[1]);
if (keys.length === 0 || new Set(keys).size !== keys.length) {
  console.error(`dedupe-glue-imports: the snippet imports of ${file} are not one key per module: ${keys.join(" ")}`);
  process.exit(1);
}
writeFileSync(file, text);
