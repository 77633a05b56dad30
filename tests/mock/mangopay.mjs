// Mock Mangopay API v2.01: OAuth2 client credentials and the hosted IDV session endpoints
// (providers.md section 1). Faithful to the official Node SDK `mangopay4-nodejs-sdk`.

import { randomBytes, randomUUID } from 'node:crypto';
import { HUGE_COUNT, json, nowUnix, parseJsonBody, strictInt } from './http.mjs';
import { CREDENTIALS, MANGOPAY_EVENTS_DAYS, createMangopaySession, mangopayChecks, mangopayEventsWindow } from './data.mjs';
import { snapshot } from './idempotency.mjs';

const PREFIX = '/v2.01/';
export const MANGOPAY_TOKEN_PATH = '/v2.01/oauth/token';
/** Mock's choice: per_page above 100 (or below 1, or not an integer) is a 400 param_error, not clamped. */
export const MANGOPAY_MAX_PER_PAGE = 100;

export function isMangopayPath(pathname) {
  return pathname.startsWith(PREFIX);
}

/** Which endpoint a request is for (`token`, `list`, `get`, `create`, `events`, `responses`), or
 * null (anything else). */
export function mangopayEndpoint(method, pathname) {
  if (pathname === MANGOPAY_TOKEN_PATH) return method === 'POST' ? 'token' : null;
  const parts = pathname.slice(PREFIX.length).split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  const read = method === 'GET' || method === 'HEAD';
  if (parts.length === 4 && parts[1] === 'users' && parts[3] === 'identity-verifications') {
    return read ? 'list' : method === 'POST' ? 'create' : null;
  }
  if (parts.length === 3 && parts[1] === 'identity-verifications') return read ? 'get' : null;
  if (parts.length === 2 && parts[1] === 'events') return read ? 'events' : null;
  if (parts.length === 3 && parts[1] === 'responses') return read ? 'responses' : null;
  return null;
}

/** "The idempotency key must be between 16 and 36 characters and contain only alphanumeric
 * characters or dashes" (https://docs.mangopay.com/api-reference/overview/idempotency). */
export const MANGOPAY_IDEMPOTENCY_KEY = /^[A-Za-z0-9-]{16,36}$/;

/** The key of a request that takes part in idempotency (a create with a well-formed
 * `Idempotency-Key`), or null. */
export function mangopayIdempotencyKey(method, pathname, headers) {
  if (mangopayEndpoint(method, pathname) !== 'create') return null;
  const key = headers['idempotency-key'];
  return typeof key === 'string' && MANGOPAY_IDEMPOTENCY_KEY.test(key) ? key : null;
}

/** Error report body (providers.md 1.8). */
export function mangopayError(status, type, message, errors = null) {
  const date = nowUnix();
  return json(status, { Message: message, Type: type, Id: `${randomUUID()}#${date}`, Date: date, errors });
}

export function invalidCredentials() {
  // the documented 401 example has no Id and no errors
  return json(401, { Message: 'The authorization credentials are not valid', Type: 'invalid_credentials', Date: nowUnix() });
}

export function mangopayRateLimitBody() {
  return {
    Message: 'Rate limit exceeded. Please contact support for more assistance',
    Type: 'rate_limit',
    Id: `${randomUUID()}#${nowUnix()}`,
    Date: nowUnix(),
    errors: null,
  };
}

/** 403 for a reason other than credentials: the feature is not activated on the account. The
 * documented example has this RFC 7807-style body, not the usual error report (providers.md 1). */
export function mangopayForbidden() {
  const traceId = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
  return {
    status: 403,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: JSON.stringify({ type: 'https://tools.ietf.org/html/rfc9110#section-15.5.4', title: 'Forbidden', status: 403, traceId }),
  };
}

function notFound(what, id) {
  return mangopayError(404, 'ressource_not_found', 'The ressource does not exist', {
    RessourceNotFound: `Cannot found the ressource ${what} with the id=${id}`,
  });
}

function paramError(errors) {
  return mangopayError(
    400,
    'param_error',
    'One or several required parameters are missing or incorrect. An incorrect resource ID also raises this kind of error.',
    errors,
  );
}

function methodNotAllowed(method) {
  return mangopayError(405, 'method_not_allowed', `The requested resource does not support http method '${method}'.`);
}

export function handleMangopay(ctx) {
  const { method, url } = ctx;
  const path = url.pathname;
  if (path === MANGOPAY_TOKEN_PATH) {
    if (method !== 'POST') return methodNotAllowed(method);
    return issueToken(ctx);
  }
  if (!checkBearer(ctx)) return invalidCredentials();
  const parts = path.slice(PREFIX.length).split('/').map(safeDecode);
  if (parts[parts.length - 1] === '') parts.pop();
  const [clientId, ...rest] = parts;
  if (clientId !== CREDENTIALS.mangopay.clientId) return invalidCredentials();

  // users/{UserId}/identity-verifications
  if (rest.length === 3 && rest[0] === 'users' && rest[2] === 'identity-verifications') {
    if (method === 'GET' || method === 'HEAD') return listSessions(ctx, rest[1]);
    if (method === 'POST') return withIdempotency(ctx, () => createSession(ctx, rest[1]));
    return methodNotAllowed(method);
  }
  // identity-verifications/{Id}
  if (rest.length === 2 && rest[0] === 'identity-verifications') {
    if (method === 'GET' || method === 'HEAD') return viewSession(ctx, rest[1]);
    return methodNotAllowed(method);
  }
  // events
  if (rest.length === 1 && rest[0] === 'events') {
    if (method === 'GET' || method === 'HEAD') return listEvents(ctx);
    return methodNotAllowed(method);
  }
  // responses/{IdempotencyKey}
  if (rest.length === 2 && rest[0] === 'responses') {
    if (method === 'GET' || method === 'HEAD') return storedResponse(ctx, rest[1]);
    return methodNotAllowed(method);
  }
  return mangopayError(404, 'ressource_not_found', 'The ressource does not exist', null);
}

// ---------------------------------------------------------------------------------------------
// OAuth

function issueToken(ctx) {
  const auth = ctx.headers.authorization ?? '';
  const m = /^basic\s+(\S+)$/i.exec(auth.trim());
  if (!m) return invalidCredentials();
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  const id = sep >= 0 ? decoded.slice(0, sep) : decoded;
  const key = sep >= 0 ? decoded.slice(sep + 1) : '';
  if (id !== CREDENTIALS.mangopay.clientId || key !== CREDENTIALS.mangopay.apiKey) return invalidCredentials();
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const grant = form.get('grant_type');
  if (grant === null) {
    return json(400, { error: 'invalid_request', error_description: 'The grant_type parameter is missing' });
  }
  if (grant !== 'client_credentials') {
    return json(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant_type '${grant}'` });
  }
  const { tokens, opts } = ctx.state;
  const now = Date.now();
  if (tokens.size > 1000) for (const [t, exp] of tokens) if (exp <= now) tokens.delete(t);
  const token = randomBytes(16).toString('hex');
  tokens.set(token, now + opts.tokenTtlSeconds * 1000);
  return json(200, { access_token: token, token_type: 'bearer', expires_in: opts.tokenTtlSeconds });
}

function checkBearer(ctx) {
  const auth = ctx.headers.authorization ?? '';
  const m = /^bearer\s+(\S+)$/i.exec(auth.trim());
  if (!m) return false;
  const exp = ctx.state.tokens.get(m[1]);
  if (exp === undefined) return false;
  if (exp <= Date.now()) {
    ctx.state.tokens.delete(m[1]);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// sessions

function hostedUrl(origin, rec) {
  return `${origin}/hosted/${encodeURIComponent(rec.Id)}?sessionId=${rec.sessionToken}&redirectURL=${encodeURIComponent(rec.ReturnUrl)}`;
}

/** `page` (1-based, default 1) and `per_page` (1..100, default 10) into `errors` when invalid. */
function pagingParams(q, errors) {
  let page = 1;
  let perPage = 10;
  if (q.has('page')) {
    page = strictInt(q.get('page'));
    if (!(page >= 1)) errors.page = 'The field page must be a positive integer.';
  }
  if (q.has('per_page')) {
    perPage = strictInt(q.get('per_page'));
    if (!(perPage >= 1 && perPage <= MANGOPAY_MAX_PER_PAGE)) {
      errors.per_page = `The field per_page must be between 1 and ${MANGOPAY_MAX_PER_PAGE}.`;
    }
  }
  return { page, perPage };
}

/** `x-number-of-pages`, `x-number-of-items` and `link` (first, prev, next, last: absolute URLs
 * that keep `keep`, the other query parameters). */
function pagingHeaders(ctx, { page, perPage, pages, total, keep = [] }) {
  const base = `${ctx.origin}${ctx.url.pathname}`;
  const extra = keep.map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
  const link = (p, rel) => `<${base}?page=${p}&per_page=${perPage}${extra}>; rel="${rel}"`;
  const last = Math.max(1, pages);
  const links = [link(1, 'first')];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < pages) links.push(link(page + 1, 'next'));
  links.push(link(last, 'last'));
  return {
    'x-number-of-pages': String(pages),
    'x-number-of-items': String(total),
    link: links.join(', '),
  };
}

function listSessions(ctx, userId) {
  const q = ctx.url.searchParams;
  const errors = {};
  const { page, perPage } = pagingParams(q, errors);
  if (Object.keys(errors).length) return paramError(errors);

  const mode = ctx.state.paging?.mangopay ?? 'normal';
  const all = ctx.state.data.mangopay.byUser.get(userId) ?? [];
  const huge = mode === 'huge-count';
  const total = huge ? HUGE_COUNT.items : all.length;
  const pages = huge ? HUGE_COUNT.pages : Math.ceil(total / perPage);
  const start = mode === 'ignore-page' ? 0 : (page - 1) * perPage;
  const rows = all.slice(start, start + perPage).map((s) => ({
    Id: s.Id,
    Status: s.Status,
    CreationDate: s.CreationDate,
    LastUpdate: s.LastUpdate,
  }));
  return json(200, rows, pagingHeaders(ctx, { page, perPage, pages, total }));
}

/**
 * `GET /v2.01/{ClientId}/events?EventType=&AfterDate=&BeforeDate=&page=&per_page=` (webhooks.md 2):
 * a bare array of `{ResourceId, EventType, Date}`, oldest first, paged like the IDV list. Dates
 * are Unix seconds, both bounds inclusive; a bound older than 45 days before the mock's clock is
 * a 400 `param_error`; without AfterDate the last 45 days. EventType is an exact match (any value).
 */
function listEvents(ctx) {
  const q = ctx.url.searchParams;
  const errors = {};
  const { page, perPage } = pagingParams(q, errors);
  const { oldest } = mangopayEventsWindow(ctx.state.data);
  const bounds = {};
  for (const name of ['AfterDate', 'BeforeDate']) {
    if (!q.has(name)) continue;
    const raw = q.get(name);
    const value = /^-?\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(value)) errors[name] = `The field ${name} must be a Unix timestamp.`;
    else if (value < oldest) {
      errors[name] = `Events older than ${MANGOPAY_EVENTS_DAYS} days cannot be retrieved: ${name} must be ${oldest} or later.`;
    } else bounds[name] = value;
  }
  const eventType = q.get('EventType') || null;
  if (Object.keys(errors).length) return paramError(errors);

  const after = bounds.AfterDate ?? oldest;
  const before = bounds.BeforeDate ?? Infinity;
  const all = ctx.state.data.mangopay.events;
  // sorted by Date: skip the older ones with a binary search
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].Date < after) lo = mid + 1;
    else hi = mid;
  }
  const matching = [];
  for (let i = lo; i < all.length && all[i].Date <= before; i++) {
    if (eventType === null || all[i].EventType === eventType) matching.push(all[i]);
  }
  const mode = ctx.state.paging?.mangopay ?? 'normal';
  const huge = mode === 'huge-count';
  const total = huge ? HUGE_COUNT.items : matching.length;
  const pages = huge ? HUGE_COUNT.pages : Math.ceil(total / perPage);
  const start = mode === 'ignore-page' ? 0 : (page - 1) * perPage;
  const rows = matching.slice(start, start + perPage).map((e) => ({ ...e }));
  const keep = ['EventType', 'AfterDate', 'BeforeDate'].filter((k) => q.has(k)).map((k) => [k, q.get(k)]);
  return json(200, rows, pagingHeaders(ctx, { page, perPage, pages, total, keep }));
}

function createSession(ctx, userId) {
  const { data } = ctx.state;
  if (!data.mangopay.users.has(userId)) return notFound('User', userId);
  const parsed = parseJsonBody(ctx.body);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return paramError({ Body: 'The request body must be a JSON object.' });
  }
  const { ReturnUrl, Tag } = parsed.value;
  const errors = {};
  if (typeof ReturnUrl !== 'string' || ReturnUrl.trim() === '') errors.ReturnUrl = 'The ReturnUrl field is required.';
  else if (ReturnUrl.length > 500) errors.ReturnUrl = 'The field ReturnUrl must be a string with a maximum length of 500.';
  if (Tag !== undefined && Tag !== null && (typeof Tag !== 'string' || Tag.length > 255)) {
    errors.Tag = 'The field Tag must be a string with a maximum length of 255.';
  }
  if (Object.keys(errors).length) return paramError(errors);
  const rec = createMangopaySession(data, { userId, returnUrl: ReturnUrl, tag: Tag });
  ctx.changed?.push(rec);
  return json(200, {
    Id: rec.Id,
    Tag: rec.Tag,
    CreationDate: rec.CreationDate,
    HostedUrl: hostedUrl(ctx.origin, rec),
    Status: rec.Status,
    ReturnUrl: rec.ReturnUrl,
  });
}

function viewSession(ctx, id) {
  const { data } = ctx.state;
  const rec = data.mangopay.byId.get(id);
  if (!rec) return notFound('IdentityVerification', id);
  return json(200, {
    Id: rec.Id,
    Tag: rec.Tag,
    HostedUrl: hostedUrl(ctx.origin, rec),
    ReturnUrl: rec.ReturnUrl,
    Status: rec.Status,
    UserId: rec.UserId,
    CreationDate: rec.CreationDate,
    LastUpdate: rec.LastUpdate,
    Checks: mangopayChecks(rec, data.peopleByIndex.get(rec.personIndex)),
  });
}

// ---------------------------------------------------------------------------------------------
// Idempotency (https://docs.mangopay.com/api-reference/overview/idempotency): "If you use the same
// idempotency key within 24 hours Mangopay will block all but the first request", "regardless of
// the HTTP response code of the first API call": every reuse of a key is a 409, whatever its
// request, whether the first request has finished or not. A missed answer is read back with
// `GET /v2.01/{ClientId}/responses/{IdempotencyKey}` once the first request has finished.

function idempotencyConflict() {
  // the documented body, `errors: null` included
  return mangopayError(409, 'idempotent_creation_conflict', 'A resource has already been created with this Idempotency Key', null);
}

function withIdempotency(ctx, run) {
  const key = ctx.headers['idempotency-key'];
  if (key === undefined) return run();
  if (!MANGOPAY_IDEMPOTENCY_KEY.test(key)) {
    return paramError({
      'Idempotency-Key': 'The Idempotency-Key must be between 16 and 36 characters long and contain only alphanumeric characters or dashes.',
    });
  }
  // the server registered the request when it arrived (ctx.idempotency); called directly, register now
  const idem = ctx.idempotency ?? ctx.state.idempotency.arrive('mangopay', key);
  if (idem.role !== 'owner') return idempotencyConflict();
  const response = run();
  ctx.state.idempotency.complete(idem.record, { response: snapshot(response), requestUrl: `${ctx.origin}${ctx.url.pathname}` });
  return response;
}

/** `GET /v2.01/{ClientId}/responses/{IdempotencyKey}`: the stored answer of a finished first
 * request (StatusCode and ContentLength as strings, Date as an HTTP date, Resource the body);
 * 404 for an unknown key and while the first request is still running. */
function storedResponse(ctx, key) {
  const rec = ctx.state.idempotency.get('mangopay', key);
  if (!rec || rec.state !== 'done') return notFound('Response', key);
  const { response } = rec;
  let resource;
  try {
    resource = JSON.parse(response.body);
  } catch {
    resource = response.body;
  }
  return json(200, {
    StatusCode: String(response.status),
    ContentLength: String(Buffer.byteLength(response.body ?? '', 'utf8')),
    ContentType: response.headers['content-type'] ?? null,
    Date: new Date(rec.completedAt).toUTCString(),
    RequestURL: rec.requestUrl,
    Resource: resource,
  });
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
