// `idv-sessions` as installed from the packed tarball: --help and --version, usage errors,
// `list` in every format for every provider, its filters, its errors (exit codes, messages, no
// secret anywhere), and the bin entry in the tarball.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { IdvClient, toCsv } from "../../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../mock/server.mjs";
import { assertNoSecretInOutputs, cliEnv, installPackage, runCli } from "./helpers.mjs";

let pkg;
let mock;
let env;
let client;
before(async () => {
  pkg = installPackage();
  mock = await startMockServer({ seed: 11, sessions: 260, retryAfterSeconds: 0 });
  env = cliEnv(mock.url);
  client = new IdvClient({
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: mock.url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: mock.url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: mock.url },
  });
});
after(async () => {
  await mock?.close();
  pkg?.cleanup();
});

const cli = (args, options = {}) => runCli(pkg.bin, args, { env, ...options });
const lines = (text) => text.split("\n").filter(Boolean);
const busiestMangopayUser = () => mock.control.people().filter((p) => p.mangopayUserId)
  .sort((a, b) => b.counts.mangopay - a.counts.mangopay)[0].mangopayUserId;

test("the tarball carries the bin and its modules; npm links node_modules/.bin/idv-sessions", async () => {
  for (const file of ["cli.mjs", "cli/main.mjs", "cli/providers.mjs", "cli/help.mjs", "cli/output.mjs", "cli/webhooks.mjs"]) {
    assert.ok(pkg.files.includes(file), `${file} packed`);
  }
  const { code, stdout, stderr } = await cli(["--version"]);
  assert.equal(code, 0);
  assert.equal(stdout, `${(await import("../../pkg/package.json", { with: { type: "json" } })).default.version}\n`);
  assert.equal(stderr, "");
});

test("--help on every command and at the top prints to stdout and exits 0", async () => {
  const top = await cli(["--help"]);
  assert.equal(top.code, 0);
  assert.equal(top.stderr, "");
  for (const command of ["list", "get", "user", "create", "webhooks"]) assert.match(top.stdout, new RegExp(`idv-sessions ${command}`));
  for (const name of ["MANGOPAY_CLIENT_ID", "MANGOPAY_API_KEY", "EQUALS_API_KEY", "DIDIT_API_KEY", "ONFIDO_API_TOKEN",
    "STRIPE_SECRET_KEY", "IDV_<PROVIDER>_BASE_URL", "NO_COLOR"]) {
    assert.ok(top.stdout.includes(name), `top --help names ${name}`);
  }
  assert.match(top.stdout, /Exit codes: 0 done; 1 .*\n2 a usage error; 130 /);
  for (const command of ["list", "get", "user", "create", "webhooks"]) {
    for (const flag of ["--help", "-h"]) {
      const r = await cli([command, flag]);
      assert.equal(r.code, 0, `${command} ${flag}`);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, new RegExp(`^Usage: idv-sessions ${command}`));
      assert.match(r.stdout, /Example/);
    }
  }
  // --help wins over anything wrong around it.
  const r = await cli(["list", "nosuchprovider", "--bogus", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: idv-sessions list/);
  const webhooks = (await cli(["webhooks", "--help"])).stdout;
  for (const name of ["DIDIT_WEBHOOK_SECRET", "EQUALS_WEBHOOK_AUTHORIZATION", "ONFIDO_WEBHOOK_TOKEN", "STRIPE_WEBHOOK_SECRET"]) {
    assert.ok(webhooks.includes(name), `webhooks --help names ${name}`);
  }
  assert.match(webhooks, /mangopay\s+signs nothing and has no secret/);
  const list = (await cli(["list", "--help"])).stdout;
  for (const word of ["--user", "--status", "--from", "--to", "--all", "--limit", "--format", "--include-raw", "--quiet", "vendor_data",
    "associatedPersonId", "applicant_id", "client_reference_id", "YYYY-MM-DD"]) {
    assert.ok(list.includes(word), `list --help mentions ${word}`);
  }
});

test("usage errors: what is wrong and the command's usage on stderr, nothing on stdout, exit 2", async () => {
  const cases = [
    [[], /no command given/, /Usage: idv-sessions </],
    [["lists"], /unknown command "lists"/, /Usage: idv-sessions </],
    [["list"], /missing <provider>/, /Usage: idv-sessions list /],
    [["list", "paypal"], /unknown provider "paypal" \(one of: mangopay, equals, didit, onfido, stripe\)/, /Usage: idv-sessions list /],
    [["list", "didit", "--bogus"], /unknown option --bogus/, /Usage: idv-sessions list /],
    [["list", "didit", "--limit"], /--limit needs a value/, /Usage: idv-sessions list /],
    [["list", "didit", "--limit", "0"], /--limit must be a whole number/, /Usage: idv-sessions list /],
    [["list", "didit", "--limit", "ten"], /--limit must be a whole number/, /Usage: idv-sessions list /],
    [["list", "didit", "--limit", "5000"], /--limit: Didit pages hold at most 100 sessions, not 5000/, /Usage: idv-sessions list /],
    [["list", "equals", "--limit", "1001"], /--limit: Equals Money pages hold at most 1000 sessions/, /Usage: idv-sessions list /],
    [["list", "didit", "--format", "xml"], /--format must be table or csv or json or jsonl/, /Usage: idv-sessions list /],
    [["list", "didit", "--from", "2025-02-30"], /--from "2025-02-30" is not a date/, /Usage: idv-sessions list /],
    [["list", "didit", "--to", "yesterday"], /--to "yesterday" is not a date/, /Usage: idv-sessions list /],
    [["list", "didit", "--from", "2025-06-01", "--to", "2025-05-01"], /--from 2025-06-01 is after --to 2025-05-01/, /Usage: /],
    [["list", "didit", "--all=yes"], /--all takes no value/, /Usage: idv-sessions list /],
    [["list", "didit", "extra"], /unexpected argument "extra"/, /Usage: idv-sessions list /],
    [["list", "mangopay"], /mangopay lists sessions per user: --user .* is required/, /Usage: idv-sessions list /],
    [["list", "didit", "--user", ""], /--user is empty/, /Usage: idv-sessions list /],
    [["get", "didit"], /missing <id>/, /Usage: idv-sessions get /],
    [["get", "didit", "x", "--format", "csv"], /--format must be table or json/, /Usage: idv-sessions get /],
    [["user"], /give at least one of --mangopay REF/, /Usage: idv-sessions user /],
    [["user", "--paypal", "x"], /unknown option --paypal/, /Usage: idv-sessions user /],
    [["create", "didit"], /didit needs --workflow-id/, /Usage: idv-sessions create /],
    [["create", "mangopay", "--user", "u"], /mangopay needs --return-url/, /Usage: idv-sessions create /],
    [["create", "didit", "--workflow-id", "w", "--idempotency-key", "k"], /--idempotency-key is not used by didit/, /Usage: /],
    [["create", "didit", "--api-key", "k"], /unknown option --api-key/, /Usage: idv-sessions create /],
    [["webhooks", "--port", "99999"], /--port must be a number from 0 to 65535/, /Usage: idv-sessions webhooks /],
    [["--verbose"], /unknown option --verbose/, /Usage: idv-sessions </],
  ];
  for (const [args, what, usage] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, stderr ${r.stderr}`);
    assert.equal(r.stdout, "", `${args.join(" ")}: nothing on stdout`);
    assert.match(r.stderr, what, args.join(" "));
    assert.match(r.stderr, usage, args.join(" "));
  }
});

test("list --all --format csv is byte for byte toCsv(await client.listAll(...)), for each provider", async () => {
  const user = busiestMangopayUser();
  const person = mock.control.people().find((p) => p.equalsAssociatedPersonId && p.counts.equals > 1);
  const cases = [
    ["didit", [], {}],
    ["didit", ["--status", "in_review"], { status: "in_review" }],
    ["equals", [], {}],
    ["equals", ["--user", person.equalsAssociatedPersonId], { associatedPersonId: person.equalsAssociatedPersonId }],
    ["mangopay", ["--user", user], { userId: user }],
  ];
  for (const [provider, flags, query] of cases) {
    const r = await cli(["list", provider, "--all", "--format", "csv", ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const expected = toCsv(await client.listAll(provider, query));
    assert.equal(r.stdout, expected, `${provider} ${flags.join(" ")}`);
    assert.ok(lines(r.stdout).length > 1, `${provider}: sessions listed`);
    assert.equal(r.stderr, "", "stderr is not a terminal: no progress, no notes");
  }
});

test("jsonl by default when stdout is not a terminal; json is one array; both hold every session of the listing", async () => {
  const truth = mock.control.sessions("didit").sessions.map((s) => s.key).sort();
  const jsonl = await cli(["list", "didit", "--all"]);
  assert.equal(jsonl.code, 0, jsonl.stderr);
  const rows = lines(jsonl.stdout).map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((s) => s.key).sort(), truth);
  assert.ok(rows.every((s) => s.provider === "didit" && typeof s.createdAt === "string" && !("raw" in s)));

  const json = await cli(["list", "didit", "--all", "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const array = JSON.parse(json.stdout);
  assert.ok(Array.isArray(array));
  assert.deepEqual(array, rows);
  assert.equal(json.stderr, "");

  const raw = await cli(["list", "didit", "--limit", "3", "--include-raw"]);
  const rawRows = lines(raw.stdout).map((l) => JSON.parse(l));
  assert.equal(rawRows.length, 3);
  assert.ok(rawRows.every((s) => s.raw && s.raw.session_id === s.id), "raw kept with --include-raw");
});

test("one page without --all: --limit is the page size, in the provider's order", async () => {
  const r = await cli(["list", "didit", "--limit", "7", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const page = await client.listSessions("didit", { limit: 7 });
  assert.deepEqual(JSON.parse(r.stdout), page.sessions);
  assert.equal(page.sessions.length, 7);

  const equals = await cli(["list", "equals", "--limit", "5", "--format", "csv"]);
  assert.equal(equals.stdout, toCsv((await client.listSessions("equals", { limit: 5 })).sessions));

  const user = busiestMangopayUser();
  const mangopay = await cli(["list", "mangopay", "--user", user, "--limit", "4", "--format", "jsonl"]);
  const first = (await client.listSessions("mangopay", { userId: user, perPage: 4 })).sessions;
  assert.deepEqual(lines(mangopay.stdout).map((l) => JSON.parse(l)), first);
  assert.equal(first.length, 4);

  const empty = await cli(["list", "didit", "--user", "nobody-has-this-vendor-data", "--format", "json"]);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, "[]\n");
});

test("--status takes unified and provider statuses (several comma-separated); --user filters by the provider's user", async () => {
  const approved = lines((await cli(["list", "didit", "--all", "--status", "approved"])).stdout).map((l) => JSON.parse(l));
  assert.ok(approved.length > 0 && approved.every((s) => s.status === "approved"));
  const two = lines((await cli(["list", "equals", "--all", "--status", "approved,declined"])).stdout).map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(two.map((s) => s.status))].sort(), ["approved", "declined"]);
  const own = lines((await cli(["list", "didit", "--all", "--status", "Kyc Expired"])).stdout).map((l) => JSON.parse(l));
  assert.ok(own.length > 0 && own.every((s) => s.providerStatus === "Kyc Expired"));

  const person = mock.control.people().find((p) => p.diditVendorData && p.counts.didit > 2);
  const mine = lines((await cli(["list", "didit", "--all", "--user", person.diditVendorData])).stdout).map((l) => JSON.parse(l));
  assert.equal(mine.length, person.counts.didit);
  assert.ok(mine.every((s) => s.userRef === person.diditVendorData));
});

test("--from/--to: dates and RFC 3339 times, a date-only --to includes its whole UTC day, at every provider", async () => {
  const all = await client.listAll("didit", {});
  const days = [...new Set(all.map((s) => s.createdAt.slice(0, 10)))].sort();
  const day = days[Math.floor(days.length / 2)];
  const between = (from, to) => all.filter((s) => Date.parse(s.createdAt) >= from && Date.parse(s.createdAt) <= to);
  const oneDay = lines((await cli(["list", "didit", "--all", "--from", day, "--to", day])).stdout).map((l) => JSON.parse(l));
  assert.deepEqual(oneDay.map((s) => s.key).sort(),
    between(Date.parse(`${day}T00:00:00Z`), Date.parse(`${day}T23:59:59.999Z`)).map((s) => s.key).sort());
  assert.ok(oneDay.length > 0, `sessions on ${day}`);

  // An RFC 3339 range with an offset, between two sessions' creation times: exact bounds.
  const sorted = [...all].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const lo = Date.parse(sorted[40].createdAt);
  const hi = Date.parse(sorted[80].createdAt);
  const offset = (ms) => new Date(ms + 2 * 3600_000).toISOString().replace(/\.\d+Z$/, "+02:00");
  const from = offset(lo - (lo % 1000));
  const to = offset(hi - (hi % 1000) + 1000);
  const exact = lines((await cli(["list", "didit", "--all", "--from", from, "--to", to])).stdout).map((l) => JSON.parse(l));
  assert.deepEqual(exact.map((s) => s.key).sort(), between(lo - (lo % 1000), hi - (hi % 1000) + 1000).map((s) => s.key).sort());

  // Equals has no date parameter: applied after fetching.
  const equals = await client.listAll("equals", {});
  const eqDay = equals[Math.floor(equals.length / 3)].createdAt.slice(0, 10);
  const eq = lines((await cli(["list", "equals", "--all", "--from", eqDay])).stdout).map((l) => JSON.parse(l));
  assert.deepEqual(eq.map((s) => s.key).sort(),
    equals.filter((s) => Date.parse(s.createdAt) >= Date.parse(`${eqDay}T00:00:00Z`)).map((s) => s.key).sort());
  // Mangopay too.
  const user = busiestMangopayUser();
  const mp = await client.listAll("mangopay", { userId: user });
  const mpTo = mp[Math.floor(mp.length / 2)].createdAt.slice(0, 10);
  const mine = lines((await cli(["list", "mangopay", "--user", user, "--all", "--to", mpTo])).stdout).map((l) => JSON.parse(l));
  assert.deepEqual(mine.map((s) => s.key).sort(),
    mp.filter((s) => Date.parse(s.createdAt) <= Date.parse(`${mpTo}T23:59:59.999Z`)).map((s) => s.key).sort());
});

test("a table when asked for, full width when stdout is not a terminal, COLUMNS respected", async () => {
  const r = await cli(["list", "didit", "--limit", "5", "--format", "table"]);
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = lines(r.stdout);
  assert.match(header, /^ID\s+STATUS\s+PROVIDER STATUS\s+USER\s+CREATED/);
  assert.equal(rows.length, 5);
  const page = (await client.listSessions("didit", { limit: 5 })).sessions;
  rows.forEach((row, i) => assert.ok(row.startsWith(page[i].id), "full ids when not on a terminal"));
  assert.doesNotMatch(r.stdout, /\u001b\[/, "no colour when stdout is not a terminal");

  const narrow = await cli(["list", "didit", "--limit", "5", "--format", "table"], { env: { ...env, COLUMNS: "60" } });
  assert.ok(lines(narrow.stdout).every((l) => [...l].length <= 60), narrow.stdout);
  assert.match(narrow.stdout, /…/, "ids shortened");
});

test("tables and views show a provider's control characters as symbols: no escape sequence reaches the terminal, no row is split", async () => {
  const evil = "evil\u001b[2J\u001b]0;pwned\u0007\nline2";
  const created = await client.createSession("didit", { workflowId: "wf-escape", vendorData: evil });
  const r = await cli(["list", "didit", "--user", evil, "--format", "table"]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/, "no control character but the line ends");
  const [, ...rows] = lines(r.stdout);
  assert.equal(rows.length, 1, r.stdout);
  assert.ok(rows[0].startsWith(created.id));
  assert.match(rows[0], /evil␛\[2J␛\]0;pwned␇␊line2/);
  // `get` and `user` views too.
  for (const args of [["get", "didit", created.id, "--format", "table"], ["user", "--didit", evil, "--format", "table"]]) {
    const view = await cli(args);
    assert.equal(view.code, 0, view.stderr);
    assert.doesNotMatch(view.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/, args[0]);
    assert.match(view.stdout, /evil␛\[2J/, args[0]);
  }
  // CSV and JSON carry the data as it is.
  const json = await cli(["list", "didit", "--user", evil, "--format", "json"]);
  assert.equal(JSON.parse(json.stdout)[0].userRef, evil);
});

test("a provider without its credentials: a config error naming the variable, exit 1", async () => {
  const cases = [
    [["list", "didit"], { DIDIT_API_KEY: undefined }, /^error: config: didit: DIDIT_API_KEY is not set/],
    [["list", "equals"], { EQUALS_API_KEY: "  " }, /^error: config: equals: EQUALS_API_KEY is not set/],
    [["list", "mangopay", "--user", "u"], { MANGOPAY_CLIENT_ID: undefined }, /^error: config: mangopay: MANGOPAY_CLIENT_ID is not set/],
    [["list", "mangopay", "--user", "u"], { MANGOPAY_CLIENT_ID: undefined, MANGOPAY_API_KEY: undefined },
      /MANGOPAY_CLIENT_ID and MANGOPAY_API_KEY are not set/],
    [["get", "didit", "x"], { DIDIT_API_KEY: "" }, /^error: config: didit: DIDIT_API_KEY is not set/],
  ];
  for (const [args, change, message] of cases) {
    const e = { ...env, ...change };
    for (const k of Object.keys(change)) if (change[k] === undefined) delete e[k];
    const r = await cli(args, { env: e });
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, message);
  }
});

test("provider, network and data errors: the IdvError's code and message on stderr, exit 1, no secret", async () => {
  const wrongKey = await cli(["list", "didit"], { env: { ...env, DIDIT_API_KEY: "not-the-didit-key-0000" } });
  assert.equal(wrongKey.code, 1);
  assert.equal(wrongKey.stdout, "");
  assert.match(wrongKey.stderr, /^error: auth: didit: /);
  assert.ok(!wrongKey.stderr.includes("not-the-didit-key-0000"));

  const wrongMangopay = await cli(["list", "mangopay", "--user", "u"], { env: { ...env, MANGOPAY_API_KEY: "wrong-mangopay-key-000" } });
  assert.equal(wrongMangopay.code, 1);
  assert.match(wrongMangopay.stderr, /^error: auth: mangopay: /);

  const nowhere = await cli(["list", "equals"], { env: { ...env, IDV_EQUALS_BASE_URL: "http://127.0.0.1:9" } });
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /^error: network: equals: /);

  const badUrl = await cli(["list", "equals"], { env: { ...env, IDV_EQUALS_BASE_URL: "ftp://example.com" } });
  assert.equal(badUrl.code, 1);
  assert.match(badUrl.stderr, /^error: config: equals: /);

  // The mock quotes the credential headers it got in its error bodies: the output still holds none.
  for (const provider of ["mangopay", "equals", "didit"]) mock.control.setEcho(provider, true);
  try {
    for (const args of [["list", "didit"], ["list", "equals"], ["list", "mangopay", "--user", "u"],
      ["user", "--mangopay", "u", "--didit", "v", "--format", "json"]]) {
      const r = await cli(args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, /^error: http: /m);
    }
  } finally {
    for (const provider of ["mangopay", "equals", "didit"]) mock.control.setEcho(provider, false);
  }

  mock.control.setDown("didit", true);
  try {
    const down = await cli(["list", "didit", "--all"], { env: { ...env } });
    assert.equal(down.code, 1);
    assert.equal(down.stdout, "");
    assert.match(down.stderr, /^error: http: didit: .*503/);
  } finally {
    mock.control.setDown("didit", false);
  }
});

test("a Mangopay access token quoted back by the provider never reaches the output", async () => {
  const token = "tok-7c1e0f2b9a8d4e6f-access-token";
  const server = http.createServer((req, res) => {
    res.writeHead(req.url.includes("/oauth/token") ? 200 : 400, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url.includes("/oauth/token")
      ? { access_token: token, token_type: "bearer", expires_in: 3600 }
      : { Message: `Invalid request headers: authorization=Bearer ${token}; token ${token}`, Type: "param_error", errors: null }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const r = await cli(["list", "mangopay", "--user", "u"], { env: { ...env, IDV_MANGOPAY_BASE_URL: `http://127.0.0.1:${server.address().port}` } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: \w+: mangopay: /);
    assert.ok(!r.stderr.includes(token) && !r.stdout.includes(token), r.stderr);
  } finally {
    server.close();
  }
});

test("Onfido and Stripe Identity: list --all --format csv is toCsv(listAll), with their filters", async () => {
  const creds = {
    ONFIDO_API_TOKEN: CREDENTIALS.onfido.apiToken,
    IDV_ONFIDO_BASE_URL: `${mock.url}/v3.6`,
    STRIPE_SECRET_KEY: CREDENTIALS.stripe.secretKey,
    IDV_STRIPE_BASE_URL: mock.url,
  };
  const both = new IdvClient({
    onfido: { apiKey: CREDENTIALS.onfido.apiToken, baseUrl: `${mock.url}/v3.6` },
    stripe: { apiKey: CREDENTIALS.stripe.secretKey, baseUrl: mock.url },
  });
  const applicant = mock.control.sessions("onfido").sessions.find((s) => s.applicantId).applicantId;
  const reference = mock.control.sessions("stripe").sessions.find((s) => s.userRef).userRef;
  const cases = [
    ["onfido", [], {}],
    ["onfido", ["--status", "in_review"], { status: "in_review" }],
    ["onfido", ["--user", applicant], { applicantId: applicant }],
    ["stripe", [], {}],
    ["stripe", ["--status", "approved"], { status: "approved" }],
    ["stripe", ["--user", reference], { clientReferenceId: reference }],
  ];
  for (const [provider, flags, query] of cases) {
    const r = await cli(["list", provider, "--all", "--format", "csv", ...flags], { env: { ...env, ...creds } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, toCsv(await both.listAll(provider, query)), `${provider} ${flags.join(" ")}`);
    assert.ok(lines(r.stdout).length > 1, `${provider}: sessions listed`);
  }
});

test("rows that are not sessions: warned about on stderr, the others printed, exit 0; --quiet leaves only errors", async () => {
  const good = { session_id: "11111111-2222-3333-4444-555555555555", session_number: 2, status: "Approved", created_at: "2025-05-05T12:45:21.000000Z", vendor_data: "v" };
  const bad = { session_id: "99999999-2222-3333-4444-555555555555", session_number: 1, status: "Approved" };
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ count: 2, next: null, previous: null, results: [good, bad] }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const e = { ...env, IDV_DIDIT_BASE_URL: `http://127.0.0.1:${server.address().port}` };
    for (const all of [[], ["--all"]]) {
      const r = await cli(["list", "didit", ...all], { env: e });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout).map((l) => JSON.parse(l).id), [good.session_id]);
      assert.match(r.stderr, /^warning: didit: 1 row is not a session \(left out\):\n/);
      assert.match(r.stderr, /row 1, id 99999999-2222-3333-4444-555555555555: .*created/);
      const quiet = await cli(["list", "didit", ...all, "--quiet"], { env: e });
      assert.equal(quiet.code, 0);
      assert.equal(quiet.stdout, r.stdout);
      assert.equal(quiet.stderr, "");
    }
  } finally {
    server.close();
  }
});

test("no secret of the environment in any output of this file", () => {
  assertNoSecretInOutputs();
});
