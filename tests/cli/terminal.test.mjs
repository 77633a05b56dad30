// `idv-sessions` at a terminal and in pipelines, installed from the packed tarball: the
// progress bar under a pseudo-terminal (`script` from util-linux) and its absence when stderr
// is a pipe, tables that fit the terminal with coloured statuses (none with NO_COLOR), the
// rate-limit note, Ctrl-C and SIGTERM during a listing (exit 130/143, nothing on stdout,
// nothing left in flight at the provider), and a reader that goes away (`| head`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { IdvClient, toCsv } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { assertNoSecretInOutputs, captured, cliEnv, installPackage, runCli, runInPty, sh, startCli, startInPty, waitFor } from "./helpers.mjs";

let pkg;
let mock;
let env;
let client;
before(async () => {
  pkg = installPackage();
  mock = await startMockServer({ seed: 3, sessions: 700, retryAfterSeconds: 0 });
  env = cliEnv(mock.url);
  client = new IdvClient({
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: mock.url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: mock.url },
  });
});
after(async () => {
  await mock?.close();
  pkg?.cleanup();
});

const ESC = "\u001b[";
const plain = (text) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
/** The lines a terminal ends up showing: carriage returns redraw a line, the last drawing stays. */
const screenLines = (text) => plain(text).split("\n").map((l) => l.split("\r").filter(Boolean).at(-1) ?? "").filter(Boolean);

test("the progress bar on stderr at a terminal: pages of the total, sessions, elapsed; the CSV unchanged", async () => {
  const out = join(pkg.dir, "didit.csv");
  const r = await runInPty(`${sh(pkg.bin)} list didit --all --format csv > ${sh(out)}`, { env });
  assert.equal(r.code, 0, r.screen);
  assert.equal(readFileSync(out, "utf8"), toCsv(await client.listAll("didit", {})), "the CSV is the same at a terminal");
  const drawn = plain(r.screen);
  assert.match(drawn, /didit \[█+\] (\d+)\/\1 pages · 700 sessions · \d+\.\ds/, "the last frame: every page of the total");
  assert.match(drawn, /didit .*0 pages · 0 sessions · \d+\.\ds/, "the first frame");
  assert.ok(r.screen.includes(`\r${ESC}K`), "the bar is cleared at the end");
  assert.match(drawn, /didit: 700 sessions, \d+ pages in \d+\.\ds/, "a closing note at the terminal");
  for (const frame of drawn.split(/[\r\n]/)) assert.ok([...frame].length < 100, `a frame fits 100 columns: ${frame}`);

  // --quiet: no bar, no note.
  const quiet = await runInPty(`${sh(pkg.bin)} list didit --all --quiet --format csv > ${sh(out)}`, { env });
  assert.equal(quiet.code, 0);
  assert.equal(plain(quiet.screen).trim(), "");
});

test("no progress bar, note or colour when stderr and stdout are pipes", async () => {
  const r = await runCli(pkg.bin, ["list", "didit", "--all", "--format", "csv"], { env });
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.ok(!r.stdout.includes(ESC));
  // stdout a pipe, stderr a terminal: the bar is drawn, the data is plain.
  const out = join(pkg.dir, "piped.jsonl");
  const t = await runInPty(`${sh(pkg.bin)} list didit --all | cat > ${sh(out)}`, { env });
  assert.equal(t.code, 0);
  assert.match(plain(t.screen), /(\d+)\/\1 pages · 700 sessions/);
  const lines = readFileSync(out, "utf8").split("\n").filter(Boolean);
  assert.equal(lines.length, 700, "jsonl when stdout is not a terminal");
  assert.ok(!lines.join("").includes(ESC));
});

test("a 429 makes the bar say it waits for the rate limit, then the listing completes", async () => {
  mock.control.script("didit", "list", [{ kind: "429", retryAfter: 1 }]);
  const out = join(pkg.dir, "limited.csv");
  const r = await runInPty(`${sh(pkg.bin)} list didit --all --format csv > ${sh(out)}`, { env });
  assert.equal(r.code, 0, r.screen);
  assert.match(plain(r.screen), /0 pages · 0 sessions · \d+\.\ds · rate limited: waiting \ds \(Retry-After\)/);
  assert.match(plain(r.screen), /(\d+)\/\1 pages · 700 sessions/);
  assert.equal(readFileSync(out, "utf8"), toCsv(await client.listAll("didit", {})));
});

test("a table at the terminal: default format, fits the width, ids shortened, statuses coloured; NO_COLOR turns colour off", async () => {
  for (const cols of [80, 120, 60]) {
    const r = await runInPty(`${sh(pkg.bin)} list didit --limit 30`, { env, cols });
    assert.equal(r.code, 0, r.screen);
    const [note, ...rows] = screenLines(r.screen).reverse();
    rows.reverse();
    assert.match(rows[0], /^ID\s+STATUS/);
    assert.equal(rows.length, 31, r.screen);
    assert.equal(note, "didit: 30 sessions of 700 (one page; more follow: add --all for every page)", "the paging note, under the table");
    for (const row of rows) assert.ok([...row].length <= cols, `${cols} columns: ${row}`);
    if (cols < 120) assert.match(r.screen, /\n[0-9a-f-]+…[0-9a-f]+ /, "ids shortened in the middle");
    assert.match(r.screen, /\u001b\[32mapproved\u001b\[0m/, "approved in green");
  }
  const page = (await client.listSessions("didit", { limit: 30 })).sessions;
  const wide = screenLines((await runInPty(`${sh(pkg.bin)} list didit --limit 30`, { env, cols: 200 })).screen);
  page.forEach((s, i) => assert.ok(wide[i + 1].startsWith(`${s.id}  `), "full ids when they fit"));

  const noColour = await runInPty(`${sh(pkg.bin)} list didit --limit 30`, { env: { ...env, NO_COLOR: "1" } });
  assert.equal(noColour.code, 0);
  assert.ok(!noColour.screen.includes(`${ESC}3`), "no colour with NO_COLOR");
  assert.match(plain(noColour.screen), /approved/);

  // get and user print tables at a terminal too.
  const id = page.find((s) => s.status === "approved")?.id ?? page[0].id;
  const get = await runInPty(`${sh(pkg.bin)} get didit ${sh(id)}`, { env, cols: 100 });
  assert.match(plain(get.screen), new RegExp(`provider\\s+didit\\s+id\\s+${id}`));
  const p = mock.control.people().find((x) => x.diditVendorData && x.equalsAssociatedPersonId);
  const user = await runInPty(`${sh(pkg.bin)} user --didit ${sh(p.diditVendorData)} --equals ${sh(p.equalsAssociatedPersonId)}`, { env, cols: 100 });
  assert.equal(user.code, 0, user.screen);
  assert.match(plain(user.screen), /^PROVIDER\s+ID\s+STATUS/m);
  assert.match(plain(user.screen), /verified now\s+(yes|no)/);
});

/** Holds the next Didit list request at the mock until the client gives up on it. */
const holdDiditList = () => mock.control.script("didit", "list", [{ kind: "hold", holdMs: 120_000 }]);
const inFlight = async () => (await (await fetch(`${mock.url}/__mock/stats`)).json()).inFlight.didit;

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  test(`${signal} during a listing: the request in flight is aborted, nothing on stdout, exit ${code}`, async () => {
    mock.control.clearScripts();
    holdDiditList();
    const run = startCli(pkg.bin, ["list", "didit", "--all", "--format", "jsonl"], { env });
    await waitFor(async () => (await inFlight()) > 0, "the listing's request to reach the mock");
    run.child.kill(signal);
    const limit = setTimeout(() => run.child.kill("SIGKILL"), 15_000);
    const ended = await run.exited;
    clearTimeout(limit);
    assert.deepEqual(ended, { code, signal: null }, run.output.stderr);
    assert.equal(run.output.stdout, "");
    await waitFor(async () => (await inFlight()) === 0, "no request left in flight at the mock");
    mock.control.clearScripts();
  });
}

test("Ctrl-C at a terminal: the bar is cleared, nothing on stdout, exit 130, nothing left in flight", async () => {
  mock.control.clearScripts();
  holdDiditList();
  const run = startInPty(`${sh(pkg.bin)} list didit --all --format csv`, { env });
  await waitFor(async () => (await inFlight()) > 0, "the listing's request to reach the mock");
  await waitFor(() => plain(run.output.screen).includes("0 pages · 0 sessions"), "the progress bar");
  run.child.stdin.write("\u0003"); // the terminal's line discipline sends SIGINT
  const limit = setTimeout(() => run.child.kill("SIGKILL"), 15_000);
  const ended = await run.exited;
  clearTimeout(limit);
  assert.equal(ended.code, 130, run.output.screen);
  const after = run.output.screen.slice(run.output.screen.lastIndexOf("0 sessions"));
  assert.ok(after.includes(`\r${ESC}K`), "the bar's line is cleared");
  assert.doesNotMatch(plain(run.output.screen), /provider,id,key/, "no CSV reached the terminal");
  await waitFor(async () => (await inFlight()) === 0, "no request left in flight at the mock");
  mock.control.clearScripts();
});

/** Runs a bash command line to its end (asynchronously: the mock lives in this process). */
function bash(line) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", line], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      captured.push({ what: line, stdout, stderr, env });
      resolve({ code, stdout, stderr });
    });
  });
}

test("a reader that goes away (| head): exit 0, nothing on stderr", async () => {
  // 700 sessions are far more than a pipe holds: the CLI is still writing when head exits.
  for (const format of ["jsonl", "csv", "json"]) {
    const r = await bash(`${sh(pkg.bin)} list didit --all --format ${format} | head -c 300 > /dev/null; exit "\${PIPESTATUS[0]}"`);
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    assert.equal(r.stderr, "", format);
  }
});

test("no secret of the environment in any output of this file", () => {
  assertNoSecretInOutputs();
});
