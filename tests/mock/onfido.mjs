// Mock Onfido API v3.6 (providers-next.md 2): Studio workflow runs, applicants, classic checks and
// reports. Sources: onfido/onfido-openapi-spec (`spec paths/*.yaml`, `spec schemas/...`) and the
// official Node client @onfido/api 6.2.0 (node_modules/@onfido/api/dist/api.js, configuration.js).
//
// The mock's own choices where the spec is silent (listed in README.md, "Onfido"): the page size of
// `GET /workflow_runs` (20, the spec's `per_page` default of `GET /applicants`), the error `type`s
// and messages, the 422 checks of query parameters, the rate limit (Onfido publishes none).

import { json, parseJsonBody, strictInt } from './http.mjs';
import { CREDENTIALS, createOnfidoApplicantRecord, createOnfidoSession } from './data.mjs';
import { ONFIDO_LINK_LANGUAGES, compareRuns, onfidoApplicantJson, onfidoCheckJson, onfidoReportsJson, onfidoRunJson } from './onfido-data.mjs';

const PREFIX = '/v3.6/';
/** Runs per page of `GET /workflow_runs`: not in the spec or the client (the mock's choice: 20,
 * the spec's default `per_page` of `GET /applicants`, spec paths/applicants.yaml). */
export const ONFIDO_PAGE_SIZE = 20;
export const ONFIDO_APPLICANTS_MAX_PER_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** spec schemas/applicants/definitions.yaml `applicant_first_name` / `applicant_last_name`. */
const NAME = /^[^!#$%*=<>;{}"]*$/;

const ROUTES = [
  { re: /^\/v3\.6\/workflow_runs\/?$/, name: 'runs' },
  { re: /^\/v3\.6\/workflow_runs\/([^/]+)\/?$/, name: 'run' },
  { re: /^\/v3\.6\/applicants\/?$/, name: 'applicants' },
  { re: /^\/v3\.6\/applicants\/([^/]+)\/?$/, name: 'applicant' },
  { re: /^\/v3\.6\/checks\/?$/, name: 'checks' },
  { re: /^\/v3\.6\/checks\/([^/]+)\/?$/, name: 'check' },
  { re: /^\/v3\.6\/reports\/?$/, name: 'reports' },
  { re: /^\/v3\.6\/reports\/([^/]+)\/?$/, name: 'report' },
];

function match(pathname) {
  for (const r of ROUTES) {
    const m = r.re.exec(pathname);
    if (m) return { name: r.name, param: m[1] === undefined ? undefined : decodeSafe(m[1]) };
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

export function isOnfidoPath(pathname) {
  return pathname.startsWith(PREFIX);
}

const READ = (method) => method === 'GET' || method === 'HEAD';

/** Which endpoint a request is for (scripts and stats): `list`, `create`, `get` (one run),
 * `applicants`, `checks`, `reports`; null for anything else. */
export function onfidoEndpoint(method, pathname) {
  const route = match(pathname);
  if (!route) return null;
  switch (route.name) {
    case 'runs':
      return READ(method) ? 'list' : method === 'POST' ? 'create' : null;
    case 'run':
      return READ(method) ? 'get' : null;
    case 'applicants':
      return READ(method) || method === 'POST' ? 'applicants' : null;
    case 'applicant':
      return READ(method) ? 'applicants' : null;
    case 'checks':
    case 'check':
      return READ(method) ? 'checks' : null;
    default:
      return READ(method) ? 'reports' : null;
  }
}

/** spec responses/default_error.yaml: `{error: {type, message, fields}}`. */
export function onfidoError(status, type, message, fields = {}) {
  return json(status, { error: { type, message, fields } });
}

export function onfidoRateLimitBody() {
  return { error: { type: 'rate_limit', message: 'Rate limit exceeded. Please try again later.', fields: {} } };
}

/** 403 for a reason other than the token: the product is not enabled on the account. */
export function onfidoForbidden() {
  return onfidoError(403, 'user_authorization_error', 'Your account is not authorised to use this feature. Please contact your account manager.');
}

const notFound = () => onfidoError(404, 'resource_not_found', 'The resource could not be found');
const invalid = (fields) => onfidoError(422, 'validation_error', 'There was a validation error on this request', fields);

/** `Authorization: Token token=<apiToken>` (spec openapi.yaml `Token` scheme; configuration.js:
 * `'Token token=' + apiToken`). The Rails form with a quoted token is accepted too. */
function authorized(headers) {
  const m = /^token\s+token=("?)([^"\s]+)\1$/i.exec((headers.authorization ?? '').trim());
  return m !== null && m[2] === CREDENTIALS.onfido.apiToken;
}

export function handleOnfido(ctx) {
  if (!authorized(ctx.headers)) return onfidoError(401, 'authorization_error', 'Authorization error: please re-check your credentials');
  const route = match(ctx.url.pathname);
  if (!route) return notFound();
  const { method } = ctx;
  const allowed = ['runs', 'applicants'].includes(route.name) ? ['GET', 'HEAD', 'POST'] : ['GET', 'HEAD'];
  if (!allowed.includes(method)) return onfidoError(405, 'method_not_allowed', `The ${method} method is not allowed on this resource`);
  const { onfido } = ctx.state.data;
  switch (route.name) {
    case 'runs':
      return method === 'POST' ? createRun(ctx) : listRuns(ctx);
    case 'run': {
      const rec = onfido.byId.get(route.param);
      return rec ? json(200, onfidoRunJson(rec, ctx.origin)) : notFound();
    }
    case 'applicants':
      return method === 'POST' ? createApplicant(ctx) : listApplicants(ctx);
    case 'applicant': {
      const a = onfido.applicants.get(route.param);
      return a ? json(200, onfidoApplicantJson(a)) : notFound();
    }
    case 'checks':
      return listChecks(ctx);
    case 'check': {
      const rec = onfido.checks.get(route.param);
      return rec ? json(200, onfidoCheckJson(rec, ctx.origin)) : notFound();
    }
    case 'reports':
      return listReports(ctx);
    default: {
      const found = onfido.reports.get(route.param);
      return found ? json(200, onfidoReportsJson(found.run)[found.index]) : notFound();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// workflow runs (spec paths/workflow_runs.yaml)

/** A query date (`format: date`): `YYYY-MM-DD`, a real day. Returns Unix seconds of its start, or NaN. */
function dayStart(text) {
  if (!DATE.test(text)) return NaN;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? NaN : ms / 1000;
}

/** `tags` as @onfido/api sends it (`tags=a,b`, api.js `COLLECTION_FORMATS.csv`), repeated
 * (`tags=a&tags=b`) or with brackets (`tags[]=a`). */
function queryTags(q) {
  return [...q.getAll('tags'), ...q.getAll('tags[]')]
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * `GET /v3.6/workflow_runs?page=&status=&created_at_gt=&created_at_lt=&sort=&applicant_id=&tags=`:
 * a bare JSON array (spec: "An array of Workflow Run objects"), `ONFIDO_PAGE_SIZE` per page, no
 * paging headers (the spec documents none). `status` comma-separated, exact values; dates compare
 * whole UTC days (`created_at_gt=D`: created on a later day; `created_at_lt=D`: an earlier day);
 * `tags`: runs having every tag given; `sort` by created_at, `desc` by default.
 */
function listRuns(ctx) {
  const q = ctx.url.searchParams;
  const fields = {};
  let page = 1;
  if (q.has('page')) {
    page = strictInt(q.get('page'));
    if (!(page >= 1)) fields.page = ['must be an integer greater than or equal to 1'];
  }
  const sort = q.get('sort') ?? 'desc';
  if (sort !== 'asc' && sort !== 'desc') fields.sort = ['must be one of: desc, asc'];
  const bounds = {};
  for (const name of ['created_at_gt', 'created_at_lt']) {
    if (!q.has(name)) continue;
    const start = dayStart(q.get(name));
    if (Number.isNaN(start)) fields[name] = ['must be a valid ISO-8601 date (YYYY-MM-DD)'];
    else bounds[name] = start;
  }
  if (Object.keys(fields).length) return invalid(fields);

  const statuses = new Set((q.get('status') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const applicantId = q.get('applicant_id') || null;
  const tags = queryTags(q);
  const after = bounds.created_at_gt === undefined ? -Infinity : bounds.created_at_gt + 86400; // a later day
  const before = bounds.created_at_lt === undefined ? Infinity : bounds.created_at_lt; // an earlier day
  const { onfido } = ctx.state.data;
  let rows = applicantId ? [...(onfido.runsByApplicant.get(applicantId) ?? [])].sort(compareRuns) : onfido.runs;
  if (statuses.size || tags.length || after > -Infinity || before < Infinity) {
    rows = rows.filter(
      (r) =>
        (!statuses.size || statuses.has(r.status)) &&
        r.created >= after &&
        r.created < before &&
        tags.every((t) => r.tags.includes(t)),
    );
  }
  if (sort === 'asc') rows = [...rows].reverse();
  // hostile paging: `ignore-page` serves page 1 whatever page is asked (Onfido lists carry no
  // count, so `huge-count` changes nothing here)
  const start = ctx.state.paging?.onfido === 'ignore-page' ? 0 : (page - 1) * ONFIDO_PAGE_SIZE;
  return json(200, rows.slice(start, start + ONFIDO_PAGE_SIZE).map((r) => onfidoRunJson(r, ctx.origin)));
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function readBody(ctx) {
  const parsed = parseJsonBody(ctx.body);
  if (!parsed.ok) return { error: onfidoError(400, 'bad_request', `The request body is not valid JSON: ${parsed.error}`) };
  if (!isPlainObject(parsed.value)) return { error: onfidoError(400, 'bad_request', 'The request body must be a JSON object') };
  return { body: parsed.value };
}

const optionalString = (v) => v === undefined || v === null || typeof v === 'string';

/**
 * `POST /v3.6/workflow_runs` (spec schemas/workflow_runs/definitions.yaml `workflow_run_shared`,
 * `workflow_run_request`): `workflow_id`, `applicant_id` required UUIDs; `tags` at most 30 of
 * 1-128 characters; `customer_user_id` at most 256; `link` {completed_redirect_url,
 * expired_redirect_url, expires_at, language}. 201 with the run, `awaiting_input`, `link.url` set.
 * The applicant must exist; any well-formed workflow id is accepted (unknown ones run the first
 * workflow's reports).
 */
function createRun(ctx) {
  const { body, error } = readBody(ctx);
  if (error) return error;
  const fields = {};
  for (const name of ['workflow_id', 'applicant_id']) {
    const v = body[name];
    if (v === undefined || v === null || v === '') fields[name] = ["can't be blank"];
    else if (typeof v !== 'string' || !UUID.test(v)) fields[name] = ['must be a valid UUID'];
  }
  const { onfido } = ctx.state.data;
  if (!fields.applicant_id && !onfido.applicants.has(body.applicant_id)) fields.applicant_id = ['Applicant not found'];
  const tags = body.tags ?? [];
  if (!Array.isArray(tags) || tags.length > 30 || !tags.every((t) => typeof t === 'string' && t.length >= 1 && t.length <= 128)) {
    fields.tags = ['must be an array of at most 30 tags of 1 to 128 characters'];
  }
  if (body.customer_user_id !== undefined && (typeof body.customer_user_id !== 'string' || body.customer_user_id.length > 256)) {
    fields.customer_user_id = ['must be a string of at most 256 characters'];
  }
  const link = body.link ?? {};
  if (!isPlainObject(link)) fields.link = ['must be an object'];
  else {
    for (const name of ['completed_redirect_url', 'expired_redirect_url', 'expires_at']) {
      if (!optionalString(link[name])) fields[`link.${name}`] = ['must be a string'];
    }
    if (typeof link.expires_at === 'string' && Number.isNaN(Date.parse(link.expires_at))) fields['link.expires_at'] = ['must be an ISO-8601 date-time'];
    if (link.language !== undefined && link.language !== null && !ONFIDO_LINK_LANGUAGES.includes(link.language)) {
      fields['link.language'] = [`must be one of: ${ONFIDO_LINK_LANGUAGES.join(', ')}`];
    }
  }
  if (body.custom_data !== undefined && !isPlainObject(body.custom_data)) fields.custom_data = ['must be an object'];
  if (Object.keys(fields).length) return invalid(fields);
  const rec = createOnfidoSession(ctx.state.data, {
    workflowId: body.workflow_id,
    applicantId: body.applicant_id,
    tags: [...tags],
    customerUserId: body.customer_user_id ?? null,
    link: {
      completed_redirect_url: link.completed_redirect_url ?? null,
      expired_redirect_url: link.expired_redirect_url ?? null,
      expires_at: link.expires_at ?? null,
      language: link.language ?? null,
    },
  });
  ctx.changed?.push({ rec, cause: 'created' });
  return json(201, onfidoRunJson(rec, ctx.origin));
}

// ---------------------------------------------------------------------------------------------
// applicants (spec paths/applicants.yaml)

/** `POST /v3.6/applicants`: `first_name`, `last_name` required (spec `applicant_create`), with the
 * spec's name pattern; `email`, `dob` (a date), `phone_number` optional. 201 with the applicant. */
function createApplicant(ctx) {
  const { body, error } = readBody(ctx);
  if (error) return error;
  const fields = {};
  for (const name of ['first_name', 'last_name']) {
    const v = body[name];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) fields[name] = ["can't be blank"];
    else if (typeof v !== 'string' || !NAME.test(v)) fields[name] = ['contains invalid characters'];
  }
  if (!optionalString(body.email) || (typeof body.email === 'string' && !body.email.includes('@'))) fields.email = ['must be a valid email address'];
  if (body.dob !== undefined && body.dob !== null && (typeof body.dob !== 'string' || Number.isNaN(dayStart(body.dob)))) fields.dob = ['must be a valid date (YYYY-MM-DD)'];
  if (!optionalString(body.phone_number)) fields.phone_number = ['must be a string'];
  if (Object.keys(fields).length) return invalid(fields);
  const applicant = createOnfidoApplicantRecord(ctx.state.data, {
    first_name: body.first_name,
    last_name: body.last_name,
    email: body.email ?? null,
    dob: body.dob ?? null,
    phone_number: body.phone_number ?? null,
  });
  return json(201, onfidoApplicantJson(applicant));
}

/** `GET /v3.6/applicants?page=&per_page=`: `{applicants: [...]}`, newest first ("sorted by creation
 * date in descending order"), `per_page` default 20 (spec); above 100 is a 422 (the mock's bound). */
function listApplicants(ctx) {
  const q = ctx.url.searchParams;
  const fields = {};
  const page = q.has('page') ? strictInt(q.get('page')) : 1;
  const perPage = q.has('per_page') ? strictInt(q.get('per_page')) : 20;
  if (!(page >= 1)) fields.page = ['must be an integer greater than or equal to 1'];
  if (!(perPage >= 1 && perPage <= ONFIDO_APPLICANTS_MAX_PER_PAGE)) fields.per_page = [`must be an integer between 1 and ${ONFIDO_APPLICANTS_MAX_PER_PAGE}`];
  if (Object.keys(fields).length) return invalid(fields);
  const all = [...ctx.state.data.onfido.applicants.values()].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  return json(200, { applicants: all.slice((page - 1) * perPage, page * perPage).map(onfidoApplicantJson) });
}

// ---------------------------------------------------------------------------------------------
// checks and reports (spec paths/checks.yaml, paths/reports.yaml)

/** `GET /v3.6/checks?applicant_id=` (required): `{checks: [...]}`, newest first. Checks name no
 * run: an applicant with several runs has several checks. Unknown applicant: 404. */
function listChecks(ctx) {
  const applicantId = ctx.url.searchParams.get('applicant_id');
  if (!applicantId) return invalid({ applicant_id: ["can't be blank"] });
  const { onfido } = ctx.state.data;
  if (!onfido.applicants.has(applicantId)) return notFound();
  const runs = (onfido.runsByApplicant.get(applicantId) ?? []).filter((r) => r.check);
  runs.sort((a, b) => b.check.created - a.check.created || (a.check.id < b.check.id ? 1 : -1));
  return json(200, { checks: runs.map((r) => onfidoCheckJson(r, ctx.origin)) });
}

/** `GET /v3.6/reports?check_id=` (required): `{reports: [...]}` in the check's report order. */
function listReports(ctx) {
  const checkId = ctx.url.searchParams.get('check_id');
  if (!checkId) return invalid({ check_id: ["can't be blank"] });
  const rec = ctx.state.data.onfido.checks.get(checkId);
  if (!rec) return notFound();
  return json(200, { reports: onfidoReportsJson(rec) });
}
