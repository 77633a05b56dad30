// One cold start in a fresh Node process: `import` of the normalizer, then the
// first normalizeSession of a Didit list row (JSON text). Prints JSON times.
//   node bench/startup/child.mjs wasm|js
import { readFileSync } from "node:fs";

const row = readFileSync(new URL("../../tests/fixtures/didit-list-row-1.json", import.meta.url), "utf8");
const impl = process.argv[2];
const specifier = impl === "wasm" ? "../../pkg/index.mjs" : impl === "js" ? "../baseline.mjs" : null;
if (!specifier) throw new Error("usage: child.mjs wasm|js");

const t0 = performance.now();
const m = await import(specifier);
const session = m.normalizeSession("didit", row);
const t1 = performance.now();
if (session.status !== "approved") throw new Error(`unexpected result ${session.status}`);
// performance.now() counts from the process's time origin: t1 is also "process start to first result".
process.stdout.write(JSON.stringify({ importToResultMs: t1 - t0, processToResultMs: t1 }) + "\n");
