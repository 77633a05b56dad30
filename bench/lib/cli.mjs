// Small helpers for the bench scripts (Node only).
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** `--quick`, `--out FILE`, `--env node|chromium|both`, plus `--name value` pairs. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = { quick: false, out: null, env: "both" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") args.quick = true;
    else if (a.startsWith("--") && i + 1 < argv.length && !argv[i + 1].startsWith("--")) args[a.slice(2)] = argv[++i];
    else if (a.startsWith("--")) args[a.slice(2)] = true;
    else throw new Error(`unexpected argument ${a}`);
  }
  return args;
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url) {
  return process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === url;
}

export function writeJson(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

/** Progress goes to stderr so that stdout stays for tables. */
export function log(...parts) {
  process.stderr.write(`[bench] ${parts.join(" ")}\n`);
}
