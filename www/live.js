// Live updates: the demo server verifies the providers' webhooks (parseWebhook) and pushes each
// accepted event, with the session it is about, over Server-Sent Events (/api/events). This
// module holds the connection, the event feed and the demo's "change a status" control; app.js
// applies the sessions to the table.
//
// A message: { seq, receivedAt, event: WebhookEvent, key, session, source: "event" | "fetched" |
// null, resolveError, replay? }. `session` is what the server trusts: the event's own when its
// body is signed, else fetched from the provider. Without it (the fetch failed) the feed shows the
// event as unconfirmed and the table is left alone; so it does for an event about no session
// (Onfido's check and report events name no run, a Stripe event about something else than a
// verification session), shown by its type. `replay: "backlog"` marks the events a page gets
// when it connects (already reflected in what it loads), `replay: "missed"` those missed while
// reconnecting.

import { PROVIDER_LABELS, esc, fmtCount, providerChip, statusBadge } from "./ui.js";

export const FEED_SIZE = 20;

const VERIFICATION_TIPS = {
  signature: "The whole body is signed by the provider and was verified",
  envelope: "Only the id, status, type and time are signed",
  none: "The provider signs nothing: the session was fetched from the provider to confirm it",
};

/** Status values the demo control offers, per provider (the provider's own words). Mangopay
 * notifies only these five; Equals' `completed+<result>` sets status and result. An Onfido run
 * entering an end status (approved, declined, review, abandoned, error) sends its completed run,
 * signed; another status, the task events, after which the server fetches the run. Stripe's
 * `requires_input+<code>` sets the status and its `last_error.code` (abandoned, or a reason to
 * ask again); every change sends the session in a signed event. */
export const DEMO_STATUSES = {
  mangopay: ["VALIDATED", "REFUSED", "REVIEW", "OUT_OF_DATE", "EXPIRED"],
  equals: ["in_progress", "completed+approved", "completed+declined", "completed+resubmission_requested", "expired", "to_be_completed"],
  didit: ["Approved", "Declined", "In Review", "In Progress", "Awaiting User", "Resubmitted", "Abandoned", "Expired", "Kyc Expired", "Not Started"],
  onfido: ["approved", "declined", "review", "processing", "awaiting_client_input", "awaiting_input", "abandoned", "error"],
  stripe: ["verified", "processing", "requires_input", "requires_input+abandoned", "requires_input+document_expired", "requires_input+selfie_face_mismatch", "canceled"],
};

/** `2026-11-25T17:41:41.183Z` -> `17:41:41` (UTC, as the rest of the page). */
function fmtClock(iso) {
  return iso ? iso.slice(11, 19) : "—";
}

/**
 * Subscribes to the server's events. `onMessage(msg)` for each event, `onStats(stats)` for the
 * counters, `onState("connecting" | "live" | "reconnecting" | "closed")`.
 */
export function connectLive(url, { onMessage, onStats, onState }) {
  const source = new EventSource(url);
  onState("connecting");
  source.addEventListener("open", () => onState("live"));
  source.addEventListener("error", () => onState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting"));
  source.addEventListener("message", (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    onMessage(msg);
  });
  source.addEventListener("stats", (e) => {
    try {
      onStats(JSON.parse(e.data));
    } catch {
      // ignore a malformed counter update
    }
  });
  return source;
}

/** The event feed card: newest first, the last FEED_SIZE events, and the counters. */
export function createFeed(card) {
  const list = card.querySelector("[data-testid=feed-list]");
  const count = card.querySelector("[data-testid=feed-count]");
  const rejected = card.querySelector("[data-testid=feed-rejected]");
  const stateEl = card.querySelector("[data-testid=feed-state]");
  const seen = new Set();
  card.hidden = false;

  return {
    setState(state) {
      card.dataset.state = state;
      stateEl.textContent = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…", closed: "offline" }[state] ?? state;
    },
    setStats(stats) {
      count.dataset.count = String(stats.accepted);
      count.textContent = `${fmtCount(stats.accepted)} received`;
      rejected.dataset.count = String(stats.rejected);
      rejected.textContent = `${fmtCount(stats.rejected)} rejected`;
      rejected.classList.toggle("bad", stats.rejected > 0);
      const last = stats.lastRejection;
      rejected.title = last
        ? `Last rejected: ${PROVIDER_LABELS[last.provider] ?? last.provider}, HTTP ${last.status} (${last.code}) at ${last.at}: ${last.message}`
        : "Deliveries whose signature or format did not verify: answered 401/400, never shown";
      if (stats.duplicates) count.title = `${stats.duplicates} duplicate deliveries (retries) ignored`;
    },
    add(msg) {
      if (seen.has(msg.seq)) return;
      seen.add(msg.seq);
      list.querySelector(".feed-empty")?.remove();
      list.insertAdjacentHTML("afterbegin", itemHtml(msg));
      // Newest first: a late replayed message goes to its place by seq.
      const items = [...list.querySelectorAll("[data-testid=feed-item]")];
      if (items.length > 1 && Number(items[0].dataset.seq) < Number(items[1].dataset.seq)) {
        items.sort((a, b) => Number(b.dataset.seq) - Number(a.dataset.seq));
        list.append(...items);
      }
      for (const item of [...list.querySelectorAll("[data-testid=feed-item]")].slice(FEED_SIZE)) item.remove();
    },
  };
}

function itemHtml(msg) {
  const e = msg.event ?? {};
  // An event that names no status and came with no session shows its type instead of a badge.
  const status = msg.session?.status ?? e.status ?? "";
  const providerStatus = msg.session?.providerStatus ?? e.providerStatus ?? e.providerType ?? "";
  const what = status
    ? statusBadge(status, providerStatus)
    : `<span class="feed-type mono" data-testid="feed-type" title="${esc(e.providerType ?? "")}">${esc(e.providerType ?? e.type ?? "event")}</span>`;
  const verification = e.verification ?? "none";
  const note = msg.resolveError
    ? `<span class="feed-note bad" title="${esc(`${msg.resolveError.code}: ${msg.resolveError.message}`)}">unconfirmed</span>`
    : msg.source === "fetched"
      ? `<span class="feed-note" title="The server fetched the session from the provider">fetched</span>`
      : msg.source === "event"
        ? `<span class="feed-note" title="The session came in the signed body">signed body</span>`
        : "";
  const sessionId = e.sessionId ?? "";
  return `<li class="feed-item${msg.replay ? " replayed" : ""}" data-testid="feed-item" data-seq="${esc(msg.seq)}" data-provider="${esc(e.provider)}"
      data-status="${esc(status)}" data-verification="${esc(verification)}" data-key="${esc(msg.key ?? "")}"
      data-session-id="${esc(sessionId)}" data-event-id="${esc(e.id)}" data-source="${esc(msg.source ?? "")}"
      title="${esc(`${e.providerType ?? ""} · event ${e.id ?? ""} · occurred ${e.occurredAt ?? "?"} · received ${msg.receivedAt}`)}">
    <div class="feed-line"><span class="feed-time mono">${esc(fmtClock(msg.receivedAt))}</span>${providerChip(e.provider)}${what}</div>
    <div class="feed-line sub"><span class="vbadge v-${esc(verification)}" data-testid="verification-badge" title="${esc(VERIFICATION_TIPS[verification] ?? "")}">${esc(verification)}</span>
      <span class="mono muted feed-id" title="${esc(sessionId)}">${esc(sessionId)}</span>${note}</div>
  </li>`;
}

/**
 * The demo control that changes a session's status at the mock (POST /api/demo/status); the
 * mock then sends the webhook, which comes back through the feed. `getRows()` gives the rows
 * to offer (the newest of the current view).
 */
export function initStatusControl(box, { getRows }) {
  const sessionSelect = box.querySelector("[data-testid=demo-status-session]");
  const statusSelect = box.querySelector("[data-testid=demo-status-value]");
  const button = box.querySelector("[data-testid=demo-status-apply]");
  const result = box.querySelector("[data-testid=demo-status-result]");
  box.hidden = false;

  const selected = () => getRows().find((row) => row.session.key === sessionSelect.value)?.session ?? null;
  let filledFor = null; // the session key the status list was made for
  const fillStatuses = () => {
    const s = selected();
    const options = s ? DEMO_STATUSES[s.provider] ?? [] : [];
    const current = s ? (s.providerResult ? `${s.providerStatus}+${s.providerResult}` : s.providerStatus) : "";
    const keep = statusSelect.value;
    const sameSession = filledFor === (s?.key ?? null);
    filledFor = s?.key ?? null;
    statusSelect.innerHTML = options.map((v) => `<option value="${esc(v)}">${esc(v.replace("+", " + "))}</option>`).join("");
    // The user's choice stays while the session does; else a status other than the current one,
    // so that "Change" changes something.
    statusSelect.value = sameSession && options.includes(keep) ? keep : options.find((v) => v !== current) ?? "";
    button.disabled = !s;
  };
  sessionSelect.addEventListener("change", fillStatuses);

  button.addEventListener("click", async () => {
    const s = selected();
    if (!s || !statusSelect.value) return;
    const [status, result2] = statusSelect.value.split("+");
    const { id } = s;
    const applicationId = s.extra?.applicationId;
    button.disabled = true;
    result.textContent = "Sending…";
    try {
      const res = await fetch("/api/demo/status", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ provider: s.provider, id, status, result: result2, applicationId }),
      });
      const body = await res.json().catch(() => ({}));
      result.dataset.state = res.ok ? "ok" : "error";
      result.textContent = res.ok
        ? `${PROVIDER_LABELS[s.provider]} now says ${statusSelect.value.replace("+", " + ")}: its webhook updates the row.`
        : `Refused: ${body.message ?? `HTTP ${res.status}`}`;
    } catch (e) {
      result.dataset.state = "error";
      result.textContent = `Failed: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });

  return {
    /** Offer the newest rows of the view (kept as is while the user is choosing). */
    update() {
      if (document.activeElement === sessionSelect || document.activeElement === statusSelect) return;
      const rows = getRows();
      const keep = sessionSelect.value;
      sessionSelect.innerHTML = rows
        .map((row) => {
          const s = row.session;
          const who = row.name || s.userRef || "";
          const label = `${PROVIDER_LABELS[s.provider]} · ${s.providerResult ? `${s.providerStatus} + ${s.providerResult}` : s.providerStatus} · ${who} · ${s.id.slice(0, 10)}…`;
          return `<option value="${esc(s.key)}">${esc(label)}</option>`;
        })
        .join("");
      if (rows.some((row) => row.session.key === keep)) sessionSelect.value = keep;
      fillStatuses();
    },
  };
}
