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

export const MANGOPAY_USER_ID = "user_m_01JTG7NDTE52MZCCF50QHJ870A";

/**
 * One list body for `provider` with `n` rows, as the object a page would
 * hold after `JSON.parse`, plus the normalize options it needs.
 */
export function listBody(provider, n, seed = 1, page = {}) {
  if (provider === "mangopay") return { body: mangopayRows(n, seed), options: { userId: MANGOPAY_USER_ID } };
  if (provider === "equals") return { body: equalsBody(n, seed, page), options: undefined };
  if (provider === "didit") return { body: diditBody(n, seed, page), options: undefined };
  throw new Error(`unknown provider ${provider}`);
}
