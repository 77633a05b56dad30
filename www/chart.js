// Status distribution of the current view: one horizontal bar per unified status, in the badge
// colours. Each bar is a button that filters the table by that status.

import { STATUSES, STATUS_LABELS, esc, fmtCount } from "./ui.js";

export function countByStatus(rows) {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const row of rows) counts[row.session.status] = (counts[row.session.status] ?? 0) + 1;
  return counts;
}

export function renderChart(container, counts, selected) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...Object.values(counts));
  container.innerHTML = STATUSES.map((status) => {
    const n = counts[status] ?? 0;
    const width = n ? Math.max(1.5, (n / max) * 100) : 0;
    const share = total ? Math.round((n / total) * 100) : 0;
    const cls = ["bar-row", n ? "" : "zero", selected === status ? "active" : ""].filter(Boolean).join(" ");
    return `<button type="button" class="${cls}" data-testid="chart-bar" data-status="${esc(status)}" data-count="${n}"
        aria-pressed="${selected === status}" title="${esc(`${STATUS_LABELS[status]}: ${n} (${share}%) — click to filter`)}">
      <span class="bar-label"><i class="dot s-${esc(status)}"></i>${esc(status === "resubmission_requested" ? "Resubmission" : STATUS_LABELS[status])}</span>
      <span class="bar-track"><span class="bar-fill s-${esc(status)}" style="width:${width.toFixed(1)}%"></span></span>
      <span class="bar-count">${fmtCount(n)}</span>
    </button>`;
  }).join("");
}
