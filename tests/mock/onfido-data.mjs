// Onfido's part of the seeded data set (providers-next.md 2; the spec is onfido/onfido-openapi-spec,
// files named below as `spec <path>`): applicants, Studio workflow runs, and the classic checks and
// reports of the applicants whose runs went past the capture step.
//
// Runs are kept newest first (created_at, then id), the list's default order. Check and report ids
// are drawn when a run gets its check; report bodies (statuses, breakdowns) are derived on demand
// from the run's status and its per-run seed, so they follow `/__mock/status` changes.

import { Rng } from './rng.mjs';
import { DAY, REFERENCE_UNIX, SPAN, isoSeconds } from './clock.mjs';

/** spec schemas/workflow_runs/definitions.yaml `workflow_run_status`. */
export const ONFIDO_RUN_STATUSES = Object.freeze([
  'awaiting_input',
  'processing',
  'awaiting_client_input',
  'approved',
  'declined',
  'review',
  'abandoned',
  'error',
]);
/** A status in no table of the spec (or of SPEC section 9): exercises `unknown`. */
export const ONFIDO_UNKNOWN_STATUS = 'suspended';
/** A report name the spec's `report_name` enum does not have (exercises the `other` kind). */
export const ONFIDO_UNKNOWN_REPORT = 'biometric_reuse';

/**
 * The mock's Studio workflows: which classic reports a run of each produces. Report names are
 * spec schemas/reports/definitions.yaml `report_name`; together the workflows cover every kind
 * of SPEC section 9, `known_faces` and one unknown name.
 */
export const ONFIDO_WORKFLOWS = Object.freeze([
  { id: 'b1a7c6e2-3d4f-4a85-9c61-0e2f7d8a9b10', label: 'Document and selfie', versionId: 3, weight: 6, reports: ['document', 'facial_similarity_photo'] },
  { id: 'c2b8d7f3-4e5a-4b96-8d72-1f3a8e9b0c21', label: 'Document, video and AML', versionId: 5, weight: 3, reports: ['document', 'facial_similarity_video', 'watchlist_aml'] },
  {
    id: 'd3c9e8a4-5f6b-4ca7-9e83-2a4b9f0c1d32',
    label: 'Motion, watchlist and device',
    versionId: 2,
    weight: 2,
    reports: ['document', 'facial_similarity_motion', 'watchlist_standard', 'device_intelligence', 'known_faces'],
  },
  { id: 'e4d0f9b5-6a7c-4db8-8f94-3b5c0a1d2e43', label: 'Fully automated', versionId: 1, weight: 2, reports: ['document', 'facial_similarity_photo_fully_auto'] },
  { id: 'f5e1a0c6-7b8d-4ec9-9a05-4c6d1b2e3f54', label: 'Address and database', versionId: 4, weight: 1, reports: ['proof_of_address', 'identity_enhanced'] },
  { id: 'a6f2b1d7-8c9e-4fda-8b16-5d7e2c3f4a65', label: 'US driving licence', versionId: 1, weight: 1, reports: ['document', 'us_driving_licence'] },
  { id: 'b7a3c2e8-9d0f-4aeb-9c27-6e8f3d4a5b76', label: 'India PAN', versionId: 1, weight: 1, reports: ['india_pan', 'document'] },
  { id: 'c8b4d3f9-0e1a-4bfc-8d38-7f9a4e5b6c87', label: 'Reuse (beta)', versionId: 1, weight: 1, reports: ['document', ONFIDO_UNKNOWN_REPORT] },
]);

/** The first seeded runs: every status (and the unknown one), each workflow with a check, each
 * report status, result and document sub_result. [status, workflow index, variant] */
const FORCED = [
  ['awaiting_input', 0, 0],
  ['processing', 1, 0], // reports awaiting_data
  ['awaiting_client_input', 2, 0], // a report awaiting_approval
  ['approved', 0, 0],
  ['declined', 1, 0], // document consider + rejected
  ['review', 2, 0], // document consider + caution
  ['abandoned', 3, 0],
  ['error', 4, 0], // reports cancelled / withdrawn
  [ONFIDO_UNKNOWN_STATUS, 5, 0], // a report unidentified
  ['approved', 3, 0],
  ['approved', 4, 0],
  ['approved', 5, 0],
  ['approved', 6, 0],
  ['declined', 7, 1], // document consider + suspected
];

const STATUS_WEIGHTS = [
  ['approved', 45], ['declined', 14], ['review', 6], ['awaiting_input', 10], ['processing', 4], ['awaiting_client_input', 2],
  ['abandoned', 12], ['error', 3], [ONFIDO_UNKNOWN_STATUS, 1],
];
/** Runs in these statuses have a check on their applicant (the capture step is over). */
const WITH_CHECK = new Set(['processing', 'awaiting_client_input', 'approved', 'declined', 'review', 'error', ONFIDO_UNKNOWN_STATUS]);
/** Runs still moving: created in the last two weeks. */
const IN_FLIGHT = new Set(['awaiting_input', 'processing', 'awaiting_client_input', 'review', ONFIDO_UNKNOWN_STATUS]);
/** `link` variants: an object with `url`, `null`, absent, an object without `url`. */
const LINK_MODES = ['url', 'null', 'absent', 'no-url'];
const LINK_WEIGHTS = [['url', 60], ['null', 15], ['absent', 20], ['no-url', 5]];
const TAGS = ['onboarding', 're-verification', 'high-risk', 'eu', 'vip'];
/** spec schemas/workflow_runs/definitions.yaml `workflow_run_link.language`. */
export const ONFIDO_LINK_LANGUAGES = Object.freeze(['en_US', 'de_DE', 'es_ES', 'fr_FR', 'it_IT', 'pt_PT', 'nl_NL']);
const REDIRECTS = ['https://dashboard.example.com/kyc/done', 'https://app.example.org/onboarding/complete'];

// ---------------------------------------------------------------------------------------------
// generation

/**
 * The Onfido data: `owners` are the people of the runs (one per run, from data.mjs), `rng` the
 * provider's stream, `approvedOnly(person)` true for the "verified now" person (approved runs
 * only). Every person at Onfido has one applicant (`person.onfidoApplicantId`).
 */
export function generateOnfido(rng, people, owners, n, approvedOnly = () => false) {
  const onfido = {
    runs: [],
    byId: new Map(),
    applicants: new Map(),
    runsByApplicant: new Map(),
    checks: new Map(), // check id -> run
    reports: new Map(), // report id -> { run, index }
    workflows: ONFIDO_WORKFLOWS,
  };
  const firstRun = new Map(); // applicant id -> earliest run time
  for (let i = 0; i < n; i++) {
    const person = owners[i];
    let status;
    let workflow;
    let variant = rng.int(4);
    if (i < FORCED.length) {
      [status, workflow, variant] = FORCED[i];
      workflow = ONFIDO_WORKFLOWS[workflow];
    } else {
      status = approvedOnly(person) ? 'approved' : rng.weighted(STATUS_WEIGHTS);
      workflow = rng.weighted(ONFIDO_WORKFLOWS.map((w) => [w, w.weight]));
    }
    const created = IN_FLIGHT.has(status) ? REFERENCE_UNIX - rng.int(14 * DAY) - 60 : REFERENCE_UNIX - SPAN + rng.int(SPAN - DAY);
    const rec = newRun(rng, {
      person,
      applicantId: person.onfidoApplicantId,
      workflow,
      status,
      created,
      variant,
      linkMode: i < FORCED.length ? LINK_MODES[i % LINK_MODES.length] : rng.weighted(LINK_WEIGHTS),
      customerUserId: (i < FORCED.length ? i % 3 !== 2 : rng.chance(0.6)) ? `user-${person.index}` : null,
      tags: i < FORCED.length ? [[], ['onboarding'], ['onboarding', 'high-risk']][i % 3] : pickTags(rng),
      seeded: true,
    });
    if (WITH_CHECK.has(status)) attachCheck(onfido, rng, rec, created + rng.range(60, 900));
    onfido.runs.push(rec);
    firstRun.set(rec.applicant_id, Math.min(firstRun.get(rec.applicant_id) ?? Infinity, created));
  }
  for (const person of people) {
    if (!person.onfidoApplicantId) continue;
    const first = firstRun.get(person.onfidoApplicantId);
    const created = first === undefined ? REFERENCE_UNIX - SPAN + rng.int(SPAN - DAY) : first - rng.range(30, 3600);
    onfido.applicants.set(person.onfidoApplicantId, newApplicant(person.onfidoApplicantId, person, created));
  }
  onfido.runs.sort(compareRuns);
  for (const rec of onfido.runs) index(onfido, rec);
  return onfido;
}

/** Newest first by created_at; ties by id (descending), so the order is total. */
export function compareRuns(a, b) {
  return b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function index(onfido, rec) {
  onfido.byId.set(rec.id, rec);
  const list = onfido.runsByApplicant.get(rec.applicant_id) ?? [];
  list.push(rec);
  onfido.runsByApplicant.set(rec.applicant_id, list);
}

function pickTags(rng) {
  const r = rng.next();
  if (r < 0.4) return [];
  const tags = [rng.pick(TAGS)];
  if (r > 0.8) {
    const other = rng.pick(TAGS);
    if (other !== tags[0]) tags.push(other);
  }
  return tags;
}

function newRun(rng, { person, applicantId, workflow, status, created, variant, linkMode, customerUserId, tags, link = {}, seeded }) {
  const hasRedirect = link.completed_redirect_url !== undefined ? true : rng.chance(0.7);
  return {
    id: rng.uuid(),
    applicant_id: applicantId,
    workflow_id: workflow.id,
    workflow_version_id: workflow.versionId,
    reports: workflow.reports,
    status,
    created,
    updated: status === 'awaiting_input' ? created : Math.min(created + rng.range(60, 2 * DAY), Math.max(REFERENCE_UNIX, created)),
    tags,
    customer_user_id: customerUserId,
    linkMode,
    link: {
      completed_redirect_url: link.completed_redirect_url ?? (hasRedirect ? rng.pick(REDIRECTS) : null),
      expired_redirect_url: link.expired_redirect_url ?? (hasRedirect && rng.chance(0.5) ? REDIRECTS[0] : null),
      expires_at: link.expires_at ?? (seeded && rng.chance(0.5) ? isoSeconds(created + 7 * DAY) : null),
      language: link.language ?? (seeded && rng.chance(0.4) ? rng.pick(ONFIDO_LINK_LANGUAGES) : null),
    },
    token: rng.hex(24),
    // the spec's `sdk_token` is nullable: the mock keeps one on runs still waiting for the user
    hasSdkToken: !seeded || status === 'awaiting_input',
    personIndex: person ? person.index : null,
    detailSeed: rng.u32(),
    variant,
    check: null,
  };
}

function newApplicant(id, person, created, extra = {}) {
  return {
    id,
    created,
    first_name: extra.first_name ?? person?.firstName ?? null,
    last_name: extra.last_name ?? person?.lastName ?? null,
    email: extra.email ?? (person ? `${person.firstName}.${person.lastName}@example.com`.toLowerCase() : null),
    dob: extra.dob ?? person?.birthDate ?? null,
    phone_number: extra.phone_number ?? null,
    personIndex: person ? person.index : null,
  };
}

/** Give `rec` its check (one report per report name of its workflow). */
function attachCheck(onfido, rng, rec, created) {
  rec.check = { id: rng.uuid(), created, reportIds: rec.reports.map(() => rng.uuid()) };
  onfido.checks.set(rec.check.id, rec);
  rec.check.reportIds.forEach((id, i) => onfido.reports.set(id, { run: rec, index: i }));
}

// ---------------------------------------------------------------------------------------------
// the API objects

/** spec schemas/workflow_runs/workflow_run.yaml. `origin` prefixes the mock-served URLs. */
export function onfidoRunJson(rec, origin) {
  const run = {
    id: rec.id,
    applicant_id: rec.applicant_id,
    workflow_id: rec.workflow_id,
    workflow_version_id: rec.workflow_version_id,
    dashboard_url: `${origin}/hosted/onfido/dashboard/${rec.id}`,
    status: rec.status,
    output: ['approved', 'declined', 'review'].includes(rec.status) ? { decision: rec.status, workflow_version: rec.workflow_version_id } : null,
    reasons: RUN_REASONS[rec.status]?.[rec.variant % RUN_REASONS[rec.status].length] ?? [],
    error: rec.status === 'error' ? { type: 'task_error', message: 'The task "document_check" failed: the upstream service timed out.' } : null,
    sdk_token: rec.hasSdkToken ? `eyJhbGciOiJIUzI1NiJ9.mock-onfido-sdk-token.${rec.token}` : null,
  };
  if (rec.linkMode === 'null') run.link = null;
  else if (rec.linkMode !== 'absent') {
    run.link = rec.linkMode === 'url' ? { url: linkUrl(rec, origin), ...rec.link } : { ...rec.link };
  }
  run.tags = [...rec.tags];
  if (rec.customer_user_id !== null) run.customer_user_id = rec.customer_user_id;
  run.created_at = isoSeconds(rec.created);
  run.updated_at = isoSeconds(rec.updated);
  return run;
}

const RUN_REASONS = {
  declined: [['document_rejected'], ['face_mismatch'], ['document_rejected', 'watchlist_hit'], ['applicant_underage']],
  review: [['manual_review_required'], ['watchlist_possible_match']],
};

/** The Smart Capture Link: a mock hosted page that offers the completed redirect. */
function linkUrl(rec, origin) {
  const redirect = rec.link.completed_redirect_url;
  return `${origin}/hosted/onfido/${rec.token}${redirect ? `?redirectURL=${encodeURIComponent(redirect)}` : ''}`;
}

/** spec schemas/applicants/applicant.yaml (href relative, as Onfido gives it). */
export function onfidoApplicantJson(a) {
  const out = {
    id: a.id,
    created_at: isoSeconds(a.created),
    delete_at: null,
    href: `/v3.6/applicants/${a.id}`,
    sandbox: true,
    first_name: a.first_name,
    last_name: a.last_name,
  };
  if (a.email !== null) out.email = a.email;
  if (a.dob !== null) out.dob = a.dob;
  if (a.phone_number !== null) out.phone_number = a.phone_number;
  out.id_numbers = [];
  return out;
}

/** Check status and result from its run's status (spec schemas/checks/definitions.yaml). */
const CHECK_STATES = {
  processing: ['in_progress', null],
  awaiting_client_input: ['in_progress', null],
  approved: ['complete', 'clear'],
  declined: ['complete', 'consider'],
  review: ['complete', 'consider'],
  error: ['withdrawn', null],
  [ONFIDO_UNKNOWN_STATUS]: ['paused', 'consider'],
};

/** spec schemas/checks/check.yaml. A run back in a status without a check keeps its check as
 * it was left (`in_progress`). */
export function onfidoCheckJson(rec, origin) {
  const [status, result] = CHECK_STATES[rec.status] ?? ['in_progress', null];
  return {
    id: rec.check.id,
    created_at: isoSeconds(rec.check.created),
    href: `/v3.6/checks/${rec.check.id}`,
    applicant_id: rec.applicant_id,
    applicant_provides_data: false,
    status,
    result,
    paused: status === 'paused',
    results_uri: `${origin}/hosted/onfido/dashboard/checks/${rec.check.id}`,
    form_uri: null,
    report_ids: [...rec.check.reportIds],
    tags: [...rec.tags],
    webhook_ids: [],
    sandbox: true,
    version: '3.6',
  };
}

const isDocumentReport = (name) => name.startsWith('document');

/**
 * Status, result and sub_result of each report of a run, from the run's status and variant
 * (spec schemas/reports/definitions.yaml: `report_status`, `report_result`, `report_sub_result`,
 * the last "for document reports only, and will be null otherwise").
 */
function reportStates(rec) {
  const names = rec.reports;
  const doc = (name, sub) => (isDocumentReport(name) ? sub : null);
  const states = names.map((name) => ({ status: 'complete', result: 'clear', sub_result: doc(name, 'clear') }));
  const target = Math.max(0, names.findIndex(isDocumentReport));
  switch (rec.status) {
    case 'declined':
      states[target] = { status: 'complete', result: 'consider', sub_result: doc(names[target], rec.variant % 2 ? 'suspected' : 'rejected') };
      break;
    case 'review':
      states[target] = { status: 'complete', result: 'consider', sub_result: doc(names[target], 'caution') };
      break;
    case 'processing':
      for (let i = 1; i < names.length; i++) states[i] = { status: 'awaiting_data', result: null, sub_result: null };
      break;
    case 'awaiting_client_input':
      states[names.length - 1] = { status: 'awaiting_approval', result: null, sub_result: null };
      break;
    case 'error':
      states.fill({ status: 'withdrawn', result: null, sub_result: null });
      states[0] = { status: 'cancelled', result: null, sub_result: null };
      break;
    case ONFIDO_UNKNOWN_STATUS:
      states[names.length - 1] = { status: 'complete', result: 'unidentified', sub_result: null };
      break;
    case 'approved':
      break;
    default: // a run moved back before its check ended
      states.fill({ status: 'awaiting_data', result: null, sub_result: null });
  }
  return states;
}

/** Breakdown groups and the sub-breakdowns ("reasons") of each report name (spec
 * schemas/reports/*_breakdown.yaml; the unknown name's is invented). */
const BREAKDOWNS = {
  document: {
    data_comparison: ['first_name', 'last_name', 'date_of_birth'],
    data_validation: ['document_numbers', 'expiry_date', 'mrz'],
    image_integrity: ['image_quality', 'supported_document', 'colour_picture', 'conclusive_document_quality'],
    visual_authenticity: ['fonts', 'security_features', 'original_document_present', 'digital_tampering'],
    data_consistency: ['document_numbers', 'date_of_birth'],
  },
  facial_similarity_photo: { face_comparison: ['face_match'], image_integrity: ['face_detected', 'source_integrity'], visual_authenticity: ['spoofing_detection'] },
  facial_similarity_photo_fully_auto: { face_comparison: ['face_match'], image_integrity: ['face_detected', 'source_integrity'], visual_authenticity: ['spoofing_detection'] },
  facial_similarity_video: { face_comparison: ['face_match'], image_integrity: ['face_detected', 'source_integrity'], visual_authenticity: ['liveness_detected', 'spoofing_detection'] },
  facial_similarity_motion: { face_comparison: ['face_match'], image_integrity: ['face_detected', 'source_integrity'], visual_authenticity: ['liveness_detected', 'spoofing_detection'] },
  watchlist_standard: { sanction: [], politically_exposed_person: [], legal_and_regulatory_warnings: [] },
  watchlist_aml: { sanction: [], politically_exposed_person: [], legal_and_regulatory_warnings: [], adverse_media: [] },
  proof_of_address: { data_comparison: ['address', 'first_name', 'last_name'], document_classification: ['supported_document'], image_integrity: ['image_quality'] },
  identity_enhanced: { sources: ['total_sources'], address: ['credit_agencies', 'telephone_database', 'voting_register'], date_of_birth: ['credit_agencies', 'voting_register'], mortality: [] },
  us_driving_licence: { document: ['document_number', 'expiration_date'], address: ['city', 'state_code'], personal: ['first_name', 'last_name', 'date_of_birth'] },
  india_pan: { device: ['pan_valid', 'name_match'] },
  device_intelligence: { device: ['application_authenticity', 'device_integrity', 'device_reputation'] },
  known_faces: { previously_seen_faces: [], image_integrity: [] },
  [ONFIDO_UNKNOWN_REPORT]: { reuse: ['face_match', 'document_match'] },
};

function breakdown(rng, name, state) {
  if (state.status !== 'complete' || (state.result !== 'clear' && state.result !== 'consider')) return {};
  const groups = BREAKDOWNS[name];
  const keys = Object.keys(groups);
  const flagged = state.result === 'consider' ? rng.pick(keys) : null;
  const out = {};
  for (const key of keys) {
    const subs = groups[key];
    const consider = key === flagged;
    const group = { result: consider ? 'consider' : 'clear' };
    if (subs.length) {
      const flaggedSub = consider ? rng.pick(subs) : null;
      group.breakdown = Object.fromEntries(subs.map((s) => [s, { result: s === flaggedSub ? 'consider' : 'clear', properties: {} }]));
    }
    out[key] = group;
  }
  return out;
}

/** spec schemas/reports/report.yaml (`name` is the discriminator). */
export function onfidoReportsJson(rec) {
  const rng = new Rng(rec.detailSeed);
  const states = reportStates(rec);
  return rec.reports.map((name, i) => {
    const id = rec.check.reportIds[i];
    const report = {
      id,
      created_at: isoSeconds(rec.check.created),
      href: `/v3.6/reports/${id}`,
      status: states[i].status,
      result: states[i].result,
      sub_result: states[i].sub_result,
      check_id: rec.check.id,
      name,
      breakdown: breakdown(rng, name, states[i]),
      properties: {},
    };
    if (isDocumentReport(name)) report.documents = [{ id: rng.uuid() }];
    return report;
  });
}

// ---------------------------------------------------------------------------------------------
// mutations (create endpoints, /__mock/insert, /__mock/status); `now` is the mock clock

export function createOnfidoApplicant(onfido, rng, now, fields) {
  const id = rng.uuid();
  const applicant = newApplicant(id, null, now, {
    first_name: fields.first_name,
    last_name: fields.last_name,
    email: fields.email ?? null,
    dob: fields.dob ?? null,
    phone_number: fields.phone_number ?? null,
  });
  onfido.applicants.set(id, applicant);
  return applicant;
}

/** A new run (`awaiting_input`, with a link) at the top of the list. */
export function createOnfidoRun(onfido, rng, now, { workflowId, applicantId, tags = [], customerUserId = null, link = {}, status = 'awaiting_input', person = null }) {
  const workflow = ONFIDO_WORKFLOWS.find((w) => w.id === workflowId) ?? { ...ONFIDO_WORKFLOWS[0], id: workflowId, versionId: 1 };
  const rec = newRun(rng, {
    person,
    applicantId,
    workflow,
    status,
    created: now,
    variant: rng.int(4),
    linkMode: 'url',
    customerUserId,
    tags,
    link,
    seeded: false,
  });
  rec.updated = now;
  if (WITH_CHECK.has(status)) attachCheck(onfido, rng, rec, now);
  onfido.runs.unshift(rec);
  index(onfido, rec);
  return rec;
}

/** `/__mock/insert`: `count` new runs with random statuses, for `applicantId` when given. */
export function insertOnfidoRuns(onfido, rng, people, nextNow, count, applicantId) {
  const out = [];
  for (let i = 0; i < count; i++) {
    let person = null;
    let id = applicantId;
    if (id) {
      if (!onfido.applicants.has(id)) throw new Error(`unknown Onfido applicant ${id}`);
      person = people.find((p) => p.onfidoApplicantId === id) ?? null;
    } else {
      person = rng.pick(people.filter((p) => p.onfidoApplicantId));
      id = person.onfidoApplicantId;
    }
    const rec = createOnfidoRun(onfido, rng, nextNow(), {
      workflowId: rng.weighted(ONFIDO_WORKFLOWS.map((w) => [w.id, w.weight])),
      applicantId: id,
      customerUserId: person && rng.chance(0.6) ? `user-${person.index}` : null,
      tags: ['inserted'],
      status: rng.weighted(STATUS_WEIGHTS),
      person,
    });
    out.push(rec);
  }
  return out;
}

/** `/__mock/status`: any non-empty status; a run entering a status with a check gets one. */
export function setOnfidoStatus(onfido, rng, now, rec, status) {
  rec.status = status;
  rec.updated = now;
  if (WITH_CHECK.has(status) && !rec.check) attachCheck(onfido, rng, rec, now);
  return rec;
}
