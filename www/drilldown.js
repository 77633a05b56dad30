// The user drill-down: one person's sessions at every provider (listUserSessions) and the
// package's verdict on them (summarize): is this user verified right now, and why.

import { summarize } from "idv-sessions";
import {
  CHECK_KIND_LABELS,
  PROVIDERS,
  PROVIDER_LABELS,
  STATUSES,
  STATUS_LABELS,
  checkBadge,
  describeError,
  esc,
  externalLink,
  fmtTime,
  providerChip,
  providerStatusText,
  statusBadge,
} from "./ui.js";

// History rules of Didit's session-history guide, made explicit so the labels say what is checked.
export const SUMMARY_OPTIONS = { livenessWithinDays: 90, spikeWindowDays: 30, spikeThreshold: 3 };

/** Whose sessions to ask each provider for: the directory person's ids, or the one ref we have. */
export function userRefs(person, session) {
  const refs = {};
  if (person) {
    if (person.mangopayUserId) refs.mangopay = person.mangopayUserId;
    if (person.equalsAssociatedPersonId) refs.equals = person.equalsAssociatedPersonId;
    else if (person.equalsApplicationIds?.length) refs.equals = { applicationId: person.equalsApplicationIds[0] };
    if (person.diditVendorData) refs.didit = person.diditVendorData;
    if (person.onfidoApplicantId) refs.onfido = person.onfidoApplicantId;
    if (person.stripeClientReferenceId) refs.stripe = person.stripeClientReferenceId;
  } else if (session?.userRef) {
    if (session.provider === "equals") {
      refs.equals =
        session.extra?.associatedPersonId === session.userRef
          ? session.userRef
          : { applicationId: session.userRef };
    } else if (session.provider === "onfido") {
      // Onfido lists by applicant; a run's userRef is its customer_user_id when it has one.
      if (session.extra?.applicantId) refs.onfido = session.extra.applicantId;
    } else refs[session.provider] = session.userRef;
  }
  return refs;
}

function refList(refs) {
  return PROVIDERS.filter((p) => refs[p])
    .map((p) => {
      const v = typeof refs[p] === "string" ? refs[p] : `application ${refs[p].applicationId}`;
      return `<div class="kv"><span>${esc(PROVIDER_LABELS[p])}</span><span class="mono">${esc(v)}</span></div>`;
    })
    .join("");
}

function verdictHtml(summary) {
  const yes = summary.verified;
  return `<div class="verdict ${yes ? "yes" : "no"}" data-testid="verdict" data-verified="${yes}">
    <span class="verdict-icon" aria-hidden="true">${yes ? "✓" : "✕"}</span>
    <div><div class="verdict-title">${yes ? "Verified" : "Not verified"}</div>
    <div class="verdict-sub">${yes ? "The newest session is approved." : summary.sessionCount ? "The newest session is not an approval." : "No verification session on record."}</div></div>
  </div>`;
}

function flagHtml(ok, warn, label, detail, testid) {
  // ok: a good sign (green), warn: needs attention (amber); otherwise neutral.
  const cls = ok ? "good" : warn ? "warn" : "neutral";
  const icon = ok ? "✓" : warn ? "!" : "–";
  return `<li class="flag ${cls}" data-testid="${testid}" data-value="${ok || warn}">
    <span class="flag-icon">${icon}</span><div><div>${esc(label)}</div><div class="muted small">${esc(detail)}</div></div></li>`;
}

function historyItem(s) {
  const checks = s.checks.length
    ? `<ul class="checks">${s.checks
        .map(
          (c) => `<li><span>${esc(CHECK_KIND_LABELS[c.kind] ?? c.kind)}</span>${checkBadge(c)}${
            c.reasons.length
              ? `<div class="reasons">${c.reasons.map((r) => `<code>${esc(r.code)}</code>${r.detail ? ` ${esc(r.detail)}` : ""}`).join("<br>")}</div>`
              : ""
          }</li>`,
        )
        .join("")}</ul>`
    : "";
  return `<li class="history-item" data-testid="history-item" data-key="${esc(s.key)}" data-status="${esc(s.status)}">
    <div class="history-head">${statusBadge(s.status, providerStatusText(s))}${providerChip(s.provider)}
      <span class="muted small nowrap" title="${esc(s.createdAt)}">${esc(fmtTime(s.createdAt))}</span>
      <span class="grow"></span>${externalLink(s.verificationUrl, "Open ↗", "history-link")}</div>
    <div class="mono small muted">${esc(s.id)} · ${esc(providerStatusText(s))}</div>
    ${checks}
  </li>`;
}

function summaryHtml(summary, sessions, errors, refs) {
  const current = summary.currentStatus
    ? `${statusBadge(summary.currentStatus)} <span class="muted small">${esc(fmtTime(sessions[0]?.createdAt))}</span>`
    : `<span class="muted">—</span>`;
  const checkKinds = Object.keys(summary.checks ?? {});
  const checks = checkKinds.length
    ? `<div class="check-grid">${checkKinds
        .map((kind) => {
          const c = summary.checks[kind];
          return `<div class="check-cell" data-testid="summary-check" data-kind="${esc(kind)}" data-status="${esc(c.status)}">
            <span>${esc(CHECK_KIND_LABELS[kind] ?? kind)}</span>${checkBadge({ status: c.status, providerType: kind, providerStatus: "" })}
            <span class="muted small">${esc(fmtTime(c.at))}</span></div>`;
        })
        .join("")}</div>`
    : `<p class="muted small">No check results yet.</p>`;
  const counts = STATUSES.filter((s) => summary.counts?.[s])
    .map((s) => `<span class="count-chip" data-testid="summary-count" data-status="${s}" data-count="${summary.counts[s]}">${statusBadge(s)}<b>${summary.counts[s]}</b></span>`)
    .join("");
  const byProvider = PROVIDERS.map((p) => `${esc(PROVIDER_LABELS[p])} <b>${summary.byProvider?.[p] ?? 0}</b>`).join(" · ");
  const f = summary.flags ?? {};
  const errorList = errors.length
    ? `<div class="panel-errors" data-testid="drilldown-errors">${errors
        .map((e) => `<div class="banner error small" data-testid="drilldown-error" data-provider="${esc(e.provider ?? "")}"><b>${esc(PROVIDER_LABELS[e.provider] ?? "Provider")}</b> did not answer — ${esc(describeError(e).text)}</div>`)
        .join("")}</div>`
    : "";

  return `${errorList}
    ${verdictHtml(summary)}
    <dl class="facts">
      <div><dt>Current status</dt><dd data-testid="current-status" data-status="${esc(summary.currentStatus ?? "")}">${current}</dd></div>
      <div><dt>Last approved</dt><dd data-testid="last-approved">${summary.lastApprovedAt ? esc(fmtTime(summary.lastApprovedAt)) : '<span class="muted">never</span>'}</dd></div>
      <div><dt>Sessions</dt><dd data-testid="session-count" data-count="${summary.sessionCount}"><b>${summary.sessionCount}</b> <span class="muted small">${byProvider}</span></dd></div>
    </dl>
    <h4>History rules</h4>
    <ul class="flags">
      ${flagHtml(f.approvedLivenessWithinDays, false, `Approved liveness within ${SUMMARY_OPTIONS.livenessWithinDays} days`, f.approvedLivenessWithinDays ? "Liveness can be skipped on re-verification." : "Ask for a liveness check again.", "flag-liveness")}
      ${flagHtml(false, f.newestDeclined, "Newest session declined", f.newestDeclined ? "Require additional checks." : "No.", "flag-declined")}
      ${flagHtml(false, f.sessionSpike, "Session-count spike", `${summary.sessionsInWindow ?? 0} sessions in the last ${SUMMARY_OPTIONS.spikeWindowDays} days (flagged above ${SUMMARY_OPTIONS.spikeThreshold})${f.sessionSpike ? ": review the account." : "."}`, "flag-spike")}
    </ul>
    <h4>Latest result per check</h4>
    ${checks}
    <h4>Sessions per status</h4>
    <div class="count-chips">${counts || '<span class="muted small">none</span>'}</div>
    <h4>History <span class="muted small">(newest first)</span></h4>
    <ol class="history" data-testid="history">${sessions.map(historyItem).join("")}</ol>
    <h4>Identifiers</h4>
    ${refList(refs)}`;
}

/**
 * Opens the panel for a person (or, for a session whose user is not in the directory, for that
 * one provider reference). Returns when the panel is filled; a newer open() cancels an older one.
 */
export function createDrilldown({ panel, getClient }) {
  const body = panel.querySelector("[data-role=body]");
  const title = panel.querySelector("[data-role=title]");
  const subtitle = panel.querySelector("[data-role=subtitle]");
  let controller = null;

  const close = () => {
    controller?.abort();
    panel.hidden = true;
    panel.dataset.state = "closed";
    document.body.classList.remove("drawer-open");
  };
  panel.querySelector("[data-action=close]").addEventListener("click", close);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !panel.hidden && !document.querySelector("dialog[open]")) close();
  });

  async function open(person, session) {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    const refs = userRefs(person, session);
    title.textContent = person?.name ?? session?.person?.fullName ?? session?.userRef ?? "Unknown user";
    subtitle.textContent = person ? [person.country, person.mangopayUserType === "LEGAL" ? "business user" : null].filter(Boolean).join(" · ") : "not in the user directory";
    panel.hidden = false;
    panel.dataset.state = "loading";
    panel.dataset.user = person ? String(person.index) : session?.userRef ?? "";
    document.body.classList.add("drawer-open");
    body.innerHTML = `<div class="loading-block"><span class="spinner"></span> Asking ${PROVIDERS.filter((p) => refs[p]).map((p) => PROVIDER_LABELS[p]).join(", ")}…</div>`;
    try {
      // details: Mangopay list rows lack checks and the hosted URL; fetch each session's View.
      const { sessions, errors } = await getClient().listUserSessions(refs, { signal, details: true });
      if (signal.aborted) return;
      const summary = summarize(sessions, SUMMARY_OPTIONS);
      body.innerHTML = summaryHtml(summary, sessions, errors, refs);
      panel.dataset.verified = String(summary.verified);
      panel.dataset.state = "ready";
    } catch (e) {
      if (signal.aborted) return;
      body.innerHTML = `<div class="banner error" data-testid="drilldown-error">Could not load this user — ${esc(describeError(e).text)}</div>`;
      panel.dataset.state = "error";
    }
  }

  return { open, close };
}
