// The mock providers' seeded, deterministic data set.
//
// `generateData({ seed, sessions })` builds the same people and sessions on every run for a given
// seed: all times derive from REFERENCE_DATE (never the wall clock), all randomness from `Rng`
// streams. Sessions are stored in the providers' own list order (Mangopay per user oldest first,
// Equals newest first by createdAt, Didit newest first by session_number) so listing is
// filter-then-slice. Per-session details (Mangopay Checks, Didit decision blocks) are derived on
// demand from a per-session seed, so 20k sessions per provider stay cheap to generate.
//
// Records keep URLs as paths (`/hosted/...`); the server prefixes the request's origin.

import { Rng } from './rng.mjs';
import { DAY, REFERENCE_DATE, REFERENCE_UNIX, SPAN, isoSeconds } from './clock.mjs';
import { ONFIDO_RUN_STATUSES, ONFIDO_UNKNOWN_STATUS, createOnfidoApplicant, createOnfidoRun, generateOnfido, insertOnfidoRuns, setOnfidoStatus } from './onfido-data.mjs';
import { STRIPE_STATUSES, STRIPE_UNKNOWN_STATUS, createStripeSession as addStripeSession, generateStripe, insertStripeSessions, setStripeStatus } from './stripe-data.mjs';

export { REFERENCE_DATE, REFERENCE_UNIX, isoSeconds };
/** Mangopay renamed OUTDATED to OUT_OF_DATE on this date; old spelling only before it. */
const OUTDATED_RENAME_UNIX = Date.UTC(2025, 4, 23) / 1000;

/** Test credentials accepted by the mock (public, mock-only values). */
export const CREDENTIALS = Object.freeze({
  mangopay: Object.freeze({ clientId: 'mock-client', apiKey: 'mock-mangopay-api-key' }),
  equals: Object.freeze({ apiKey: 'mock-equals-api-key' }),
  didit: Object.freeze({ apiKey: 'mock-didit-api-key', webhookSecret: 'mock-didit-webhook-secret' }),
  // Authorization: Token token=<apiToken>; deliveries signed (X-SHA2-Signature) with webhookToken
  onfido: Object.freeze({ apiToken: 'mock-onfido-api-token', webhookToken: 'mock-onfido-webhook-token' }),
  // Authorization: Bearer <secretKey | restrictedKey | readOnlyKey>; Stripe-Signature with webhookSecret
  stripe: Object.freeze({ secretKey: 'sk_test_mock', restrictedKey: 'rk_test_mock', readOnlyKey: 'rk_test_mock_readonly', webhookSecret: 'whsec_mock' }),
});

/** Below this many sessions per provider the mandatory statuses would not all fit. */
export const MIN_SESSIONS = 16;

/** Statuses that every data set contains at least once, per provider (SPEC section 3), plus one
 * status that is in no table (maps to `unknown`). */
export const REQUIRED_STATUSES = Object.freeze({
  mangopay: ['PENDING', 'REVIEW', 'VALIDATED', 'REFUSED', 'OUT_OF_DATE', 'OUTDATED', 'EXPIRED', 'TIMEOUT', 'ERROR', 'ON_HOLD'],
  // Equals: "status" or "status+result"
  equals: [
    'to_be_completed',
    'in_progress',
    'completed+approved',
    'completed+declined',
    'completed+resubmission_requested',
    'completed',
    'expired',
    'paused',
  ],
  didit: [
    'Not Started',
    'In Progress',
    'Awaiting User',
    'In Review',
    'Approved',
    'Declined',
    'Resubmitted',
    'Expired',
    'Abandoned',
    'Kyc Expired',
    'Pending Review',
  ],
  onfido: [...ONFIDO_RUN_STATUSES, ONFIDO_UNKNOWN_STATUS],
  stripe: [...STRIPE_STATUSES, STRIPE_UNKNOWN_STATUS],
});

/** Statuses the mock uses that are in no table of SPEC section 3. */
export const UNKNOWN_STATUSES = Object.freeze({
  mangopay: ['ON_HOLD'],
  equals: ['paused'],
  didit: ['Pending Review'],
  onfido: [ONFIDO_UNKNOWN_STATUS],
  stripe: [STRIPE_UNKNOWN_STATUS],
});

/** Didit workflows of the mock. `POST /v3/session/` accepts any workflow_id; these ones are known. */
export const DIDIT_WORKFLOWS = Object.freeze([
  {
    id: 'a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35',
    label: 'Standard KYC',
    features: ['ID_VERIFICATION', 'LIVENESS', 'FACE_MATCH', 'IP_ANALYSIS'],
    weight: 6,
  },
  {
    id: '3f9e2b71-8c4d-4a6e-b5f0-7d1c9a2e6b48',
    label: 'Enhanced KYC + AML',
    features: ['ID_VERIFICATION', 'NFC', 'LIVENESS', 'FACE_MATCH', 'AML', 'IP_ANALYSIS', 'PHONE', 'EMAIL'],
    weight: 3,
  },
  {
    id: 'c5d81a4e-2f7b-4e93-a6c0-1b8e5d3f9a72',
    label: 'Address verification',
    features: ['ID_VERIFICATION', 'POA', 'DATABASE_VALIDATION'],
    weight: 1,
  },
  {
    id: '7b2e9c4f-1a6d-4f85-8e3b-9c0d2a5f7e16',
    label: 'Age check',
    features: ['LIVENESS', 'AGE_ESTIMATION'],
    weight: 1,
  },
]);
/** Sessions from Didit's v1 era carry `features` as one string. */
const DIDIT_LEGACY_WORKFLOW = { id: 'e1d4b7a0-9c3f-4b62-8d15-0a7e3c9b2f84', label: 'KYC (v1)', features: 'OCR + FACE' };
const DIDIT_LEGACY_COUNT = 2;

const FIRST_NAMES = [
  'Alex', 'Maria', 'John', 'Sofia', 'Lucas', 'Emma', 'Noah', 'Chloe', 'Mateo', 'Lea', 'Hugo', 'Anna', 'Jonas', 'Ines',
  'Leo', 'Marta', 'Oliver', 'Elena', 'Felix', 'Zoe', 'Luca', 'Nina', 'Tomas', 'Julia', 'Adam', 'Sara', 'Pablo', 'Ida',
  'Karim', 'Aiko', 'Chidi', 'Priya',
];
const LAST_NAMES = [
  'Smith', 'Rosas', 'Doe', 'Garcia', 'Martin', 'Muller', 'Rossi', 'Dubois', 'Jansen', 'Kowalski', 'Silva', 'Murphy',
  'Larsen', 'Novak', 'Fischer', 'Moreau', 'Bianchi', 'Costa', 'Nowak', 'Berg', 'Keller', 'Lambert', 'Romero', 'Weber',
  'Okafor', 'Tanaka', 'Haddad', 'Patel',
];
const COUNTRIES = [
  ['ESP', 'Spain', 'ES'], ['FRA', 'France', 'FR'], ['DEU', 'Germany', 'DE'], ['GBR', 'United Kingdom', 'GB'],
  ['ITA', 'Italy', 'IT'], ['NLD', 'Netherlands', 'NL'], ['PRT', 'Portugal', 'PT'], ['IRL', 'Ireland', 'IE'],
  ['BEL', 'Belgium', 'BE'], ['POL', 'Poland', 'PL'], ['SWE', 'Sweden', 'SE'], ['USA', 'United States', 'US'],
];
const COMPANY_SUFFIXES = ['SERVICES', 'TRADING LTD', 'CONSULTING', 'HOLDINGS', 'LABS SAS', 'GMBH'];
const RETURN_URLS = ['https://dashboard.example.com/kyc/return', 'https://example.com/', 'https://app.example.org/onboarding/done'];
const MANGOPAY_TAGS = ['onboarding', 're-kyc', 'payout-threshold', 'Created using the Mangopay API Postman collection'];

// ---------------------------------------------------------------------------------------------
// people

/**
 * Interesting people come first, with fixed presence and session quotas (quotas shrink with small
 * --sessions: at most 6% of the provider's sessions each).
 * 1: at all three providers, many sessions each, one Equals session shared by two applications.
 * 2: a Mangopay legal (business) user with many sessions (REVIEW lives here), also at Didit/Equals.
 * 3: Didit-heavy history (session-count spike), also at Equals.
 * 4: Equals-heavy, three applications, also at Mangopay.
 * 5: one approved session at each provider ("verified now").
 * Onfido and Stripe (placed by `placeAtNextProviders`, from their own stream so that the first three
 * providers' people do not change): 1 at both, 2 at both, 3 at Onfido, 4 at Stripe, 5 at both.
 */
const INTERESTING = [
  { legal: false, apps: 2, quota: { mangopay: 12, equals: 5, didit: 8, onfido: 8, stripe: 8 } },
  { legal: true, apps: 1, quota: { mangopay: 25, equals: 4, didit: 3, onfido: 2, stripe: 2 } },
  { legal: false, apps: 1, quota: { mangopay: 0, equals: 3, didit: 30, onfido: 4, stripe: 0 } },
  { legal: false, apps: 3, quota: { mangopay: 2, equals: 12, didit: 0, onfido: 0, stripe: 4 } },
  { legal: false, apps: 1, quota: { mangopay: 1, equals: 1, didit: 1, onfido: 1, stripe: 1 }, approvedOnly: true },
];

function makePeople(seed, n) {
  const rng = Rng.stream(seed, 'people');
  const people = [];
  for (let i = 1; i <= n; i++) {
    const special = INTERESTING[i - 1];
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const [country, countryName] = rng.pick(COUNTRIES);
    let at;
    if (special) {
      at = {
        mangopay: special.quota.mangopay > 0 || i === 1,
        equals: special.quota.equals > 0,
        didit: special.quota.didit > 0,
      };
    } else {
      at = { mangopay: rng.chance(0.6), equals: rng.chance(0.45), didit: rng.chance(0.7) };
      if (!at.mangopay && !at.equals && !at.didit) at.didit = true;
    }
    const legal = special ? special.legal : rng.chance(0.15);
    const birth = REFERENCE_UNIX - (18 * 365 + rng.int(30 * 365)) * DAY; // born 1978..2008
    const person = {
      index: i,
      firstName,
      lastName,
      fullName: `${firstName} ${lastName}`,
      country,
      countryName,
      birthDate: new Date(birth * 1000).toISOString().slice(0, 10),
      birthUnix: Math.floor(birth / DAY) * DAY,
      mangopayUserType: legal ? 'LEGAL' : 'NATURAL',
      companyName: legal ? `${lastName.toUpperCase()} ${rng.pick(COMPANY_SUFFIXES)}` : null,
      companyNumber: legal ? rng.digits(9) : null,
      mangopayUserId: at.mangopay ? `user_m_${rng.ulid((REFERENCE_UNIX - SPAN - rng.int(365 * DAY)) * 1000)}` : null,
      diditVendorData: at.didit ? `user-${i}` : null,
      equalsAssociatedPersonId: at.equals ? rng.uuid() : null,
      equalsApplicationIds: [],
      counts: { mangopay: 0, equals: 0, didit: 0 },
    };
    if (at.equals) {
      const apps = special ? special.apps : rng.chance(0.2) ? 2 : 1;
      for (let k = 0; k < apps; k++) person.equalsApplicationIds.push(rng.uuid());
    }
    people.push(person);
  }
  return people;
}

/** Owners for `n` sessions: quotas for the interesting people, the rest weighted at random. */
function allocateOwners(rng, people, provider, n) {
  const candidates = people.filter((p) => isAt(p, provider));
  const owners = [];
  const cap = Math.floor(n * 0.06);
  for (let i = 0; i < INTERESTING.length && i < people.length; i++) {
    const q = Math.min(INTERESTING[i].quota[provider], Math.max(cap, INTERESTING[i].quota[provider] > 0 ? 1 : 0));
    for (let k = 0; k < q && owners.length < n; k++) owners.push(people[i]);
  }
  const regular = candidates.filter((p) => p.index > INTERESTING.length);
  const pool = regular.length ? regular : candidates;
  while (owners.length < n) {
    // squaring skews towards the front of the pool: some people get several sessions
    const r = rng.next();
    owners.push(pool[Math.floor(r * r * pool.length)]);
  }
  return rng.shuffle(owners);
}

/** Onfido applicants and Stripe client_reference_ids, drawn after `makePeople` from their own
 * stream: the interesting people by their quotas, the others at random. */
function placeAtNextProviders(seed, people) {
  const rng = Rng.stream(seed, 'people-next');
  for (const person of people) {
    const special = INTERESTING[person.index - 1];
    const atOnfido = special ? special.quota.onfido > 0 : rng.chance(0.5);
    const atStripe = special ? special.quota.stripe > 0 : rng.chance(0.45);
    person.onfidoApplicantId = atOnfido ? rng.uuid() : null;
    person.stripeClientReferenceId = atStripe ? `user-${person.index}` : null;
  }
  // every provider needs somebody
  if (!people.some((p) => p.onfidoApplicantId)) people[people.length - 1].onfidoApplicantId = rng.uuid();
  if (!people.some((p) => p.stripeClientReferenceId)) people[people.length - 1].stripeClientReferenceId = `user-${people.length}`;
}

const approvedOnly = (person) => Boolean(INTERESTING[person.index - 1]?.approvedOnly);

function isAt(person, provider) {
  if (provider === 'onfido') return person.onfidoApplicantId !== null;
  if (provider === 'stripe') return person.stripeClientReferenceId !== null;
  if (provider === 'mangopay') return person.mangopayUserId !== null;
  if (provider === 'equals') return person.equalsAssociatedPersonId !== null;
  return person.diditVendorData !== null;
}

/** A time for a session in `status`: in-flight states are recent, terminal ones anywhere. */
function sessionTime(rng, status) {
  switch (status) {
    case 'PENDING':
    case 'Not Started':
    case 'to_be_completed':
      return REFERENCE_UNIX - rng.int(6 * DAY) - 60;
    case 'In Progress':
    case 'in_progress':
    case 'Awaiting User':
    case 'ON_HOLD':
    case 'paused':
      return REFERENCE_UNIX - rng.int(14 * DAY) - 60;
    case 'REVIEW':
    case 'In Review':
    case 'Pending Review':
    case 'completed':
      return REFERENCE_UNIX - rng.int(30 * DAY) - 60;
    case 'OUTDATED':
      return REFERENCE_UNIX - SPAN + rng.int(OUTDATED_RENAME_UNIX - (REFERENCE_UNIX - SPAN));
    case 'OUT_OF_DATE':
      return OUTDATED_RENAME_UNIX + rng.int(REFERENCE_UNIX - OUTDATED_RENAME_UNIX - DAY);
    default:
      return REFERENCE_UNIX - SPAN + rng.int(SPAN - DAY);
  }
}

// ---------------------------------------------------------------------------------------------
// Mangopay

const MANGOPAY_NATURAL_WEIGHTS = [
  ['VALIDATED', 50], ['REFUSED', 18], ['PENDING', 10], ['EXPIRED', 6], ['OUT_OF_DATE', 4], ['OUTDATED', 1],
  ['TIMEOUT', 4], ['ERROR', 2], ['ON_HOLD', 1],
];
const MANGOPAY_LEGAL_WEIGHTS = [['REVIEW', 25], ...MANGOPAY_NATURAL_WEIGHTS];

function newMangopayRecord(rng, person, status, creation) {
  let lastUpdate;
  if (status === 'PENDING') lastUpdate = rng.chance(0.5) ? null : creation;
  else if (status === 'REVIEW') lastUpdate = creation + rng.range(600, 3 * DAY);
  else if (status === 'EXPIRED') lastUpdate = creation + 7 * DAY;
  else lastUpdate = creation + rng.range(30, 2 * DAY);
  // seeded sessions never change after the reference date
  if (lastUpdate !== null) lastUpdate = Math.min(lastUpdate, Math.max(REFERENCE_UNIX, creation));
  const id = `idnver_${rng.ulid(creation * 1000)}`;
  return {
    Id: id,
    Tag: rng.chance(0.2) ? null : rng.pick(MANGOPAY_TAGS),
    ReturnUrl: rng.pick(RETURN_URLS),
    Status: status,
    UserId: person.mangopayUserId,
    CreationDate: creation,
    LastUpdate: lastUpdate,
    hostedToken: rng.hex(24),
    sessionToken: rng.hex(24),
    personIndex: person.index,
    detailSeed: rng.u32(),
  };
}

function generateMangopay(seed, people, n) {
  const rng = Rng.stream(seed, 'mangopay');
  const owners = allocateOwners(rng, people, 'mangopay', n);
  const legalPool = people.filter((p) => p.mangopayUserId && p.mangopayUserType === 'LEGAL');
  const forced = REQUIRED_STATUSES.mangopay;
  const sessions = [];
  for (let i = 0; i < n; i++) {
    let owner = owners[i];
    let status;
    if (i < forced.length) {
      status = forced[i];
      if (status === 'REVIEW' && owner.mangopayUserType !== 'LEGAL') owner = rng.pick(legalPool);
    } else if (INTERESTING[owner.index - 1]?.approvedOnly) {
      status = 'VALIDATED';
    } else {
      status = rng.weighted(owner.mangopayUserType === 'LEGAL' ? MANGOPAY_LEGAL_WEIGHTS : MANGOPAY_NATURAL_WEIGHTS);
    }
    sessions.push(newMangopayRecord(rng, owner, status, sessionTime(rng, status)));
  }
  return sessions;
}

function indexMangopay(people, sessions) {
  sessions.sort((a, b) => a.CreationDate - b.CreationDate || (a.Id < b.Id ? -1 : 1));
  const byId = new Map();
  const byUser = new Map();
  const users = new Map();
  for (const p of people) {
    if (p.mangopayUserId) {
      users.set(p.mangopayUserId, p);
      byUser.set(p.mangopayUserId, []);
    }
  }
  for (const s of sessions) {
    byId.set(s.Id, s);
    byUser.get(s.UserId).push(s);
  }
  return { sessions, byId, byUser, users, events: seededMangopayEvents(sessions) };
}

/** Mangopay's documented IDV event types, by the session status they report (webhooks.md 2).
 * Other statuses (PENDING, OUTDATED, TIMEOUT, ERROR, unknown ones) have no event. */
export const MANGOPAY_IDV_EVENTS = Object.freeze({
  VALIDATED: 'IDENTITY_VERIFICATION_VALIDATED',
  REFUSED: 'IDENTITY_VERIFICATION_FAILED',
  REVIEW: 'IDENTITY_VERIFICATION_INCONCLUSIVE',
  OUT_OF_DATE: 'IDENTITY_VERIFICATION_OUTDATED',
  EXPIRED: 'IDENTITY_VERIFICATION_EXPIRED',
});

/** Mangopay's events API keeps 45 days of events. */
export const MANGOPAY_EVENTS_DAYS = 45;

/** The events of the seeded sessions (`GET /v2.01/{ClientId}/events`): one per session whose
 * status has an event type, dated at its `LastUpdate`; sorted oldest first (then by id). */
function seededMangopayEvents(sessions) {
  const events = [];
  for (const s of sessions) {
    const type = MANGOPAY_IDV_EVENTS[s.Status];
    if (type && s.LastUpdate !== null) events.push({ ResourceId: s.Id, EventType: type, Date: s.LastUpdate });
  }
  return events.sort((a, b) => a.Date - b.Date || (a.ResourceId < b.ResourceId ? -1 : a.ResourceId > b.ResourceId ? 1 : 0));
}

/** Record the event of a runtime change of `rec` (when its status has an event type), dated
 * `date` (Unix s; the server passes the wall clock, the same `Date` as the webhook). Kept oldest
 * first. Returns the event, or null. */
export function recordMangopayEvent(data, rec, date) {
  const type = MANGOPAY_IDV_EVENTS[rec.Status];
  if (!type) return null;
  const event = { ResourceId: rec.Id, EventType: type, Date: date };
  const events = data.mangopay.events;
  let i = events.length;
  while (i > 0 && events[i - 1].Date > date) i--; // usually appends
  events.splice(i, 0, event);
  return event;
}

/** The events API's "now" (Unix s): the mock's own clock, i.e. the reference date moved on by
 * every runtime change; the oldest date a query may ask for is 45 days before it. */
export function mangopayEventsWindow(data) {
  const now = data.clock;
  return { now, oldest: now - MANGOPAY_EVENTS_DAYS * DAY };
}

const MANGOPAY_REFUSALS = [
  ['DOCUMENT_UNREADABLE', 'The document is blurry or unreadable'],
  ['DOCUMENT_HAS_EXPIRED', 'The document has expired'],
  ['DOCUMENT_NOT_ACCEPTED', 'Document has been refused by the provider'],
  ['FACE_MATCH_FAIL', 'The selfie does not match the document photo'],
  ['DOCUMENT_FALSIFIED', 'The document appears to be falsified'],
  ['DOCUMENT_TYPE_NOT_SUPPORTED', 'This document type is not supported'],
  ['DOCUMENT_INCOMPLETE', 'Part of the document is missing'],
];
const MANGOPAY_BUSINESS_REFUSALS = [
  ['BUSINESS_NAME_MATCH_FAILED', 'The company name does not match the registry'],
  ['BUSINESS_INSIGHTS_MATCH_FAILED', 'The registry data does not match the declared company'],
  ['DOCUMENT_NOT_ACCEPTED', 'Document has been refused by the provider'],
];

/** Mangopay `Checks` for a session, consistent with its Status and the user's type. */
export function mangopayChecks(rec, person) {
  const { Status } = rec;
  if (!['VALIDATED', 'REFUSED', 'REVIEW', 'OUT_OF_DATE', 'OUTDATED'].includes(Status)) return [];
  const rng = new Rng(rec.detailSeed);
  const legal = person && person.mangopayUserType === 'LEGAL';
  const end = rec.LastUpdate ?? rec.CreationDate;
  const checks = [];
  const check = (type, status, reasons, data) => {
    const t = Math.min(end, rec.CreationDate + rng.range(30, 600));
    checks.push({
      CheckId: `idnchc_${rng.ulid(t * 1000)}`,
      Type: type,
      CheckStatus: status,
      Reasons: reasons.map(([Type, Value]) => ({ Type, Value })),
      CreationDate: t,
      LastUpdate: Status === 'REVIEW' ? end : t,
      Data: data,
    });
  };
  const first = (person?.firstName ?? 'ALEX').toUpperCase();
  const last = (person?.lastName ?? 'SMITH').toUpperCase();
  const birth = String(person?.birthUnix ?? 668649600);
  const refused = Status === 'REFUSED';
  if (legal) {
    const bizStatus = Status === 'REVIEW' ? rng.pick(['REVIEW', 'REFUSED']) : refused ? 'REFUSED' : 'VALIDATED';
    check('BUSINESS_VERIFICATION', bizStatus, bizStatus === 'VALIDATED' ? [] : [rng.pick(MANGOPAY_BUSINESS_REFUSALS)], [
      { Type: 'COMPANY_NAME', Value: person.companyName },
      { Type: 'COMPANY_NUMBER', Value: person.companyNumber },
    ]);
    check('IDENTITY_DOCUMENT_VERIFICATION', 'VALIDATED', [], [
      { Type: 'LEGAL_REPRESENTATIVE_FIRST_NAME', Value: first },
      { Type: 'LEGAL_REPRESENTATIVE_LAST_NAME', Value: last },
      { Type: 'LEGAL_REPRESENTATIVE_BIRTHDATE', Value: birth },
    ]);
    if (rng.chance(0.5)) {
      check('BUSINESS_NAME_MATCH', Status === 'REVIEW' ? 'REVIEW' : refused ? 'REFUSED' : 'VALIDATED', [], []);
    }
    check('IDV_NAME_MATCH_CHECK', 'VALIDATED', [], []);
    check('IDV_AGE_CHECK', 'VALIDATED', [], []);
    return checks;
  }
  if (refused) {
    const reason = rng.pick(MANGOPAY_REFUSALS);
    const unreadable = reason[0] === 'DOCUMENT_UNREADABLE' || reason[0] === 'DOCUMENT_INCOMPLETE';
    check('IDENTITY_DOCUMENT_VERIFICATION', 'REFUSED', [reason], unreadable
      ? [{ Type: 'FIRST_NAME', Value: null }, { Type: 'LAST_NAME', Value: '' }, { Type: 'BIRTHDATE', Value: null }]
      : [{ Type: 'FIRST_NAME', Value: first }, { Type: 'LAST_NAME', Value: last }, { Type: 'BIRTHDATE', Value: birth }]);
    if (!unreadable) {
      check('IDV_NAME_MATCH_CHECK', rng.chance(0.3) ? 'REFUSED' : 'VALIDATED', [], []);
      check('IDV_AGE_CHECK', 'VALIDATED', [], []);
    }
    return checks;
  }
  check('IDENTITY_DOCUMENT_VERIFICATION', 'VALIDATED', [], [
    { Type: 'FIRST_NAME', Value: first },
    { Type: 'LAST_NAME', Value: last },
    { Type: 'BIRTHDATE', Value: birth },
  ]);
  check('IDV_NAME_MATCH_CHECK', 'VALIDATED', [], []);
  check('IDV_AGE_CHECK', 'VALIDATED', [], []);
  return checks;
}

// ---------------------------------------------------------------------------------------------
// Equals

const EQUALS_WEIGHTS = [
  ['completed+approved', 45], ['completed+declined', 12], ['completed+resubmission_requested', 6], ['completed', 6],
  ['to_be_completed', 10], ['in_progress', 8], ['expired', 10], ['paused', 1],
];

function newEqualsRow(rng, { id, applicationId, associatedPersonId, personIndex }, statusKey, created) {
  const [status, result] = statusKey.split('+');
  const updated = status === 'to_be_completed' ? created : Math.min(created + rng.range(60, 3 * DAY), Math.max(REFERENCE_UNIX, created));
  const row = {
    id: id ?? rng.uuid(),
    applicationId,
    correlationId: rng.uuid(),
    actionToken: rng.hex(20),
    status,
    t: created, // createdAt, unix seconds (formatted when served)
    u: updated, // updatedAt
    personIndex,
  };
  if (associatedPersonId) row.associatedPersonId = associatedPersonId;
  if (result) row.result = result;
  return row;
}

function generateEquals(seed, people, n) {
  const rng = Rng.stream(seed, 'equals');
  const owners = allocateOwners(rng, people, 'equals', n);
  const forced = REQUIRED_STATUSES.equals;
  const rows = [];
  // one session id shared by two applications, for person 1 and one more person with two apps
  const forcedDuplicates = people.filter((p) => p.equalsApplicationIds.length >= 2).slice(0, 2);
  for (const p of forcedDuplicates) {
    const statusKey = 'completed+approved';
    const created = sessionTime(rng, statusKey);
    const a = newEqualsRow(rng, owner(p, p.equalsApplicationIds[0]), statusKey, created);
    const b = { ...a, applicationId: p.equalsApplicationIds[1], correlationId: rng.uuid() };
    rows.push(a, b);
  }
  for (let i = 0; rows.length < n; i++) {
    const ownerPerson = owners[i % owners.length];
    let statusKey;
    if (i < forced.length) statusKey = forced[i];
    else if (INTERESTING[ownerPerson.index - 1]?.approvedOnly) statusKey = 'completed+approved';
    else statusKey = rng.weighted(EQUALS_WEIGHTS);
    const created = sessionTime(rng, statusKey); // 'completed' alone (no result yet) is recent
    // about 8% of rows come from personal applications: no associated person
    const o = rng.chance(0.08) && i >= forced.length
      ? { applicationId: rng.uuid(), associatedPersonId: undefined, personIndex: null }
      : owner(ownerPerson, rng.pick(ownerPerson.equalsApplicationIds));
    const row = newEqualsRow(rng, o, statusKey, created);
    rows.push(row);
    if (o.associatedPersonId && ownerPerson.equalsApplicationIds.length >= 2 && rows.length < n && rng.chance(0.05)) {
      const other = ownerPerson.equalsApplicationIds.find((a) => a !== row.applicationId);
      rows.push({ ...row, applicationId: other, correlationId: rng.uuid() });
    }
  }
  return rows;
}

function owner(person, applicationId) {
  return { applicationId, associatedPersonId: person.equalsAssociatedPersonId, personIndex: person.index };
}

function compareEquals(a, b) {
  // newest first; ties (one session on several applications) in a fixed order
  return b.t - a.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.applicationId < b.applicationId ? -1 : 1);
}

// ---------------------------------------------------------------------------------------------
// Didit

const DIDIT_WEIGHTS = [
  ['Approved', 45], ['Declined', 14], ['In Review', 6], ['Not Started', 6], ['In Progress', 5], ['Awaiting User', 2],
  ['Expired', 8], ['Abandoned', 7], ['Resubmitted', 3], ['Kyc Expired', 3], ['Pending Review', 1],
];
const DIDIT_DOC_TYPES = [['ID', 'Identity Card'], ['P', 'Passport'], ['DL', "Driver's License"]];

/** Feature statuses in a session of `status` (list `features[].status`). */
function diditFeatureStatuses(rng, features, status) {
  const n = features.length;
  const out = new Array(n).fill('Approved');
  const pickRisky = () => {
    const risky = ['ID_VERIFICATION', 'FACE_MATCH', 'AML', 'LIVENESS', 'POA', 'OCR', 'FACE'];
    const idx = features.map((f, i) => (risky.includes(f) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? rng.pick(idx) : rng.int(n);
  };
  switch (status) {
    case 'Not Started':
    case 'Expired':
      out.fill('Not Finished');
      break;
    case 'In Progress':
    case 'Awaiting User':
    case 'Abandoned': {
      const done = status === 'Abandoned' ? rng.range(Math.min(1, n - 1), n - 1) : rng.int(n);
      for (let i = done; i < n; i++) out[i] = 'Not Finished';
      break;
    }
    case 'Declined': {
      out[pickRisky()] = 'Declined';
      if (n > 2 && rng.chance(0.25)) out[rng.int(n)] = 'Declined';
      break;
    }
    case 'In Review':
    case 'Pending Review':
      out[pickRisky()] = 'In Review';
      break;
    case 'Resubmitted':
      out[0] = 'Not Finished';
      break;
    default: // Approved, Kyc Expired
      break;
  }
  return out;
}

function newDiditRecord(rng, { person, vendorData, workflow, status, micros, legacy, callback, metadata }) {
  const features = legacy ? ['OCR', 'FACE'] : workflow.features;
  const statuses = diditFeatureStatuses(rng, features, status);
  const started = status !== 'Not Started' && status !== 'Expired';
  const doc = rng.pick(DIDIT_DOC_TYPES);
  return {
    session_id: rng.uuid(),
    session_kind: 'user',
    session_number: 0,
    token: rng.hex(12).toUpperCase(),
    started,
    document_type: started && person ? doc[0] : null,
    document_type_name: doc[1],
    full_name: started && person ? person.fullName : null,
    country: started && person ? person.country : null,
    status,
    vendor_data: vendorData,
    didit_internal_id: rng.uuid(),
    micros, // created_at in unix microseconds (formatted when served)
    legacyFeatures: legacy ? workflow.features : null, // v1 sessions: `features` is this string
    featureNames: features,
    featureStatuses: statuses,
    workflow_label: workflow.label,
    workflow_id: workflow.id,
    callback: callback === undefined ? (rng.chance(0.7) ? rng.pick(RETURN_URLS) : null) : callback,
    metadata: metadata === undefined ? (rng.chance(0.5) ? { source: rng.pick(['web', 'ios', 'android']) } : null) : metadata,
    personIndex: person ? person.index : null,
    detailSeed: rng.u32(),
  };
}

/** ISO 8601 with microseconds, as Didit formats `created_at`. */
export function isoMicros(micros) {
  const ms = Math.floor(micros / 1000);
  const us = String(micros % 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${us}Z`);
}

function generateDidit(seed, people, n) {
  const rng = Rng.stream(seed, 'didit');
  const owners = allocateOwners(rng, people, 'didit', n);
  const forced = REQUIRED_STATUSES.didit;
  const workflowWeights = DIDIT_WORKFLOWS.map((w) => [w, w.weight]);
  const sessions = [];
  for (let i = 0; i < n; i++) {
    const person = owners[i];
    const legacy = i >= forced.length && i < forced.length + DIDIT_LEGACY_COUNT;
    let status;
    if (i < forced.length) status = forced[i];
    else if (legacy) status = rng.pick(['Approved', 'Declined']);
    else if (INTERESTING[person.index - 1]?.approvedOnly) status = 'Approved';
    else status = rng.weighted(DIDIT_WEIGHTS);
    // v1-era sessions sit in the oldest quarter of the range
    const seconds = legacy ? REFERENCE_UNIX - SPAN + rng.int(SPAN / 4) : sessionTime(rng, status);
    const micros = seconds * 1e6 + rng.int(1e6);
    const vendorData = rng.chance(0.04) && i >= forced.length ? null : person.diditVendorData;
    sessions.push(
      newDiditRecord(rng, {
        person,
        vendorData,
        workflow: legacy ? DIDIT_LEGACY_WORKFLOW : rng.weighted(workflowWeights),
        status,
        micros,
        legacy,
      }),
    );
  }
  sessions.sort((a, b) => a.micros - b.micros || (a.session_id < b.session_id ? -1 : 1));
  sessions.forEach((s, i) => {
    s.session_number = i + 1;
  });
  sessions.reverse(); // newest first
  return sessions;
}

const DIDIT_BLOCKS = {
  ID_VERIFICATION: 'id_verifications',
  OCR: 'id_verifications',
  NFC: 'nfc_verifications',
  LIVENESS: 'liveness_checks',
  FACE_MATCH: 'face_matches',
  FACE: 'face_matches',
  POA: 'poa_verifications',
  PHONE: 'phone_verifications',
  EMAIL: 'email_verifications',
  AML: 'aml_screenings',
  IP_ANALYSIS: 'ip_analyses',
  DATABASE_VALIDATION: 'database_validations',
};
export const DIDIT_BLOCK_KEYS = [
  'id_verifications', 'nfc_verifications', 'liveness_checks', 'face_matches', 'poa_verifications',
  'phone_verifications', 'email_verifications', 'aml_screenings', 'ip_analyses', 'database_validations',
];
const DIDIT_WARNINGS = {
  id_verifications: [
    ['DOCUMENT_EXPIRED', 'Document expired', 'The document expiration date is in the past.'],
    ['LOW_IMAGE_QUALITY', 'Low image quality', 'The document image is blurry or has glare.'],
    ['DATA_INCONSISTENT', 'Inconsistent data', 'The MRZ data does not match the visual zone.'],
  ],
  nfc_verifications: [['NFC_CHIP_UNREADABLE', 'NFC chip not read', 'The passport chip could not be read.']],
  liveness_checks: [['LOW_LIVENESS_SCORE', 'Low liveness score', 'The liveness score is below the threshold.']],
  face_matches: [['LOW_FACE_MATCH_SIMILARITY', 'Low face similarity', 'The selfie and document photo differ.']],
  poa_verifications: [['POA_NAME_MISMATCH', 'Name mismatch', 'The name on the proof of address differs.']],
  phone_verifications: [['VOIP_NUMBER', 'VoIP number', 'The phone number belongs to a VoIP provider.']],
  email_verifications: [['DISPOSABLE_EMAIL', 'Disposable email', 'The email domain is a disposable provider.']],
  aml_screenings: [['POSSIBLE_MATCH_FOUND', 'Possible AML match', 'The applicant may appear on a watchlist.']],
  ip_analyses: [['VPN_DETECTED', 'VPN detected', 'The connection came through a VPN or proxy.']],
  database_validations: [['DATABASE_NO_MATCH', 'No database match', 'The identity was not found in the registry.']],
};

/** The Didit decision feature blocks for a session: `null` for features that did not run. */
export function diditDecisionBlocks(rec, person, origin) {
  const rng = new Rng(rec.detailSeed);
  const blocks = {};
  for (const key of DIDIT_BLOCK_KEYS) blocks[key] = null;
  const media = (kind) => `${origin}/media/${rec.session_id}/${kind}.jpg`;
  const [country, countryName, alpha2] = COUNTRIES.find((c) => c[0] === person?.country) ?? COUNTRIES[0];
  rec.featureNames.forEach((feature, i) => {
    const status = rec.featureStatuses[i];
    const key = DIDIT_BLOCKS[feature];
    if (!key) return; // e.g. AGE_ESTIMATION: reported inside liveness_checks
    const ran = status !== 'Not Finished' || rec.status === 'Resubmitted';
    if (!ran) return;
    const warnings = [];
    if (status === 'Declined' || status === 'In Review' || (status === 'Not Finished' && rec.status === 'Resubmitted')) {
      const [risk, short, long] = rng.pick(DIDIT_WARNINGS[key]);
      warnings.push({
        risk,
        additional_data: null,
        log_type: status === 'In Review' ? 'warning' : 'error',
        short_description: short,
        long_description: long,
      });
    }
    const item = { node_id: nodeId(feature), status };
    switch (key) {
      case 'id_verifications':
        Object.assign(item, {
          document_type: rec.document_type_name,
          document_subtype: null,
          document_number: rng.hex(9).toUpperCase(),
          personal_number: null,
          portrait_image: media('portrait'),
          front_image: media('front'),
          back_image: media('back'),
          date_of_birth: person?.birthDate ?? null,
          expiration_date: `${2027 + rng.int(8)}-0${1 + rng.int(9)}-1${rng.int(10)}`,
          date_of_issue: `${2017 + rng.int(8)}-0${1 + rng.int(9)}-1${rng.int(10)}`,
          issuing_state: country,
          issuing_state_name: countryName,
          first_name: person?.firstName ?? null,
          last_name: person?.lastName ?? null,
          full_name: person?.fullName ?? null,
          gender: rng.pick(['M', 'F']),
          nationality: country,
        });
        break;
      case 'liveness_checks':
        Object.assign(item, {
          method: rng.pick(['PASSIVE', 'ACTIVE_3D', 'FLASHING']),
          score: status === 'Approved' ? 85 + rng.int(15) : 20 + rng.int(50),
          reference_image: media('reference'),
          video_url: null,
          age_estimation: 20 + rng.int(40),
          matches: [],
        });
        break;
      case 'face_matches':
        Object.assign(item, {
          score: status === 'Approved' ? 80 + rng.int(20) : 10 + rng.int(50),
          source_image: media('portrait'),
          target_image: media('reference'),
        });
        break;
      case 'aml_screenings':
        Object.assign(item, { total_hits: status === 'Approved' ? 0 : 1 + rng.int(3), score: rng.int(100), hits: [] });
        break;
      case 'ip_analyses':
        Object.assign(item, {
          ip_address: `203.0.113.${rng.int(255)}`,
          ip_country: countryName,
          ip_country_code: alpha2,
          is_vpn_or_tor: status !== 'Approved',
          platform: rng.pick(['web', 'ios', 'android']),
        });
        break;
      case 'poa_verifications':
        Object.assign(item, { document_type: 'Utility bill', issuer: 'Mock Energy', poa_address: `${rng.range(1, 99)} Main Street` });
        break;
      case 'nfc_verifications':
        Object.assign(item, { chip_read: status === 'Approved', authenticity: status === 'Approved' ? 'VALID' : 'UNKNOWN' });
        break;
      case 'phone_verifications':
        Object.assign(item, { full_number: `+3460${rng.digits(7)}`, verification_method: 'sms' });
        break;
      case 'email_verifications':
        Object.assign(item, { email: `${(person?.firstName ?? 'user').toLowerCase()}@example.com`, is_breached: false });
        break;
      case 'database_validations':
        Object.assign(item, { match_type: status === 'Approved' ? 'full_match' : 'no_match', validations: [] });
        break;
      default:
        break;
    }
    item.warnings = warnings;
    blocks[key] = [item];
  });
  return blocks;
}

function nodeId(feature) {
  return `feature_${feature.toLowerCase()}_1`;
}

// ---------------------------------------------------------------------------------------------
// the whole data set

/**
 * Build the data set. `sessions` is per provider (Equals counts rows, i.e. keys) and is raised to
 * MIN_SESSIONS so every mandatory status fits.
 */
export function generateData({ seed = 1, sessions = 500 } = {}) {
  const n = Math.max(MIN_SESSIONS, Math.floor(Number(sessions) || 0));
  const people = makePeople(seed, Math.max(8, Math.ceil(n / 2.5)));
  const mangopay = indexMangopay(people, generateMangopay(seed, people, n));
  const equalsRows = generateEquals(seed, people, n).sort(compareEquals);
  const diditSessions = generateDidit(seed, people, n);
  placeAtNextProviders(seed, people);
  const onfidoRng = Rng.stream(seed, 'onfido');
  const onfido = generateOnfido(onfidoRng, people, allocateOwners(onfidoRng, people, 'onfido', n), n, approvedOnly);
  const stripeRng = Rng.stream(seed, 'stripe');
  const stripe = generateStripe(stripeRng, people, allocateOwners(stripeRng, people, 'stripe', n), n, {
    approvedOnly,
    interesting: (person) => person.index <= INTERESTING.length,
  });
  const data = {
    seed,
    sessionsPerProvider: n,
    referenceDate: REFERENCE_DATE,
    credentials: CREDENTIALS,
    people,
    peopleByIndex: new Map(people.map((p) => [p.index, p])),
    mangopay,
    equals: { rows: equalsRows },
    didit: {
      sessions: diditSessions,
      byId: new Map(diditSessions.map((s) => [s.session_id, s])),
      workflows: DIDIT_WORKFLOWS,
    },
    onfido,
    stripe,
    clock: REFERENCE_UNIX,
    mutationRng: Rng.stream(seed, 'mutations'),
  };
  recount(data);
  return data;
}

function recount(data) {
  for (const p of data.people) p.counts = { mangopay: 0, equals: 0, didit: 0, onfido: 0, stripe: 0 };
  for (const s of data.mangopay.sessions) data.peopleByIndex.get(s.personIndex).counts.mangopay++;
  for (const r of data.equals.rows) if (r.personIndex) data.peopleByIndex.get(r.personIndex).counts.equals++;
  // counted as findable through the person's vendor_data
  for (const s of data.didit.sessions) if (s.personIndex && s.vendor_data !== null) data.peopleByIndex.get(s.personIndex).counts.didit++;
  // findable through the person's applicant id and client_reference_id
  for (const r of data.onfido.runs) if (r.personIndex) data.peopleByIndex.get(r.personIndex).counts.onfido++;
  for (const s of data.stripe.sessions) if (s.personIndex && s.client_reference_id !== null) data.peopleByIndex.get(s.personIndex).counts.stripe++;
}

/** Seconds on the mock's own clock: new sessions are stamped after every seeded one. */
export function tick(data) {
  data.clock += 1 + data.mutationRng.int(30);
  return data.clock;
}

/** The person mapping as plain JSON (what `/__mock/people` serves). */
export function peopleJson(data) {
  return data.people.map((p) => ({
    index: p.index,
    fullName: p.fullName,
    firstName: p.firstName,
    lastName: p.lastName,
    country: p.country,
    mangopayUserType: p.mangopayUserType,
    mangopayUserId: p.mangopayUserId,
    diditVendorData: p.diditVendorData,
    equalsAssociatedPersonId: p.equalsAssociatedPersonId,
    equalsApplicationIds: [...p.equalsApplicationIds],
    onfidoApplicantId: p.onfidoApplicantId,
    stripeClientReferenceId: p.stripeClientReferenceId,
    counts: { ...p.counts },
  }));
}

// ---------------------------------------------------------------------------------------------
// mutations (create endpoints and /__mock/insert)

export function createMangopaySession(data, { userId, returnUrl, tag, status = 'PENDING' }) {
  const person = data.mangopay.users.get(userId);
  const rng = data.mutationRng;
  const creation = tick(data);
  const rec = newMangopayRecord(rng, person, status, creation);
  rec.ReturnUrl = returnUrl;
  rec.Tag = tag ?? null;
  rec.LastUpdate = status === 'PENDING' ? creation : rec.LastUpdate;
  data.mangopay.sessions.push(rec);
  data.mangopay.byId.set(rec.Id, rec);
  data.mangopay.byUser.get(userId).push(rec);
  person.counts.mangopay++;
  return rec;
}

export function createDiditSession(data, { workflowId, vendorData = null, callback = null, metadata = null, status = 'Not Started' }) {
  const rng = data.mutationRng;
  const workflow = DIDIT_WORKFLOWS.find((w) => w.id === workflowId) ?? {
    id: workflowId,
    label: 'Custom workflow',
    features: DIDIT_WORKFLOWS[0].features,
  };
  const person = vendorData ? data.people.find((p) => p.diditVendorData === vendorData) ?? null : null;
  const micros = tick(data) * 1e6 + rng.int(1e6);
  const rec = newDiditRecord(rng, { person, vendorData, workflow, status, micros, legacy: false, callback, metadata });
  const top = data.didit.sessions[0];
  rec.session_number = (top ? top.session_number : 0) + 1;
  data.didit.sessions.unshift(rec);
  data.didit.byId.set(rec.session_id, rec);
  if (person) person.counts.didit++;
  return rec;
}

/** `POST /v3.6/applicants` (fields as validated by onfido.mjs). */
export function createOnfidoApplicantRecord(data, fields) {
  return createOnfidoApplicant(data.onfido, data.mutationRng, tick(data), fields);
}

/** `POST /v3.6/workflow_runs`: `{workflowId, applicantId, tags?, customerUserId?, link?}`. A run of
 * a seeded applicant belongs to that applicant's person. */
export function createOnfidoSession(data, input) {
  const applicant = data.onfido.applicants.get(input.applicantId);
  const person = applicant?.personIndex ? data.peopleByIndex.get(applicant.personIndex) : null;
  const rec = createOnfidoRun(data.onfido, data.mutationRng, tick(data), { ...input, person });
  if (person) person.counts.onfido++;
  return rec;
}

/** `POST /v1/identity/verification_sessions`: `{type, clientReferenceId?, metadata?, options?,
 * returnUrl?, providedDetails?}`. A client_reference_id of a seeded person links the session to them. */
export function createStripeSession(data, input) {
  const person = input.clientReferenceId ? data.people.find((p) => p.stripeClientReferenceId === input.clientReferenceId) ?? null : null;
  const rec = addStripeSession(data.stripe, data.mutationRng, tick(data), { ...input, person });
  if (person) person.counts.stripe++;
  return rec;
}

/** Insert `count` new newest sessions (random statuses) at `provider`, for `userRef` when given;
 * `onRecord(rec)` sees each new record (the server sends webhooks from it). */
export function insertSessions(data, provider, count, userRef, onRecord = () => {}) {
  const rng = data.mutationRng;
  if (provider === 'onfido' || provider === 'stripe') {
    // userRef: an Onfido applicant id, a Stripe client_reference_id
    const insert = provider === 'onfido' ? insertOnfidoRuns : insertStripeSessions;
    const recs = insert(data[provider], rng, data.people, () => tick(data), count, userRef);
    return recs.map((rec) => {
      const person = rec.personIndex ? data.peopleByIndex.get(rec.personIndex) : null;
      if (person && (provider === 'onfido' || rec.client_reference_id !== null)) person.counts[provider]++;
      onRecord(rec);
      const { key, id, status, userRef: ref } = sessionSummary(provider, rec);
      return { key, id, status, userRef: ref };
    });
  }
  const out = [];
  for (let i = 0; i < count; i++) {
    if (provider === 'mangopay') {
      let userId = userRef;
      if (!userId) userId = rng.pick(data.people.filter((p) => p.mangopayUserId)).mangopayUserId;
      if (!data.mangopay.users.has(userId)) throw new Error(`unknown Mangopay user ${userId}`);
      const person = data.mangopay.users.get(userId);
      const status = rng.weighted(person.mangopayUserType === 'LEGAL' ? MANGOPAY_LEGAL_WEIGHTS : MANGOPAY_NATURAL_WEIGHTS);
      const rec = createMangopaySession(data, { userId, returnUrl: rng.pick(RETURN_URLS), tag: 'inserted', status });
      out.push({ key: `mangopay:${rec.Id}`, id: rec.Id, status: rec.Status, userRef: rec.UserId });
      onRecord(rec);
    } else if (provider === 'equals') {
      let o;
      const byPerson = data.people.find((p) => userRef && p.equalsAssociatedPersonId === userRef);
      const byApp = data.people.find((p) => userRef && p.equalsApplicationIds.includes(userRef));
      if (byPerson) o = owner(byPerson, byPerson.equalsApplicationIds[0]);
      else if (byApp) o = owner(byApp, userRef);
      else if (userRef) o = { applicationId: rng.uuid(), associatedPersonId: userRef, personIndex: null };
      else {
        const p = rng.pick(data.people.filter((x) => x.equalsAssociatedPersonId));
        o = owner(p, rng.pick(p.equalsApplicationIds));
      }
      const row = newEqualsRow(rng, o, rng.weighted(EQUALS_WEIGHTS), tick(data));
      data.equals.rows.unshift(row);
      if (row.personIndex) data.peopleByIndex.get(row.personIndex).counts.equals++;
      out.push({ key: `equals:${row.id}:${row.applicationId}`, id: row.id, status: row.status, userRef: row.associatedPersonId ?? row.applicationId });
      onRecord(row);
    } else if (provider === 'didit') {
      const vendorData = userRef ?? rng.pick(data.people.filter((p) => p.diditVendorData)).diditVendorData;
      const rec = createDiditSession(data, {
        workflowId: rng.weighted(DIDIT_WORKFLOWS.map((w) => [w.id, w.weight])),
        vendorData,
        status: rng.weighted(DIDIT_WEIGHTS),
      });
      out.push({ key: `didit:${rec.session_id}`, id: rec.session_id, status: rec.status, userRef: rec.vendor_data ?? undefined });
      onRecord(rec);
    } else {
      throw new Error(`unknown provider ${provider}`);
    }
  }
  return out;
}

/**
 * Change a session's provider status (`/__mock/status`): Mangopay `Status` and `LastUpdate`,
 * Equals `status`, `result` (absent unless given) and `updatedAt`, Didit `status` with feature
 * statuses (hence the decision blocks) redrawn to match. Any string is accepted as a status.
 * Returns the changed record; throws `{notFound: true}` for an unknown id.
 */
export function setSessionStatus(data, provider, { id, status, result, applicationId, lastError }) {
  if (typeof status !== 'string' || status === '') throw new Error('status must be a non-empty string');
  const notFound = () => Object.assign(new Error(`no ${provider} session ${id}`), { notFound: true });
  if (provider === 'mangopay') {
    const rec = data.mangopay.byId.get(id);
    if (!rec) throw notFound();
    rec.Status = status;
    rec.LastUpdate = tick(data);
    return rec;
  }
  if (provider === 'equals') {
    if (result !== undefined && result !== null && typeof result !== 'string') throw new Error('result must be a string');
    let rows = data.equals.rows.filter((r) => r.id === id);
    if (applicationId) rows = rows.filter((r) => r.applicationId === applicationId);
    if (rows.length === 0) throw notFound();
    if (rows.length > 1) throw new Error(`equals session ${id} is on ${rows.length} applications: give applicationId`);
    const [row] = rows;
    row.status = status;
    if (result) row.result = result;
    else delete row.result;
    row.u = tick(data);
    return row;
  }
  if (provider === 'didit') {
    const rec = data.didit.byId.get(id);
    if (!rec) throw notFound();
    const person = rec.personIndex ? data.peopleByIndex.get(rec.personIndex) : null;
    rec.status = status;
    rec.featureStatuses = diditFeatureStatuses(data.mutationRng, rec.featureNames, status);
    rec.started = status !== 'Not Started' && status !== 'Expired';
    const doc = DIDIT_DOC_TYPES.find(([, name]) => name === rec.document_type_name) ?? DIDIT_DOC_TYPES[0];
    rec.document_type = rec.started && person ? doc[0] : null;
    rec.full_name = rec.started && person ? person.fullName : null;
    rec.country = rec.started && person ? person.country : null;
    tick(data);
    return rec;
  }
  if (provider === 'onfido') {
    const rec = data.onfido.byId.get(id);
    if (!rec) throw notFound();
    return setOnfidoStatus(data.onfido, data.mutationRng, tick(data), rec, status);
  }
  if (provider === 'stripe') {
    // `result` is shorthand for last_error.code; `lastError` gives {code (string or null), reason?}
    const rec = data.stripe.byId.get(id);
    if (!rec) throw notFound();
    let error = null;
    if (lastError !== undefined && lastError !== null) {
      if (typeof lastError !== 'object' || Array.isArray(lastError) || !(lastError.code === null || typeof lastError.code === 'string')) {
        throw new Error('lastError must be {code: string | null, reason?: string}');
      }
      if (lastError.reason !== undefined && typeof lastError.reason !== 'string') throw new Error('lastError.reason must be a string');
      error = { code: lastError.code, reason: lastError.reason };
    } else if (result !== undefined && result !== null) {
      if (typeof result !== 'string') throw new Error('result must be a string');
      error = { code: result };
    }
    tick(data);
    return setStripeStatus(data.stripe, data.mutationRng, rec, status, error);
  }
  throw new Error(`unknown provider ${provider}`);
}

/**
 * Deletes `count` Didit or Equals sessions picked at random (a listing walked while sessions
 * disappear: everything after a removed row moves up one offset). Returns the removed keys.
 */
export function removeSessions(data, provider, count) {
  const rows = provider === 'didit' ? data.didit.sessions : provider === 'equals' ? data.equals.rows : null;
  if (!rows) throw new Error(`removing sessions is modelled for didit and equals, not ${provider}`);
  const removed = [];
  for (let i = 0; i < count && rows.length > 0; i++) {
    const [rec] = rows.splice(data.mutationRng.int(rows.length), 1);
    const person = rec.personIndex ? data.peopleByIndex.get(rec.personIndex) : null;
    if (person && (provider === 'equals' || rec.vendor_data !== null)) person.counts[provider]--;
    removed.push(sessionSummary(provider, rec).key);
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// truth for test assertions

export function sessionCount(data, provider) {
  if (provider === 'mangopay') return data.mangopay.sessions.length;
  if (provider === 'equals') return data.equals.rows.length;
  if (provider === 'onfido') return data.onfido.runs.length;
  if (provider === 'stripe') return data.stripe.sessions.length;
  return data.didit.sessions.length;
}

/** One session as `/__mock/sessions` lists it (the SPEC key, id, status, …). */
export function sessionSummary(provider, rec) {
  if (provider === 'mangopay') {
    return { key: `mangopay:${rec.Id}`, id: rec.Id, status: rec.Status, userRef: rec.UserId, createdAt: isoSeconds(rec.CreationDate) };
  }
  if (provider === 'equals') {
    const t = {
      key: `equals:${rec.id}:${rec.applicationId}`,
      id: rec.id,
      applicationId: rec.applicationId,
      status: rec.status,
      userRef: rec.associatedPersonId ?? rec.applicationId,
      createdAt: isoSeconds(rec.t),
    };
    if (rec.result) t.result = rec.result;
    return t;
  }
  if (provider === 'didit') {
    const t = { key: `didit:${rec.session_id}`, id: rec.session_id, status: rec.status, createdAt: isoMicros(rec.micros), sessionNumber: rec.session_number };
    if (rec.vendor_data !== null) t.userRef = rec.vendor_data;
    t.legacyFeatures = rec.legacyFeatures !== null;
    return t;
  }
  if (provider === 'onfido') {
    // userRef as SPEC section 9: customer_user_id, else applicant_id
    return {
      key: `onfido:${rec.id}`,
      id: rec.id,
      status: rec.status,
      userRef: rec.customer_user_id ?? rec.applicant_id,
      createdAt: isoSeconds(rec.created),
      applicantId: rec.applicant_id,
      workflowId: rec.workflow_id,
      checkId: rec.check?.id ?? null,
    };
  }
  if (provider === 'stripe') {
    const t = { key: `stripe:${rec.id}`, id: rec.id, status: rec.status, createdAt: isoSeconds(rec.created), created: rec.created };
    if (rec.client_reference_id !== null) t.userRef = rec.client_reference_id;
    if (rec.lastError) t.lastErrorCode = rec.lastError.code;
    if (rec.redaction) t.redaction = rec.redaction.status;
    return t;
  }
  throw new Error(`unknown provider ${provider}`);
}

/** Every session of `provider` in the provider's list order, with the SPEC's unified key. */
export function truth(data, provider) {
  if (provider === 'mangopay') return data.mangopay.sessions.map((s) => sessionSummary(provider, s));
  if (provider === 'equals') return data.equals.rows.map((r) => sessionSummary(provider, r));
  if (provider === 'didit') return data.didit.sessions.map((s) => sessionSummary(provider, s));
  if (provider === 'onfido') return data.onfido.runs.map((r) => sessionSummary(provider, r));
  if (provider === 'stripe') return data.stripe.sessions.map((s) => sessionSummary(provider, s));
  throw new Error(`unknown provider ${provider}`);
}
