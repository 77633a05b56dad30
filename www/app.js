// The IDV sessions dashboard: every verification session at Mangopay, Equals Money, Didit, Onfido
// and Stripe Identity in one table, through `idv-sessions` imported as any app would (see the
// import map in index.html).
//
// Data flow: /api/directory (the team's user list) -> IdvClient.listAll per provider (Mangopay per
// user) -> one row per session -> filters -> table, chart, CSV. A user's row opens the drill-down.
// Live: the server's Server-Sent Events (/api/events, see live.js) replace a row's session when a
// provider's webhook says it changed; the row flashes, counts and chart follow.

import { toCsv } from "idv-sessions";
import { PROVIDERS, PROVIDER_LABELS, STATUSES, STATUS_LABELS, describeError, esc, fmtCount, $ } from "./ui.js";
import { PAGE_SIZE, makeRow, renderTable } from "./table.js";
import { countByStatus, renderChart } from "./chart.js";
import { createDrilldown } from "./drilldown.js";
import { initCreateDialog } from "./create.js";
import { createClient, initSettingsDialog, loadSettings, usesProxy } from "./settings.js";
import { connectLive, createFeed, initStatusControl } from "./live.js";

const MANGOPAY_PARALLEL_USERS = 6;
const FLASH_MS = 1600;
const DEMO_STATUS_ROWS = 30;

const state = {
  directory: null,
  personByRef: new Map(),
  settings: null,
  client: null,
  rows: new Map(), // session key -> row
  sorted: [], // every row, newest first
  view: [], // rows passing every filter
  limit: PAGE_SIZE,
  loads: {}, // provider -> { state, pagesDone, pagesTotal, usersDone, usersTotal, count, error, controller }
  loadStartedAt: 0,
  loadMs: 0,
  filters: { provider: "", status: "", user: "", text: "" },
  fresh: new Set(), // keys created in this tab, highlighted
  flash: new Set(), // keys just updated live (flashed)
  livePending: new Map(), // key -> live message that came while its provider was loading
  statusControl: null,
};

const els = {
  progress: $("[data-testid=progress]"),
  progressBar: $("#progress-fill"),
  progressText: $("#progress-text"),
  providerLoads: $("#provider-loads"),
  banners: $("#banners"),
  tbody: $("#rows"),
  rowCount: $("[data-testid=row-count]"),
  showMore: $("[data-testid=show-more]"),
  chart: $("[data-testid=status-chart]"),
  kpis: $("#kpis"),
  csv: $("[data-testid=csv-link]"),
  filterProvider: $("[data-testid=filter-provider]"),
  filterStatus: $("[data-testid=filter-status]"),
  filterUser: $("[data-testid=filter-user]"),
  filterText: $("[data-testid=filter-text]"),
  env: $("[data-testid=env]"),
};

// ---------------------------------------------------------------------------------------------
// Loading

async function loadProvider(provider) {
  const previous = state.loads[provider];
  previous?.controller.abort();
  const load = {
    state: "loading",
    pagesDone: 0,
    pagesTotal: undefined,
    usersDone: 0,
    usersTotal: undefined,
    count: 0,
    error: null,
    controller: new AbortController(),
  };
  state.loads[provider] = load;
  renderBanner(provider);
  renderProgress();
  const { signal } = load.controller;
  const onProgress = (p) => {
    load.pagesDone = p.pagesDone;
    load.pagesTotal = p.pagesTotal;
    load.count = p.sessions;
    scheduleProgress();
  };
  try {
    const sessions =
      provider === "mangopay"
        ? await loadMangopay(load, signal)
        : await state.client.listAll(provider, {}, { signal, onProgress });
    if (signal.aborted) return;
    replaceProvider(provider, sessions);
    load.count = sessions.length;
    load.state = "done";
    applyPending(provider);
  } catch (e) {
    if (signal.aborted) return;
    // What is on screen must be what loaded now: drop the provider's older rows.
    replaceProvider(provider, []);
    load.state = "error";
    load.error = e;
  }
  for (const p of PROVIDERS) renderBanner(p);
  renderProgress();
  refresh();
}

// Mangopay lists sessions per user only: one listAll per directory user, a few at a time. The
// first failure stops the rest (the provider is failing, not one user).
async function loadMangopay(load, signal) {
  const users = state.directory.people.filter((p) => p.mangopayUserId);
  load.usersTotal = users.length;
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener("abort", stop);
  const collected = [];
  let next = 0;
  let failure = null;
  const worker = async () => {
    while (!failure && next < users.length) {
      const user = users[next++];
      try {
        const list = await state.client.listAll("mangopay", { userId: user.mangopayUserId }, { signal: inner.signal });
        collected.push(...list);
        load.usersDone += 1;
        load.pagesDone += 1;
        load.count = collected.length;
        scheduleProgress();
      } catch (e) {
        if (!failure) {
          failure = e;
          inner.abort();
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: MANGOPAY_PARALLEL_USERS }, worker));
  } finally {
    signal.removeEventListener("abort", stop);
  }
  if (failure) throw failure;
  return collected;
}

function loadAll() {
  state.loadStartedAt = performance.now();
  state.loadMs = 0;
  return Promise.all(PROVIDERS.map((p) => loadProvider(p))).then(() => {
    state.loadMs = performance.now() - state.loadStartedAt;
    renderProgress();
  });
}

function personFor(session) {
  // An Onfido run's userRef is its customer_user_id when it has one: its applicant says who it is.
  const ref = session.provider === "onfido" ? session.extra?.applicantId : session.userRef;
  return (ref && state.personByRef.get(ref)) || null;
}

function replaceProvider(provider, sessions) {
  for (const [key, row] of state.rows) if (row.session.provider === provider) state.rows.delete(key);
  for (const s of sessions) state.rows.set(s.key, makeRow(s, personFor(s)));
  resort();
}

function addSession(session) {
  state.rows.set(session.key, makeRow(session, personFor(session)));
  state.fresh.add(session.key);
  resort();
  refresh();
}

// ---------------------------------------------------------------------------------------------
// Live updates

function onLiveMessage(msg) {
  feed?.add(msg);
  // Only what the server confirmed (a signed session, or one it fetched) touches the table. The
  // events a page gets when it connects are already in what it loads.
  if (!msg.session?.key || msg.replay === "backlog") return;
  const load = state.loads[msg.session.provider];
  if (!load || load.state === "loading") {
    state.livePending.set(msg.session.key, msg);
    return;
  }
  applyLive(msg, msg.replay !== "missed");
}

function applyPending(provider) {
  for (const [key, msg] of state.livePending) {
    if (msg.session.provider !== provider) continue;
    state.livePending.delete(key);
    applyLive(msg, true);
  }
}

/** When both carry an update time, an older session never replaces a newer one. */
function isOlder(session, than) {
  const a = Date.parse(session.updatedAt ?? "");
  const b = Date.parse(than.updatedAt ?? "");
  return Number.isFinite(a) && Number.isFinite(b) && a < b;
}

function applyLive(msg, flash) {
  const { session } = msg;
  const row = state.rows.get(session.key);
  if (row && isOlder(session, row.session)) return;
  const next = makeRow(session, row?.person ?? personFor(session));
  next.liveAt = msg.receivedAt;
  state.rows.set(session.key, next);
  resort();
  if (flash) {
    state.flash.add(session.key);
    setTimeout(() => state.flash.delete(session.key), FLASH_MS);
  }
  scheduleRefresh();
}

let refreshQueued = false;
function scheduleRefresh() {
  if (refreshQueued) return;
  refreshQueued = true;
  requestAnimationFrame(() => {
    refreshQueued = false;
    refresh({ keepLimit: true });
  });
}

let feed = null;
function startLive() {
  if (!state.directory.events || typeof EventSource !== "function") return;
  feed = createFeed($("[data-testid=event-feed]"));
  connectLive(state.directory.events, {
    onMessage: onLiveMessage,
    onStats: (stats) => feed.setStats(stats),
    onState: (s) => feed.setState(s),
  });
}

function resort() {
  state.sorted = [...state.rows.values()].sort((a, b) => b.time - a.time || (a.session.key < b.session.key ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------
// Progress and banners

let progressQueued = false;
function scheduleProgress() {
  if (progressQueued) return;
  progressQueued = true;
  requestAnimationFrame(() => {
    progressQueued = false;
    renderProgress();
  });
}

function fraction(load) {
  if (!load || load.state !== "loading") return 1;
  if (load.usersTotal) return load.usersDone / load.usersTotal;
  if (load.pagesTotal) return load.pagesDone / load.pagesTotal;
  return 0.05;
}

function loadDetail(provider, load) {
  if (!load) return "";
  if (load.state === "error") return `failed · ${esc(load.error?.code ?? "error")}`;
  if (load.state === "done") return `${fmtCount(load.count)} sessions`;
  if (load.usersTotal) return `${load.usersDone}/${load.usersTotal} users · ${fmtCount(load.count)}`;
  if (load.pagesTotal) return `page ${load.pagesDone}/${load.pagesTotal} · ${fmtCount(load.count)}`;
  return "connecting…";
}

function renderProgress() {
  const loads = PROVIDERS.map((p) => state.loads[p]);
  const loading = loads.some((l) => l?.state === "loading");
  const failed = loads.some((l) => l?.state === "error");
  const overall = loads.reduce((sum, l) => sum + fraction(l), 0) / PROVIDERS.length;
  els.progress.dataset.state = loading ? "loading" : failed ? "error" : "done";
  els.progressBar.style.width = `${(overall * 100).toFixed(1)}%`;
  els.progress.setAttribute("aria-valuenow", String(Math.round(overall * 100)));
  const total = state.rows.size;
  els.progressText.textContent = loading
    ? `Loading sessions… ${fmtCount(total)} so far`
    : `${fmtCount(total)} sessions from ${loads.filter((l) => l?.state === "done").length} of ${PROVIDERS.length} providers` +
      (state.loadMs ? ` · loaded in ${(state.loadMs / 1000).toFixed(1)} s` : "");
  els.providerLoads.innerHTML = PROVIDERS.map((p) => {
    const l = state.loads[p];
    const pct = (fraction(l) * 100).toFixed(0);
    return `<div class="pload ${l?.state ?? ""}" data-testid="progress-${p}" data-state="${l?.state ?? "idle"}" data-count="${l?.count ?? 0}">
      <span class="pload-name"><i class="dot prov-dot-${p}"></i>${esc(PROVIDER_LABELS[p])}</span>
      <span class="pload-track"><span class="pload-fill" style="width:${pct}%"></span></span>
      <span class="pload-detail">${loadDetail(p, l)}</span>
    </div>`;
  }).join("");
}

function renderBanner(provider) {
  const id = `banner-${provider}`;
  const existing = document.getElementById(id);
  const load = state.loads[provider];
  if (load?.state !== "error") {
    existing?.remove();
    return;
  }
  const e = load.error;
  const banner = existing ?? document.createElement("div");
  banner.id = id;
  banner.className = "banner error";
  banner.dataset.testid = `banner-${provider}`;
  banner.dataset.provider = provider;
  banner.dataset.code = e?.code ?? "error";
  banner.setAttribute("role", "alert");
  banner.innerHTML = `<span class="banner-icon" aria-hidden="true">!</span>
    <div class="banner-text"><strong>${esc(PROVIDER_LABELS[provider])} could not be loaded</strong>
      <span class="code" data-testid="banner-code">${esc(e?.code ?? "error")}${e?.httpStatus ? ` · HTTP ${e.httpStatus}` : ""}</span>
      <div class="banner-msg" data-testid="banner-message">${esc(e?.message ?? String(e))}</div>
      <div class="muted small">${esc(bannerHint(provider, e))}</div></div>
    <button type="button" class="btn" data-testid="retry-${provider}">Retry</button>`;
  banner.querySelector("button").addEventListener("click", () => loadProvider(provider));
  if (!existing) els.banners.append(banner);
}

function bannerHint(provider, e) {
  const others = PROVIDERS.filter((p) => p !== provider && state.loads[p]?.state === "done");
  const names = others.map((p) => PROVIDER_LABELS[p]);
  const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names.join("");
  const shown = others.length ? `Sessions from ${list} are shown. ` : "";
  const fix =
    e?.code === "auth"
      ? "Check the connection settings: API keys are kept in memory only and must be entered again after a reload."
      : e?.retryable
        ? "The provider may be down or busy: retry in a moment."
        : "";
  return shown + fix;
}

function showGlobalBanner(title, detail) {
  els.banners.insertAdjacentHTML(
    "beforeend",
    `<div class="banner error" data-testid="banner-global" role="alert"><span class="banner-icon">!</span>
      <div class="banner-text"><strong>${esc(title)}</strong><div class="banner-msg">${esc(detail)}</div></div></div>`,
  );
}

// ---------------------------------------------------------------------------------------------
// Filters, view, table, chart

function filtered() {
  const { provider, user, text } = state.filters;
  const needle = text.trim().toLowerCase();
  const person = user ? state.directory.people.find((p) => String(p.index) === user) : null;
  return state.sorted.filter(
    (row) =>
      (!provider || row.session.provider === provider) &&
      (!person || row.person === person) &&
      (!needle || row.haystack.includes(needle)),
  );
}

function refresh({ keepLimit = false } = {}) {
  if (!keepLimit) state.limit = PAGE_SIZE;
  // The chart shows the view before the status filter, so every status stays comparable and
  // clickable; the selected one is highlighted.
  const base = filtered();
  const status = state.filters.status;
  state.view = status ? base.filter((row) => row.session.status === status) : base;
  const counts = countByStatus(base);
  renderChart(els.chart, counts, status);
  renderKpis(base, counts);
  const shown = renderTable({ tbody: els.tbody, rows: state.view, limit: state.limit, highlightKeys: state.fresh, flashKeys: state.flash });
  const n = state.view.length;
  els.rowCount.dataset.count = String(n);
  els.rowCount.dataset.shown = String(shown);
  els.rowCount.innerHTML = `<b>${fmtCount(n)}</b> ${n === 1 ? "session" : "sessions"}${shown < n ? ` <span class="muted">· showing the newest ${fmtCount(shown)}</span>` : ""}`;
  els.showMore.hidden = shown >= n;
  els.showMore.textContent = `Show ${fmtCount(Math.min(PAGE_SIZE, n - shown))} more`;
  els.csv.classList.toggle("disabled", n === 0);
  state.statusControl?.update();
}

function renderKpis(base, counts) {
  const total = base.length;
  const pct = (n) => (total ? `${Math.round((n / total) * 100)}%` : "—");
  const pending = counts.in_review;
  const open = counts.not_started + counts.in_progress + counts.resubmission_requested;
  els.kpis.innerHTML = `
    <div class="kpi"><span class="kpi-value">${fmtCount(total)}</span><span class="kpi-label">sessions in view</span></div>
    <div class="kpi good"><span class="kpi-value">${pct(counts.approved)}</span><span class="kpi-label">approved</span></div>
    <div class="kpi warn"><span class="kpi-value">${fmtCount(pending)}</span><span class="kpi-label">awaiting review</span></div>
    <div class="kpi"><span class="kpi-value">${fmtCount(open)}</span><span class="kpi-label">with the user</span></div>`;
}

function fillFilterOptions() {
  els.filterProvider.innerHTML =
    `<option value="">All providers</option>` +
    PROVIDERS.map((p) => `<option value="${p}">${esc(PROVIDER_LABELS[p])}</option>`).join("");
  els.filterStatus.innerHTML =
    `<option value="">All statuses</option>` +
    STATUSES.map((s) => `<option value="${s}">${esc(STATUS_LABELS[s])}</option>`).join("");
  const people = [...state.directory.people].sort((a, b) => a.name.localeCompare(b.name));
  els.filterUser.innerHTML =
    `<option value="">All users</option>` +
    people.map((p) => `<option value="${p.index}">${esc(p.name)}</option>`).join("");
}

function setFilter(name, value) {
  state.filters[name] = value;
  const el = { provider: els.filterProvider, status: els.filterStatus, user: els.filterUser, text: els.filterText }[name];
  if (el.value !== value) el.value = value;
  refresh();
}

function wireFilters() {
  els.filterProvider.addEventListener("change", () => setFilter("provider", els.filterProvider.value));
  els.filterStatus.addEventListener("change", () => setFilter("status", els.filterStatus.value));
  els.filterUser.addEventListener("change", () => setFilter("user", els.filterUser.value));
  let timer = 0;
  els.filterText.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => setFilter("text", els.filterText.value), 120);
  });
  $("[data-testid=filter-clear]").addEventListener("click", () => {
    for (const name of Object.keys(state.filters)) state.filters[name] = "";
    for (const el of [els.filterProvider, els.filterStatus, els.filterUser, els.filterText]) el.value = "";
    refresh();
  });
  els.chart.addEventListener("click", (event) => {
    const bar = event.target.closest("[data-status]");
    if (bar) setFilter("status", state.filters.status === bar.dataset.status ? "" : bar.dataset.status);
  });
  els.showMore.addEventListener("click", () => {
    state.limit += PAGE_SIZE;
    refresh({ keepLimit: true });
  });
}

// The CSV of the whole filtered view (not only the rows on screen), made when clicked.
function wireCsv() {
  let objectUrl = null;
  els.csv.addEventListener("click", (event) => {
    if (state.view.length === 0) {
      event.preventDefault();
      return;
    }
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    const csv = toCsv(state.view.map((row) => row.session));
    objectUrl = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    els.csv.href = objectUrl;
    els.csv.download = `idv-sessions-${new Date().toISOString().slice(0, 10)}.csv`;
  });
}

// ---------------------------------------------------------------------------------------------
// Demo controls (mock providers only): make one provider fail, to see the banners.

function wireDemoControls() {
  const box = $("[data-testid=demo-controls]");
  if (state.directory.source !== "mock") return;
  box.hidden = false;
  for (const button of box.querySelectorAll("[data-down]")) {
    button.setAttribute("aria-pressed", String(Boolean(state.directory.down?.[button.dataset.down])));
  }
  box.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-down]");
    if (!button) return;
    const provider = button.dataset.down;
    const down = button.getAttribute("aria-pressed") !== "true";
    button.disabled = true;
    try {
      const res = await fetch("/api/demo/down", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ provider, down }),
      });
      if (res.ok) button.setAttribute("aria-pressed", String(down));
    } finally {
      button.disabled = false;
    }
    loadProvider(provider);
  });
  // Live updates need the mock's webhooks to reach this server.
  if (state.directory.events) {
    state.statusControl = initStatusControl($("[data-testid=demo-status]"), {
      getRows: () => state.view.slice(0, DEMO_STATUS_ROWS),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Start

function indexDirectory(directory) {
  for (const person of directory.people) {
    const refs = [
      person.mangopayUserId,
      person.diditVendorData,
      person.equalsAssociatedPersonId,
      ...(person.equalsApplicationIds ?? []),
      person.onfidoApplicantId,
      person.stripeClientReferenceId,
    ];
    for (const ref of refs) {
      if (ref) state.personByRef.set(ref, person);
    }
  }
}

function renderEnv() {
  const proxy = usesProxy(state.settings);
  els.env.textContent = state.directory.source === "mock" ? (proxy ? "Mock providers · via proxy" : "Mock data · custom connection") : proxy ? "Via proxy" : "Custom connection";
  els.env.classList.toggle("warn", !proxy);
}

async function main() {
  try {
    const res = await fetch("/api/directory");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    state.directory = await res.json();
  } catch (e) {
    showGlobalBanner("The user directory could not be loaded", `/api/directory: ${e.message}`);
    state.directory = { people: [], diditWorkflows: [], onfidoWorkflows: [], source: "unknown" };
  }
  indexDirectory(state.directory);
  fillFilterOptions();
  wireFilters();
  wireCsv();
  wireDemoControls();
  startLive();

  state.settings = loadSettings(state.directory);
  try {
    state.client = createClient(state.settings);
  } catch (e) {
    showGlobalBanner("Connection settings refused by idv-sessions", describeError(e).text);
  }
  renderEnv();

  const drilldown = createDrilldown({ panel: $("[data-testid=drilldown]"), getClient: () => state.client });
  els.tbody.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    const tr = event.target.closest("tr[data-key]");
    if (!tr) return;
    const row = state.rows.get(tr.dataset.key);
    if (row?.session.userRef) drilldown.open(row.person, row.session);
  });

  const create = initCreateDialog({
    dialog: $("#create-dialog"),
    directory: state.directory,
    getClient: () => state.client,
    onCreated: addSession,
  });
  $("[data-testid=open-create]").addEventListener("click", () => create.open());

  const settingsDialog = initSettingsDialog({
    dialog: $("#settings-dialog"),
    directory: state.directory,
    getSettings: () => state.settings,
    onApply(settings, client) {
      state.settings = settings;
      state.client = client;
      renderEnv();
      drilldown.close();
      loadAll();
    },
  });
  settingsDialog.wire();
  $("[data-testid=open-settings]").addEventListener("click", () => settingsDialog.open());
  $("[data-testid=reload]").addEventListener("click", () => loadAll());

  refresh();
  if (state.client) await loadAll();
  document.body.dataset.ready = "true";
}

main();
