// Stripe Identity's part of the seeded data set (providers-next.md 1): VerificationSessions and
// their VerificationReports, shaped as stripe-node 23.2.0 declares them
// (node_modules/stripe/esm/resources/Identity/VerificationSessions.d.ts, VerificationReports.d.ts;
// named below as `VerificationSessions.d.ts` and `VerificationReports.d.ts`).
//
// Sessions are kept newest first by `created` (ties by id, descending), the list order. Reports
// are derived on demand from their session's state and per-session seed.

import { Rng } from './rng.mjs';
import { DAY, REFERENCE_UNIX, SPAN } from './clock.mjs';

/** The API version of the mock's answers and events when a request names none: the one stripe-node
 * 23.2.0 pins (node_modules/stripe/cjs/apiVersion.js). */
export const STRIPE_API_VERSION = '2026-11-18.endive';
/** VerificationSessions.d.ts `type Status`. */
export const STRIPE_STATUSES = Object.freeze(['requires_input', 'processing', 'verified', 'canceled']);
/** A status Stripe does not have (exercises `unknown`). */
export const STRIPE_UNKNOWN_STATUS = 'requires_action';
/** VerificationSessions.d.ts `LastError.Code`. */
export const STRIPE_LAST_ERROR_CODES = Object.freeze([
  'abandoned', 'consent_declined', 'country_not_supported', 'device_not_supported', 'document_expired',
  'document_type_not_supported', 'document_unverified_other', 'email_unverified_other', 'email_verification_declined',
  'id_number_insufficient_document_data', 'id_number_mismatch', 'id_number_unverified_other', 'phone_unverified_other',
  'phone_verification_declined', 'selfie_document_missing_photo', 'selfie_face_mismatch', 'selfie_manipulated',
  'selfie_unverified_other', 'under_supported_age',
]);
/** The `verification_flow` the mock knows (a Dashboard flow: document, selfie, email and phone). */
export const STRIPE_VERIFICATION_FLOW = 'vf_1MockFlowDocSelfieEmailPhone';
/** VerificationSessions.d.ts `Options.Document.AllowedType`. */
export const STRIPE_ALLOWED_TYPES = Object.freeze(['driving_license', 'id_card', 'passport']);

/** Human reasons for the last_error codes the mock uses (Stripe's wording is not published). */
const REASONS = {
  abandoned: 'The user did not complete the verification.',
  consent_declined: 'The user declined to be verified by Stripe.',
  country_not_supported: 'The document was issued in a country that is not supported.',
  device_not_supported: 'The device used does not have a camera.',
  document_expired: 'The provided identity document has expired.',
  document_type_not_supported: 'The provided identity document is not one of the allowed types.',
  document_unverified_other: 'The provided identity document could not be verified.',
  email_unverified_other: 'The email address could not be verified.',
  email_verification_declined: 'The user declined to verify the email address.',
  id_number_insufficient_document_data: 'The document did not have enough data to match the ID number.',
  id_number_mismatch: 'The information provided could not be matched against global databases.',
  id_number_unverified_other: 'The ID number could not be verified.',
  phone_unverified_other: 'The phone number could not be verified.',
  phone_verification_declined: 'The user declined to verify the phone number.',
  selfie_document_missing_photo: 'The document does not contain a photo of a face.',
  selfie_face_mismatch: 'The selfie does not match the face on the document.',
  selfie_manipulated: 'The selfie image appears to be manipulated.',
  selfie_unverified_other: 'The selfie could not be verified.',
  under_supported_age: 'The user is under the minimum supported age.',
};
export const stripeErrorReason = (code) => REASONS[code] ?? 'The verification could not be completed.';

/** The first seeded sessions: every status, with and without last_error, every report block,
 * redaction, the unknown status. [status, last_error code | null | 'null-code', type, redaction] */
const FORCED = [
  ['requires_input', null, 'document', null],
  ['requires_input', 'abandoned', 'document', null],
  ['requires_input', 'document_expired', 'document', null],
  ['requires_input', 'null-code', 'document', null], // last_error: {code: null, reason}
  ['processing', null, 'document', null],
  ['verified', null, 'document', null], // document + selfie + id_number (ALL_CHECKS)
  ['verified', null, 'verification_flow', null], // document + selfie + email + phone
  ['canceled', null, 'document', null],
  ['verified', null, 'document', 'redacted'],
  ['requires_input', 'selfie_face_mismatch', 'document', null],
  ['requires_input', 'email_verification_declined', 'verification_flow', null],
  ['requires_input', 'phone_unverified_other', 'verification_flow', null],
  ['requires_input', 'id_number_mismatch', 'id_number', null],
  [STRIPE_UNKNOWN_STATUS, null, 'document', null],
  ['canceled', null, 'document', 'processing'],
  ['requires_input', 'consent_declined', 'document', null],
];
/** The document options of the forced `document` sessions: every check of a document session. */
const ALL_CHECKS = { document: { require_id_number: true, require_live_capture: true, require_matching_selfie: true } };
const STATUS_WEIGHTS = [
  ['verified', 50], ['requires_input', 14], ['requires_input+error', 12], ['requires_input+abandoned', 8], ['processing', 4],
  ['canceled', 10], [STRIPE_UNKNOWN_STATUS, 1],
];
const TYPE_WEIGHTS = [['document', 8], ['id_number', 1], ['verification_flow', 2]];
const IN_FLIGHT = new Set(['requires_input', 'processing', STRIPE_UNKNOWN_STATUS]);
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Stripe-shaped id: prefix, then 24 letters and digits (`vs_1Nu…`). */
export function stripeId(rng, prefix) {
  let s = `${prefix}_1`;
  for (let i = 0; i < 23; i++) s += ALNUM[rng.int(ALNUM.length)];
  return s;
}

// ---------------------------------------------------------------------------------------------
// generation

/** The Stripe data: `owners` one person per session (from data.mjs), `rng` the provider's stream;
 * `approvedOnly(person)`: verified sessions only; `interesting(person)`: always named. */
export function generateStripe(rng, people, owners, n, { approvedOnly = () => false, interesting = () => false } = {}) {
  const stripe = { sessions: [], byId: new Map(), reports: new Map() };
  for (let i = 0; i < n; i++) {
    const person = owners[i];
    let status;
    let code = null;
    let type;
    let redaction = null;
    let options;
    if (i < FORCED.length) {
      [status, code, type, redaction] = FORCED[i];
      options = type === 'document' ? structuredClone(ALL_CHECKS) : {};
    } else {
      const key = approvedOnly(person) ? 'verified' : rng.weighted(STATUS_WEIGHTS);
      [status] = key.split('+');
      type = rng.weighted(TYPE_WEIGHTS);
      options = type === 'document' ? documentOptions(rng) : {};
      if (key === 'requires_input+abandoned') code = 'abandoned';
      else if (key === 'requires_input+error') code = rng.pick(codesFor(type, options));
      if (status === 'verified' && rng.chance(0.03)) redaction = 'redacted';
    }
    const created = IN_FLIGHT.has(status) ? REFERENCE_UNIX - rng.int(14 * DAY) - 60 : REFERENCE_UNIX - SPAN + rng.int(SPAN - DAY);
    const rec = newSession(rng, {
      person,
      // a few sessions name nobody (created without client_reference_id)
      clientReferenceId: i >= FORCED.length && !interesting(person) && rng.chance(0.1) ? null : person.stripeClientReferenceId,
      type,
      created,
      metadata: rng.chance(0.5) ? { order_id: `ord_${rng.hex(8)}`, plan: rng.pick(['starter', 'pro', 'enterprise']) } : {},
      options,
    });
    setState(stripe, rng, rec, status, code === 'null-code' ? { code: null } : code === null ? null : { code });
    if (redaction) rec.redaction = { status: redaction };
    if (redaction === 'redacted') redact(rec);
    stripe.sessions.push(rec);
  }
  stripe.sessions.sort(compareSessions);
  for (const rec of stripe.sessions) stripe.byId.set(rec.id, rec);
  return stripe;
}

/** Newest first by `created`, ties by id (descending): the list order, a total order. */
export function compareSessions(a, b) {
  return b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The last_error codes that make sense for a session of `type` with `options` (a selfie error
 * only where a selfie is asked for, and so on). */
function codesFor(type, options = {}) {
  const ID = ['id_number_mismatch', 'id_number_insufficient_document_data', 'id_number_unverified_other'];
  const SELFIE = ['selfie_face_mismatch', 'selfie_manipulated'];
  if (type === 'id_number') return ID;
  const codes = ['document_expired', 'document_type_not_supported', 'document_unverified_other', 'under_supported_age', 'consent_declined'];
  if (type === 'verification_flow') return [...codes, ...SELFIE, 'email_unverified_other', 'email_verification_declined', 'phone_unverified_other', 'phone_verification_declined'];
  if (options.document?.require_matching_selfie) codes.push(...SELFIE);
  if (options.document?.require_id_number) codes.push(...ID);
  return codes;
}

function documentOptions(rng) {
  const document = {};
  if (rng.chance(0.4)) document.allowed_types = rng.chance(0.5) ? ['passport'] : ['driving_license', 'id_card', 'passport'];
  if (rng.chance(0.3)) document.require_id_number = true;
  document.require_live_capture = rng.chance(0.7);
  document.require_matching_selfie = rng.chance(0.6);
  return { document };
}

function newSession(rng, { person, clientReferenceId, type, created, metadata, options, returnUrl = null, providedDetails = null }) {
  return {
    id: stripeId(rng, 'vs'),
    created,
    status: 'requires_input',
    lastError: null,
    type,
    client_reference_id: clientReferenceId,
    metadata,
    options,
    providedDetails,
    returnUrl,
    redaction: null,
    reportId: null,
    reportCreated: null,
    token: rng.hex(24),
    personIndex: person ? person.index : null,
    detailSeed: rng.u32(),
    redacted: false,
  };
}

/**
 * Move a session to `status` with `lastError` (`null`, `{code}` or `{code: null}`; kept only in
 * requires_input). A new submission's outcome (verified, requires_input with an error other than
 * the ones raised before any submission) produces a new report; the hosted URL and client secret
 * are renewed on entering requires_input (VerificationSessions.d.ts, retrieve: "When the session
 * status is requires_input, you can use this method to retrieve a valid client_secret or url").
 */
function setState(stripe, rng, rec, status, lastError) {
  const wasInput = rec.status === 'requires_input';
  rec.status = status;
  rec.lastError = status === 'requires_input' && lastError ? { code: lastError.code ?? null, reason: lastError.reason ?? stripeErrorReason(lastError.code) } : null;
  const submitted = status === 'verified' || (rec.lastError !== null && !NOT_SUBMITTED.includes(rec.lastError.code));
  if (submitted || (status === 'canceled' && rng.chance(0.5) && rec.reportId === null)) {
    rec.reportId = stripeId(rng, 'vr');
    rec.reportCreated = rec.created + rng.range(60, 3600);
    stripe.reports.set(rec.reportId, rec);
  }
  if (status === 'requires_input' && !wasInput) rec.token = rng.hex(24);
}

/** Codes raised before the user submitted anything: no report. */
const NOT_SUBMITTED = ['abandoned', 'consent_declined', 'device_not_supported'];

/** Redaction replaces personal data and erases metadata (VerificationSessions.d.ts, redact). */
function redact(rec) {
  rec.redacted = true;
  rec.metadata = {};
  if (rec.providedDetails) rec.providedDetails = Object.fromEntries(Object.keys(rec.providedDetails).map((k) => [k, '[redacted]']));
}

// ---------------------------------------------------------------------------------------------
// the API objects

/**
 * VerificationSessions.d.ts `VerificationSession`. `expand`: a Set of `last_verification_report`,
 * `verified_outputs`. Unexpanded, `last_verification_report` is the report id and
 * `verified_outputs` is absent ("This field is not included by default").
 */
export function stripeSessionJson(rec, origin, people, expand = new Set()) {
  const input = rec.status === 'requires_input';
  const session = {
    id: rec.id,
    object: 'identity.verification_session',
    client_reference_id: rec.client_reference_id,
    client_secret: input ? `${rec.id}_secret_${rec.token}` : null,
    created: rec.created,
    last_error: rec.lastError ? { ...rec.lastError } : null,
    last_verification_report: rec.reportId,
    livemode: false,
    metadata: { ...rec.metadata },
    options: structuredClone(rec.options),
    provided_details: rec.providedDetails ? { ...rec.providedDetails } : null,
    redaction: rec.redaction ? { ...rec.redaction } : null,
    related_customer: null,
    related_customer_account: null,
    status: rec.status,
    type: rec.type,
    url: input ? `${origin}/hosted/stripe/${rec.token}${rec.returnUrl ? `?redirectURL=${encodeURIComponent(rec.returnUrl)}` : ''}` : null,
  };
  if (rec.type === 'verification_flow') session.verification_flow = STRIPE_VERIFICATION_FLOW;
  if (expand.has('last_verification_report') && rec.reportId) session.last_verification_report = stripeReportJson(rec, people);
  if (expand.has('verified_outputs')) session.verified_outputs = verifiedOutputs(rec, people);
  return session;
}

function personOf(rec, people) {
  return rec.personIndex ? people.find((p) => p.index === rec.personIndex) ?? null : null;
}

/** The checks a session's report has: by its type and options (a verification_flow: all four). */
function blocksOf(rec) {
  if (rec.type === 'id_number') return ['id_number'];
  if (rec.type === 'verification_flow') return ['document', 'selfie', 'email', 'phone'];
  const blocks = ['document'];
  if (rec.options.document?.require_matching_selfie) blocks.push('selfie');
  if (rec.options.document?.require_id_number) blocks.push('id_number');
  return blocks;
}

/** Which block a last_error code belongs to (VerificationReports.d.ts: each block's Error.Code). */
function blockOfCode(code) {
  if (code === null || code === undefined) return 'document';
  if (/^(selfie|email|phone|id_number)_/.test(code)) return code.match(/^(selfie|email|phone|id_number)_/)[1];
  return 'document';
}

/** The block error code a session-level code shows as (document errors have three codes). */
function blockErrorCode(code) {
  if (code === null || code === undefined) return null;
  if (['document_expired', 'document_type_not_supported', 'document_unverified_other'].includes(code)) return code;
  return blockOfCode(code) === 'document' ? 'document_unverified_other' : code;
}

function dateParts(iso) {
  if (!iso) return null;
  const [year, month, day] = iso.split('-').map(Number);
  return { day, month, year };
}

function redacted(rec, value) {
  return rec.redacted && value !== null ? '[redacted]' : value;
}

/** VerificationReports.d.ts `VerificationReport`. */
export function stripeReportJson(rec, people) {
  const person = personOf(rec, people);
  const rng = new Rng(rec.detailSeed);
  const failed = rec.lastError ? blockOfCode(rec.lastError.code) : rec.status === 'canceled' ? 'document' : null;
  const error = (block) => {
    if (block !== failed) return null;
    const code = rec.lastError ? blockErrorCode(rec.lastError.code) : 'document_unverified_other';
    return { code, reason: rec.lastError?.reason ?? stripeErrorReason(code) };
  };
  const status = (block) => (block === failed ? 'unverified' : 'verified');
  const first = person?.firstName ?? 'Alex';
  const last = person?.lastName ?? 'Smith';
  const report = {
    id: rec.reportId,
    object: 'identity.verification_report',
    client_reference_id: rec.client_reference_id,
    created: rec.reportCreated,
    livemode: false,
    options: rec.type === 'document' ? structuredClone(rec.options) : {},
    type: rec.type,
    verification_session: rec.id,
  };
  if (rec.type === 'verification_flow') report.verification_flow = STRIPE_VERIFICATION_FLOW;
  for (const block of blocksOf(rec)) {
    if (block === 'document') {
      report.document = {
        address: rec.redacted ? null : { city: 'London', country: 'GB', line1: `${rng.range(1, 99)} Main Street`, line2: null, postal_code: 'EC1A 1BB', state: null },
        error: error('document'),
        expiration_date: rec.redacted ? null : { day: 1 + rng.int(28), month: 1 + rng.int(12), year: 2027 + rng.int(8) },
        files: [`file_${rng.hex(24)}`, `file_${rng.hex(24)}`],
        first_name: redacted(rec, first),
        issued_date: rec.redacted ? null : { day: 1 + rng.int(28), month: 1 + rng.int(12), year: 2017 + rng.int(8) },
        issuing_country: 'GB',
        last_name: redacted(rec, last),
        status: status('document'),
        type: rng.pick(rec.options.document?.allowed_types ?? STRIPE_ALLOWED_TYPES),
      };
    } else if (block === 'selfie') {
      report.selfie = { document: `file_${rng.hex(24)}`, error: error('selfie'), selfie: `file_${rng.hex(24)}`, status: status('selfie') };
    } else if (block === 'id_number') {
      report.id_number = { error: error('id_number'), first_name: redacted(rec, first), id_number_type: 'us_ssn', last_name: redacted(rec, last), status: status('id_number') };
    } else if (block === 'email') {
      report.email = { email: redacted(rec, `${first}.${last}@example.com`.toLowerCase()), error: error('email'), status: status('email') };
    } else if (block === 'phone') {
      report.phone = { error: error('phone'), phone: redacted(rec, `+4420${rng.digits(8)}`), status: status('phone') };
    }
  }
  return report;
}

/** VerificationSessions.d.ts `VerifiedOutputs`: the verified data, only once verified (else null). */
function verifiedOutputs(rec, people) {
  if (rec.status !== 'verified') return null;
  const person = personOf(rec, people);
  const blocks = blocksOf(rec);
  const r = (v) => redacted(rec, v);
  return {
    address: rec.redacted ? null : { city: 'London', country: 'GB', line1: '1 Main Street', line2: null, postal_code: 'EC1A 1BB', state: null },
    dob: rec.redacted ? null : dateParts(person?.birthDate ?? '1990-01-01'),
    email: blocks.includes('email') ? r(`${person?.firstName ?? 'alex'}.${person?.lastName ?? 'smith'}@example.com`.toLowerCase()) : null,
    first_name: r(person?.firstName ?? 'Alex'),
    id_number_type: blocks.includes('id_number') ? 'us_ssn' : null,
    last_name: r(person?.lastName ?? 'Smith'),
    phone: blocks.includes('phone') ? r('+442071234567') : null,
  };
}

// ---------------------------------------------------------------------------------------------
// mutations; `now` is the mock clock

/** `POST /v1/identity/verification_sessions`: a new `requires_input` session at the top. */
export function createStripeSession(stripe, rng, now, { type, clientReferenceId = null, metadata = {}, options = {}, returnUrl = null, providedDetails = null, person = null }) {
  const rec = newSession(rng, { person, clientReferenceId, type, created: now, metadata, options, returnUrl, providedDetails });
  stripe.sessions.unshift(rec);
  stripe.byId.set(rec.id, rec);
  return rec;
}

/** `/__mock/insert`: new sessions with random statuses, for `clientReferenceId` when given. */
export function insertStripeSessions(stripe, rng, people, nextNow, count, clientReferenceId) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const person = clientReferenceId
      ? people.find((p) => p.stripeClientReferenceId === clientReferenceId) ?? null
      : rng.pick(people.filter((p) => p.stripeClientReferenceId));
    const type = rng.weighted(TYPE_WEIGHTS);
    const rec = createStripeSession(stripe, rng, nextNow(), {
      type,
      clientReferenceId: clientReferenceId ?? person.stripeClientReferenceId,
      metadata: { source: 'inserted' },
      options: type === 'document' ? documentOptions(rng) : {},
      person,
    });
    const [status, kind] = rng.weighted(STATUS_WEIGHTS).split('+');
    const code = kind === 'abandoned' ? 'abandoned' : kind === 'error' ? rng.pick(codesFor(type, rec.options)) : null;
    setState(stripe, rng, rec, status, code ? { code } : null);
    out.push(rec);
  }
  return out;
}

/** `/__mock/status`: any non-empty status; `lastError` `{code, reason?}` (or `{code: null}`) is
 * kept in requires_input. */
export function setStripeStatus(stripe, rng, rec, status, lastError) {
  setState(stripe, rng, rec, status, lastError ?? null);
  return rec;
}

/** `POST …/{id}/cancel`: requires_input only (VerificationSessions.d.ts, cancel). */
export function cancelStripeSession(stripe, rng, rec) {
  setState(stripe, rng, rec, 'canceled', null);
  return rec;
}

/** `POST …/{id}/redact`: requires_input (then canceled) or verified. Redaction starts as
 * `processing`; `finishStripeRedaction` makes it `redacted`. */
export function startStripeRedaction(stripe, rng, rec) {
  if (rec.status === 'requires_input') setState(stripe, rng, rec, 'canceled', null);
  rec.redaction = { status: 'processing' };
  return rec;
}

export function finishStripeRedaction(rec) {
  rec.redaction = { status: 'redacted' };
  redact(rec);
  return rec;
}
