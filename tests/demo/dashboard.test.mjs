// The demo dashboard end to end: scripts/demo.mjs (mock providers + proxy + www/) started
// in-process, driven in headless Chromium. The page imports the real package from pkg/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startDemo } from "../../scripts/demo.mjs";
import { CREDENTIALS } from "../mock/server.mjs";
import { launchChromium } from "../support/browser.mjs";
import { mapStatus } from "../../pkg/index.mjs";
import { palettePng } from "./png.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = `${ROOT}tests/artifacts`;
const PROVIDERS = ["mangopay", "equals", "didit", "onfido", "stripe"];
const PAGE_SIZE = 200;

let demo, browser, context, page, directory;
const requests = [];
const pageErrors = [];

const getJson = async (url, init) => {
  const res = await fetch(url, init);
  assert.equal(res.status, 200, `${url}: HTTP ${res.status}`);
  return res.json();
};
const postJson = (url, value) =>
  getJson(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });

/** Changes a session's status at the mock, as the provider would (the mock then sends the webhook). */
const mockStatus = (provider, key, status, result) => {
  const [, id, applicationId] = key.split(":");
  return postJson(`${demo.mockUrl}/__mock/status`, { provider, id, status, result, applicationId });
};

/**
 * Resolves once the live feed is at rest: the mock has no delivery left to make (each answered
 * 2xx), the server has published every notification it accepted, and the page has them all.
 * Gives the mock's delivery log, the accepted count and the last published seq.
 */
async function settleLive() {
  for (let i = 0; i < 250; i++) {
    const log = await getJson(`${demo.mockUrl}/__mock/webhooks`);
    const server = await getJson(`${demo.url}/api/webhooks`);
    const seq = server.events.at(-1)?.seq ?? 0;
    // Every accepted notification is published once, numbered from 1.
    if (log.pending === 0 && seq === server.accepted) {
      await page.waitForFunction(
        ([n, last]) =>
          Number(document.querySelector("[data-testid=feed-count]").dataset.count) === n &&
          (last === 0 || document.querySelector(`[data-testid=feed-item][data-seq="${last}"]`) !== null),
        [server.accepted, seq],
        { timeout: 5000 },
      );
      return { log, accepted: server.accepted, seq };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail("the live feed did not settle");
}

/** A person's sessions as the dashboard attributes them: Onfido runs by their applicant (a run's
 * userRef is its customer_user_id when it has one), Stripe sessions by their client_reference_id
 * (none on a few), the others by the provider's user reference. */
const isPersons = (person, s) =>
  s.provider === "onfido"
    ? s.applicantId === person.onfidoApplicantId
    : s.provider === "stripe"
      ? s.userRef !== undefined && s.userRef === person.stripeClientReferenceId
      : [person.mangopayUserId, person.equalsAssociatedPersonId, person.diditVendorData].includes(s.userRef);

const chartCounts = () =>
  page.$$eval("[data-testid=chart-bar]", (bars) => Object.fromEntries(bars.map((b) => [b.dataset.status, Number(b.dataset.count)])));

/** The mock's truth for what the dashboard should list, with the unified status of each session.
 * `result` qualifies the status: Equals' result, Stripe's `last_error.code` (none when null). */
async function truth(provider) {
  let { sessions } = await getJson(`${demo.mockUrl}/__mock/sessions?provider=${provider}`);
  if (provider === "mangopay") {
    // Mangopay lists per user: the dashboard lists the directory's users.
    const users = new Set(directory.people.map((p) => p.mangopayUserId).filter(Boolean));
    sessions = sessions.filter((s) => users.has(s.userRef));
  }
  return sessions.map((s) => {
    const result = provider === "stripe" ? s.lastErrorCode ?? undefined : s.result;
    return { ...s, provider, result, unified: mapStatus(provider, s.status, result) };
  });
}

async function loadPage() {
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
}

const rowCount = async () => Number(await page.getAttribute("[data-testid=row-count]", "data-count"));

const visibleRows = () =>
  page.$$eval("[data-testid=session-row]", (rows) =>
    rows.map((tr) => {
      const badge = tr.querySelector("[data-testid=status-badge]");
      return {
        key: tr.dataset.key,
        provider: tr.dataset.provider,
        status: tr.dataset.status,
        badgeStatus: badge?.dataset.status,
        badgeClass: badge?.className,
        badgeTitle: badge?.title,
      };
    }),
  );

async function setFilters({ provider = "", status = "", user = "" } = {}) {
  await page.selectOption("[data-testid=filter-provider]", provider);
  await page.selectOption("[data-testid=filter-status]", status);
  await page.selectOption("[data-testid=filter-user]", user);
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  demo = await startDemo({ port: 0, seed: 1, sessions: 400, latencyMs: 5 });
  directory = await getJson(`${demo.url}/api/directory`);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers() }));
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

test("lists every session of the five providers with coloured status badges", async () => {
  await loadPage();
  const expected = Object.fromEntries(await Promise.all(PROVIDERS.map(async (p) => [p, await truth(p)])));

  for (const p of PROVIDERS) {
    const load = page.locator(`[data-testid=progress-${p}]`);
    assert.equal(await load.getAttribute("data-state"), "done", p);
    assert.equal(Number(await load.getAttribute("data-count")), expected[p].length, `${p} loaded`);
  }
  assert.equal(await page.getAttribute("[data-testid=progress]", "data-state"), "done");
  const total = PROVIDERS.reduce((n, p) => n + expected[p].length, 0);
  assert.equal(await rowCount(), total);

  // README screenshot: the dashboard as it opens (palette PNG, well under 200 KB).
  const shot = await page.screenshot({ animations: "disabled" });
  await writeFile(`${ARTIFACTS}/dashboard.png`, shot);
  const small = palettePng(shot);
  assert.ok(small.length <= 200 * 1024, `screenshot is ${small.length} bytes`);
  await writeFile(`${ARTIFACTS}/dashboard-small.png`, small);
  // The committed README picture is refreshed on request only, so test runs leave the tree clean.
  if (process.env.UPDATE_SCREENSHOT) await writeFile(`${ROOT}www/screenshot.png`, small);

  for (const p of PROVIDERS) {
    await setFilters({ provider: p });
    assert.equal(await rowCount(), expected[p].length, `${p} rows`);
    const byKey = new Map(expected[p].map((s) => [s.key, s]));
    const rows = await visibleRows();
    assert.equal(rows.length, Math.min(PAGE_SIZE, expected[p].length));
    for (const row of rows) {
      const truthRow = byKey.get(row.key);
      assert.ok(truthRow, `${row.key} is a ${p} session`);
      assert.equal(row.provider, p);
      assert.equal(row.status, truthRow.unified, row.key);
      assert.equal(row.badgeStatus, truthRow.unified, row.key);
      assert.ok(row.badgeClass.split(" ").includes(`s-${truthRow.unified}`), row.badgeClass);
      assert.equal(row.badgeTitle, truthRow.result ? `${truthRow.status} + ${truthRow.result}` : truthRow.status);
    }
    // Newest first.
    const times = rows.map((r) => Date.parse(byKey.get(r.key).createdAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), `${p} newest first`);
  }

  // Onfido runs name the person by their applicant, whether or not they carry a customer_user_id.
  await setFilters({ provider: "onfido" });
  const names = await page.$$eval("[data-testid=session-row]", (trs) =>
    trs.map((tr) => [tr.dataset.key, tr.querySelector("[data-testid=user-link]")?.textContent]),
  );
  const onfidoTruth = new Map(expected.onfido.map((s) => [s.key, s]));
  for (const [key, name] of names) {
    const person = directory.people.find((x) => x.onfidoApplicantId === onfidoTruth.get(key).applicantId);
    assert.equal(name, person.name, key);
  }
  assert.ok(expected.onfido.some((s) => s.userRef === s.applicantId) && expected.onfido.some((s) => s.userRef !== s.applicantId));

  // Stripe sessions name the person by their client_reference_id; one without names nobody.
  await setFilters({ provider: "stripe" });
  const stripeNames = await page.$$eval("[data-testid=session-row]", (trs) =>
    trs.map((tr) => [tr.dataset.key, tr.querySelector("[data-testid=user-link]")?.textContent]),
  );
  const stripeTruth = new Map(expected.stripe.map((s) => [s.key, s]));
  for (const [key, name] of stripeNames) {
    const ref = stripeTruth.get(key).userRef;
    assert.equal(name, ref === undefined ? undefined : directory.people.find((x) => x.stripeClientReferenceId === ref).name, key);
  }
  assert.ok(stripeNames.some(([, name]) => name === undefined) && stripeNames.some(([, name]) => name !== undefined));
  // Every Stripe status is listed, requires_input with and without a last_error.
  assert.deepEqual(
    new Set(expected.stripe.map((s) => s.unified)),
    new Set(["in_progress", "abandoned", "resubmission_requested", "in_review", "approved", "canceled", "unknown"]),
  );

  // One colour per status: the chart shows all twelve, each in its own colour.
  await setFilters();
  const colours = await page.$$eval("[data-testid=chart-bar] .bar-fill", (els) => els.map((e) => getComputedStyle(e).backgroundColor));
  assert.equal(colours.length, 12);
  assert.equal(new Set(colours).size, 12, colours.join(" "));
});

test("the status filter shows only that status, and the chart agrees", async () => {
  const all = (await Promise.all(PROVIDERS.map(truth))).flat();
  for (const status of ["declined", "in_review"]) {
    const expected = all.filter((s) => s.unified === status).length;
    await setFilters({ status });
    assert.equal(await rowCount(), expected, status);
    const rows = await visibleRows();
    assert.equal(rows.length, Math.min(PAGE_SIZE, expected));
    assert.ok(rows.every((r) => r.status === status && r.badgeStatus === status), status);
    const bar = page.locator(`[data-testid=chart-bar][data-status=${status}]`);
    assert.equal(Number(await bar.getAttribute("data-count")), expected);
    assert.equal(await bar.getAttribute("aria-pressed"), "true");
  }
  // Provider + status, and the free-text search over provider statuses.
  await setFilters({ provider: "equals", status: "resubmission_requested" });
  const resub = all.filter((s) => s.provider === "equals" && s.unified === "resubmission_requested").length;
  assert.equal(await rowCount(), resub);
  // Onfido's processing, awaiting_client_input and review are all "in review".
  await setFilters({ provider: "onfido", status: "in_review" });
  const onfidoReview = all.filter((s) => s.provider === "onfido" && s.unified === "in_review");
  assert.deepEqual(new Set(onfidoReview.map((s) => s.status)), new Set(["processing", "awaiting_client_input", "review"]));
  assert.equal(await rowCount(), onfidoReview.length);
  const titles = new Set((await visibleRows()).map((r) => r.badgeTitle));
  assert.deepEqual(titles, new Set(["processing", "awaiting_client_input", "review"]));
  // Stripe's requires_input is "in progress", "abandoned" or "resubmission requested" by its
  // last_error: the badge's title says which code.
  for (const status of ["in_progress", "abandoned", "resubmission_requested"]) {
    await setFilters({ provider: "stripe", status });
    const stripeRows = all.filter((s) => s.provider === "stripe" && s.unified === status);
    assert.ok(stripeRows.length > 0 && stripeRows.length < PAGE_SIZE, `${stripeRows.length} ${status}`);
    assert.equal(await rowCount(), stripeRows.length, status);
    const shown = await visibleRows();
    assert.deepEqual(new Set(shown.map((r) => r.key)), new Set(stripeRows.map((s) => s.key)));
    assert.deepEqual(
      new Set(shown.map((r) => r.badgeTitle)),
      new Set(stripeRows.map((s) => (s.result ? `requires_input + ${s.result}` : "requires_input"))),
    );
    assert.ok(stripeRows.every((s) => s.status === "requires_input"), status);
  }
  await setFilters();
  await page.fill("[data-testid=filter-text]", "kyc expired");
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=row-count]").dataset.count) === n,
    all.filter((s) => s.status === "Kyc Expired").length,
  );
  await page.fill("[data-testid=filter-text]", "awaiting_client_input");
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=row-count]").dataset.count) === n,
    all.filter((s) => s.status === "awaiting_client_input").length,
  );
  // A Stripe last_error code is searchable.
  const expired = all.filter((s) => s.provider === "stripe" && s.result === "document_expired").length;
  assert.ok(expired > 0);
  await page.fill("[data-testid=filter-text]", "document_expired");
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=row-count]").dataset.count) === n, expired);
  await page.click("[data-testid=filter-clear]");
  assert.equal(await rowCount(), all.length);
});

test("CSV download holds exactly the filtered view", async () => {
  await setFilters({ provider: "didit", status: "declined" });
  const n = await rowCount();
  assert.ok(n > 0 && n < PAGE_SIZE, `${n} rows`);
  const keys = (await visibleRows()).map((r) => r.key);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=csv-link]")]);
  assert.match(download.suggestedFilename(), /^idv-sessions-\d{4}-\d{2}-\d{2}\.csv$/);
  const path = `${ARTIFACTS}/dashboard-view.csv`;
  await download.saveAs(path);
  const text = await readFile(path, "utf8");
  assert.ok(text.endsWith("\r\n"), "CRLF line ends");
  const records = parseCsv(text);
  const header = records[0];
  assert.deepEqual(header.slice(0, 3), ["provider", "id", "key"]);
  assert.ok(header.includes("status"), header.join(","));
  const body = records.slice(1);
  assert.equal(body.length, n);
  const keyCol = header.indexOf("key");
  const statusCol = header.indexOf("status");
  assert.deepEqual(body.map((r) => r[keyCol]), keys);
  assert.ok(body.every((r) => r[statusCol] === "declined"));
  await page.click("[data-testid=filter-clear]");
});

test("a user's drill-down: sessions at every provider and the verdict", async () => {
  const all = (await Promise.all(PROVIDERS.map(truth))).flat();
  // Person 1 is at all five providers; person 5 has one approved session at each.
  for (const index of [1, 5]) {
    const person = directory.people.find((p) => p.index === index);
    const mine = all.filter((s) => isPersons(person, s)).sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    for (const p of PROVIDERS) assert.ok(mine.some((s) => s.provider === p), `person ${index} at ${p}`);

    await setFilters({ user: String(index) });
    assert.equal(await rowCount(), all.filter((s) => isPersons(person, s) || person.equalsApplicationIds.includes(s.userRef)).length);
    await page.locator("[data-testid=user-link]").first().click();
    const panel = page.locator("[data-testid=drilldown]");
    await page.waitForSelector(`[data-testid=drilldown][data-state=ready][data-user="${index}"]`, { timeout: 15000 });
    assert.equal(await panel.locator("h2").textContent(), person.name);

    const history = await panel.locator("[data-testid=history-item]").evaluateAll((items) =>
      items.map((li) => ({ key: li.dataset.key, status: li.dataset.status })),
    );
    assert.equal(history.length, mine.length, `person ${index} history`);
    assert.deepEqual(new Set(history.map((h) => h.key)), new Set(mine.map((s) => s.key)));
    // Asked by the applicant: the history holds every Onfido run of theirs, and names the applicant.
    assert.equal(history.filter((h) => h.key.startsWith("onfido:")).length, mine.filter((s) => s.provider === "onfido").length);
    assert.match(await panel.textContent(), new RegExp(`Onfido${person.onfidoApplicantId}`));
    // Asked by the client_reference_id: every Stripe session of theirs.
    assert.equal(history.filter((h) => h.key.startsWith("stripe:")).length, mine.filter((s) => s.provider === "stripe").length);
    assert.match(await panel.textContent(), new RegExp(`Stripe Identity${person.stripeClientReferenceId}`));
    assert.equal(Number(await panel.locator("[data-testid=session-count]").getAttribute("data-count")), mine.length);
    assert.equal(await panel.locator("[data-testid=drilldown-error]").count(), 0);

    // The verdict follows the newest session (summarize: verified = newest is approved).
    const current = await panel.locator("[data-testid=current-status]").getAttribute("data-status");
    assert.equal(current, history[0].status);
    assert.equal(current, mine[0].unified);
    const verified = await panel.locator("[data-testid=verdict]").getAttribute("data-verified");
    assert.equal(verified, String(current === "approved"));
    assert.equal(await panel.getAttribute("data-verified"), verified);
    assert.equal(
      await panel.locator("[data-testid=flag-declined]").getAttribute("data-value"),
      String(current === "declined"),
    );
    // Counts per status add up to the history.
    const counts = await panel.locator("[data-testid=summary-count]").evaluateAll((els) => els.map((e) => Number(e.dataset.count)));
    assert.equal(counts.reduce((a, b) => a + b, 0), mine.length);
    if (index === 5) {
      assert.ok(history.filter((h) => h.status === "approved").length >= PROVIDERS.length);
      for (const p of PROVIDERS) assert.ok(history.some((h) => h.key.startsWith(`${p}:`) && h.status === "approved"), p);
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-drilldown.png`, animations: "disabled" });
    }
    await page.click("[data-testid=drilldown-close]");
    assert.equal(await panel.isHidden(), true);
  }
  await page.click("[data-testid=filter-clear]");
});

test("a provider that fails gets a banner with retry; the others stay", async () => {
  const expected = Object.fromEntries(await Promise.all(PROVIDERS.map(async (p) => [p, (await truth(p)).length])));
  const down = (provider, isDown) =>
    getJson(`${demo.url}/api/demo/down`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider, down: isDown }),
    });
  const total = PROVIDERS.reduce((n, p) => n + expected[p], 0);
  const others = PROVIDERS.filter((p) => p !== "equals");
  await down("equals", true);
  try {
    await loadPage();
    const banner = page.locator("[data-testid=banner-equals]");
    await banner.waitFor();
    assert.equal(await banner.getAttribute("data-code"), "http");
    const text = await banner.textContent();
    assert.match(text, /Equals Money/);
    assert.match(text, /503/);
    assert.match(text, /Sessions from Mangopay, Didit, Onfido and Stripe Identity are shown/);
    assert.equal(await page.locator(others.map((p) => `[data-testid=banner-${p}]`).join(", ")).count(), 0);
    assert.equal(await page.getAttribute("[data-testid=progress]", "data-state"), "error");
    assert.equal(await page.getAttribute("[data-testid=demo-down-equals]", "aria-pressed"), "true");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-provider-down.png`, animations: "disabled" });

    assert.equal(await rowCount(), total - expected.equals);
    const providers = new Set((await visibleRows()).map((r) => r.provider));
    assert.ok(!providers.has("equals"));
    for (const p of others) {
      await setFilters({ provider: p });
      assert.equal(await rowCount(), expected[p], p);
    }
    await setFilters();
  } finally {
    await down("equals", false);
  }
  await page.click("[data-testid=retry-equals]");
  await page.waitForSelector("[data-testid=progress-equals][data-state=done]", { timeout: 15000 });
  assert.equal(await page.locator("[data-testid=banner-equals]").count(), 0);
  assert.equal(await rowCount(), total);

  // The demo control takes Onfido, then Stripe, down (the page reloads it at once) and brings it back.
  for (const [provider, label] of [["onfido", "Onfido"], ["stripe", "Stripe Identity"]]) {
    const toggle = page.locator(`[data-testid=demo-down-${provider}]`);
    try {
      await toggle.click();
      const banner = page.locator(`[data-testid=banner-${provider}]`);
      await banner.waitFor({ timeout: 15000 });
      assert.equal(await toggle.getAttribute("aria-pressed"), "true");
      assert.equal(await banner.getAttribute("data-code"), "http");
      assert.match(await banner.textContent(), new RegExp(`${label} could not be loaded[\\s\\S]*503`));
      assert.equal((await getJson(`${demo.mockUrl}/__mock/health`)).down[provider], true);
      assert.equal(await rowCount(), total - expected[provider]);
      assert.ok(!(await visibleRows()).some((r) => r.provider === provider));
    } finally {
      if ((await toggle.getAttribute("aria-pressed")) === "true") await toggle.click();
      else await down(provider, false);
    }
    await page.waitForSelector(`[data-testid=progress-${provider}][data-state=done]`, { timeout: 15000 });
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    assert.equal(await page.locator(`[data-testid=banner-${provider}]`).count(), 0);
    assert.equal(await rowCount(), total);
  }
});

test("creating a Didit session shows its verification URL and adds it to the table", async () => {
  const before = (await truth("didit")).length;
  await page.click("[data-testid=open-create]");
  await page.check("[data-testid=create-provider-didit]");
  const workflow = directory.diditWorkflows[1];
  await page.selectOption("[data-testid=create-workflow]", workflow.id);
  await page.fill("[data-testid=create-vendor-data]", "user-2");
  await page.fill("[data-testid=create-callback]", "https://example.com/kyc/done");
  await page.click("[data-testid=create-submit]");
  const link = page.locator("[data-testid=create-result-url]");
  await link.waitFor();
  const href = await link.getAttribute("href");
  assert.ok(href.startsWith(`${demo.mockUrl}/hosted/`), href);
  assert.equal(await link.textContent(), href);
  const key = await page.getAttribute("[data-testid=create-result]", "data-key");
  assert.match(key, /^didit:/);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-create.png`, animations: "disabled" });
  await page.click("#create-dialog [data-action=close]");

  const after = await truth("didit");
  assert.equal(after.length, before + 1);
  const created = after.find((s) => s.key === key);
  assert.equal(created?.userRef, "user-2");
  const first = (await visibleRows())[0];
  assert.deepEqual([first.key, first.status], [key, "not_started"]);
  assert.equal(await page.locator(`[data-testid=session-row][data-key="${key}"] [data-testid=verification-link]`).getAttribute("href"), href);
});

test("creating an Onfido session, for a known applicant or a new one, shows its verification URL and adds it to the table", async () => {
  const before = await truth("onfido");
  const { onfidoApplicantCreates } = await getJson(`${demo.mockUrl}/__mock/stats`);
  const person = directory.people.find((p) => p.index === 2);
  const workflow = directory.onfidoWorkflows[1];
  await page.click("[data-testid=open-create]");
  await page.check("[data-testid=create-provider-onfido]");
  assert.equal(await page.locator("[data-provider-fields=onfido]").isVisible(), true);
  assert.equal(await page.locator("[data-provider-fields=didit]").isVisible(), false);
  await page.selectOption("[data-testid=create-onfido-workflow]", workflow.id);
  await page.selectOption("[data-testid=create-onfido-applicant]", person.onfidoApplicantId);
  // A known applicant needs no name.
  assert.equal(await page.locator("[data-testid=create-first-name]").isVisible(), false);
  await page.fill("[data-testid=create-redirect-url]", "https://example.com/kyc/done");

  /** Submits the form; resolves with the new session's key and verification URL. */
  const create = async () => {
    const previous = (await page.getAttribute("[data-testid=create-result]", "data-key")) ?? "";
    await page.click("[data-testid=create-submit]");
    await page.waitForFunction(
      (prev) => {
        const box = document.querySelector("[data-testid=create-result]");
        return !box.hidden && box.dataset.key && box.dataset.key !== prev;
      },
      previous,
      { timeout: 15000 },
    );
    assert.equal(await page.locator("[data-testid=create-error]").isVisible(), false);
    const link = page.locator("[data-testid=create-result-url]");
    const href = await link.getAttribute("href");
    assert.ok(href.startsWith(`${demo.mockUrl}/hosted/onfido/`), href);
    assert.equal(await link.textContent(), href);
    const key = await page.getAttribute("[data-testid=create-result]", "data-key");
    assert.match(key, /^onfido:/);
    // A new run waits for the user: awaiting_input, "in progress".
    assert.equal(await page.getAttribute("[data-testid=create-result] [data-testid=status-badge]", "data-status"), "in_progress");
    return { key, href };
  };
  /** The new run is the table's first row, with its link, its status and its person. */
  const firstRowIs = async ({ key, href }, name) => {
    const first = (await visibleRows())[0];
    assert.deepEqual([first.key, first.status, first.badgeTitle], [key, "in_progress", "awaiting_input"]);
    const row = `[data-testid=session-row][data-key="${key}"]`;
    assert.equal(await page.locator(`${row} [data-testid=verification-link]`).getAttribute("href"), href);
    assert.equal(await page.textContent(`${row} [data-testid=user-link]`), name);
  };

  const known = await create();
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-create-onfido.png`, animations: "disabled" });
  const afterKnown = await truth("onfido");
  assert.equal(afterKnown.length, before.length + 1);
  const run = afterKnown.find((s) => s.key === known.key);
  assert.deepEqual([run?.applicantId, run?.workflowId, run?.status], [person.onfidoApplicantId, workflow.id, "awaiting_input"]);
  assert.equal((await getJson(`${demo.mockUrl}/__mock/stats`)).onfidoApplicantCreates, onfidoApplicantCreates);

  // A new applicant: the package creates the applicant, then the run.
  await page.selectOption("[data-testid=create-onfido-applicant]", "");
  await page.fill("[data-testid=create-first-name]", "Ada");
  await page.fill("[data-testid=create-last-name]", "Lovelace");
  await page.fill("[data-testid=create-email]", "ada@example.com");
  const fresh = await create();
  await page.click("#create-dialog [data-action=close]");
  const afterNew = await truth("onfido");
  assert.equal(afterNew.length, before.length + 2);
  const freshRun = afterNew.find((s) => s.key === fresh.key);
  assert.equal(freshRun?.workflowId, workflow.id);
  assert.ok(!directory.people.some((p) => p.onfidoApplicantId === freshRun.applicantId), "a new applicant");
  assert.equal((await getJson(`${demo.mockUrl}/__mock/stats`)).onfidoApplicantCreates, onfidoApplicantCreates + 1);
  const applicant = await getJson(`${demo.mockUrl}/v3.6/applicants/${freshRun.applicantId}`, {
    headers: { authorization: `Token token=${CREDENTIALS.onfido.apiToken}` },
  });
  assert.deepEqual([applicant.first_name, applicant.last_name, applicant.email], ["Ada", "Lovelace", "ada@example.com"]);

  // Newest first: the new applicant's run, then the known applicant's.
  await firstRowIs(fresh, freshRun.applicantId);
  const rows = await visibleRows();
  assert.equal(rows[1].key, known.key);
  await setFilters({ provider: "onfido" });
  await firstRowIs(fresh, freshRun.applicantId);
  await setFilters({ user: String(person.index) });
  await firstRowIs(known, person.name);
  await setFilters();
});

test("creating a Stripe Identity session shows its verification URL and adds it to the table", async () => {
  const before = (await truth("stripe")).length;
  const { creates } = await getJson(`${demo.mockUrl}/__mock/stats`);
  const stripeKeys = async () => (await getJson(`${demo.mockUrl}/__mock/idempotency`)).keys.filter((k) => k.provider === "stripe");
  const keysBefore = new Set((await stripeKeys()).map((k) => k.key));
  const person = directory.people.find((p) => p.index === 2);
  assert.ok(person.stripeClientReferenceId);
  await page.click("[data-testid=open-create]");
  await page.check("[data-testid=create-provider-stripe]");
  assert.equal(await page.locator("[data-provider-fields=stripe]").isVisible(), true);
  assert.equal(await page.locator("[data-provider-fields=onfido]").isVisible(), false);
  // The directory's client reference ids are offered.
  const offered = await page.$$eval("#client-reference-list option", (options) => options.map((o) => o.value));
  assert.deepEqual(new Set(offered), new Set(directory.people.map((p) => p.stripeClientReferenceId).filter(Boolean)));
  await page.selectOption("[data-testid=create-stripe-type]", "id_number");
  await page.fill("[data-testid=create-client-reference-id]", person.stripeClientReferenceId);
  await page.fill("[data-testid=create-stripe-return-url]", "https://example.com/kyc/done");
  const previous = (await page.getAttribute("[data-testid=create-result]", "data-key")) ?? "";
  await page.click("[data-testid=create-submit]");
  await page.waitForFunction(
    (prev) => {
      const box = document.querySelector("[data-testid=create-result]");
      return !box.hidden && box.dataset.key && box.dataset.key !== prev;
    },
    previous,
    { timeout: 15000 },
  );
  assert.equal(await page.locator("[data-testid=create-error]").isVisible(), false);
  const link = page.locator("[data-testid=create-result-url]");
  const href = await link.getAttribute("href");
  assert.ok(href.startsWith(`${demo.mockUrl}/hosted/stripe/`), href);
  assert.equal(await link.textContent(), href);
  assert.equal(new URL(href).searchParams.get("redirectURL"), "https://example.com/kyc/done");
  const key = await page.getAttribute("[data-testid=create-result]", "data-key");
  assert.match(key, /^stripe:vs_/);
  // A new session waits for the user: requires_input without an error, "in progress".
  assert.equal(await page.getAttribute("[data-testid=create-result] [data-testid=status-badge]", "data-status"), "in_progress");
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-create-stripe.png`, animations: "disabled" });
  await page.click("#create-dialog [data-action=close]");

  const after = await truth("stripe");
  assert.equal(after.length, before + 1);
  const created = after.find((s) => s.key === key);
  assert.deepEqual([created?.userRef, created?.status, created?.result], [person.stripeClientReferenceId, "requires_input", undefined]);
  // One create reached Stripe, form-encoded, under an Idempotency-Key the proxy passed on.
  assert.equal((await getJson(`${demo.mockUrl}/__mock/stats`)).creates.stripe, creates.stripe + 1);
  const fresh = (await stripeKeys()).filter((k) => !keysBefore.has(k.key));
  assert.deepEqual(fresh.map((k) => [k.state, k.status]), [["done", 200]]);
  const id = key.slice("stripe:".length);
  const session = await getJson(`${demo.mockUrl}/v1/identity/verification_sessions/${id}`, {
    headers: { authorization: `Bearer ${CREDENTIALS.stripe.secretKey}` },
  });
  assert.deepEqual([session.type, session.client_reference_id, session.url], ["id_number", person.stripeClientReferenceId, href]);

  // Newest first, with its link, its status and its person; also under the provider and user filters.
  const firstRowIs = async () => {
    const first = (await visibleRows())[0];
    assert.deepEqual([first.key, first.status, first.badgeTitle], [key, "in_progress", "requires_input"]);
    const row = `[data-testid=session-row][data-key="${key}"]`;
    assert.equal(await page.locator(`${row} [data-testid=verification-link]`).getAttribute("href"), href);
    assert.equal(await page.textContent(`${row} [data-testid=user-link]`), person.name);
  };
  await firstRowIs();
  await setFilters({ provider: "stripe" });
  await firstRowIs();
  await setFilters({ user: String(person.index) });
  await firstRowIs();
  await setFilters();
});

test("a provider's webhook updates its row live: badge, tooltip, flash, chart, and the event feed", async () => {
  await setFilters();
  await page.waitForSelector("[data-testid=event-feed][data-state=live]");
  // Set on this document: still there afterwards proves there was no reload.
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const rows = await visibleRows();
  const taken = new Set();
  const pick = (provider, not) => {
    const row = rows.find((r) => r.provider === provider && r.status !== not && !taken.has(r.key));
    taken.add(row?.key);
    return row;
  };
  const changes = [
    // Didit signs its body: the session comes in the event.
    { row: pick("didit", "approved"), status: "Approved", unified: "approved", tip: "Approved", verification: "signature", source: "event" },
    // Mangopay and Equals sign nothing: the server fetched the session (needsFetch).
    { row: pick("mangopay", "declined"), status: "REFUSED", unified: "declined", tip: "REFUSED", verification: "none", source: "fetched" },
    { row: pick("equals", "approved"), status: "completed", result: "approved", unified: "approved", tip: "completed + approved", verification: "none", source: "fetched" },
    // Onfido signs every delivery. A run that ends comes in its signed workflow_run.completed
    // (after its reports' and check's events, which name no run); any other change sends task
    // events that only name the run: the server fetched it.
    { row: pick("onfido", "approved"), status: "approved", unified: "approved", tip: "approved", verification: "signature", source: "event" },
    { row: pick("onfido", "in_review"), status: "processing", unified: "in_review", tip: "processing", verification: "signature", source: "fetched" },
    // Stripe signs every event, the session in it: a status, or a status and its last_error.
    { row: pick("stripe", "approved"), status: "verified", unified: "approved", tip: "verified", verification: "signature", source: "event" },
    {
      row: pick("stripe", "resubmission_requested"),
      status: "requires_input",
      result: "document_expired",
      unified: "resubmission_requested",
      tip: "requires_input + document_expired",
      verification: "signature",
      source: "event",
    },
  ];
  assert.ok(changes.every((c) => c.row), "a row of each kind in view");
  // Nothing else in flight: what the mock sends from here on is these changes' notifications.
  const { log: logBefore, accepted: feedBefore, seq: seqBefore } = await settleLive();
  assert.equal(Number(await page.getAttribute("[data-testid=feed-count]", "data-count")), feedBefore);
  const total = await rowCount();

  const started = Date.now();
  for (const c of changes) await mockStatus(c.row.provider, c.row.key, c.status, c.result);
  for (const [i, c] of changes.entries()) {
    const row = `[data-testid=session-row][data-key="${c.row.key}"]`;
    // The new status without a reload; flashed (checked on the first: a flash lasts 1.6 s).
    await page.waitForSelector(`${row}${i === 0 ? ".flash" : ""}[data-status=${c.unified}]`, { timeout: 5000 });
    const badge = page.locator(`${row} [data-testid=status-badge]`);
    assert.equal(await badge.getAttribute("data-status"), c.unified);
    assert.equal(await badge.getAttribute("title"), c.tip);
    const item = page.locator(`[data-testid=feed-item][data-key="${c.row.key}"]`).first();
    await item.waitFor({ timeout: 5000 });
    assert.equal(await item.getAttribute("data-verification"), c.verification, c.row.key);
    assert.equal(await item.getAttribute("data-status"), c.unified);
    assert.equal(await item.getAttribute("data-source"), c.source);
    assert.equal(await item.locator("[data-testid=verification-badge]").textContent(), c.verification);
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 5000, `${elapsed} ms`);
  // Didit's and Stripe's sessions have no update time: the row shows when the notification came.
  for (const c of [changes[0], changes[5]]) {
    const updated = await page.getAttribute(`[data-testid=session-row][data-key="${c.row.key}"] [data-testid=updated]`, "title");
    assert.match(updated, /^notification received \d{4}-/, c.row.key);
  }
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");

  // What the mock sent for these changes, each delivery answered 200 at once.
  const after = await settleLive();
  const sent = after.log.deliveries.slice(logBefore.deliveries.length);
  const keyOf = new Map(changes.map((c) => [`${c.row.provider}:${c.row.key.split(":")[1]}`, c.row.key]));
  assert.deepEqual(new Set(sent.map((d) => keyOf.get(`${d.provider}:${d.sessionId}`))), new Set(changes.map((c) => c.row.key)));
  assert.ok(sent.every((d) => d.status === 200 && d.attempt === 1), JSON.stringify(sent));
  const onfidoTypes = (c) => sent.filter((d) => d.provider === "onfido" && d.sessionId === c.row.key.split(":")[1]).map((d) => d.type);
  assert.deepEqual(onfidoTypes(changes[4]).sort(), ["workflow_task.completed", "workflow_task.started"]);
  const ended = onfidoTypes(changes[3]);
  assert.ok(ended.includes("workflow_run.completed") && ended.includes("check.completed") && ended.includes("report.completed"), ended.join());
  // Stripe: one event per change, named after the new status.
  const stripeTypes = (c) => sent.filter((d) => d.provider === "stripe" && d.sessionId === c.row.key.split(":")[1]).map((d) => d.type);
  assert.deepEqual(stripeTypes(changes[5]), ["identity.verification_session.verified"]);
  assert.deepEqual(stripeTypes(changes[6]), ["identity.verification_session.requires_input"]);

  // Counts and chart follow: they equal the mock's truth after the changes.
  assert.equal(after.accepted, feedBefore + sent.length);
  assert.equal(Number(await page.getAttribute("[data-testid=feed-count]", "data-count")), feedBefore + sent.length);
  assert.equal(await rowCount(), total);
  const all = (await Promise.all(PROVIDERS.map(truth))).flat();
  const expected = Object.fromEntries(Object.keys(await chartCounts()).map((s) => [s, all.filter((x) => x.unified === s).length]));
  assert.deepEqual(await chartCounts(), expected);
  // Newest first in the feed; its newest items are these notifications, one each: those about a
  // session carry its key, Onfido's report and check events (about no run) show their type.
  assert.equal(after.seq, seqBefore + sent.length);
  const feed = await page.$$eval("[data-testid=feed-item]", (items) =>
    items.map((i) => ({ key: i.dataset.key, seq: Number(i.dataset.seq), provider: i.dataset.provider, type: i.querySelector("[data-testid=feed-type]")?.textContent ?? null })),
  );
  assert.deepEqual(feed.map((i) => i.seq), [...feed.map((i) => i.seq)].sort((a, b) => b - a));
  const fresh = feed.filter((i) => i.seq > seqBefore);
  assert.equal(fresh.length, sent.length);
  const runless = (d) => d.type === "report.completed" || d.type === "check.completed";
  assert.deepEqual(
    fresh.filter((i) => i.key).map((i) => i.key).sort(),
    sent.filter((d) => !runless(d)).map((d) => keyOf.get(`${d.provider}:${d.sessionId}`)).sort(),
  );
  assert.deepEqual(
    fresh.filter((i) => !i.key).map((i) => `${i.provider} ${i.type}`).sort(),
    sent.filter(runless).map((d) => `onfido ${d.type}`).sort(),
  );
  assert.ok(feed.length <= 20);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-live.png`, animations: "disabled" });
});

test("a Didit, Onfido or Stripe delivery with a corrupt signature is rejected: counted, not shown, row unchanged", async () => {
  const cases = [
    // Didit: one delivery per change.
    { provider: "didit", label: "Didit", not: ["declined"], status: "Declined", deliveries: 1 },
    // Onfido: a change that does not end the run sends two task events, each signed on its own.
    { provider: "onfido", label: "Onfido", not: ["in_review", "approved"], status: "processing", deliveries: 2 },
    // Stripe: one event per change, its v1 signature altered.
    { provider: "stripe", label: "Stripe Identity", not: ["in_review"], status: "processing", deliveries: 1 },
  ];
  for (const c of cases) {
    await setFilters({ provider: c.provider });
    const target = (await visibleRows()).find((r) => !c.not.includes(r.status));
    const id = target.key.slice(`${c.provider}:`.length);
    const rejectedBefore = Number(await page.getAttribute("[data-testid=feed-rejected]", "data-count"));
    const itemsBefore = await page.locator(`[data-testid=feed-item][data-key="${target.key}"]`).count();
    const seqBefore = (await getJson(`${demo.url}/api/webhooks`)).events.at(-1)?.seq;
    await postJson(`${demo.mockUrl}/__mock/webhooks`, { corrupt: 1 });
    try {
      await mockStatus(c.provider, target.key, c.status);
      await page.waitForSelector(`[data-testid=feed-rejected][data-count="${rejectedBefore + c.deliveries}"]`, { timeout: 5000 });
    } finally {
      await postJson(`${demo.mockUrl}/__mock/webhooks`, { corrupt: 0 });
    }
    assert.match(await page.getAttribute("[data-testid=feed-rejected]", "title"), new RegExp(`${c.label}, HTTP 401 \\(signature\\)`));
    // The server answered 401 (the mock's delivery log) and lists the rejection.
    const log = await getJson(`${demo.mockUrl}/__mock/webhooks`);
    const deliveries = log.deliveries.filter((d) => d.provider === c.provider && d.sessionId === id).slice(-c.deliveries);
    assert.equal(deliveries.length, c.deliveries);
    assert.ok(deliveries.every((d) => d.status === 401), JSON.stringify(deliveries));
    const hooks = await getJson(`${demo.url}/api/webhooks`);
    assert.equal(hooks.rejected, rejectedBefore + c.deliveries);
    assert.deepEqual([hooks.lastRejection.provider, hooks.lastRejection.status, hooks.lastRejection.code], [c.provider, 401, "signature"]);
    // Didit's and Stripe's log ids are their event ids.
    if (c.provider !== "onfido") assert.ok(!hooks.events.some((m) => m.event.id === deliveries[0].id), "not published");
    assert.equal(hooks.events.at(-1)?.seq, seqBefore, "nothing published");
    // Not shown: no feed item, the row keeps its status.
    assert.equal(await page.locator(`[data-testid=feed-item][data-key="${target.key}"]`).count(), itemsBefore);
    assert.equal(await page.getAttribute(`[data-testid=session-row][data-key="${target.key}"]`, "data-status"), target.status);
  }
  await setFilters();
});

test("the demo control changes a status at the mock, and the row follows", async () => {
  // A status and its unified status: one moves the row away from the other's. Stripe's review
  // step is a last_error (`requires_input+<code>`: status and last_error.code).
  const cases = [
    { provider: "didit", review: ["In Review", "in_review"], approve: ["Approved", "approved"] },
    { provider: "onfido", review: ["review", "in_review"], approve: ["approved", "approved"] },
    { provider: "stripe", review: ["requires_input+document_expired", "resubmission_requested"], approve: ["verified", "approved"] },
  ];
  for (const c of cases) {
    await setFilters({ provider: c.provider });
    const control = page.locator("[data-testid=demo-status]");
    assert.equal(await control.isVisible(), true);
    // It offers the newest rows of the view.
    const newest = (await visibleRows()).slice(0, 30).map((r) => r.key);
    const offered = await page.$$eval("[data-testid=demo-status-session] option", (options) => options.map((o) => o.value));
    assert.deepEqual(offered, newest);
    const key = newest[1];
    await page.selectOption("[data-testid=demo-status-session]", key);
    const current = await page.getAttribute(`[data-testid=session-row][data-key="${key}"]`, "data-status");
    const [status, unified] = current === c.review[1] ? c.approve : c.review;
    await page.selectOption("[data-testid=demo-status-value]", status);
    await page.click("[data-testid=demo-status-apply]");
    await page.waitForSelector(`[data-testid=session-row][data-key="${key}"][data-status=${unified}]`, { timeout: 5000 });
    assert.ok((await page.textContent("[data-testid=demo-status-result]")).includes(status.replace("+", " + ")));
    const truthRow = (await truth(c.provider)).find((s) => s.key === key);
    const [providerStatus, result] = status.split("+");
    assert.deepEqual([truthRow.status, truthRow.result], [providerStatus, result]);
  }
  await setFilters();
});

test("a secret key aimed straight at a provider is refused, and shown as such", async () => {
  const cases = [
    ["didit", "https://verification.didit.me"],
    ["onfido", "https://api.eu.onfido.com/v3.6"],
    ["stripe", "https://api.stripe.com"],
  ];
  for (const [provider, baseUrl] of cases) {
    // Opening the dialog fills it from the settings in use: only this provider is changed.
    await page.click("[data-testid=open-settings]");
    await page.fill(`[data-testid=settings-${provider}-baseUrl]`, baseUrl);
    await page.fill(`[data-testid=settings-${provider}-apiKey]`, `not-a-real-${provider}-key`);
    await page.click("[data-testid=settings-apply]");
    const error = page.locator("[data-testid=settings-error]");
    await error.waitFor();
    assert.match(await error.textContent(), /config/);
    assert.match(await error.textContent(), /proxy/);
    await page.click("#settings-dialog [data-action=cancel]");
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    assert.ok(!stored.includes(`not-a-real-${provider}-key`), "no key in localStorage");
  }
});

test("no request from the page carries a credential", () => {
  for (const p of PROVIDERS) assert.ok(requests.some((r) => r.url.includes(`/api/${p}/`)), p);
  for (const { url, headers } of requests) {
    assert.equal(headers["x-api-key"], undefined, url);
    assert.equal(headers.authorization, undefined, url);
    assert.ok(!/ApiKey|Basic|Bearer|Token token/i.test(JSON.stringify(headers)), url);
  }
  assert.deepEqual(pageErrors, []);
});

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text) {
  const records = [];
  let record = [];
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
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}
