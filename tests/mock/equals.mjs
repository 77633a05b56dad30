// Mock Equals Money Onboarding API v2: Guided identity verification sessions (providers.md
// section 2). Only the list endpoint is documented; Equals issues sessions itself.
//
// Mock's own choices where the docs are silent: error bodies are `{"message": "..."}`; a limit or
// offset that is not an integer in range, or a filter that is not a UUID, is a 400.

import { HUGE_COUNT, json, strictInt } from './http.mjs';
import { CREDENTIALS, isoSeconds } from './data.mjs';

const PREFIX = '/v2/';
const LIST_PATH = '/v2/applications/identity-verification-sessions';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEqualsPath(pathname) {
  return pathname.startsWith(PREFIX);
}

/** Which endpoint a request is for (`list`), or null. */
export function equalsEndpoint(method, pathname) {
  return pathname.replace(/\/$/, '') === LIST_PATH && (method === 'GET' || method === 'HEAD') ? 'list' : null;
}

/** Equals documents no 403 other than a wrong API key; the mock's stand-in for "forbidden". */
export function equalsForbidden() {
  return equalsError(403, 'Forbidden');
}

export function equalsError(status, message) {
  return json(status, { message });
}

export function equalsRateLimitBody() {
  return { message: 'Too Many Requests' };
}

export function handleEquals(ctx) {
  const auth = ctx.headers.authorization;
  if (auth === undefined || auth.trim() === '') return equalsError(401, 'Unauthorized: missing Authorization header');
  const m = /^apikey\s+(\S+)$/i.exec(auth.trim());
  if (!m || m[1] !== CREDENTIALS.equals.apiKey) return equalsError(403, 'Forbidden: invalid API key');

  const path = ctx.url.pathname.replace(/\/$/, '');
  if (path !== LIST_PATH) return equalsError(404, 'Not Found');
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return equalsError(405, 'Method Not Allowed');
  return listSessions(ctx);
}

function listSessions(ctx) {
  const q = ctx.url.searchParams;
  let limit = 100;
  let offset = 0;
  if (q.has('limit')) {
    limit = strictInt(q.get('limit'));
    if (!(limit >= 1 && limit <= 1000)) return equalsError(400, 'limit must be an integer between 1 and 1000');
  }
  if (q.has('offset')) {
    offset = strictInt(q.get('offset'));
    if (!(offset >= 0)) return equalsError(400, 'offset must be an integer greater than or equal to 0');
  }
  const applicationId = q.get('applicationId');
  const associatedPersonId = q.get('associatedPersonId');
  for (const [name, value] of [['applicationId', applicationId], ['associatedPersonId', associatedPersonId]]) {
    if (value !== null && !UUID.test(value)) return equalsError(400, `${name} must be a UUID`);
  }

  let rows = ctx.state.data.equals.rows;
  if (applicationId !== null || associatedPersonId !== null) {
    const app = applicationId?.toLowerCase();
    const person = associatedPersonId?.toLowerCase();
    rows = rows.filter(
      (r) => (app === undefined || r.applicationId === app) && (person === undefined || r.associatedPersonId === person),
    );
  }
  const origin = ctx.origin;
  const mode = ctx.state.paging?.equals ?? 'normal';
  const start = mode === 'ignore-page' ? 0 : offset;
  const page = rows.slice(start, start + limit).map((r) => {
    const row = { id: r.id, applicationId: r.applicationId };
    if (r.associatedPersonId) row.associatedPersonId = r.associatedPersonId;
    row.correlationId = r.correlationId;
    row.actionUrl = `${origin}/hosted/equals/${r.actionToken}`;
    row.status = r.status;
    if (r.result) row.result = r.result;
    row.createdAt = isoSeconds(r.t);
    row.updatedAt = isoSeconds(r.u);
    return row;
  });
  const count = mode === 'huge-count' ? HUGE_COUNT.count : rows.length;
  return json(200, { limit, offset, count, rows: page });
}
