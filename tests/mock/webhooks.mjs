// Webhook notifications the mock sends when sessions change (webhooks.md): Didit's signed
// `status.updated` POSTs, Mangopay's bare GETs for the IDV event types, Equals'
// `IdentityVerificationStatusUpdated` POSTs, Onfido's `X-SHA2-Signature` deliveries and Stripe's
// `Stripe-Signature` events (providers-next.md 1.4, 2.4); with timeouts and retry schedules.
//
// Fire and forget: `notify()` builds the request at once (a snapshot of the session) and sends it
// later on a timer, so API responses never wait for a receiver. Results go to the deliveries log
// only. Event ids come from a seeded stream; times (`timestamp`, `Date`, `eventTime`, `at`) are the
// wall clock, so that receivers can check freshness as they would in production.

import http from 'node:http';
import https from 'node:https';
import { createHmac } from 'node:crypto';
import { Rng } from './rng.mjs';
import { dumps, pyStr } from './python-json.mjs';
import { CREDENTIALS, MANGOPAY_IDV_EVENTS, isoSeconds } from './data.mjs';
import { diditDecision } from './didit.mjs';
import { onfidoCheckJson, onfidoReportsJson, onfidoRunJson } from './onfido-data.mjs';
import { STRIPE_API_VERSION, stripeId, stripeSessionJson } from './stripe-data.mjs';

export const DIDIT_WEBHOOK_SECRET = CREDENTIALS.didit.webhookSecret;
/** The Didit application the mock's sessions belong to (`application_id` of the payloads). */
export const DIDIT_APPLICATION_ID = '5d1f3a9c-7e2b-4c68-a0f4-9b3e6d2c8a17';
export const DIDIT_USER_AGENT = 'DiditWebhook/2.0 +https://didit.me';
/** Didit sends `decision` for these statuses only (webhooks.md 1.3). */
export const DIDIT_DECISION_STATUSES = Object.freeze(['Approved', 'Declined', 'In Review', 'Abandoned']);
/** Mangopay's documented IDV events, by the session status they report (webhooks.md 2). */
export { MANGOPAY_IDV_EVENTS };
export const EQUALS_EVENT_TYPE = 'IdentityVerificationStatusUpdated';
export const ONFIDO_WEBHOOK_TOKEN = CREDENTIALS.onfido.webhookToken;
export const STRIPE_WEBHOOK_SECRET = CREDENTIALS.stripe.webhookSecret;
/** Onfido Studio runs end in these statuses (`workflow_run.completed`); other changes are task
 * events (providers-next.md 2.4: "no per-status run started/updated event"). */
export const ONFIDO_FINAL_STATUSES = Object.freeze(['approved', 'declined', 'review', 'abandoned', 'error']);
/** The Studio tasks the mock's runs go through, in order (task ids `<task_def_id>_<5 hex>`, as
 * onfido-node test/studio-webhook-event-verifier.test.ts shows: `profile_1eb92`). */
export const ONFIDO_TASK_DEFS = Object.freeze(['profile_data', 'document_photo', 'face_photo', 'run_checks', 'decision']);
/** `identity.verification_session.<event>` by session status (providers-next.md 1.4). */
const STRIPE_STATUS_EVENTS = { requires_input: 'requires_input', processing: 'processing', verified: 'verified', canceled: 'canceled' };

const MINUTE = 60_000;
/** Timeout of one attempt and the delays before each retry (attempts = delays + 1). */
export const DELIVERY_RULES = Object.freeze({
  didit: { timeoutMs: 5000, retryDelaysMs: [MINUTE, 4 * MINUTE] }, // 2 retries, ~1 min then ~4 min
  mangopay: { timeoutMs: 2000, retryDelaysMs: Array(5).fill(10 * MINUTE) }, // every 10 min, 6 attempts (mock cap)
  equals: { timeoutMs: 10_000, retryDelaysMs: Array(9).fill(5 * MINUTE) }, // every 5 min, 10 attempts (mock cap)
  // Onfido documents no schedule: the mock's choice, 5 attempts over about 1.5 h
  onfido: { timeoutMs: 10_000, retryDelaysMs: [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE] },
  // Stripe sandboxes retry "three times over a few hours" (intervals unstated: the mock's choice)
  stripe: { timeoutMs: 10_000, retryDelaysMs: [10 * MINUTE, 60 * MINUTE, 180 * MINUTE] },
});
const MAX_LOG = 1000;
const SETTINGS = ['url', 'diditSecret', 'corrupt', 'delayMs', 'retryScale', 'timeoutScale'];

function nowUnix() {
  return Math.floor(Date.now() / 1000);
}

function hmacHex(secret, message) {
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** Onfido's `X-SHA2-Signature`: lowercase hex HMAC-SHA256 of the raw body, keyed by the webhook
 * token (onfido-node webhook-event-verifier.ts; its tests' published vectors in onfido.test.mjs). */
export function onfidoSignature(body, token = ONFIDO_WEBHOOK_TOKEN) {
  return hmacHex(token, body);
}

/** Stripe's `v1`: lowercase hex HMAC-SHA256 of `<t>.<raw body>` keyed by the endpoint secret
 * (stripe-node src/Webhooks.ts). */
export function stripeSignature(body, t, secret = STRIPE_WEBHOOK_SECRET) {
  return hmacHex(secret, Buffer.concat([Buffer.from(`${t}.`, 'utf8'), Buffer.from(body)]));
}

/** One hex digit changed (the first), so the signature no longer verifies. */
function flipHex(sig) {
  return ((parseInt(sig[0], 16) + 1) % 16).toString(16) + sig.slice(1);
}

/** `http(s)://…` without a trailing slash, or null. */
export function normalizeWebhookUrl(url) {
  if (url === null || url === undefined || url === '') return null;
  let parsed;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new Error(`webhook url must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`webhook url must be http(s), got ${url}`);
  return String(url).replace(/\/+$/, '');
}

function number(name, value, { min = 0, max = Infinity, positive = false } = {}) {
  const n = Number(value);
  if (typeof value === 'boolean' || value === null || !Number.isFinite(n) || n < min || n > max || (positive && n <= 0)) {
    throw new Error(`${name} must be a number${positive ? ' > 0' : ` >= ${min}`}${max < Infinity ? ` and <= ${max}` : ''}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export class Webhooks {
  constructor({ seed = 1, url = null } = {}) {
    this.seed = seed;
    this.settings = {
      url: normalizeWebhookUrl(url),
      diditSecret: DIDIT_WEBHOOK_SECRET,
      corrupt: 0,
      delayMs: 0,
      retryScale: 1,
      timeoutScale: 1,
    };
    this.deliveries = [];
    this.timers = new Set();
    this.requests = new Set();
    this.pending = 0;
    this.generation = 0;
    this.restartStreams();
  }

  restartStreams() {
    this.ids = Rng.stream(this.seed, 'webhook-ids');
    this.corruptRng = Rng.stream(this.seed, 'webhook-corrupt');
  }

  /** Change the settings given; `url: null` turns delivery off and drops pending deliveries. */
  configure(cfg = {}) {
    for (const key of Object.keys(cfg)) if (!SETTINGS.includes(key)) throw new Error(`unknown webhook setting "${key}"`);
    const next = { ...this.settings };
    if ('url' in cfg) next.url = normalizeWebhookUrl(cfg.url);
    if (cfg.diditSecret !== undefined) {
      if (typeof cfg.diditSecret !== 'string' || cfg.diditSecret === '') throw new Error('diditSecret must be a non-empty string');
      next.diditSecret = cfg.diditSecret;
    }
    if (cfg.corrupt !== undefined) next.corrupt = typeof cfg.corrupt === 'boolean' ? Number(cfg.corrupt) : number('corrupt', cfg.corrupt, { max: 1 });
    if (cfg.delayMs !== undefined) next.delayMs = number('delayMs', cfg.delayMs);
    if (cfg.retryScale !== undefined) next.retryScale = number('retryScale', cfg.retryScale);
    if (cfg.timeoutScale !== undefined) next.timeoutScale = number('timeoutScale', cfg.timeoutScale, { positive: true });
    this.settings = next;
    if (next.url === null) this.cancel();
    return this.view();
  }

  view() {
    return { ...this.settings, pending: this.pending, deliveries: this.deliveries.map((d) => ({ ...d })) };
  }

  /** Drop pending deliveries and the log; restart the id stream (settings stay). */
  reset() {
    this.cancel();
    this.deliveries = [];
    this.restartStreams();
  }

  /** Cancel every scheduled retry and abort requests in flight. */
  cancel() {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const req of this.requests) req.destroy();
    this.requests.clear();
    this.pending = 0;
  }

  /**
   * A session of `provider` changed: notify as that provider does. `change` is the record, or
   * `{rec, cause, request}` where `cause` is `created`, `inserted`, `status` (the default) or
   * `redacted` (Stripe), and `request` the API request behind it (Stripe events' `request`).
   */
  notify(provider, change, { data, origin, date }) {
    const base = this.settings.url;
    if (!base) return;
    const { rec, cause = 'status', request = null } = change && change.rec ? change : { rec: change };
    let messages;
    if (provider === 'didit') messages = [this.diditMessage(base, rec, data, origin)];
    else if (provider === 'mangopay') messages = [this.mangopayMessage(base, rec, date)];
    else if (provider === 'equals') messages = [this.equalsMessage(base, rec)];
    else if (provider === 'onfido') messages = this.onfidoMessages(base, rec, cause, origin);
    else messages = this.stripeMessages(base, rec, cause, request, data, origin);
    for (const message of messages) {
      if (!message) continue;
      this.pending++;
      this.schedule(message, 1, this.settings.delayMs);
    }
  }

  /** Whether this notification's signatures are altered (`corrupt`), decided once for it. */
  rollCorrupt() {
    const rate = this.settings.corrupt;
    return rate >= 1 || (rate > 0 && this.corruptRng.next() < rate);
  }

  /**
   * Onfido deliveries (providers-next.md 2.4; spec schemas/webhooks/webhook_event.yaml): a new run
   * starts its first task; a run reaching an end status completes its reports and check (when it
   * has one) and then itself (`workflow_run.completed`, `resource` = the run); another status
   * change completes the current task and starts the next. Each body is signed on its own.
   */
  onfidoMessages(base, rec, cause, origin) {
    const now = isoSeconds(nowUnix());
    const href = (path) => `${origin}/v3.6/${path}`;
    const out = [];
    const task = (action, index) => {
      const def = ONFIDO_TASK_DEFS[Math.min(index, ONFIDO_TASK_DEFS.length - 1)];
      const id = `${def}_${rec.id.slice(0, 5)}`;
      const started = action === 'workflow_task.started';
      const object = { id, task_spec_id: id, task_def_id: def, workflow_run_id: rec.id, status: started ? 'started' : 'completed' };
      object[started ? 'started_at_iso8601' : 'completed_at_iso8601'] = now;
      object.href = href(`workflow_runs/${rec.id}/tasks/${id}`);
      const resource = { created_at: now, id, workflow_run_id: rec.id, updated_at: now, input: {}, task_def_version: null, task_def_id: def, output: null };
      out.push(this.onfidoMessage(base, { resource_type: 'workflow_task', action, object, resource }, rec.id));
    };
    if (cause === 'created' || (cause === 'inserted' && !ONFIDO_FINAL_STATUSES.includes(rec.status))) {
      rec.webhookTask = 0;
      task('workflow_task.started', 0);
      return out;
    }
    if (!ONFIDO_FINAL_STATUSES.includes(rec.status)) {
      const current = rec.webhookTask ?? 0;
      rec.webhookTask = current + 1;
      task('workflow_task.completed', current);
      task('workflow_task.started', current + 1);
      return out;
    }
    if (rec.check && rec.status !== 'abandoned') {
      for (const report of onfidoReportsJson(rec).filter((r) => r.status === 'complete')) {
        const object = { id: report.id, status: 'complete', completed_at_iso8601: now, href: href(`reports/${report.id}`) };
        out.push(this.onfidoMessage(base, { resource_type: 'report', action: 'report.completed', object }, rec.id));
      }
      const check = onfidoCheckJson(rec, origin);
      if (check.status === 'complete') {
        const object = { id: check.id, status: 'complete', completed_at_iso8601: now, href: href(`checks/${check.id}`) };
        out.push(this.onfidoMessage(base, { resource_type: 'check', action: 'check.completed', object }, rec.id));
      }
    }
    const object = { id: rec.id, status: rec.status, completed_at_iso8601: now, href: href(`workflow_runs/${rec.id}`) };
    out.push(this.onfidoMessage(base, { resource_type: 'workflow_run', action: 'workflow_run.completed', object, resource: onfidoRunJson(rec, origin) }, rec.id));
    return out;
  }

  /** One Onfido delivery: `{"payload": …}` as compact JSON, `X-SHA2-Signature` = lowercase hex
   * HMAC-SHA256 of those bytes with the webhook token (onfido-node webhook-event-verifier.ts). */
  onfidoMessage(base, payload, runId) {
    const body = Buffer.from(JSON.stringify({ payload }), 'utf8');
    let signature = onfidoSignature(body);
    const corrupted = this.rollCorrupt();
    if (corrupted) signature = flipHex(signature);
    const { object } = payload;
    return {
      provider: 'onfido',
      // stable across retries of one delivery: action, object id, its time (SPEC section 9)
      id: `${payload.action}:${object.id}:${object.completed_at_iso8601 ?? object.started_at_iso8601}`,
      type: payload.action,
      sessionId: runId,
      method: 'POST',
      url: `${base}/onfido`,
      headers: { 'content-type': 'application/json', 'user-agent': 'idv-mock-webhooks (onfido)', 'x-sha2-signature': signature },
      body,
      corrupted,
      generation: this.generation,
    };
  }

  /**
   * Stripe events (providers-next.md 1.4): `identity.verification_session.created` for a new
   * session, the status's event for a change (`requires_input`, `processing`, `verified`,
   * `canceled`; none for other statuses), `redacted` when a redaction finishes; an inserted session
   * gets `created`, then its status's event unless it is a plain `requires_input`.
   */
  stripeMessages(base, rec, cause, request, data, origin) {
    const types = [];
    if (cause === 'created' || cause === 'inserted') types.push('created');
    if (cause === 'redacted') types.push('redacted');
    else if ((cause === 'status' || (cause === 'inserted' && (rec.status !== 'requires_input' || rec.lastError))) && STRIPE_STATUS_EVENTS[rec.status]) {
      types.push(STRIPE_STATUS_EVENTS[rec.status]);
    }
    return types.map((t) => this.stripeMessage(base, rec, `identity.verification_session.${t}`, request, data, origin));
  }

  /** An Event object (`{id, object: "event", api_version, created, data: {object}, livemode,
   * pending_webhooks, request, type}`), compact JSON; `Stripe-Signature: t=<unix>,v1=<hex>` with
   * `v1` = HMAC-SHA256 of `<t>.<body>` (stripe-node src/Webhooks.ts), computed for each attempt:
   * a retry has the same body under a fresh timestamp and signature. */
  stripeMessage(base, rec, type, request, data, origin) {
    const event = {
      id: stripeId(this.ids, 'evt'),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: nowUnix(),
      data: { object: stripeSessionJson(rec, origin, data.people) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: request?.id ?? null, idempotency_key: request?.idempotency_key ?? null },
      type,
    };
    const body = Buffer.from(JSON.stringify(event), 'utf8');
    const corrupted = this.rollCorrupt();
    const sign = () => {
      const t = nowUnix();
      let v1 = stripeSignature(body, t);
      if (corrupted) v1 = flipHex(v1);
      return { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'stripe-signature': `t=${t},v1=${v1}` };
    };
    return {
      provider: 'stripe',
      id: event.id,
      type,
      sessionId: rec.id,
      method: 'POST',
      url: `${base}/stripe`,
      headers: null,
      sign,
      body,
      corrupted,
      generation: this.generation,
    };
  }

  diditMessage(base, rec, data, origin) {
    const payload = {
      event_id: this.ids.uuid(),
      webhook_type: 'status.updated',
      timestamp: nowUnix(),
      created_at: Math.floor(rec.micros / 1e6),
      application_id: DIDIT_APPLICATION_ID,
      environment: 'sandbox',
      session_id: rec.session_id,
      status: rec.status,
      workflow_id: rec.workflow_id,
    };
    if (rec.vendor_data !== null && rec.vendor_data !== undefined) payload.vendor_data = rec.vendor_data;
    if (rec.metadata !== null && rec.metadata !== undefined) payload.metadata = rec.metadata;
    if (DIDIT_DECISION_STATUSES.includes(rec.status)) payload.decision = diditDecision(data, rec, origin);
    const secret = this.settings.diditSecret;
    const body = dumps(payload); // ensure_ascii=True: the bytes sent, and what X-Signature signs
    let signatures = [
      hmacHex(secret, Buffer.from(body, 'utf8')),
      hmacHex(secret, Buffer.from(dumps(payload, { ensureAscii: false }), 'utf8')),
      hmacHex(secret, [payload.timestamp, payload.session_id, payload.status, payload.webhook_type].map(pyStr).join(':')),
    ];
    const corrupted = this.rollCorrupt();
    if (corrupted) signatures = signatures.map(flipHex);
    const headers = {
      'content-type': 'application/json',
      'user-agent': DIDIT_USER_AGENT,
      'x-timestamp': String(payload.timestamp),
      'x-signature': signatures[0],
      'x-signature-v2': signatures[1],
      'x-signature-simple': signatures[2],
    };
    return {
      provider: 'didit',
      id: payload.event_id,
      type: payload.webhook_type,
      sessionId: rec.session_id,
      method: 'POST',
      url: `${base}/didit`,
      headers,
      body: Buffer.from(body, 'utf8'),
      corrupted,
      generation: this.generation,
    };
  }

  /** `date`: the event's Date (Unix s), the one the events API lists; default now. */
  mangopayMessage(base, rec, date = nowUnix()) {
    const type = MANGOPAY_IDV_EVENTS[rec.Status];
    if (!type) return null; // creates (PENDING) and the other statuses notify nothing
    const query = `EventType=${type}&RessourceId=${encodeURIComponent(rec.Id)}&Date=${date}`;
    return {
      provider: 'mangopay',
      id: this.ids.uuid(),
      type,
      sessionId: rec.Id,
      method: 'GET',
      url: `${base}/mangopay?${query}`,
      headers: { 'user-agent': 'idv-mock-webhooks (mangopay)' },
      body: null,
      generation: this.generation,
    };
  }

  equalsMessage(base, row) {
    const inner = {
      messageId: this.ids.uuid(),
      webhookEventTypeName: EQUALS_EVENT_TYPE,
      eventTime: isoSeconds(nowUnix()),
      id: row.id,
      applicationId: row.applicationId,
    };
    if (row.associatedPersonId) inner.associatedPersonId = row.associatedPersonId;
    inner.correlationId = row.correlationId;
    inner.status = row.status;
    if (row.result) inner.result = row.result;
    return {
      provider: 'equals',
      id: inner.messageId, // the same messageId on every retry
      type: EQUALS_EVENT_TYPE,
      sessionId: row.id,
      method: 'POST',
      url: `${base}/equals`,
      headers: { 'content-type': 'application/json', 'user-agent': 'idv-mock-webhooks (equals)' },
      body: Buffer.from(JSON.stringify({ body: inner }), 'utf8'),
      generation: this.generation,
    };
  }

  schedule(message, attempt, delayMs) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.attempt(message, attempt);
    }, delayMs);
    t.unref?.();
    this.timers.add(t);
  }

  attempt(message, n) {
    if (message.generation !== this.generation) return;
    const rules = DELIVERY_RULES[message.provider];
    const at = new Date().toISOString();
    this.send(message, rules.timeoutMs * this.settings.timeoutScale).then((result) => {
      if (message.generation !== this.generation) return; // cancelled meanwhile
      const entry = { provider: message.provider, id: message.id, type: message.type, sessionId: message.sessionId, attempt: n };
      entry.status = result.status ?? 'error';
      entry.at = at;
      if (result.error) entry.error = result.error;
      this.deliveries.push(entry);
      if (this.deliveries.length > MAX_LOG) this.deliveries.splice(0, this.deliveries.length - MAX_LOG);
      const ok = typeof result.status === 'number' && result.status >= 200 && result.status < 300;
      if (!ok && n <= rules.retryDelaysMs.length) {
        this.schedule(message, n + 1, rules.retryDelaysMs[n - 1] * this.settings.retryScale);
      } else {
        this.pending--;
      }
    });
  }

  /** One HTTP attempt: `{status}` once the answer's status line arrives, or `{error}`. */
  send(message, timeoutMs) {
    return new Promise((resolve) => {
      let req;
      let timer;
      let settled = false;
      const finish = (result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.requests.delete(req);
        resolve(result);
      };
      const headers = { ...(message.sign ? message.sign() : message.headers) };
      if (message.body) headers['content-length'] = String(message.body.length);
      try {
        const mod = message.url.startsWith('https:') ? https : http;
        // agent: false, a connection per attempt, closed after it: nothing lingers
        req = mod.request(message.url, { method: message.method, headers, agent: false }, (res) => {
          res.resume();
          finish({ status: res.statusCode });
        });
      } catch (e) {
        resolve({ error: e.message });
        return;
      }
      timer = setTimeout(() => {
        finish({ error: `timeout after ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      timer.unref?.();
      req.on('error', (e) => finish({ error: e.message || e.code || 'network error' }));
      this.requests.add(req);
      req.end(message.body ?? undefined);
    });
  }
}
