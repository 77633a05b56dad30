// Shared by the CLI tests: the package packed and installed as a user gets it (`npm pack` once
// per test file, installed into an empty folder; the tests run node_modules/.bin/idv-sessions),
// the mock providers in-process, the environment the CLI reads, and a record of every output
// the CLI produced, scanned for secrets at the end of each file.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CREDENTIALS } from "../mock/server.mjs";

export const root = fileURLToPath(new URL("../../", import.meta.url));

/** Packs pkg/ and installs the tarball into a fresh folder: `{ dir, bin, cleanup }`. */
export function installPackage() {
  const dir = mkdtempSync(join(tmpdir(), "idv-sessions-cli-"));
  const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], join(root, "pkg")));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cli-consumer", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, packed.filename)], dir);
  return {
    dir,
    bin: join(dir, "node_modules/.bin/idv-sessions"),
    files: packed.files.map((f) => f.path),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Secrets of providers the mock does not serve: set, so the scan looks for them too. */
export const OTHER_SECRETS = {
  ONFIDO_API_TOKEN: "api_sandbox.onfido-token-that-must-not-leak",
  STRIPE_SECRET_KEY: "sk_test_stripe-key-that-must-not-leak",
  ONFIDO_WEBHOOK_TOKEN: "onfido-webhook-token-that-must-not-leak",
  STRIPE_WEBHOOK_SECRET: "whsec_stripe-webhook-secret-that-must-not-leak",
};
export const DIDIT_WEBHOOK_SECRET = "didit-webhook-secret-for-the-cli-tests";
export const EQUALS_WEBHOOK_AUTHORIZATION = "Bearer equals-webhook-authorization-for-the-cli-tests";

/** The environment of a CLI run against the mock at `url`: a clean one (no NO_COLOR, no COLUMNS from the runner). */
export function cliEnv(url, extra = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? tmpdir(),
    TERM: "xterm-256color",
    MANGOPAY_CLIENT_ID: CREDENTIALS.mangopay.clientId,
    MANGOPAY_API_KEY: CREDENTIALS.mangopay.apiKey,
    EQUALS_API_KEY: CREDENTIALS.equals.apiKey,
    DIDIT_API_KEY: CREDENTIALS.didit.apiKey,
    IDV_MANGOPAY_BASE_URL: url,
    IDV_EQUALS_BASE_URL: url,
    IDV_DIDIT_BASE_URL: url,
    DIDIT_WEBHOOK_SECRET,
    EQUALS_WEBHOOK_AUTHORIZATION,
    ...OTHER_SECRETS,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** Every stdout and stderr the CLI produced in this test file (and the env it ran with). */
export const captured = [];

/**
 * Runs the CLI to its end: `{ code, signal, stdout, stderr }`. Killed after `limitMs` (a bound
 * on a hang, not a timing assertion).
 */
export function runCli(bin, args, { env, limitMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr, args };
      captured.push({ what: `idv-sessions ${args.join(" ")}`, stdout, stderr, env });
      resolve(result);
    });
  });
}

/** Starts the CLI and hands back the child, its output so far, and a promise of its end. */
export function startCli(bin, args, { env } = {}) {
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (d) => (output.stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (output.stderr += d));
  const exited = new Promise((resolve) => child.on("close", (code, signal) => {
    captured.push({ what: `idv-sessions ${args.join(" ")}`, ...output, env });
    resolve({ code, signal });
  }));
  return { child, output, exited };
}

/** Single-quotes for sh. */
export const sh = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;

/**
 * Runs a shell command line in a pseudo-terminal (`script` from util-linux), `cols` wide:
 * what the terminal showed (stdout and stderr of the command, unless redirected) and the
 * command's exit code.
 */
export function runInPty(commandLine, { env, cols = 100, limitMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const line = `stty cols ${cols} rows 40; ${commandLine}`;
    const child = spawn("script", ["-qfec", line, "/dev/null"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let screen = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (screen += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      captured.push({ what: `(pty) ${commandLine}`, stdout: screen, stderr, env });
      resolve({ code, signal, screen, stderr });
    });
  });
}

/**
 * Starts a shell command line in a pseudo-terminal and hands back the child (its stdin is the
 * keyboard: "\u0003" is Ctrl-C), the screen so far, and a promise of its end.
 */
export function startInPty(commandLine, { env, cols = 100 } = {}) {
  const line = `stty cols ${cols} rows 40; ${commandLine}`;
  const child = spawn("script", ["-qfec", line, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
  const output = { screen: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (d) => (output.screen += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (output.stderr += d));
  const exited = new Promise((resolve) => child.on("close", (code, signal) => {
    captured.push({ what: `(pty) ${commandLine}`, stdout: output.screen, stderr: output.stderr, env });
    resolve({ code, signal });
  }));
  return { child, output, exited };
}

/** Waits until `probe()` is truthy (checked every 25 ms), at most `limitMs`; returns its value. */
export async function waitFor(probe, what, limitMs = 20_000) {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every secret the CLI's environments held, and the Basic credential made of Mangopay's two. */
function secretsOf(env) {
  const names = ["MANGOPAY_CLIENT_ID", "MANGOPAY_API_KEY", "EQUALS_API_KEY", "DIDIT_API_KEY", "ONFIDO_API_TOKEN",
    "STRIPE_SECRET_KEY", "DIDIT_WEBHOOK_SECRET", "EQUALS_WEBHOOK_AUTHORIZATION", "ONFIDO_WEBHOOK_TOKEN", "STRIPE_WEBHOOK_SECRET"];
  const values = names.map((n) => env?.[n]).filter((v) => typeof v === "string" && v.trim() !== ""); // blank: unset
  if (env?.MANGOPAY_CLIENT_ID && env?.MANGOPAY_API_KEY) {
    values.push(Buffer.from(`${env.MANGOPAY_CLIENT_ID}:${env.MANGOPAY_API_KEY}`).toString("base64"));
  }
  return values;
}

/** Asserts that no captured output holds a secret of the environment it ran with; returns how many were scanned. */
export function assertNoSecretInOutputs() {
  assert.ok(captured.length > 0, "nothing captured");
  const leaks = [];
  for (const { what, stdout, stderr, env } of captured) {
    for (const secret of secretsOf(env)) {
      if (stdout.includes(secret)) leaks.push(`${what}: stdout holds ${secret.slice(0, 4)}…`);
      if (stderr.includes(secret)) leaks.push(`${what}: stderr holds ${secret.slice(0, 4)}…`);
    }
  }
  assert.deepEqual(leaks, []);
  return captured.length;
}
