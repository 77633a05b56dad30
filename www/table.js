// The sessions table: renders the first `limit` rows of the current view (one innerHTML write,
// fast enough for a few hundred rows); "show more" raises the limit.

import { esc, fmtTime, providerChip, providerStatusText, statusBadge, externalLink } from "./ui.js";

export const PAGE_SIZE = 200;

/** One row of the view: the package's Session plus what the dashboard derives from it. */
export function makeRow(session, person) {
  const name = person?.name ?? session.person?.fullName ?? "";
  return {
    session,
    person,
    name,
    time: Date.parse(session.createdAt) || 0,
    haystack: [
      session.id,
      session.key,
      session.userRef,
      name,
      session.person?.fullName,
      session.providerStatus,
      session.providerResult,
      session.provider,
    ]
      .filter(Boolean)
      .join("\n")
      .toLowerCase(),
  };
}

// Mangopay's list rows carry no hosted URL (its View does: see the user's history).
function noLink(s) {
  const why = s.provider === "mangopay" ? "Mangopay lists carry no hosted URL: open the user's history" : "No verification URL";
  return `<span class="muted" title="${esc(why)}">—</span>`;
}

function rowHtml(row, highlighted, flashing) {
  const s = row.session;
  // Didit's sessions carry no update time: a row updated live shows when the notification came.
  const updated = s.updatedAt ?? row.liveAt;
  const updatedTip = s.updatedAt ?? (row.liveAt ? `notification received ${row.liveAt}` : "");
  const classes = [highlighted ? "fresh" : "", flashing ? "flash" : ""].filter(Boolean).join(" ");
  const user = row.name || s.userRef || "—";
  const ref = row.name && s.userRef ? `<div class="ref mono">${esc(s.userRef)}</div>` : "";
  const userCell = s.userRef
    ? `<button type="button" class="user-link${row.name ? "" : " mono"}" data-testid="user-link" title="Open this user's verification history">${esc(user)}</button>${ref}`
    : `<span class="muted">${esc(user)}</span>`;
  return `<tr data-testid="session-row" data-provider="${esc(s.provider)}" data-status="${esc(s.status)}" data-key="${esc(s.key)}"${classes ? ` class="${classes}"` : ""}>
    <td class="nowrap" title="${esc(s.createdAt)}">${esc(fmtTime(s.createdAt))}</td>
    <td>${providerChip(s.provider)}</td>
    <td class="user">${userCell}</td>
    <td>${statusBadge(s.status, providerStatusText(s))}</td>
    <td class="mono id" title="${esc(s.id)}">${esc(s.id)}</td>
    <td class="nowrap muted" data-testid="updated" title="${esc(updatedTip)}">${esc(fmtTime(updated))}</td>
    <td class="link">${externalLink(s.verificationUrl, "Open ↗", "verification-link") || noLink(s)}</td>
  </tr>`;
}

/** Renders `rows.slice(0, limit)`; returns how many rows are shown. `highlightKeys`: sessions
 * created in this tab; `flashKeys`: sessions just updated live (a short flash). */
export function renderTable({ tbody, rows, limit, highlightKeys, flashKeys = new Set() }) {
  const shown = rows.slice(0, limit);
  if (shown.length === 0) {
    tbody.innerHTML = `<tr class="empty"><td colspan="7">No sessions match these filters.</td></tr>`;
    return 0;
  }
  tbody.innerHTML = shown.map((row) => rowHtml(row, highlightKeys.has(row.session.key), flashKeys.has(row.session.key))).join("");
  return shown.length;
}
