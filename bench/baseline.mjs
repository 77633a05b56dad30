// The benchmarks' baseline: a straightforward hand-written JavaScript
// normalizer of the same mapping as the package (SPEC sections 2, 3 and 9):
// JSON.parse + map to the unified Session shape. No tricks: a status token and
// a table lookup per status, a regex for ISO times, object literals, optional
// fields added only when present. Runs in Node and in a browser.

const TERMINAL = new Set(["approved", "declined", "expired", "abandoned", "canceled", "outdated", "error"]);

const MANGOPAY_STATUS = {
  pending: "in_progress",
  review: "in_review",
  validated: "approved",
  refused: "declined",
  expired: "expired",
  timeout: "abandoned",
  out_of_date: "outdated",
  outdated: "outdated",
  error: "error",
};
const EQUALS_STATUS = { to_be_completed: "not_started", in_progress: "in_progress", expired: "expired" };
const EQUALS_RESULT = { approved: "approved", declined: "declined", resubmission_requested: "resubmission_requested" };
const DIDIT_STATUS = {
  not_started: "not_started",
  in_progress: "in_progress",
  awaiting_user: "in_progress",
  in_review: "in_review",
  approved: "approved",
  declined: "declined",
  resubmitted: "resubmission_requested",
  expired: "expired",
  abandoned: "abandoned",
  kyc_expired: "outdated",
};
const ONFIDO_STATUS = {
  awaiting_input: "in_progress",
  processing: "in_review",
  awaiting_client_input: "in_review",
  review: "in_review",
  approved: "approved",
  declined: "declined",
  abandoned: "abandoned",
  error: "error",
};
/** Stripe `status`; `requires_input` is qualified by `last_error.code` (mapStatus). */
const STRIPE_STATUS = { processing: "in_review", verified: "approved", canceled: "canceled" };
const CHECK_STATUS = {
  validated: "approved",
  approved: "approved",
  refused: "declined",
  declined: "declined",
  review: "in_review",
  in_review: "in_review",
  not_finished: "not_finished",
};
const MANGOPAY_KIND = {
  identity_document_verification: "document",
  idv_age_check: "age",
  idv_name_match_check: "name_match",
  business_verification: "business",
  business_name_match: "business",
  business_insights_match: "business",
};
const DIDIT_KIND = {
  id_verification: "document", id_verifications: "document",
  liveness: "liveness", liveness_checks: "liveness",
  face_match: "face_match", face_matches: "face_match",
  age_estimation: "age",
  aml: "aml", aml_screenings: "aml",
  poa: "proof_of_address", poa_verifications: "proof_of_address",
  nfc: "nfc", nfc_verifications: "nfc",
  phone: "phone", phone_verifications: "phone",
  email: "email", email_verifications: "email",
  ip_analysis: "ip_analysis", ip_analyses: "ip_analysis",
  database_validation: "database", database_validations: "database",
};
const DIDIT_BLOCKS = [
  "id_verifications", "nfc_verifications", "liveness_checks", "face_matches", "poa_verifications",
  "document_ai_documents", "phone_verifications", "email_verifications", "aml_screenings",
  "ip_analyses", "database_validations", "questionnaire_responses",
];

/** Tolerant matching: case, and runs of spaces/underscores/dashes, do not matter. */
function token(text) {
  return text.trim().toLowerCase().replace(/[ _\t-]+/g, "_").replace(/^_+|_+$/g, "");
}

const has = (table, key) => Object.prototype.hasOwnProperty.call(table, key);
const lookup = (table, text, fallback) => {
  const t = token(text);
  return has(table, t) ? table[t] : fallback;
};

export function mapStatus(provider, status, result) {
  if (provider === "mangopay") return lookup(MANGOPAY_STATUS, status, "unknown");
  if (provider === "didit") return lookup(DIDIT_STATUS, status, "unknown");
  if (provider === "onfido") return lookup(ONFIDO_STATUS, status, "unknown");
  const t = token(status);
  if (provider === "stripe") {
    if (t !== "requires_input") return has(STRIPE_STATUS, t) ? STRIPE_STATUS[t] : "unknown";
    // No error code: in progress; `abandoned`; any other code: resubmission requested.
    if (result === undefined || result === null) return "in_progress";
    const r = token(result);
    return r === "" ? "in_progress" : r === "abandoned" ? "abandoned" : "resubmission_requested";
  }
  if (t === "completed") {
    if (result === undefined || result === null || token(result) === "") return "in_review";
    return lookup(EQUALS_RESULT, result, "unknown");
  }
  return has(EQUALS_STATUS, t) ? EQUALS_STATUS[t] : "unknown";
}

const checkStatus = (text) => lookup(CHECK_STATUS, text, "unknown");

function mangopayKind(type) {
  const t = token(type);
  if (has(MANGOPAY_KIND, t)) return MANGOPAY_KIND[t];
  return t.startsWith("psc_") ? "business" : "other";
}

// ---- field access (the package's field policy: wrong type or empty = absent) ----

const str = (o, k) => {
  const v = o[k];
  return typeof v === "string" && v !== "" ? v : undefined;
};

function decodeError(provider, message) {
  const e = new Error(`${provider}: ${message}`);
  e.name = "IdvError";
  e.code = "decode";
  e.provider = provider;
  e.retryable = false;
  return e;
}

function required(provider, o, k) {
  const v = o[k];
  if (typeof v === "string" && v !== "") return v;
  throw decodeError(provider, `field \`${k}\` is missing, empty or not a string`);
}

// ---- times: RFC 3339 UTC out, fractions kept in groups of 3 digits ----

const ISO = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))?$/;

function fraction(nanos9) {
  if (nanos9 === "000000000") return "";
  if (nanos9.endsWith("000000")) return "." + nanos9.slice(0, 3);
  if (nanos9.endsWith("000")) return "." + nanos9.slice(0, 6);
  return "." + nanos9;
}

function utcSeconds(ms) {
  const d = new Date(ms);
  const text = d.toISOString();
  return text.slice(0, text.length - 5); // drop ".sssZ"
}

/** An ISO 8601 / RFC 3339 date-time to RFC 3339 UTC; undefined when it is none. */
export function isoToUtc(text) {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const year = +y, month = +mo, day = +d, hour = +h, minute = +mi, second = +s;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  if (date.getUTCDate() !== day) return undefined; // 2019-02-30
  let ms = date.getTime();
  if (sign) {
    if (+oh > 23 || +om > 59) return undefined;
    ms -= (sign === "-" ? -1 : 1) * (+oh * 60 + +om) * 60_000;
  }
  const nanos = frac ? frac.slice(0, 9).padEnd(9, "0") : "000000000";
  return utcSeconds(ms) + fraction(nanos) + "Z";
}

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in ms: the years RFC 3339 can write. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_000;

/**
 * Unix seconds (an integer, or a float with a fraction) to RFC 3339 UTC, the
 * fraction rounded to microseconds as the package does (`1746458497.1` is
 * `.100`, not the float's `.099999905`).
 */
export function unixToUtc(seconds) {
  if (!Number.isFinite(seconds)) return undefined;
  let whole = Math.floor(seconds);
  let micros = Math.round((seconds - whole) * 1e6);
  if (micros >= 1e6) {
    whole += 1;
    micros = 0;
  }
  const ms = whole * 1000;
  if (!(ms >= MIN_MS && ms <= MAX_MS)) return undefined;
  return utcSeconds(ms) + fraction(String(micros * 1000).padStart(9, "0")) + "Z";
}

function unixField(provider, o, k) {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number") throw decodeError(provider, `field \`${k}\` must be Unix seconds (a number)`);
  const t = unixToUtc(v);
  if (t === undefined) throw decodeError(provider, `field \`${k}\` is out of range for a timestamp`);
  return t;
}

function requiredIso(provider, o, k) {
  const t = isoToUtc(required(provider, o, k));
  if (t === undefined) throw decodeError(provider, `field \`${k}\` is not an ISO 8601 date-time`);
  return t;
}

function optionalIso(o, k) {
  const v = str(o, k);
  return v === undefined ? undefined : isoToUtc(v);
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// ---- providers ----

function mangopaySession(row, options) {
  const p = "mangopay";
  const id = str(row, "SessionId") !== undefined && row.Id === undefined ? row.SessionId : required(p, row, "Id");
  const providerStatus = required(p, row, "Status");
  const status = mapStatus(p, providerStatus);
  const createdAt = unixField(p, row, "CreationDate");
  if (createdAt === undefined) throw decodeError(p, "field `CreationDate` is missing");
  let updatedAt;
  try {
    updatedAt = unixField(p, row, "LastUpdate");
  } catch {
    updatedAt = undefined;
  }
  const checks = [];
  let firstName, lastName;
  if (Array.isArray(row.Checks)) {
    for (const c of row.Checks) {
      if (!isObject(c)) continue;
      const providerType = str(c, "Type") ?? "";
      const checkProviderStatus = str(c, "CheckStatus") ?? "";
      const reasons = [];
      if (Array.isArray(c.Reasons)) {
        for (const r of c.Reasons) {
          if (!isObject(r) || str(r, "Type") === undefined) continue;
          const reason = { code: r.Type };
          if (str(r, "Value") !== undefined) reason.detail = r.Value;
          reasons.push(reason);
        }
      }
      if (Array.isArray(c.Data)) {
        for (const d of c.Data) {
          if (!isObject(d) || str(d, "Type") === undefined || str(d, "Value") === undefined) continue;
          if (d.Type === "FIRST_NAME" || d.Type === "LEGAL_REPRESENTATIVE_FIRST_NAME") firstName ??= d.Value;
          else if (d.Type === "LAST_NAME" || d.Type === "LEGAL_REPRESENTATIVE_LAST_NAME") lastName ??= d.Value;
        }
      }
      checks.push({
        kind: mangopayKind(providerType),
        status: checkStatus(checkProviderStatus),
        providerType,
        providerStatus: checkProviderStatus,
        reasons,
      });
    }
  }
  const s = { provider: p, id, key: `mangopay:${id}`, status, providerStatus, isTerminal: TERMINAL.has(status) };
  const userRef = str(row, "UserId") ?? (options && options.userId ? options.userId : undefined);
  if (userRef !== undefined) s.userRef = userRef;
  if (str(row, "HostedUrl") !== undefined) s.verificationUrl = row.HostedUrl;
  if (str(row, "ReturnUrl") !== undefined) s.returnUrl = row.ReturnUrl;
  s.createdAt = createdAt;
  if (updatedAt !== undefined) s.updatedAt = updatedAt;
  s.checks = checks;
  if (firstName !== undefined || lastName !== undefined) {
    const person = {};
    if (firstName !== undefined) person.firstName = firstName;
    if (lastName !== undefined) person.lastName = lastName;
    s.person = person;
  }
  if (str(row, "Tag") !== undefined) s.extra = { tag: row.Tag };
  return s;
}

function equalsSession(row) {
  const p = "equals";
  const id = required(p, row, "id");
  const providerStatus = required(p, row, "status");
  const providerResult = str(row, "result");
  const status = mapStatus(p, providerStatus, providerResult);
  const createdAt = requiredIso(p, row, "createdAt");
  const updatedAt = optionalIso(row, "updatedAt");
  const applicationId = str(row, "applicationId");
  const associatedPersonId = str(row, "associatedPersonId");
  const correlationId = str(row, "correlationId");
  const s = {
    provider: p,
    id,
    key: applicationId !== undefined ? `equals:${id}:${applicationId}` : `equals:${id}`,
    status,
    providerStatus,
  };
  if (providerResult !== undefined) s.providerResult = providerResult;
  s.isTerminal = TERMINAL.has(status);
  const userRef = associatedPersonId ?? applicationId;
  if (userRef !== undefined) s.userRef = userRef;
  if (str(row, "actionUrl") !== undefined) s.verificationUrl = row.actionUrl;
  s.createdAt = createdAt;
  if (updatedAt !== undefined) s.updatedAt = updatedAt;
  s.checks = [];
  if (applicationId !== undefined || associatedPersonId !== undefined || correlationId !== undefined) {
    const extra = {};
    if (applicationId !== undefined) extra.applicationId = applicationId;
    if (associatedPersonId !== undefined) extra.associatedPersonId = associatedPersonId;
    if (correlationId !== undefined) extra.correlationId = correlationId;
    s.extra = extra;
  }
  return s;
}

function unstarted(name) {
  return { kind: lookup(DIDIT_KIND, name, "other"), status: "unknown", providerType: name, providerStatus: "", reasons: [] };
}

function diditChecks(row, person) {
  const checks = [];
  for (const block of DIDIT_BLOCKS) {
    const items = row[block];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      if (!isObject(item)) continue;
      if (block === "id_verifications") {
        person.fullName ??= str(item, "full_name");
        person.firstName ??= str(item, "first_name");
        person.lastName ??= str(item, "last_name");
        person.documentType ??= str(item, "document_type");
        person.country ??= str(item, "issuing_state");
      }
      const providerStatus = str(item, "status") ?? "";
      const reasons = [];
      if (Array.isArray(item.warnings)) {
        for (const w of item.warnings) {
          if (!isObject(w) || str(w, "risk") === undefined) continue;
          const reason = { code: w.risk };
          if (str(w, "short_description") !== undefined) reason.detail = w.short_description;
          reasons.push(reason);
        }
      }
      checks.push({ kind: lookup(DIDIT_KIND, block, "other"), status: checkStatus(providerStatus), providerType: block, providerStatus, reasons });
    }
  }
  if (checks.length > 0) return checks;
  const features = row.features;
  if (Array.isArray(features)) {
    for (const f of features) {
      if (isObject(f)) {
        const name = str(f, "feature");
        if (name === undefined) continue;
        const providerStatus = str(f, "status") ?? "";
        checks.push({ kind: lookup(DIDIT_KIND, name, "other"), status: checkStatus(providerStatus), providerType: name, providerStatus, reasons: [] });
      } else if (typeof f === "string" && f !== "") {
        checks.push(unstarted(f));
      }
    }
  } else if (typeof features === "string") {
    // Legacy sessions: one string such as "OCR + FACE".
    for (const part of features.split(/[+,]/)) {
      const name = part.trim();
      if (name !== "") checks.push(unstarted(name));
    }
  }
  return checks;
}

function diditSession(row) {
  const p = "didit";
  const id = required(p, row, "session_id");
  const providerStatus = required(p, row, "status");
  const status = mapStatus(p, providerStatus);
  const createdAt =
    (row.created_at === undefined || row.created_at === null) ? unixToUtc(Math.floor(Date.now() / 1000)) : requiredIso(p, row, "created_at");
  const updatedAt = optionalIso(row, "updated_at");
  const person = { fullName: str(row, "full_name"), country: str(row, "country"), documentType: str(row, "document_type") };
  const checks = diditChecks(row, person);
  const s = { provider: p, id, key: `didit:${id}`, status, providerStatus, isTerminal: TERMINAL.has(status) };
  if (str(row, "vendor_data") !== undefined) s.userRef = row.vendor_data;
  const url = str(row, "session_url") ?? str(row, "url");
  if (url !== undefined) s.verificationUrl = url;
  if (str(row, "callback") !== undefined) s.returnUrl = row.callback;
  s.createdAt = createdAt;
  if (updatedAt !== undefined) s.updatedAt = updatedAt;
  s.checks = checks;
  const personOut = {};
  for (const k of ["fullName", "firstName", "lastName", "country", "documentType"]) {
    if (person[k] !== undefined) personOut[k] = person[k];
  }
  if (Object.keys(personOut).length > 0) s.person = personOut;
  const extra = {};
  const n = row.session_number;
  if (typeof n === "number" && Number.isInteger(n)) extra.sessionNumber = n;
  else if (typeof n === "string" && /^\s*[+-]?\d+\s*$/.test(n)) extra.sessionNumber = parseInt(n, 10);
  if (str(row, "workflow_id") !== undefined) extra.workflowId = row.workflow_id;
  if (str(row, "session_kind") !== undefined) extra.sessionKind = row.session_kind;
  if (Object.keys(extra).length > 0) s.extra = extra;
  return s;
}

function onfidoSession(row) {
  const p = "onfido";
  const id = required(p, row, "id");
  const providerStatus = typeof row.status === "string" ? row.status : "";
  const status = mapStatus(p, providerStatus);
  const createdAt = requiredIso(p, row, "created_at");
  const updatedAt = optionalIso(row, "updated_at");
  const link = isObject(row.link) ? row.link : undefined;
  const applicantId = str(row, "applicant_id");
  const s = { provider: p, id, key: `onfido:${id}`, status, providerStatus, isTerminal: TERMINAL.has(status) };
  const userRef = str(row, "customer_user_id") ?? applicantId;
  if (userRef !== undefined) s.userRef = userRef;
  if (link !== undefined) {
    if (str(link, "url") !== undefined) s.verificationUrl = link.url;
    if (str(link, "completed_redirect_url") !== undefined) s.returnUrl = link.completed_redirect_url;
  }
  s.createdAt = createdAt;
  if (updatedAt !== undefined) s.updatedAt = updatedAt;
  s.checks = [];
  const extra = {};
  if (str(row, "workflow_id") !== undefined) extra.workflowId = row.workflow_id;
  if (applicantId !== undefined) extra.applicantId = applicantId;
  const version = row.workflow_version_id;
  if (typeof version === "number" && Number.isInteger(version)) extra.workflowVersionId = version;
  if (Array.isArray(row.tags)) {
    // Every non-empty string tag.
    const tags = row.tags.filter((t) => typeof t === "string" && t !== "");
    if (tags.length > 0) extra.tags = tags;
  }
  if (str(row, "dashboard_url") !== undefined) extra.dashboardUrl = row.dashboard_url;
  if (Object.keys(extra).length > 0) s.extra = extra;
  return s;
}

const STRIPE_CHECKS = [
  ["document", "document"], ["selfie", "face_match"], ["id_number", "database"], ["email", "email"], ["phone", "phone"],
];

/** The checks of an expanded VerificationReport. */
function stripeChecks(report) {
  const checks = [];
  for (const [name, kind] of STRIPE_CHECKS) {
    const block = report[name];
    if (!isObject(block)) continue;
    const providerStatus = str(block, "status") ?? "";
    const reasons = [];
    const error = block.error;
    if (isObject(error) && str(error, "code") !== undefined) {
      const reason = { code: error.code };
      if (str(error, "reason") !== undefined) reason.detail = error.reason;
      reasons.push(reason);
    }
    const status = providerStatus === "verified" ? "approved" : providerStatus === "unverified" ? "declined" : "unknown";
    checks.push({ kind, status, providerType: name, providerStatus, reasons });
  }
  return checks;
}

function stripeSession(row) {
  const p = "stripe";
  const id = required(p, row, "id");
  const providerStatus = typeof row.status === "string" ? row.status : "";
  const code = isObject(row.last_error) ? str(row.last_error, "code") : undefined;
  const status = mapStatus(p, providerStatus, code);
  if (row.created === undefined) throw decodeError(p, "field `created` is missing");
  const createdAt = typeof row.created === "number" ? unixToUtc(row.created) : undefined;
  if (createdAt === undefined) throw decodeError(p, "field `created` must be Unix seconds");
  const report = row.last_verification_report;
  let reportId;
  let checks;
  if (isObject(report)) {
    reportId = str(report, "id");
    checks = stripeChecks(report);
  } else {
    reportId = typeof report === "string" && report !== "" ? report : undefined;
    checks = [];
  }
  const clientReferenceId = str(row, "client_reference_id");
  const s = { provider: p, id, key: `stripe:${id}`, status, providerStatus };
  if (code !== undefined) s.providerResult = code;
  s.isTerminal = TERMINAL.has(status);
  if (clientReferenceId !== undefined) s.userRef = clientReferenceId;
  if (str(row, "url") !== undefined) s.verificationUrl = row.url;
  s.createdAt = createdAt;
  s.checks = checks;
  const outputs = row.verified_outputs;
  if (isObject(outputs)) {
    const first = str(outputs, "first_name");
    const last = str(outputs, "last_name");
    const country = isObject(outputs.address) ? str(outputs.address, "country") : undefined;
    if (first !== undefined || last !== undefined || country !== undefined) {
      const person = {};
      if (first !== undefined && last !== undefined) person.fullName = `${first} ${last}`;
      if (first !== undefined) person.firstName = first;
      if (last !== undefined) person.lastName = last;
      if (country !== undefined) person.country = country;
      s.person = person;
    }
  }
  const extra = {};
  if (str(row, "type") !== undefined) extra.type = row.type;
  if (clientReferenceId !== undefined) extra.clientReferenceId = clientReferenceId;
  const redaction = isObject(row.redaction) ? str(row.redaction, "status") : undefined;
  if (redaction !== undefined) extra.redactionStatus = redaction;
  if (reportId !== undefined) extra.lastVerificationReport = reportId;
  if (Object.keys(extra).length > 0) s.extra = extra;
  return s;
}

const decoder = new TextDecoder();

/** A list body as an object/array, JSON text or UTF-8 bytes, to the parsed value. */
function parseBody(body) {
  if (body instanceof Uint8Array) return JSON.parse(decoder.decode(body));
  if (body instanceof ArrayBuffer) return JSON.parse(decoder.decode(new Uint8Array(body)));
  if (typeof body === "string") return JSON.parse(body);
  return body;
}

/** Like the package's normalizeSession, for one provider object. */
export function normalizeSession(provider, raw, options) {
  const row = parseBody(raw);
  if (provider === "mangopay") return mangopaySession(row, options);
  if (provider === "equals") return equalsSession(row);
  if (provider === "didit") return diditSession(row);
  if (provider === "onfido") return onfidoSession(row);
  if (provider === "stripe") return stripeSession(row);
  throw new Error(`unknown provider ${provider}`);
}

const ROWS_FIELD = { equals: "rows", didit: "results", stripe: "data" };
const SESSION = { equals: equalsSession, didit: diditSession, stripe: stripeSession };

/**
 * Like the package's normalizeList: Mangopay's and Onfido's bare arrays, Equals
 * `rows`, Didit `results`, Stripe `data` (those three also as a bare array).
 */
export function normalizeList(provider, body, options) {
  const value = parseBody(body);
  if (provider === "mangopay" || provider === "onfido") {
    if (!Array.isArray(value)) throw decodeError(provider, "a list body is a JSON array");
    return provider === "mangopay" ? value.map((row) => mangopaySession(row, options)) : value.map(onfidoSession);
  }
  if (!has(ROWS_FIELD, provider)) throw new Error(`unknown provider ${provider}`);
  const rows = Array.isArray(value) ? value : value[ROWS_FIELD[provider]];
  if (!Array.isArray(rows)) throw decodeError(provider, "list body has no rows array");
  return rows.map(SESSION[provider]);
}
