// Shared labels and small HTML helpers. Everything that reaches innerHTML goes through esc().

export const PROVIDERS = ["mangopay", "equals", "didit", "onfido", "stripe"];

export const PROVIDER_LABELS = { mangopay: "Mangopay", equals: "Equals Money", didit: "Didit", onfido: "Onfido", stripe: "Stripe Identity" };
const PROVIDER_SHORT = { mangopay: "Mangopay", equals: "Equals", didit: "Didit", onfido: "Onfido", stripe: "Stripe" };

/** The unified statuses, in the order a compliance team reads them. */
export const STATUSES = [
  "approved",
  "in_review",
  "in_progress",
  "not_started",
  "resubmission_requested",
  "declined",
  "expired",
  "abandoned",
  "canceled",
  "outdated",
  "error",
  "unknown",
];

export const STATUS_LABELS = {
  not_started: "Not started",
  in_progress: "In progress",
  in_review: "In review",
  approved: "Approved",
  declined: "Declined",
  resubmission_requested: "Resubmission requested",
  expired: "Expired",
  abandoned: "Abandoned",
  canceled: "Canceled",
  outdated: "Outdated",
  error: "Error",
  unknown: "Unknown",
};

export const CHECK_KIND_LABELS = {
  document: "Identity document",
  liveness: "Liveness",
  face_match: "Face match",
  age: "Age",
  name_match: "Name match",
  aml: "AML screening",
  proof_of_address: "Proof of address",
  nfc: "NFC chip",
  phone: "Phone",
  email: "Email",
  ip_analysis: "IP analysis",
  database: "Database check",
  business: "Business",
  other: "Other",
};

const CHECK_STATUS = {
  approved: ["approved", "Approved"],
  declined: ["declined", "Declined"],
  in_review: ["in_review", "In review"],
  not_finished: ["not_started", "Not finished"],
  unknown: ["unknown", "Unknown"],
};

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** `2026-10-31T14:05:21Z` -> `2026-10-31 14:05` (the package gives RFC 3339 UTC). */
export function fmtTime(iso) {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "—";
}

export function fmtCount(n) {
  return Number(n).toLocaleString("en-US");
}

/** The provider's own words for a session's status, e.g. `completed + approved`. */
export function providerStatusText(session) {
  return session.providerResult ? `${session.providerStatus} + ${session.providerResult}` : session.providerStatus;
}

export function statusBadge(status, title) {
  const label = STATUS_LABELS[status] ?? status;
  const tip = title ? ` title="${esc(title)}"` : "";
  return `<span class="badge s-${esc(status)}" data-testid="status-badge" data-status="${esc(status)}"${tip}>${esc(label)}</span>`;
}

export function checkBadge(check) {
  const [cls, label] = CHECK_STATUS[check.status] ?? CHECK_STATUS.unknown;
  const tip = `${check.providerType}${check.providerStatus ? `: ${check.providerStatus}` : ""}`;
  return `<span class="badge small s-${cls}" data-testid="check-badge" data-check-status="${esc(check.status)}" title="${esc(tip)}">${esc(label)}</span>`;
}

export function providerChip(provider) {
  return `<span class="prov prov-${esc(provider)}" title="${esc(PROVIDER_LABELS[provider] ?? provider)}">${esc(PROVIDER_SHORT[provider] ?? provider)}</span>`;
}

/** An IdvError (or anything thrown) as one readable line. */
export function describeError(e) {
  if (!e || typeof e !== "object") return { code: "error", text: String(e) };
  const code = e.code ?? e.name ?? "error";
  const http = e.httpStatus ? ` · HTTP ${e.httpStatus}` : "";
  return { code, text: `${code}${http}: ${e.message ?? String(e)}` };
}

export function externalLink(url, label, testid) {
  if (!url || !/^https?:\/\//i.test(url)) return "";
  return `<a class="ext" href="${esc(url)}" target="_blank" rel="noopener noreferrer" data-testid="${esc(testid)}">${esc(label)}</a>`;
}
