// Mock Didit verification API v3 (providers.md section 3): list sessions, session decision,
// create session. Django REST framework conventions: trailing slashes (301 without), `{"detail"}`
// error bodies, field-keyed validation errors, LimitOffset pagination with absolute next/previous.
//
// Mock's own choices where the docs are silent: `limit` default 50, maximum 100 (above is clamped,
// an invalid or non-positive limit falls back to 50, an invalid offset to 0, as DRF does);
// `date_from`/`date_to` accept YYYY-MM-DD (whole UTC days, both inclusive) or a full ISO date-time;
// `POST /v3/session/` accepts any non-empty workflow_id (unknown ids get the Standard KYC features).

import { HUGE_COUNT, json, empty, parseJsonBody } from './http.mjs';
import { CREDENTIALS, DIDIT_BLOCK_KEYS, createDiditSession, diditDecisionBlocks, isoMicros } from './data.mjs';

const PREFIX = '/v3/';
export const DIDIT_DEFAULT_LIMIT = 50;
export const DIDIT_MAX_LIMIT = 100;

const ROUTES = [
  { re: /^\/v3\/sessions\/$/, name: 'list' },
  { re: /^\/v3\/session\/$/, name: 'create' },
  { re: /^\/v3\/session\/([^/]+)\/decision\/$/, name: 'decision' },
];

export function isDiditPath(pathname) {
  return pathname.startsWith(PREFIX);
}

/** Which endpoint a request is for (`list`, `get` = decision, `create`), or null (anything else,
 * the 301s of paths without their trailing slash included). */
export function diditEndpoint(method, pathname) {
  const route = match(pathname);
  if (!route) return null;
  if (route.name === 'create') return method === 'POST' ? 'create' : null;
  if (method !== 'GET' && method !== 'HEAD') return null;
  return route.name === 'list' ? 'list' : 'get';
}

/** 403 for a reason other than the key: the account has no credits left. */
export function diditForbidden() {
  return json(403, { detail: 'You do not have enough credits to perform this request.' });
}

export function diditRateLimitBody(seconds) {
  return { detail: `Request was throttled. Expected available in ${seconds} seconds.` };
}

function match(pathname) {
  for (const r of ROUTES) {
    const m = r.re.exec(pathname);
    if (m) return { name: r.name, params: m.slice(1) };
  }
  return null;
}

export function handleDidit(ctx) {
  const { method, url } = ctx;
  let route = match(url.pathname);
  if (!route && !url.pathname.endsWith('/') && match(`${url.pathname}/`)) {
    // Django APPEND_SLASH: redirect, query preserved, before authentication
    return empty(301, { location: `${ctx.origin}${url.pathname}/${url.search}`, 'content-type': 'text/html; charset=utf-8' });
  }
  const key = ctx.headers['x-api-key'];
  if (key === undefined || key === '') return json(403, { detail: 'Authentication credentials were not provided.' });
  if (key !== CREDENTIALS.didit.apiKey) return json(401, { detail: 'Invalid API key.' });
  if (!route) return json(404, { detail: 'Not found.' });

  const allowed = route.name === 'create' ? ['POST'] : ['GET', 'HEAD'];
  if (!allowed.includes(method)) return json(405, { detail: `Method "${method}" not allowed.` });
  if (route.name === 'list') return listSessions(ctx);
  if (route.name === 'decision') return decision(ctx, decodeSafe(route.params[0]));
  return createSession(ctx);
}

function decodeSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sessionUrl(origin, rec) {
  return `${origin}/hosted/didit/${rec.token}`;
}

function listRow(origin, rec) {
  return {
    session_id: rec.session_id,
    session_kind: rec.session_kind,
    session_number: rec.session_number,
    session_url: sessionUrl(origin, rec),
    portrait_image: rec.started ? `${origin}/media/${rec.session_id}/portrait.jpg` : null,
    document_type: rec.document_type,
    full_name: rec.full_name,
    country: rec.country,
    status: rec.status,
    vendor_data: rec.vendor_data,
    didit_internal_id: rec.didit_internal_id,
    created_at: isoMicros(rec.micros),
    features: rec.legacyFeatures ?? rec.featureNames.map((feature, i) => ({ feature, status: rec.featureStatuses[i] })),
    workflow_label: rec.workflow_label,
    workflow_id: rec.workflow_id,
  };
}

/** DRF `_positive_int`: digits only, strict means > 0; else the fallback. */
function positiveInt(text, strict, fallback) {
  if (text === null || !/^\s*\d+\s*$/.test(text)) return fallback;
  const n = Number(text);
  if (strict && n === 0) return fallback;
  return n;
}

/** Returns [startMicros, endMicros] bounds or null when invalid. */
function parseDateBound(text, isEnd) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return null;
    return isEnd ? (ms + 86400000) * 1000 - 1 : ms * 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return null;
    return ms * 1000;
  }
  return null;
}

function listSessions(ctx) {
  const q = ctx.url.searchParams;
  const limit = Math.min(positiveInt(q.get('limit'), true, DIDIT_DEFAULT_LIMIT), DIDIT_MAX_LIMIT);
  const offset = positiveInt(q.get('offset'), false, 0);

  const errors = {};
  let from = null;
  let to = null;
  if (q.get('date_from')) {
    from = parseDateBound(q.get('date_from'), false);
    if (from === null) errors.date_from = ['Enter a valid date.'];
  }
  if (q.get('date_to')) {
    to = parseDateBound(q.get('date_to'), true);
    if (to === null) errors.date_to = ['Enter a valid date.'];
  }
  if (Object.keys(errors).length) return json(400, errors);

  const statuses = (q.get('status') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const vendor = q.get('vendor_data') || null;
  const country = q.get('country') ? q.get('country').toUpperCase() : null;
  const workflow = q.get('workflow_id') || null;
  const kind = q.get('session_kind') || 'user';
  const search = q.get('search') ? q.get('search').toLowerCase() : null;

  let rows = ctx.state.data.didit.sessions;
  if (kind === 'business') rows = [];
  else if (statuses.length || vendor || country || workflow || from !== null || to !== null || search) {
    const statusSet = statuses.length ? new Set(statuses) : null;
    rows = rows.filter(
      (s) =>
        (!statusSet || statusSet.has(s.status)) &&
        (!vendor || s.vendor_data === vendor) &&
        (!country || s.country === country) &&
        (!workflow || s.workflow_id === workflow) &&
        (from === null || s.micros >= from) &&
        (to === null || s.micros <= to) &&
        (!search ||
          (s.full_name ?? '').toLowerCase().includes(search) ||
          (s.vendor_data ?? '').toLowerCase().includes(search) ||
          s.session_id.includes(search)),
    );
  }
  const mode = ctx.state.paging?.didit ?? 'normal';
  const count = mode === 'huge-count' ? HUGE_COUNT.count : rows.length;
  const pageUrl = (newOffset) => {
    const u = new URL(`${ctx.url.pathname}${ctx.url.search}`, ctx.origin);
    u.searchParams.set('limit', String(limit));
    if (newOffset === null) u.searchParams.delete('offset');
    else u.searchParams.set('offset', String(newOffset));
    return u.toString();
  };
  const next = offset + limit < count ? pageUrl(offset + limit) : null;
  let previous = null;
  if (offset > 0) previous = offset - limit <= 0 ? pageUrl(null) : pageUrl(offset - limit);
  const start = mode === 'ignore-page' ? 0 : offset;
  const results = rows.slice(start, start + limit).map((r) => listRow(ctx.origin, r));
  return json(200, { count, next, previous, results });
}

function decision(ctx, id) {
  const { data } = ctx.state;
  const rec = data.didit.byId.get(id);
  if (!rec) return json(404, { detail: 'Not found.' });
  return json(200, diditDecision(data, rec, ctx.origin));
}

/** The decision object of a session (`GET /v3/session/{id}/decision/`, and webhooks' `decision`). */
export function diditDecision(data, rec, origin) {
  const person = rec.personIndex ? data.peopleByIndex.get(rec.personIndex) : null;
  const blocks = diditDecisionBlocks(rec, person, origin);
  const body = {
    session_id: rec.session_id,
    session_kind: rec.session_kind,
    session_number: rec.session_number,
    session_url: sessionUrl(origin, rec),
    status: rec.status,
    environment: 'live',
    workflow_id: rec.workflow_id,
    features: rec.legacyFeatures ?? rec.featureNames.slice(),
    vendor_data: rec.vendor_data,
    metadata: rec.metadata,
    expected_details: null,
    contact_details: null,
    callback: rec.callback,
  };
  for (const key of DIDIT_BLOCK_KEYS) body[key] = blocks[key];
  body.document_ai_documents = null;
  body.questionnaire_responses = null;
  body.reviews = [];
  body.created_at = isoMicros(rec.micros);
  return body;
}

function createSession(ctx) {
  const parsed = parseJsonBody(ctx.body);
  if (!parsed.ok) return json(400, { detail: `JSON parse error - ${parsed.error}` });
  const body = parsed.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return json(400, { non_field_errors: ['Invalid data. Expected a dictionary, but got ' + typeof body + '.'] });
  }
  const errors = {};
  if (body.workflow_id === undefined || body.workflow_id === null || body.workflow_id === '') {
    errors.workflow_id = ['This field is required.'];
  } else if (typeof body.workflow_id !== 'string') {
    errors.workflow_id = ['Must be a valid UUID.'];
  }
  if (body.vendor_data !== undefined && body.vendor_data !== null && typeof body.vendor_data !== 'string') {
    errors.vendor_data = ['Not a valid string.'];
  }
  if (body.callback !== undefined && body.callback !== null && typeof body.callback !== 'string') {
    errors.callback = ['Enter a valid URL.'];
  }
  if (Object.keys(errors).length) return json(400, errors);
  const rec = createDiditSession(ctx.state.data, {
    workflowId: body.workflow_id,
    vendorData: body.vendor_data ?? null,
    callback: body.callback ?? null,
    metadata: body.metadata ?? null,
  });
  ctx.changed?.push(rec);
  return json(201, {
    session_id: rec.session_id,
    session_number: rec.session_number,
    session_token: rec.token,
    url: sessionUrl(ctx.origin, rec),
    status: rec.status,
    workflow_id: rec.workflow_id,
    vendor_data: rec.vendor_data,
    callback: rec.callback,
    metadata: rec.metadata,
  });
}
