// Mock Stripe Identity: VerificationSessions and VerificationReports under /v1/ (providers-next.md 1).
// Sources: https://docs.stripe.com/api/identity/verification_sessions, /idempotency, /rate-limits,
// /api/errors, /api/pagination; stripe-node 23.2.0 (node_modules/stripe/esm/resources/Identity/*.d.ts
// for the shapes, cjs/RequestSender.js for headers and retries, cjs/autoPagination.js for cursors).
//
// The mock's own choices where the docs are silent are listed in README.md ("Stripe Identity"):
// messages, which errors have a `code`, the idempotency 409's `type`, Retry-After on 429s.

import { randomBytes } from 'node:crypto';
import { json, strictInt } from './http.mjs';
import { CREDENTIALS, createStripeSession } from './data.mjs';
import { canonicalParams, requestParams } from './form.mjs';
import { snapshot } from './idempotency.mjs';
import {
  STRIPE_ALLOWED_TYPES,
  STRIPE_API_VERSION,
  STRIPE_STATUSES,
  STRIPE_VERIFICATION_FLOW,
  cancelStripeSession,
  compareSessions,
  finishStripeRedaction,
  startStripeRedaction,
  stripeReportJson,
  stripeSessionJson,
} from './stripe-data.mjs';

export { STRIPE_API_VERSION };

const PREFIX = '/v1/';
const SESSIONS_PATH = '/v1/identity/verification_sessions';
export const STRIPE_ACCOUNT = 'acct_1MockIdentityAccount';
/** "limit … can range between 1 and 100, and the default is 10" (list docs). */
export const STRIPE_DEFAULT_LIMIT = 10;
export const STRIPE_MAX_LIMIT = 100;
/** "Idempotency keys are up to 255 characters long" (https://docs.stripe.com/idempotency). */
export const STRIPE_MAX_IDEMPOTENCY_KEY = 255;
const EXPANDABLE = ['last_verification_report', 'verified_outputs'];

const ROUTES = [
  { re: /^\/v1\/identity\/verification_sessions$/, name: 'sessions' },
  { re: /^\/v1\/identity\/verification_sessions\/([^/]+)$/, name: 'session' },
  { re: /^\/v1\/identity\/verification_sessions\/([^/]+)\/cancel$/, name: 'cancel' },
  { re: /^\/v1\/identity\/verification_sessions\/([^/]+)\/redact$/, name: 'redact' },
  { re: /^\/v1\/identity\/verification_reports\/([^/]+)$/, name: 'report' },
];

function match(pathname) {
  for (const r of ROUTES) {
    const m = r.re.exec(pathname);
    if (m) return { name: r.name, id: m[1] === undefined ? undefined : decodeSafe(m[1]) };
  }
  return null;
}

function decodeSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function isStripePath(pathname) {
  return pathname.startsWith(PREFIX);
}

const READ = (method) => method === 'GET' || method === 'HEAD';

/** Which endpoint a request is for (scripts, stats, the per-endpoint rate limit): `list`,
 * `create`, `get`, `update`, `cancel`, `redact`, `report`; null for anything else. */
export function stripeEndpoint(method, pathname) {
  const route = match(pathname);
  if (!route) return null;
  if (route.name === 'sessions') return READ(method) ? 'list' : method === 'POST' ? 'create' : null;
  if (route.name === 'session') return READ(method) ? 'get' : method === 'POST' ? 'update' : null;
  if (route.name === 'report') return READ(method) ? 'report' : null;
  return method === 'POST' ? route.name : null;
}

/** The idempotency key of a request that takes part (every POST with an `Idempotency-Key` of at
 * most 255 characters: "All POST requests accept idempotency keys"), or null. */
export function stripeIdempotencyKey(method, pathname, headers) {
  if (method !== 'POST' || !isStripePath(pathname)) return null;
  const key = headers['idempotency-key'];
  return typeof key === 'string' && key !== '' && key.length <= STRIPE_MAX_IDEMPOTENCY_KEY ? key : null;
}

// ---------------------------------------------------------------------------------------------
// errors (https://docs.stripe.com/api/errors: `{error: {type, code?, message, param?, doc_url?}}`)

export function stripeErrorBody({ type = 'invalid_request_error', code, message, param }) {
  const error = {};
  if (code) {
    error.code = code;
    error.doc_url = `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
  }
  error.message = message;
  if (param) error.param = param;
  error.type = type;
  return { error };
}

export function stripeError(status, fields) {
  return json(status, stripeErrorBody(fields));
}

/** 429 body (providers-next.md 1.5; the `rate_limit` code of the docs' error codes). */
export function stripeRateLimitBody() {
  return stripeErrorBody({
    code: 'rate_limit',
    message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
  });
}

/** 403 for a reason other than the key: Identity is not activated on the account. */
export function stripeForbidden() {
  return stripeError(403, { message: 'Your account is not activated for Stripe Identity. Activate it in the Dashboard to use this endpoint.' });
}

/** An unknown object: 404 on its own URL (`param: "id"`), 400 when a parameter names it. */
const missing = (what, id, param) => stripeError(param === 'id' ? 404 : 400, { code: 'resource_missing', message: `No such ${what}: '${id}'`, param });
const unknownParam = (name) => stripeError(400, { code: 'parameter_unknown', message: `Received unknown parameter: ${name}`, param: name });
const invalid = (param, message, code) => stripeError(400, { message, param, code });

/** Stripe never echoes a key: its prefix, stars, its last four characters. */
export function maskKey(key) {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  if (key.length <= prefix.length + 4) return '*'.repeat(Math.max(4, key.length));
  return `${prefix}${'*'.repeat(key.length - prefix.length - 4)}${key.slice(-4)}`;
}

/** `Authorization: Bearer <key>` (stripe-node utils) or HTTP Basic with the key as user name (the
 * docs' curl `-u sk_test_…:`). Returns null when the key may make the request, else the error. */
function authenticate(ctx) {
  const auth = (ctx.headers.authorization ?? '').trim();
  let key = null;
  const bearer = /^bearer\s+(\S+)$/i.exec(auth);
  const basic = /^basic\s+(\S+)$/i.exec(auth);
  if (bearer) key = bearer[1];
  else if (basic) key = Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
  if (!key) {
    return stripeError(401, {
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    });
  }
  const { secretKey, restrictedKey, readOnlyKey } = CREDENTIALS.stripe;
  if (key.startsWith('pk_')) return stripeError(401, { message: 'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.' });
  if (key !== secretKey && key !== restrictedKey && key !== readOnlyKey) return stripeError(401, { message: `Invalid API Key provided: ${maskKey(key)}` });
  if (key === readOnlyKey && !READ(ctx.method)) {
    return stripeError(403, {
      message: `The provided key '${maskKey(key)}' does not have the required permissions for this endpoint on account '${STRIPE_ACCOUNT}'. Having the 'rak_identity_verification_session_write' permission would allow this request to continue.`,
    });
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// handler

/**
 * Every Stripe answer carries `Request-Id` and `Stripe-Version` (the request's, else the mock's),
 * and `Idempotency-Key` when the request had one.
 */
export function handleStripe(ctx) {
  const requestId = `req_${randomBytes(7).toString('hex')}`;
  const response = route(ctx, requestId);
  const headers = { 'request-id': requestId, 'stripe-version': ctx.headers['stripe-version'] || STRIPE_API_VERSION };
  if (ctx.headers['idempotency-key']) headers['idempotency-key'] = ctx.headers['idempotency-key'];
  response.headers = { ...headers, ...response.headers };
  return response;
}

function route(ctx, requestId) {
  const denied = authenticate(ctx);
  if (denied) return denied;
  const version = ctx.headers['stripe-version'];
  if (version !== undefined && !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version)) {
    return stripeError(400, { message: `Invalid Stripe API version: ${version}`, code: 'api_version_invalid' });
  }
  const r = match(ctx.url.pathname);
  if (!r) return stripeError(404, { message: `Unrecognized request URL (${ctx.method}: ${ctx.url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.` });
  const endpoint = stripeEndpoint(ctx.method, ctx.url.pathname);
  if (!endpoint) return stripeError(405, { message: `Unrecognized request URL (${ctx.method}: ${ctx.url.pathname}).` });
  const key = ctx.headers['idempotency-key'];
  if (key !== undefined && key.length > STRIPE_MAX_IDEMPOTENCY_KEY) {
    return stripeError(400, { message: `Idempotency-Key is too long: it can be at most ${STRIPE_MAX_IDEMPOTENCY_KEY} characters.`, param: 'Idempotency-Key' });
  }
  const parsed = requestParams(ctx.url, READ(ctx.method) ? null : ctx.body, ctx.headers['content-type'] ?? '');
  if (!parsed.ok) return stripeError(400, { message: parsed.message, param: parsed.param ?? undefined });
  const params = parsed.value;
  const run = () => {
    switch (endpoint) {
      case 'list':
        return listSessions(ctx, params);
      case 'get':
        return retrieve(ctx, r.id, params);
      case 'report':
        return retrieveReport(ctx, r.id, params);
      case 'create':
        return create(ctx, params, requestId);
      case 'update':
        return update(ctx, r.id, params);
      case 'cancel':
        return cancel(ctx, r.id, params, requestId);
      default:
        return redact(ctx, r.id, params, requestId);
    }
  };
  return READ(ctx.method) ? run() : withIdempotency(ctx, params, requestId, run);
}

// ---------------------------------------------------------------------------------------------
// idempotency (https://docs.stripe.com/idempotency): the first answer is saved "after endpoint
// execution begins", "including 500 errors", and replayed for the same key and parameters; other
// parameters are an `idempotency_error`; a validation failure is not saved; a key whose first
// request is still running is a 409 (`idempotency_key_in_use`).

function withIdempotency(ctx, params, requestId, run) {
  const key = ctx.headers['idempotency-key'];
  const idem = key ? ctx.idempotency ?? ctx.state.idempotency.arrive('stripe', key) : null;
  if (!idem) return run();
  const fingerprint = canonicalParams(params);
  if (idem.role === 'pending') {
    return stripeError(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
    });
  }
  if (idem.role === 'existing') {
    const rec = idem.record;
    if (rec.path !== ctx.url.pathname) {
      return stripeError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${ctx.url.pathname}' vs '${rec.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (rec.fingerprint !== fingerprint) {
      return stripeError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    const replay = snapshot(rec.response);
    replay.headers = { ...replay.headers, 'idempotent-replayed': 'true', 'original-request': rec.requestId };
    return replay;
  }
  const response = run();
  if (response.validationFailure) {
    ctx.state.idempotency.release(idem.record); // "If incoming parameters fail validation … we don't save"
    delete response.validationFailure;
  } else {
    ctx.state.idempotency.complete(idem.record, { response: snapshot(response), path: ctx.url.pathname, fingerprint, requestId });
  }
  return response;
}

/** A 400 that ran no endpoint code: not saved under the idempotency key. */
function rejected(response) {
  response.validationFailure = true;
  return response;
}

// ---------------------------------------------------------------------------------------------
// reading

const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'status', 'client_reference_id', 'created', 'expand', 'related_customer', 'related_customer_account'];

function firstUnknown(params, allowed) {
  return Object.keys(params).find((k) => !allowed.includes(k));
}

/** `expand[]` values, `prefix` removed (`data.` on lists); an error response for anything else. */
function expansions(params, prefix = '') {
  const raw = params.expand ?? [];
  const list = Array.isArray(raw) ? raw : [raw];
  const out = new Set();
  for (const item of list) {
    const name = typeof item === 'string' && item.startsWith(prefix) ? item.slice(prefix.length) : null;
    if (!EXPANDABLE.includes(name)) return { error: invalid('expand', `This property cannot be expanded (${item}).`) };
    out.add(name);
  }
  return { expand: out };
}

/** `created`: an integer, or `{gt, gte, lt, lte}` of integers (Unix seconds). */
function createdRange(value) {
  if (value === undefined) return { test: () => true };
  if (typeof value === 'string') {
    const n = /^-?\d{1,12}$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(n)) return { error: invalid('created', `Invalid integer: ${value}`, 'parameter_invalid_integer') };
    return { test: (t) => t === n };
  }
  if (typeof value !== 'object' || Array.isArray(value)) return { error: invalid('created', 'Invalid created: must be an integer or a hash of gt, gte, lt, lte') };
  const ops = { gt: (t, n) => t > n, gte: (t, n) => t >= n, lt: (t, n) => t < n, lte: (t, n) => t <= n };
  const checks = [];
  for (const [op, raw] of Object.entries(value)) {
    if (!ops[op]) return unknownParamResult(`created[${op}]`);
    const n = typeof raw === 'string' && /^-?\d{1,12}$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(n)) return { error: invalid(`created[${op}]`, `Invalid integer: ${raw}`, 'parameter_invalid_integer') };
    checks.push((t) => ops[op](t, n));
  }
  return { test: (t) => checks.every((c) => c(t)) };
}

function unknownParamResult(name) {
  return { error: unknownParam(name) };
}

/**
 * `GET /v1/identity/verification_sessions`: `{object: "list", url, has_more, data}`, newest first
 * by `created` (ties by id). `limit` 1..100 (default 10); `starting_after` / `ending_before` are
 * session ids (the page after / before that session in this order, whatever the filters);
 * filters `status` (one of the four), `client_reference_id`, `created` (integer or range),
 * `related_customer(_account)` (no mock session has one); `expand[]=data.last_verification_report`,
 * `data.verified_outputs`.
 */
function listSessions(ctx, params) {
  const unknown = firstUnknown(params, LIST_PARAMS);
  if (unknown) return unknownParam(unknown);
  let limit = STRIPE_DEFAULT_LIMIT;
  if (params.limit !== undefined) {
    limit = typeof params.limit === 'string' ? strictInt(params.limit) : NaN;
    if (Number.isNaN(limit)) return invalid('limit', `Invalid integer: ${params.limit}`, 'parameter_invalid_integer');
    if (limit < 1 || limit > STRIPE_MAX_LIMIT) return invalid('limit', `This value must be greater than or equal to 1 and less than or equal to ${STRIPE_MAX_LIMIT}.`, 'parameter_invalid_integer');
  }
  if (params.starting_after !== undefined && params.ending_before !== undefined) {
    return invalid('ending_before', 'You may only specify one of these parameters: ending_before, starting_after.', 'parameters_exclusive');
  }
  if (params.status !== undefined && !STRIPE_STATUSES.includes(params.status)) {
    return invalid('status', `Invalid status: must be one of ${STRIPE_STATUSES.join(', ')}`);
  }
  for (const name of ['client_reference_id', 'related_customer', 'related_customer_account', 'starting_after', 'ending_before']) {
    if (params[name] !== undefined && typeof params[name] !== 'string') return invalid(name, `Invalid string: ${name} must be a string`);
  }
  const created = createdRange(params.created);
  if (created.error) return created.error;
  const { expand, error } = expansions(params, 'data.');
  if (error) return error;

  const { stripe, people } = ctx.state.data;
  const cursorName = params.starting_after !== undefined ? 'starting_after' : params.ending_before !== undefined ? 'ending_before' : null;
  const cursor = cursorName ? stripe.byId.get(params[cursorName]) : null;
  if (cursorName && !cursor) return missing('verification session', params[cursorName], cursorName);
  const mode = ctx.state.paging?.stripe ?? 'normal';

  const keep = (s) =>
    (params.status === undefined || s.status === params.status) &&
    (params.client_reference_id === undefined || s.client_reference_id === params.client_reference_id) &&
    params.related_customer === undefined &&
    params.related_customer_account === undefined &&
    created.test(s.created);
  const page = (cur, name) => {
    const rows = stripe.sessions.filter((s) => keep(s) && (!cur || (name === 'starting_after' ? compareSessions(s, cur) > 0 : compareSessions(s, cur) < 0)));
    // ending_before: the `limit` sessions just before the cursor, still newest first
    const data = name === 'ending_before' ? rows.slice(Math.max(0, rows.length - limit)) : rows.slice(0, limit);
    return { data, hasMore: rows.length > limit };
  };
  const asked = page(cursor, cursorName);
  // hostile paging: `ignore-page` serves the first page under the asked page's has_more;
  // `huge-count` says has_more on every page
  const served = mode === 'ignore-page' ? page(null, null).data : asked.data;
  const hasMore = mode === 'huge-count' ? true : asked.hasMore;
  return json(200, {
    object: 'list',
    data: served.map((s) => stripeSessionJson(s, ctx.origin, people, expand)),
    has_more: hasMore,
    url: SESSIONS_PATH,
  });
}

/** `GET /v1/identity/verification_sessions/{id}` with `expand[]=last_verification_report`,
 * `expand[]=verified_outputs`. */
function retrieve(ctx, id, params) {
  const unknown = firstUnknown(params, ['expand']);
  if (unknown) return unknownParam(unknown);
  const { expand, error } = expansions(params);
  if (error) return error;
  const rec = ctx.state.data.stripe.byId.get(id);
  if (!rec) return missing('verification session', id, 'id');
  return json(200, stripeSessionJson(rec, ctx.origin, ctx.state.data.people, expand));
}

/** `GET /v1/identity/verification_reports/{id}`. */
function retrieveReport(ctx, id, params) {
  const unknown = firstUnknown(params, ['expand']);
  if (unknown) return unknownParam(unknown);
  const rec = ctx.state.data.stripe.reports.get(id);
  if (!rec || rec.reportId !== id) return missing('verification report', id, 'id');
  return json(200, stripeReportJson(rec, ctx.state.data.people));
}

// ---------------------------------------------------------------------------------------------
// writing

const CREATE_PARAMS = ['type', 'verification_flow', 'client_reference_id', 'return_url', 'metadata', 'options', 'provided_details', 'related_customer', 'related_customer_account', 'expand'];

/** `metadata[k]=v`: at most 50 keys of up to 40 characters, values up to 500; an empty value
 * unsets the key (https://docs.stripe.com/api/metadata). Merged into `base`. */
function metadataParam(value, base = {}) {
  if (value === undefined) return { metadata: base };
  if (value === '') return { metadata: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { error: invalid('metadata', 'Invalid hash: metadata must be a hash of keys and values') };
  const out = { ...base };
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return { error: invalid(`metadata[${k}]`, `Invalid string: metadata[${k}] must be a string`) };
    if (k.length > 40) return { error: invalid(`metadata[${k}]`, 'Metadata keys can have up to 40 characters.') };
    if (v.length > 500) return { error: invalid(`metadata[${k}]`, 'Metadata values can have up to 500 characters.') };
    if (v === '') delete out[k];
    else out[k] = v;
  }
  if (Object.keys(out).length > 50) return { error: invalid('metadata', 'Metadata can have up to 50 keys.') };
  return { metadata: out };
}

const BOOLEAN = { true: true, false: false };

/** `options[document][allowed_types][]`, `options[document][require_*]` (booleans). */
function optionsParam(value) {
  if (value === undefined || value === '') return { options: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { error: invalid('options', 'Invalid hash: options') };
  const unknown = firstUnknown(value, ['document']);
  if (unknown) return { error: unknownParam(`options[${unknown}]`) };
  const doc = value.document;
  if (doc === undefined || doc === '') return { options: doc === '' ? {} : {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { error: invalid('options[document]', 'Invalid hash: options[document]') };
  const document = {};
  for (const [k, v] of Object.entries(doc)) {
    const name = `options[document][${k}]`;
    if (k === 'allowed_types') {
      const list = Array.isArray(v) ? v : [v];
      for (let i = 0; i < list.length; i++) {
        if (!STRIPE_ALLOWED_TYPES.includes(list[i])) {
          return { error: invalid(`${name}[${i}]`, `Invalid ${name}[${i}]: must be one of ${STRIPE_ALLOWED_TYPES.join(', ')}`) };
        }
      }
      document.allowed_types = list;
    } else if (['require_id_number', 'require_live_capture', 'require_matching_selfie'].includes(k)) {
      if (!(v in BOOLEAN)) return { error: invalid(name, `Invalid boolean: ${v}`) };
      document[k] = BOOLEAN[v];
    } else {
      return { error: unknownParam(name) };
    }
  }
  return { options: { document } };
}

function providedDetailsParam(value) {
  if (value === undefined) return { providedDetails: null };
  if (typeof value !== 'object' || Array.isArray(value)) return { error: invalid('provided_details', 'Invalid hash: provided_details') };
  const unknown = firstUnknown(value, ['email', 'phone']);
  if (unknown) return { error: unknownParam(`provided_details[${unknown}]`) };
  return { providedDetails: { ...value } };
}

/**
 * `POST /v1/identity/verification_sessions` (form): `type` (`document` | `id_number`) unless
 * `verification_flow`; `client_reference_id` (≤ 5000), `return_url`, `metadata[…]`,
 * `options[document][…]`, `provided_details[email|phone]`, `expand[]`. 200 with the session
 * (`requires_input`, `url`, `client_secret`).
 */
function create(ctx, params, requestId) {
  const unknown = firstUnknown(params, CREATE_PARAMS);
  if (unknown) return rejected(unknownParam(unknown));
  const { type, verification_flow: flow } = params;
  if (type !== undefined && flow !== undefined) {
    return rejected(invalid('type', 'You may only specify one of these parameters: type, verification_flow.', 'parameters_exclusive'));
  }
  if (type === undefined && flow === undefined) return rejected(invalid('type', 'Missing required param: type.', 'parameter_missing'));
  if (type !== undefined && type !== 'document' && type !== 'id_number') return rejected(invalid('type', 'Invalid type: must be one of document or id_number'));
  if (flow !== undefined && flow !== STRIPE_VERIFICATION_FLOW) return rejected(missing('verification flow', flow, 'verification_flow'));
  const ref = params.client_reference_id;
  if (ref !== undefined && (typeof ref !== 'string' || ref.length > 5000)) {
    return rejected(invalid('client_reference_id', 'Invalid string: client_reference_id can have up to 5000 characters'));
  }
  if (params.return_url !== undefined && !isHttpUrl(params.return_url)) return rejected(invalid('return_url', 'Not a valid URL', 'url_invalid'));
  const meta = metadataParam(params.metadata);
  if (meta.error) return rejected(meta.error);
  const opts = optionsParam(params.options);
  if (opts.error) return rejected(opts.error);
  const details = providedDetailsParam(params.provided_details);
  if (details.error) return rejected(details.error);
  const { expand, error } = expansions(params);
  if (error) return rejected(error);
  const rec = createStripeSession(ctx.state.data, {
    type: type ?? 'verification_flow',
    clientReferenceId: ref === undefined || ref === '' ? null : ref,
    metadata: meta.metadata,
    options: type === 'document' ? opts.options : {},
    returnUrl: params.return_url ?? null,
    providedDetails: details.providedDetails,
  });
  ctx.changed?.push({ rec, cause: 'created', request: { id: requestId, idempotency_key: ctx.headers['idempotency-key'] ?? null } });
  return json(200, stripeSessionJson(rec, ctx.origin, ctx.state.data.people, expand));
}

function isHttpUrl(value) {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Stripe's answer to an action on a session in the wrong status (the wording is the mock's). */
function wrongStatus(rec, action, allowed) {
  return stripeError(400, {
    message: `This VerificationSession has status \`${rec.status}\`; only VerificationSessions with status ${allowed.map((s) => `\`${s}\``).join(' or ')} can be ${action}.`,
  });
}

/** `POST /v1/identity/verification_sessions/{id}`: `metadata`, `options`, `provided_details`,
 * `type`, in `requires_input` only. */
function update(ctx, id, params) {
  const unknown = firstUnknown(params, ['metadata', 'options', 'provided_details', 'type', 'expand']);
  if (unknown) return rejected(unknownParam(unknown));
  const rec = ctx.state.data.stripe.byId.get(id);
  if (!rec) return rejected(missing('verification session', id, 'id'));
  if (params.type !== undefined && params.type !== 'document' && params.type !== 'id_number') return rejected(invalid('type', 'Invalid type: must be one of document or id_number'));
  const meta = metadataParam(params.metadata, rec.metadata);
  if (meta.error) return rejected(meta.error);
  const opts = params.options === undefined ? { options: rec.options } : optionsParam(params.options);
  if (opts.error) return rejected(opts.error);
  const details = params.provided_details === undefined ? { providedDetails: rec.providedDetails } : providedDetailsParam(params.provided_details);
  if (details.error) return rejected(details.error);
  const { expand, error } = expansions(params);
  if (error) return rejected(error);
  if (rec.status !== 'requires_input') return wrongStatus(rec, 'updated', ['requires_input']);
  rec.metadata = meta.metadata;
  if (params.type !== undefined) rec.type = params.type;
  rec.options = rec.type === 'document' ? opts.options : {};
  rec.providedDetails = details.providedDetails;
  return json(200, stripeSessionJson(rec, ctx.origin, ctx.state.data.people, expand));
}

/** `POST …/{id}/cancel`: "can be canceled when it is in requires_input" (VerificationSessions.d.ts). */
function cancel(ctx, id, params, requestId) {
  const unknown = firstUnknown(params, ['expand']);
  if (unknown) return rejected(unknownParam(unknown));
  const { expand, error } = expansions(params);
  if (error) return rejected(error);
  const rec = ctx.state.data.stripe.byId.get(id);
  if (!rec) return rejected(missing('verification session', id, 'id'));
  if (rec.status !== 'requires_input') return wrongStatus(rec, 'canceled', ['requires_input']);
  cancelStripeSession(ctx.state.data.stripe, ctx.state.data.mutationRng, rec);
  ctx.changed?.push({ rec, cause: 'status', request: { id: requestId, idempotency_key: ctx.headers['idempotency-key'] ?? null } });
  return json(200, stripeSessionJson(rec, ctx.origin, ctx.state.data.people, expand));
}

/**
 * `POST …/{id}/redact`: in requires_input (which cancels it) or verified (VerificationSessions.d.ts).
 * The answer shows `redaction.status: "processing"`; the mock finishes at once after answering
 * (Stripe takes up to four days): the next read shows `redacted`, personal data `[redacted]`,
 * metadata erased, and `identity.verification_session.redacted` is sent. A session already
 * redacted (or being redacted) is answered as it is.
 */
function redact(ctx, id, params, requestId) {
  const unknown = firstUnknown(params, ['expand']);
  if (unknown) return rejected(unknownParam(unknown));
  const { expand, error } = expansions(params);
  if (error) return rejected(error);
  const rec = ctx.state.data.stripe.byId.get(id);
  if (!rec) return rejected(missing('verification session', id, 'id'));
  if (rec.redaction) return json(200, stripeSessionJson(rec, ctx.origin, ctx.state.data.people, expand));
  if (rec.status !== 'requires_input' && rec.status !== 'verified') return wrongStatus(rec, 'redacted', ['requires_input', 'verified']);
  const request = { id: requestId, idempotency_key: ctx.headers['idempotency-key'] ?? null };
  const wasInput = rec.status === 'requires_input';
  startStripeRedaction(ctx.state.data.stripe, ctx.state.data.mutationRng, rec);
  const response = json(200, stripeSessionJson(rec, ctx.origin, ctx.state.data.people, expand));
  if (wasInput) ctx.changed?.push({ rec, cause: 'status', request });
  finishStripeRedaction(rec);
  ctx.changed?.push({ rec, cause: 'redacted', request });
  return response;
}
