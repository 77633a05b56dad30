// Deterministic list bodies for the normalization benchmarks, shaped like the
// providers' documented list responses (and like the mock's rows). Runs in Node
// and in a browser: no Node built-ins.

/** A small seeded PRNG (xorshift32 with a splitmix-style seed scramble). */
export class Prng {
  constructor(seed) {
    let s = (seed >>> 0) ^ 0x9e3779b9;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (s ^ (s >>> 16)) >>> 0 || 1;
  }
  u32() {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** [0, 1) */
  next() {
    return this.u32() / 4294967296;
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }
  /** `[[value, weight], …]` */
  weighted(pairs) {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.next() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  hex(n) {
    let out = "";
    while (out.length < n) out += this.u32().toString(16).padStart(8, "0");
    return out.slice(0, n);
  }
  uuid() {
    const h = this.hex(32);
    const variant = "89ab"[this.u32() & 3];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  crockford(n) {
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[this.u32() & 31];
    return out;
  }
}

const DAY = 86_400;
/** 2024-11-01 .. 2026-11-01, the window the mock's data lies in. */
const FROM = Date.UTC(2024, 10, 1) / 1000;
const TO = Date.UTC(2026, 10, 1) / 1000;

const MANGOPAY_STATUSES = [
  ["VALIDATED", 40], ["REFUSED", 12], ["PENDING", 14], ["EXPIRED", 8], ["TIMEOUT", 6],
  ["OUT_OF_DATE", 6], ["OUTDATED", 3], ["REVIEW", 6], ["ERROR", 2], ["ON_HOLD", 1],
];
const EQUALS_STATUSES = [
  ["completed+approved", 38], ["completed+declined", 10], ["completed+resubmission_requested", 6],
  ["completed", 8], ["to_be_completed", 12], ["in_progress", 12], ["expired", 12], ["paused", 2],
];
const DIDIT_STATUSES = [
  ["Approved", 36], ["Declined", 10], ["In Review", 6], ["Not Started", 10], ["In Progress", 8],
  ["Awaiting User", 4], ["Resubmitted", 4], ["Expired", 10], ["Abandoned", 6], ["Kyc Expired", 4],
  ["Pending Review", 2],
];
const DIDIT_WORKFLOWS = [
  { id: "a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35", label: "Standard KYC", features: ["ID_VERIFICATION", "LIVENESS", "FACE_MATCH", "IP_ANALYSIS"], weight: 55 },
  { id: "3f9e2b71-8c4d-4a6e-b5f0-7d1c9a2e6b48", label: "Enhanced KYC + AML", features: ["ID_VERIFICATION", "NFC", "LIVENESS", "FACE_MATCH", "AML", "PHONE", "EMAIL", "IP_ANALYSIS"], weight: 20 },
  { id: "c5d81a4e-2f7b-4e93-a6c0-1b8e5d3f9a72", label: "Address verification", features: ["ID_VERIFICATION", "POA", "DATABASE_VALIDATION"], weight: 15 },
  { id: "7b2e9c4f-1a6d-4f85-8e3b-9c0d2a5f7e16", label: "Age check", features: ["LIVENESS", "AGE_ESTIMATION"], weight: 10 },
];
const FIRST = ["Alejandro", "Elena", "Chloé", "Jonas", "Amara", "Wei", "Sofia", "Mateus", "Priya", "Oskar", "Fatima", "Liam"];
const LAST = ["Rosas", "Martinez Garcia", "Dubois", "Schneider", "Okafor", "Zhang", "Rossi", "Silva", "Patel", "Nilsson", "Haddad", "O'Brien"];
const COUNTRIES = ["ESP", "FRA", "DEU", "GBR", "NLD", "ITA", "PRT", "IRL", "SWE", "POL"];
const DOC_TYPES = ["ID", "P", "DL", "RP"];

function isoSeconds(unix) {
  return new Date(unix * 1000).toISOString().slice(0, 19) + "Z";
}

function isoMicros(unix, micros) {
  return new Date(unix * 1000).toISOString().slice(0, 19) + "." + String(micros).padStart(6, "0") + "Z";
}

/** Mangopay: the bare array of `{Id, Status, CreationDate, LastUpdate}` (Unix seconds). */
export function mangopayRows(n, seed = 1) {
  const rng = new Prng(seed * 3 + 1);
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const status = rng.weighted(MANGOPAY_STATUSES);
    const created = rng.int(FROM, TO);
    let last;
    if (status === "PENDING") last = rng.chance(0.5) ? null : created;
    else if (status === "EXPIRED") last = created + 7 * DAY;
    else last = created + rng.int(30, 2 * DAY);
    rows[i] = { Id: `idnver_${rng.crockford(26)}`, Status: status, CreationDate: created, LastUpdate: last };
  }
  return rows;
}

/** Equals: `{limit, offset, count, rows}`. */
export function equalsBody(n, seed = 1, { offset = 0, count = n } = {}) {
  const rng = new Prng(seed * 3 + 2);
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const [status, result] = rng.weighted(EQUALS_STATUSES).split("+");
    const created = rng.int(FROM, TO);
    const row = {
      id: rng.uuid(),
      applicationId: rng.uuid(),
      correlationId: rng.uuid(),
      actionUrl: `https://verify.equalsmoney.com/guided-id/${rng.hex(20)}`,
      status,
      createdAt: isoSeconds(created),
      updatedAt: isoSeconds(status === "to_be_completed" ? created : created + rng.int(60, 3 * DAY)),
    };
    // ~8% of rows belong to personal applications: no associatedPersonId.
    if (!rng.chance(0.08)) row.associatedPersonId = rng.uuid();
    if (result) row.result = result;
    rows[i] = row;
  }
  return { limit: n, offset, count, rows };
}

/** Didit: `{count, next, previous, results}` with rows like the docs' list row. */
export function diditBody(n, seed = 1, { offset = 0, count = n } = {}) {
  const rng = new Prng(seed * 3 + 3);
  const results = new Array(n);
  for (let i = 0; i < n; i++) {
    const status = rng.weighted(DIDIT_STATUSES);
    const workflow = rng.weighted(DIDIT_WORKFLOWS.map((w) => [w, w.weight]));
    const started = status !== "Not Started" && status !== "Expired";
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const legacy = rng.chance(0.002);
    const sessionId = rng.uuid();
    const created = rng.int(FROM, TO);
    let features;
    if (legacy) {
      features = "OCR + FACE";
    } else {
      features = workflow.features.map((feature, k) => {
        let s;
        if (status === "Approved" || status === "Kyc Expired") s = "Approved";
        else if (status === "Declined") s = k === 0 || rng.chance(0.3) ? "Declined" : "Approved";
        else if (status === "In Review" || status === "Pending Review") s = k === 1 ? "In Review" : "Approved";
        else if (status === "Not Started" || status === "Expired") s = "Not Finished";
        else s = k < 2 ? "Approved" : "Not Finished";
        return { feature, status: s };
      });
    }
    const row = {
      session_id: sessionId,
      session_kind: "user",
      session_number: count + 1000 - offset - i,
      session_url: `https://verify.didit.me/session/${rng.hex(12).toUpperCase()}`,
      portrait_image: started ? `https://service-didit-verification.s3.amazonaws.com/${sessionId}/portrait.jpg` : null,
      document_type: started ? rng.pick(DOC_TYPES) : null,
      full_name: started ? `${first} ${last}` : null,
      country: started ? rng.pick(COUNTRIES) : null,
      status,
      vendor_data: rng.chance(0.05) ? null : `user-${rng.int(1, 40000)}`,
      didit_internal_id: rng.uuid(),
      created_at: isoMicros(created, rng.int(0, 999_999)),
      features,
      workflow_label: workflow.label,
      workflow_id: workflow.id,
    };
    if (workflow.features.includes("PHONE") && started) {
      row.phone_number = { number: `+3461${rng.int(1000000, 9999999)}`, is_verified: rng.chance(0.9) };
      row.email_address = { email: `${first.toLowerCase()}.${rng.int(1, 999)}@example.com`, is_verified: rng.chance(0.9) };
    }
    results[i] = row;
  }
  const base = "https://verification.didit.me/v3/sessions/";
  return {
    count,
    next: offset + n < count ? `${base}?limit=${n}&offset=${offset + n}` : null,
    previous: offset > 0 ? `${base}?limit=${n}${offset - n > 0 ? `&offset=${offset - n}` : ""}` : null,
    results,
  };
}

const ONFIDO_STATUSES = [
  ["approved", 45], ["declined", 14], ["review", 6], ["awaiting_input", 10], ["processing", 4],
  ["awaiting_client_input", 2], ["abandoned", 12], ["error", 3], ["suspended", 1],
];
/** Studio workflows: id and version (the mock's, tests/mock/onfido-data.mjs). */
const ONFIDO_WORKFLOWS = [
  { id: "b1a7c6e2-3d4f-4a85-9c61-0e2f7d8a9b10", version: 3, weight: 6 },
  { id: "c2b8d7f3-4e5a-4b96-8d72-1f3a8e9b0c21", version: 5, weight: 3 },
  { id: "d3c9e8a4-5f6b-4ca7-9e83-2a4b9f0c1d32", version: 2, weight: 2 },
  { id: "e4d0f9b5-6a7c-4db8-8f94-3b5c0a1d2e43", version: 1, weight: 2 },
  { id: "f5e1a0c6-7b8d-4ec9-9a05-4c6d1b2e3f54", version: 4, weight: 1 },
];
const ONFIDO_TAGS = ["onboarding", "re-verification", "high-risk", "eu", "vip"];
const ONFIDO_LANGUAGES = ["en_US", "de_DE", "es_ES", "fr_FR", "it_IT", "pt_PT", "nl_NL"];
const ONFIDO_REASONS = {
  declined: [["document_rejected"], ["face_mismatch"], ["document_rejected", "watchlist_hit"], ["applicant_underage"]],
  review: [["manual_review_required"], ["watchlist_possible_match"]],
};
const REDIRECTS = ["https://dashboard.example.com/kyc/done", "https://app.example.org/onboarding/complete"];
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function chars(rng, alphabet, n) {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[rng.u32() % alphabet.length];
  return out;
}

/**
 * Onfido: `GET /workflow_runs` answers a bare array of workflow runs (spec
 * `schemas/workflow_runs/workflow_run.yaml`, shaped like the mock's). The array
 * has no page metadata, so `page` changes nothing but is taken like the others'.
 */
export function onfidoBody(n, seed = 1, _page = {}) {
  const rng = new Prng(seed * 3 + 1_000_004); // not seed * 3 + 4: that would repeat Mangopay's stream of seed + 1
  const runs = new Array(n);
  for (let i = 0; i < n; i++) {
    const status = rng.weighted(ONFIDO_STATUSES);
    const workflow = rng.weighted(ONFIDO_WORKFLOWS.map((w) => [w, w.weight]));
    const id = rng.uuid();
    const created = rng.int(FROM, TO);
    const decided = status === "approved" || status === "declined" || status === "review";
    const reasons = ONFIDO_REASONS[status];
    const run = {
      id,
      applicant_id: rng.uuid(),
      workflow_id: workflow.id,
      workflow_version_id: workflow.version,
      dashboard_url: `https://dashboard.onfido.com/results/${id}`,
      status,
      output: decided ? { decision: status, document_type: rng.pick(["passport", "driving_licence", "national_identity_card"]), issuing_country: rng.pick(COUNTRIES) } : null,
      reasons: reasons ? rng.pick(reasons) : [],
      error: status === "error" ? { type: "task_error", message: 'The task "document_check" failed: the upstream service timed out.' } : null,
      // A JWT-sized token on runs still waiting for the user (the spec's `sdk_token` is nullable).
      sdk_token: status === "awaiting_input" ? `eyJhbGciOiJIUzI1NiJ9.${chars(rng, BASE64URL, 360)}.${chars(rng, BASE64URL, 43)}` : null,
    };
    // `link`: mostly an object with `url`; sometimes null, absent, or without `url`.
    const linkMode = rng.weighted([["url", 60], ["null", 15], ["absent", 20], ["no-url", 5]]);
    if (linkMode === "null") run.link = null;
    else if (linkMode !== "absent") {
      const redirect = rng.chance(0.7) ? rng.pick(REDIRECTS) : null;
      const link = {
        completed_redirect_url: redirect,
        expired_redirect_url: redirect && rng.chance(0.5) ? REDIRECTS[0] : null,
        expires_at: rng.chance(0.5) ? isoSeconds(created + 7 * DAY) : null,
        language: rng.chance(0.4) ? rng.pick(ONFIDO_LANGUAGES) : null,
      };
      run.link = linkMode === "url" ? { url: `https://eu.onfido.app/l/${rng.hex(16)}`, ...link } : link;
    }
    const r = rng.next();
    run.tags = r < 0.4 ? [] : r < 0.8 ? [rng.pick(ONFIDO_TAGS)] : [rng.pick(ONFIDO_TAGS), rng.pick(ONFIDO_TAGS)];
    if (rng.chance(0.6)) run.customer_user_id = `user-${rng.int(1, 40000)}`;
    run.created_at = isoSeconds(created);
    run.updated_at = isoSeconds(status === "awaiting_input" ? created : created + rng.int(60, 2 * DAY));
    runs[i] = run;
  }
  return runs;
}

const STRIPE_STATUSES = [
  ["verified", 50], ["requires_input", 14], ["requires_input+error", 12], ["requires_input+abandoned", 8],
  ["requires_input+null", 1], ["processing", 4], ["canceled", 10], ["requires_action", 1],
];
const STRIPE_TYPES = [["document", 80], ["id_number", 8], ["verification_flow", 12]];
const STRIPE_CODES = {
  document: ["document_expired", "document_type_not_supported", "document_unverified_other", "under_supported_age", "consent_declined", "selfie_face_mismatch", "selfie_manipulated", "country_not_supported"],
  id_number: ["id_number_mismatch", "id_number_insufficient_document_data", "id_number_unverified_other"],
  verification_flow: ["document_expired", "document_unverified_other", "selfie_face_mismatch", "email_unverified_other", "email_verification_declined", "phone_unverified_other", "phone_verification_declined"],
};
const STRIPE_REASONS = {
  abandoned: "The user did not complete the verification.",
  consent_declined: "The user declined to be verified by Stripe.",
  document_expired: "The provided identity document has expired.",
};
const STRIPE_NOT_SUBMITTED = new Set(["abandoned", "consent_declined", "device_not_supported"]);

/**
 * Stripe: `GET /v1/identity/verification_sessions` answers `{object: "list",
 * data, has_more, url}` of VerificationSessions (stripe-node
 * `VerificationSessions.d.ts`, unexpanded as a list gives them: the report as
 * its id, no `verified_outputs`); `url` and `client_secret` only while
 * `requires_input`.
 */
export function stripeBody(n, seed = 1, { offset = 0, count = n } = {}) {
  const rng = new Prng(seed * 3 + 1_000_005);
  const data = new Array(n);
  for (let i = 0; i < n; i++) {
    const [status, kind] = rng.weighted(STRIPE_STATUSES).split("+");
    const type = rng.weighted(STRIPE_TYPES);
    const id = `vs_1${chars(rng, ALNUM, 23)}`;
    let lastError = null;
    if (kind === "abandoned") lastError = { code: "abandoned", reason: STRIPE_REASONS.abandoned };
    else if (kind === "null") lastError = { code: null, reason: "The verification could not be completed." };
    else if (kind === "error") {
      const code = rng.pick(STRIPE_CODES[type]);
      lastError = { code, reason: STRIPE_REASONS[code] ?? "The verification could not be completed." };
    }
    const submitted = status === "verified" || (lastError !== null && lastError.code !== null && !STRIPE_NOT_SUBMITTED.has(lastError.code));
    const hasReport = submitted || (status === "canceled" && rng.chance(0.5));
    let options = {};
    if (type === "document") {
      const document = {};
      if (rng.chance(0.4)) document.allowed_types = rng.chance(0.5) ? ["passport"] : ["driving_license", "id_card", "passport"];
      if (rng.chance(0.3)) document.require_id_number = true;
      document.require_live_capture = rng.chance(0.7);
      document.require_matching_selfie = rng.chance(0.6);
      options = { document };
    }
    let redaction = null;
    if (status === "verified" && rng.chance(0.03)) redaction = { status: "redacted" };
    else if (status === "canceled" && rng.chance(0.05)) redaction = { status: "processing" };
    const input = status === "requires_input";
    const token = rng.hex(24);
    const row = {
      id,
      object: "identity.verification_session",
      client_reference_id: rng.chance(0.1) ? null : `user-${rng.int(1, 40000)}`,
      client_secret: input ? `${id}_secret_test_${token}` : null,
      created: rng.int(FROM, TO),
      last_error: lastError,
      last_verification_report: hasReport ? `vr_1${chars(rng, ALNUM, 23)}` : null,
      livemode: false,
      metadata: rng.chance(0.5) ? { order_id: `ord_${rng.hex(8)}`, plan: rng.pick(["starter", "pro", "enterprise"]) } : {},
      options,
      provided_details: rng.chance(0.15) ? { email: `user${rng.int(1, 999)}@example.com`, phone: `+4420${rng.int(10000000, 99999999)}` } : null,
      redaction,
      related_customer: null,
      related_customer_account: null,
      status,
      type,
      url: input ? `https://verify.stripe.com/start/test_${token}` : null,
    };
    if (type === "verification_flow") row.verification_flow = "vf_1MockFlowDocSelfieEmailPhone";
    data[i] = row;
  }
  return { object: "list", data, has_more: offset + n < count, url: "/v1/identity/verification_sessions" };
}

export const MANGOPAY_USER_ID = "user_m_01JTG7NDTE52MZCCF50QHJ870A";

/**
 * One list body for `provider` with `n` rows, as the object a page would
 * hold after `JSON.parse`, plus the normalize options it needs.
 */
export function listBody(provider, n, seed = 1, page = {}) {
  if (provider === "mangopay") return { body: mangopayRows(n, seed), options: { userId: MANGOPAY_USER_ID } };
  if (provider === "equals") return { body: equalsBody(n, seed, page), options: undefined };
  if (provider === "didit") return { body: diditBody(n, seed, page), options: undefined };
  if (provider === "onfido") return { body: onfidoBody(n, seed, page), options: undefined };
  if (provider === "stripe") return { body: stripeBody(n, seed, page), options: undefined };
  throw new Error(`unknown provider ${provider}`);
}
