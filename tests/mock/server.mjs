#!/usr/bin/env node
// Mock IDV providers: one local HTTP server speaking Mangopay, Equals Money, Didit, Onfido and
// Stripe Identity as their docs describe (see ../shared/providers.md, ../shared/providers-next.md
// and tests/mock/README.md). Node >= 18, no dependencies beyond Node built-ins.
//
// TEST CREDENTIALS (mock-only values, accepted by nothing else):
//   Mangopay  ClientId `mock-client`, ApiKey `mock-mangopay-api-key`
//             POST /v2.01/oauth/token  Authorization: Basic base64("mock-client:mock-mangopay-api-key")
//             body grant_type=client_credentials -> {access_token, token_type: "bearer", expires_in}
//             then  Authorization: Bearer <access_token>   (scheme matched case-insensitively)
//   Equals    Authorization: ApiKey mock-equals-api-key    (missing -> 401, wrong -> 403)
//   Didit     x-api-key: mock-didit-api-key                (missing -> 403, wrong -> 401)
//   Onfido    Authorization: Token token=mock-onfido-api-token  (missing or wrong -> 401);
//             webhooks signed (X-SHA2-Signature) with the token mock-onfido-webhook-token
//   Stripe    Authorization: Bearer sk_test_mock (or rk_test_mock; rk_test_mock_readonly reads only)
//             (missing or wrong -> 401); webhooks signed (Stripe-Signature) with whsec_mock
//
// CLI:
//   node tests/mock/server.mjs --port 0 --seed 1 --sessions 500 [--latency-ms N]
//     [--faults 429=0.1,500=0.05,502=0.05,503=0.05,reset=0.02,slow=0.05,truncate=0.05,html=0.05]
//     [--rate-scale X] [--window-scale X] [--retry-after S] [--token-ttl S] [--slow-ms MS]
//     [--faults-on-token] [--host 127.0.0.1] [--webhook-url URL]
//   prints exactly one line `listening on http://127.0.0.1:PORT` and serves until SIGTERM/SIGINT.
//
// Library:
//   const srv = await startMockServer({ port: 0, seed: 1, sessions: 500, ... });
//   srv.url, srv.port, srv.data (live data set, srv.data.people = the person mapping),
//   srv.control.{health, setFaults, insert, remove, setDown, sessions, people, reset, stats, resetStats,
//   script, scripts, clearScripts, revokeTokens, setPaging, setEcho, setStatus, webhooks,
//   setWebhooks}, await srv.close()
//
// Control endpoints (no auth, never faulted or rate limited): GET /__mock/health,
// GET|POST /__mock/faults, POST /__mock/insert, POST /__mock/remove, POST /__mock/down, GET /__mock/sessions?provider=,
// GET /__mock/people, POST /__mock/reset, GET /__mock/stats, POST /__mock/stats/reset, GET /__mock/idempotency,
// GET|POST /__mock/script, POST /__mock/script/clear, POST /__mock/revoke-tokens,
// POST /__mock/paging, POST /__mock/echo, POST /__mock/status, GET|POST /__mock/webhooks.

import http from 'node:http';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng } from './rng.mjs';
import { CREDENTIALS, REFERENCE_DATE, generateData, insertSessions, mangopayEventsWindow, removeSessions, peopleJson, recordMangopayEvent, sessionCount, sessionSummary, setSessionStatus, truth } from './data.mjs';
import { PAGING_MODES, gatewayErrorPage, html, json, maintenancePage } from './http.mjs';
import { DEFAULT_HOLD_MS, FAULT_KINDS, Scripts } from './script.mjs';
import { echoResponse } from './echo.mjs';
import { Webhooks, normalizeWebhookUrl } from './webhooks.mjs';
import { IdempotencyStore } from './idempotency.mjs';
import { MANGOPAY_TOKEN_PATH, handleMangopay, isMangopayPath, mangopayEndpoint, mangopayForbidden, mangopayIdempotencyKey, mangopayRateLimitBody } from './mangopay.mjs';
import { equalsEndpoint, equalsForbidden, equalsRateLimitBody, handleEquals, isEqualsPath } from './equals.mjs';
import { diditDecision, diditEndpoint, diditForbidden, diditRateLimitBody, handleDidit, isDiditPath } from './didit.mjs';
import { handleOnfido, isOnfidoPath, onfidoEndpoint, onfidoForbidden, onfidoRateLimitBody } from './onfido.mjs';
import { handleStripe, isStripePath, stripeEndpoint, stripeForbidden, stripeIdempotencyKey, stripeRateLimitBody } from './stripe.mjs';
import { ONFIDO_WORKFLOWS } from './onfido-data.mjs';
import { STRIPE_VERIFICATION_FLOW } from './stripe-data.mjs';

export { CREDENTIALS, REFERENCE_DATE, generateData };

export const PROVIDERS = ['mangopay', 'equals', 'didit', 'onfido', 'stripe'];
/** Providers with a create endpoint (counted in `stats.creates`). */
const CREATE_PROVIDERS = ['mangopay', 'didit', 'onfido', 'stripe'];
export { FAULT_KINDS };
const FAULT_SETTINGS = ['faults', 'latencyMs', 'rateScale', 'windowScale', 'retryAfterSeconds', 'slowMs', 'faultsOnToken'];

const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  seed: 1,
  sessions: 500,
  latencyMs: 0,
  faults: '',
  rateScale: 1,
  windowScale: 1,
  retryAfterSeconds: 1,
  tokenTtlSeconds: 1200,
  slowMs: 1500,
  faultsOnToken: false,
  webhookUrl: null,
};

const MINUTE = 60_000;
/** Documented Mangopay limits (providers.md 1.9): 15 min, 30 min, 60 min, 24 h windows. */
const MANGOPAY_WINDOWS = [
  { ms: 15 * MINUTE, limit: 2300 },
  { ms: 30 * MINUTE, limit: 4500 },
  { ms: 60 * MINUTE, limit: 8800 },
  { ms: 24 * 60 * MINUTE, limit: 105600 },
];
/** Equals documents no rate limit: 600 requests per minute is the mock's own choice. */
const EQUALS_WINDOW = { ms: MINUTE, limit: 600 };
/** Didit: 300 requests per minute per HTTP method (providers.md 3.8). */
const DIDIT_WINDOW = { ms: MINUTE, limit: 300 };
/** Onfido publishes no rate limit (providers-next.md 2.5): 400 requests per minute is the mock's choice. */
const ONFIDO_WINDOW = { ms: MINUTE, limit: 400 };
/** Stripe: "Individual endpoints default to 25 requests per second" (providers-next.md 1.5). */
const STRIPE_WINDOW = { ms: 1000, limit: 25 };

const EXPOSED_HEADERS = [
  'x-number-of-pages',
  'x-number-of-items',
  'link',
  'x-ratelimit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
  'location',
  'content-length',
  'x-mock-fault',
  'request-id',
  'idempotent-replayed',
].join(', ');
const ALLOWED_HEADERS = '*, authorization, x-api-key, content-type, idempotency-key, accept, user-agent, stripe-version';

const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const MAX_BODY = 1 << 20;

// ---------------------------------------------------------------------------------------------
// options

/** Parse `429=0.1,500=0.05` (or an object) into a full rate map; throws on unknown kinds. */
export function parseFaults(spec) {
  const rates = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
  if (spec === undefined || spec === null || spec === '') return rates;
  const entries =
    typeof spec === 'string'
      ? spec
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((pair) => {
            const eq = pair.indexOf('=');
            if (eq < 0) throw new Error(`fault "${pair}" must look like kind=rate`);
            return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
          })
      : Object.entries(spec);
  for (const [kind, raw] of entries) {
    if (!FAULT_KINDS.includes(String(kind))) throw new Error(`unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(', ')})`);
    const rate = Number(raw);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`fault rate for ${kind} must be between 0 and 1, got ${raw}`);
    rates[kind] = rate;
  }
  return rates;
}

function positiveNumber(name, value) {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} must be a positive number, got ${value}`);
  return n;
}

function nonNegativeNumber(name, value) {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`${name} must be a number >= 0, got ${value}`);
  return n;
}

function normalizeOptions(options) {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) };
  return {
    port: nonNegativeNumber('port', o.port),
    host: String(o.host),
    seed: o.seed,
    sessions: nonNegativeNumber('sessions', o.sessions),
    latencyMs: nonNegativeNumber('latencyMs', o.latencyMs),
    faults: parseFaults(o.faults),
    rateScale: positiveNumber('rateScale', o.rateScale),
    windowScale: positiveNumber('windowScale', o.windowScale),
    retryAfterSeconds: nonNegativeNumber('retryAfterSeconds', o.retryAfterSeconds),
    tokenTtlSeconds: positiveNumber('tokenTtlSeconds', o.tokenTtlSeconds),
    slowMs: nonNegativeNumber('slowMs', o.slowMs),
    faultsOnToken: Boolean(o.faultsOnToken),
    webhookUrl: normalizeWebhookUrl(o.webhookUrl),
  };
}

// ---------------------------------------------------------------------------------------------
// rate limiting: fixed windows that start with the first request after the previous one ended

class Windows {
  constructor(specs, rateScale, windowScale) {
    this.windows = specs.map((s) => ({
      ms: Math.max(1, Math.round(s.ms * windowScale)),
      limit: Math.max(1, Math.floor(s.limit * rateScale)),
      start: 0,
      count: 0,
    }));
  }

  roll(now) {
    for (const w of this.windows) {
      if (now >= w.start + w.ms) {
        w.start = now;
        w.count = 0;
      }
    }
  }

  /** Count one request; returns null when admitted, else the milliseconds until a slot frees. */
  hit(now) {
    this.roll(now);
    let waitMs = 0;
    for (const w of this.windows) if (w.count >= w.limit) waitMs = Math.max(waitMs, w.start + w.ms - now);
    if (waitMs > 0) return waitMs;
    for (const w of this.windows) w.count++;
    return null;
  }

  /** Mangopay's x-ratelimit* headers: one comma-separated value per window. */
  headers(now) {
    this.roll(now);
    return {
      'x-ratelimit': this.windows.map((w) => w.count).join(','),
      'x-ratelimit-remaining': this.windows.map((w) => Math.max(0, w.limit - w.count)).join(','),
      // floor: reset minus now (in whole seconds) never exceeds the window, which is how the
      // SDKs infer which window a value belongs to
      'x-ratelimit-reset': this.windows.map((w) => Math.floor((w.start + w.ms) / 1000)).join(','),
    };
  }
}

function makeLimiters(opts) {
  return {
    mangopay: new Windows(MANGOPAY_WINDOWS, opts.rateScale, opts.windowScale),
    equals: new Windows([EQUALS_WINDOW], opts.rateScale, opts.windowScale),
    didit: new Map(), // per HTTP method
    onfido: new Windows([ONFIDO_WINDOW], opts.rateScale, opts.windowScale),
    stripe: new Map(), // per endpoint
  };
}

/** The limiter of a request: one per provider; Didit one per HTTP method, Stripe one per endpoint. */
function limiterFor(state, provider, method, endpoint) {
  if (provider !== 'didit' && provider !== 'stripe') return state.limiters[provider];
  const key = provider === 'didit' ? (method === 'HEAD' ? 'GET' : method) : endpoint ?? 'other';
  let w = state.limiters[provider].get(key);
  if (!w) {
    w = new Windows([provider === 'didit' ? DIDIT_WINDOW : STRIPE_WINDOW], state.opts.rateScale, state.opts.windowScale);
    state.limiters[provider].set(key, w);
  }
  return w;
}

function rateLimited(provider, seconds, extraHeaders = {}) {
  const headers = { 'retry-after': String(seconds), ...extraHeaders };
  if (provider === 'mangopay') return json(429, mangopayRateLimitBody(), headers);
  if (provider === 'equals') return json(429, equalsRateLimitBody(), headers);
  if (provider === 'onfido') return json(429, onfidoRateLimitBody(), headers);
  if (provider === 'stripe') return json(429, stripeRateLimitBody(), headers);
  return json(429, diditRateLimitBody(seconds), headers);
}

// ---------------------------------------------------------------------------------------------
// server

/**
 * Start the mock providers. Options (all optional): port (0), host ('127.0.0.1'), seed (1),
 * sessions (500 per provider), latencyMs (0), faults ('' | '429=0.1,...' | {429: 0.1, ...}),
 * rateScale (1), windowScale (1), retryAfterSeconds (1, for injected 429s), tokenTtlSeconds (1200),
 * slowMs (1500), faultsOnToken (false), webhookUrl (null: no webhook notifications).
 */
export async function startMockServer(options = {}) {
  const opts = normalizeOptions(options);
  const state = {
    opts,
    data: generateData({ seed: opts.seed, sessions: opts.sessions }),
    tokens: new Map(),
    idempotency: new IdempotencyStore(),
    faults: { ...opts.faults },
    latencyMs: opts.latencyMs,
    down: Object.fromEntries(PROVIDERS.map((p) => [p, false])),
    paging: Object.fromEntries(PROVIDERS.map((p) => [p, 'normal'])),
    echo: Object.fromEntries(PROVIDERS.map((p) => [p, false])),
    faultRng: Rng.stream(opts.seed, 'faults'),
    limiters: makeLimiters(opts),
    stats: newStats(),
    scripts: new Scripts(),
    webhooks: new Webhooks({ seed: opts.seed, url: opts.webhookUrl }),
    inFlight: perProvider(),
    timers: new Set(),
    startedAt: Date.now(),
  };

  const control = makeControl(state);
  const server = http.createServer((req, res) => {
    handleRequest(state, control, req, res).catch((err) => {
      process.stderr.write(`mock server error: ${err && err.stack ? err.stack : err}\n`);
      if (!res.headersSent && !res.destroyed) write(res, json(500, { error: 'mock internal error', message: String(err && err.message) }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  state.url = url;

  let closing = null;
  return {
    url,
    port,
    get data() {
      return state.data;
    },
    control,
    close() {
      if (!closing) {
        closing = new Promise((resolve) => {
          for (const t of state.timers) clearTimeout(t);
          state.timers.clear();
          state.webhooks.cancel();
        server.close(() => resolve());
          server.closeAllConnections?.();
        });
      }
      return closing;
    },
  };
}

function perProvider() {
  return Object.fromEntries(PROVIDERS.map((p) => [p, 0]));
}

/** Counters of `/__mock/stats` (in-flight gauges live in state.inFlight). */
function newStats(inFlight = perProvider()) {
  return {
    requests: perProvider(),
    tokenRequests: 0,
    creates: Object.fromEntries(CREATE_PROVIDERS.map((p) => [p, 0])),
    onfidoApplicantCreates: 0,
    maxInFlight: { ...inFlight },
  };
}

function makeControl(state) {
  const control = {
    health() {
      return {
        ok: true,
        seed: state.opts.seed,
        referenceDate: REFERENCE_DATE,
        sessions: {
          mangopay: state.data.mangopay.sessions.length,
          equals: state.data.equals.rows.length,
          didit: state.data.didit.sessions.length,
          onfido: state.data.onfido.runs.length,
          stripe: state.data.stripe.sessions.length,
        },
        people: state.data.people.length,
        faults: { ...state.faults },
        latencyMs: state.latencyMs,
        down: { ...state.down },
        paging: { ...state.paging },
        echo: { ...state.echo },
        rateScale: state.opts.rateScale,
        windowScale: state.opts.windowScale,
        retryAfterSeconds: state.opts.retryAfterSeconds,
        tokenTtlSeconds: state.opts.tokenTtlSeconds,
        credentials: { ...CREDENTIALS, didit: { ...CREDENTIALS.didit, webhookSecret: state.webhooks.settings.diditSecret } },
        webhooks: (({ deliveries, ...settings }) => settings)(state.webhooks.view()),
        diditWorkflows: state.data.didit.workflows.map(({ id, label, features }) => ({ id, label, features })),
        onfidoWorkflows: ONFIDO_WORKFLOWS.map(({ id, label, versionId, reports }) => ({ id, label, versionId, reports: [...reports] })),
        stripeVerificationFlow: STRIPE_VERIFICATION_FLOW,
        mangopayEvents: { ...mangopayEventsWindow(state.data), count: state.data.mangopay.events.length },
      };
    },
    /** Replace fault rates and latency; keys absent from `cfg` go back to 0. */
    setFaults(cfg = {}) {
      for (const key of Object.keys(cfg)) {
        if (!FAULT_KINDS.includes(key) && !FAULT_SETTINGS.includes(key)) throw new Error(`unknown fault setting "${key}"`);
      }
      const top = Object.fromEntries(FAULT_KINDS.filter((k) => cfg[k] !== undefined).map((k) => [k, cfg[k]]));
      const nested = typeof cfg.faults === 'string' ? parseFaults(cfg.faults) : cfg.faults ?? {};
      const faults = parseFaults({ ...nested, ...top });
      const latencyMs = cfg.latencyMs === undefined ? 0 : nonNegativeNumber('latencyMs', cfg.latencyMs);
      const next = { ...state.opts };
      if (cfg.rateScale !== undefined) next.rateScale = positiveNumber('rateScale', cfg.rateScale);
      if (cfg.windowScale !== undefined) next.windowScale = positiveNumber('windowScale', cfg.windowScale);
      if (cfg.retryAfterSeconds !== undefined) next.retryAfterSeconds = nonNegativeNumber('retryAfterSeconds', cfg.retryAfterSeconds);
      if (cfg.slowMs !== undefined) next.slowMs = nonNegativeNumber('slowMs', cfg.slowMs);
      if (cfg.faultsOnToken !== undefined) next.faultsOnToken = Boolean(cfg.faultsOnToken);
      const limitsChanged = next.rateScale !== state.opts.rateScale || next.windowScale !== state.opts.windowScale;
      state.opts = next;
      state.faults = faults;
      state.latencyMs = latencyMs;
      if (limitsChanged) state.limiters = makeLimiters(next);
      return {
        faults: { ...faults },
        latencyMs,
        rateScale: next.rateScale,
        windowScale: next.windowScale,
        retryAfterSeconds: next.retryAfterSeconds,
        slowMs: next.slowMs,
        faultsOnToken: next.faultsOnToken,
      };
    },
    insert(provider, count = 1, userRef) {
      if (!PROVIDERS.includes(provider)) throw new Error(`unknown provider ${provider}`);
      const n = Number(count);
      if (!Number.isInteger(n) || n < 0 || n > 10000) throw new Error('count must be an integer between 0 and 10000');
      const inserted = insertSessions(state.data, provider, n, userRef || undefined, (rec) => notify(state, provider, { rec, cause: 'inserted' }));
      return { provider, inserted, total: sessionCount(state.data, provider) };
    },
    /** Deletes `count` random Didit or Equals sessions; returns their keys and the new total. */
    remove(provider, count = 1) {
      const n = Number(count);
      if (!Number.isInteger(n) || n < 0 || n > 10000) throw new Error('count must be an integer between 0 and 10000');
      const removed = removeSessions(state.data, provider, n);
      return { provider, removed, total: sessionCount(state.data, provider) };
    },
    /** Hostile paging for one provider: 'normal' | 'huge-count' | 'ignore-page'. */
    setPaging(provider, mode = 'normal') {
      if (!PROVIDERS.includes(provider)) throw new Error(`unknown provider ${provider}`);
      if (!PAGING_MODES.includes(mode)) throw new Error(`paging mode must be one of ${PAGING_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
      state.paging[provider] = mode;
      return { paging: { ...state.paging } };
    },
    /** While on, every request to `provider` answers 400 echoing its credential headers. */
    setEcho(provider, on = true) {
      if (!PROVIDERS.includes(provider)) throw new Error(`unknown provider ${provider}`);
      state.echo[provider] = Boolean(on);
      return { echo: { ...state.echo } };
    },
    /**
     * Change a session's provider status: `setStatus(provider, id, status, {result, applicationId})`
     * or `setStatus({provider, id, status, result, applicationId})`. Returns the session's summary.
     */
    setStatus(provider, id, status, extra = {}) {
      const input = provider !== null && typeof provider === 'object' ? provider : { provider, id, status, ...extra };
      if (!PROVIDERS.includes(input.provider)) throw new Error(`unknown provider ${input.provider}`);
      if (typeof input.id !== 'string' || input.id === '') throw new Error('id must be a non-empty string');
      const rec = setSessionStatus(state.data, input.provider, input);
      notify(state, input.provider, rec);
      return sessionSummary(input.provider, rec);
    },
    setDown(provider, down = true) {
      if (!PROVIDERS.includes(provider)) throw new Error(`unknown provider ${provider}`);
      state.down[provider] = Boolean(down);
      return { down: { ...state.down } };
    },
    sessions(provider) {
      if (provider) {
        if (!PROVIDERS.includes(provider)) throw new Error(`unknown provider ${provider}`);
        const sessions = truth(state.data, provider);
        return { provider, count: sessions.length, sessions };
      }
      return Object.fromEntries(PROVIDERS.map((p) => [p, control.sessions(p)]));
    },
    people() {
      return peopleJson(state.data);
    },
    /** Provider request counters since the start or the last reset. */
    stats() {
      const { requests, tokenRequests, creates, onfidoApplicantCreates, maxInFlight } = state.stats;
      return {
        requests: { ...requests },
        tokenRequests,
        creates: { ...creates },
        onfidoApplicantCreates,
        inFlight: { ...state.inFlight },
        maxInFlight: { ...maxInFlight },
      };
    },
    /** Webhook settings and the deliveries log. */
    webhooks() {
      return state.webhooks.view();
    },
    /** Change the webhook settings given: {url, diditSecret, corrupt, delayMs, retryScale, timeoutScale}. */
    setWebhooks(cfg = {}) {
      return state.webhooks.configure(cfg);
    },
    /** The idempotency keys the mock holds: [{provider, key, state: 'pending'|'done', status}]. */
    idempotency() {
      return { keys: state.idempotency.view() };
    },
    /** Every Mangopay token issued so far becomes invalid (401 invalid_credentials on its next use). */
    revokeTokens() {
      const now = Date.now();
      let revoked = 0;
      for (const exp of state.tokens.values()) if (exp > now) revoked++;
      state.tokens.clear();
      return { revoked };
    },
    /** Queue one-shot faults for the next requests to (provider, endpoint). */
    script(provider, endpoint, faults) {
      return state.scripts.add(provider, endpoint, faults);
    },
    scripts() {
      return state.scripts.view();
    },
    clearScripts() {
      return state.scripts.clear();
    },
    /** Zero the counters; the maxima restart from the requests in flight now (0 when idle). */
    resetStats() {
      state.stats = newStats(state.inFlight);
      return control.stats();
    },
    /** Back to the seeded data; also clears idempotency keys, rate-limit counters, down flags and
     * restarts the fault stream. Fault rates, latency and issued tokens are kept. */
    reset() {
      state.data = generateData({ seed: state.opts.seed, sessions: state.opts.sessions });
      state.idempotency.clear();
      state.limiters = makeLimiters(state.opts);
      for (const p of PROVIDERS) {
        state.down[p] = false;
        state.paging[p] = 'normal';
        state.echo[p] = false;
      }
      state.faultRng = Rng.stream(state.opts.seed, 'faults');
      state.stats = newStats(state.inFlight);
      state.scripts.clear();
      state.webhooks.reset();
      return { ok: true };
    },
  };
  return control;
}

// ---------------------------------------------------------------------------------------------
// request handling

function corsHeaders(req) {
  const requested = req.headers['access-control-request-headers'];
  const pna = req.headers['access-control-request-private-network'] === 'true' ? { 'access-control-allow-private-network': 'true' } : {};
  return {
    ...pna,
    'access-control-allow-origin': '*',
    'access-control-allow-headers': requested ? `${ALLOWED_HEADERS}, ${requested}` : ALLOWED_HEADERS,
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-expose-headers': EXPOSED_HEADERS,
    'access-control-max-age': '600',
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { tooLarge: true }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sleep(state, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      state.timers.delete(t);
      resolve();
    }, ms);
    state.timers.add(t);
  });
}

function endpointOf(provider, method, pathname) {
  if (provider === 'mangopay') return mangopayEndpoint(method, pathname);
  if (provider === 'equals') return equalsEndpoint(method, pathname);
  if (provider === 'onfido') return onfidoEndpoint(method, pathname);
  if (provider === 'stripe') return stripeEndpoint(method, pathname);
  return diditEndpoint(method, pathname);
}

/** A provider request is counted, and in flight, from its arrival until its response ends or its
 * connection closes. */
function countRequest(state, provider, res) {
  state.stats.requests[provider]++;
  const n = ++state.inFlight[provider];
  if (n > state.stats.maxInFlight[provider]) state.stats.maxInFlight[provider] = n;
  res.once('close', () => {
    state.inFlight[provider]--;
  });
}

function providerOf(pathname) {
  if (isMangopayPath(pathname)) return 'mangopay';
  if (isEqualsPath(pathname)) return 'equals';
  if (isDiditPath(pathname)) return 'didit';
  if (isOnfidoPath(pathname)) return 'onfido';
  if (isStripePath(pathname)) return 'stripe';
  return null;
}

function rollFault(state) {
  const r = state.faultRng.next();
  let acc = 0;
  for (const kind of FAULT_KINDS) {
    acc += state.faults[kind];
    if (r < acc) return kind;
  }
  return null;
}

function write(res, response, extraHeaders = {}) {
  const body = Buffer.from(response.body ?? '', 'utf8');
  res.writeHead(response.status, { ...extraHeaders, ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

async function handleRequest(state, control, req, res) {
  const cors = corsHeaders(req);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, { ...cors, 'content-length': '0' });
    res.end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://mock.invalid');
  const origin = `http://${req.headers.host ?? new URL(state.url).host}`;
  const pathname = url.pathname;

  if (pathname.startsWith('/__mock/') || pathname === '/__mock') {
    let body;
    try {
      body = await readBody(req);
    } catch (e) {
      write(res, json(413, { error: e.message }), cors);
      return;
    }
    write(res, controlRequest(control, method, pathname, url, body), cors);
    return;
  }
  if (pathname.startsWith('/hosted/')) {
    write(res, hostedPage(url), cors);
    return;
  }
  if (pathname.startsWith('/media/')) {
    res.writeHead(200, { ...cors, 'content-type': 'image/gif', 'content-length': String(TRANSPARENT_GIF.length) });
    res.end(TRANSPARENT_GIF);
    return;
  }
  const provider = providerOf(pathname);
  if (!provider) {
    write(res, json(404, { error: `no mock provider serves ${pathname}` }), cors);
    return;
  }

  const isToken = pathname === MANGOPAY_TOKEN_PATH;
  const endpoint = endpointOf(provider, method, pathname);
  countRequest(state, provider, res);
  if (endpoint === 'token') state.stats.tokenRequests++;

  let body;
  try {
    body = await readBody(req);
  } catch (e) {
    if (e.tooLarge && !res.destroyed) write(res, json(413, { error: 'request body too large' }), { ...cors, connection: 'close' });
    return;
  }
  const idempotency = arriveIdempotent(state, provider, method, pathname, req.headers, res);
  if (state.latencyMs > 0) await sleep(state, state.latencyMs);
  if (res.destroyed) return;

  if (state.down[provider]) {
    write(res, gatewayErrorPage(503), { ...cors, 'x-mock-fault': 'down' });
    return;
  }
  if (state.echo[provider]) {
    write(res, echoResponse(provider, req.headers), { ...cors, 'x-mock-fault': 'echo' });
    return;
  }

  // a scripted entry replaces the random roll for this request ("ok": no fault at all)
  const scripted = state.scripts.take(provider, endpoint);
  let fault = null;
  if (scripted) fault = scripted.kind === 'ok' ? null : scripted;
  else if (!isToken || state.opts.faultsOnToken) {
    const kind = rollFault(state);
    if (kind) fault = { kind };
  }
  const kind = fault?.kind ?? null;
  const faultHeader = { ...cors, 'x-mock-fault': kind };
  const limiter = limiterFor(state, provider, method, endpoint);
  const rateHeaders = () => (provider === 'mangopay' ? limiter.headers(Date.now()) : {});

  if (kind === 'reset') {
    req.socket.destroy();
    return;
  }
  if (kind === '429') {
    const seconds = fault.retryAfter ?? state.opts.retryAfterSeconds;
    write(res, rateLimited(provider, seconds, rateHeaders()), faultHeader);
    return;
  }
  if (kind === '500' || kind === '502' || kind === '503') {
    write(res, gatewayErrorPage(Number(kind)), faultHeader);
    return;
  }
  if (kind === 'forbidden') {
    write(res, forbidden(provider), { ...faultHeader, ...rateHeaders() });
    return;
  }
  if (kind === 'hold' && !(await hold(state, res, fault.holdMs ?? DEFAULT_HOLD_MS))) return;

  const waitMs = limiter.hit(Date.now()); // after a hold: the time it is then
  if (waitMs !== null) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    write(res, rateLimited(provider, seconds, rateHeaders()), cors);
    return;
  }

  const ctx = { method, url, origin, headers: req.headers, body, state, changed: [], idempotency };
  if (endpoint === 'create') state.stats.creates[provider]++;
  if (provider === 'onfido' && endpoint === 'applicants' && method === 'POST') state.stats.onfidoApplicantCreates++;
  const response = HANDLERS[provider](ctx);
  response.headers = { ...response.headers, ...rateHeaders() };
  for (const change of ctx.changed) notify(state, provider, change);

  if (kind === 'commit-then-reset' || kind === 'reset-after-store') {
    req.socket.destroy();
    return;
  }
  if (kind === 'commit-then-500') {
    write(res, gatewayErrorPage(500), faultHeader);
    return;
  }
  if (kind === 'commit-then-hold') {
    if (await hold(state, res, fault.holdMs ?? DEFAULT_HOLD_MS)) write(res, response, faultHeader);
    return;
  }
  if (kind === 'html') {
    write(res, maintenancePage(), faultHeader);
    return;
  }
  if (kind === 'truncate') {
    const full = Buffer.from(response.body, 'utf8');
    const half = full.subarray(0, Math.floor(full.length / 2));
    res.writeHead(200, {
      ...cors,
      ...response.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(half.length),
      'x-mock-fault': 'truncate',
    });
    res.end(half);
    return;
  }
  if (kind === 'slow') {
    writeSlowly(state, res, response, faultHeader);
    return;
  }
  write(res, response, kind === 'hold' ? faultHeader : cors);
}

const HANDLERS = { mangopay: handleMangopay, equals: handleEquals, didit: handleDidit, onfido: handleOnfido, stripe: handleStripe };

/** The idempotency key of a request that takes part in idempotency (Mangopay creates, Stripe
 * POSTs), or null. */
function idempotencyKeyOf(provider, method, pathname, headers) {
  if (provider === 'mangopay') return mangopayIdempotencyKey(method, pathname, headers);
  if (provider === 'stripe') return stripeIdempotencyKey(method, pathname, headers);
  return null;
}

/** Register a request carrying an idempotency key when it arrives (idempotency.mjs): a new key's
 * owner releases it if the request ends without the handler storing an answer. */
function arriveIdempotent(state, provider, method, pathname, headers, res) {
  const key = idempotencyKeyOf(provider, method, pathname, headers);
  if (key === null) return null;
  const idem = state.idempotency.arrive(provider, key);
  if (idem.role === 'owner') res.once('close', () => state.idempotency.release(idem.record));
  return idem;
}

/** Send the webhooks of a changed session (fire and forget). `change` is the record, or
 * `{rec, cause, request}` (see Webhooks.notify). A Mangopay change whose status has an event type
 * is also recorded for the events API, with the same Date as its notification (the wall clock),
 * whether or not webhooks are on. */
function notify(state, provider, change) {
  let date;
  if (provider === 'mangopay') {
    date = Math.floor(Date.now() / 1000);
    recordMangopayEvent(state.data, change.rec ?? change, date);
  }
  state.webhooks.notify(provider, change, { data: state.data, origin: state.url, date });
}

function forbidden(provider) {
  if (provider === 'mangopay') return mangopayForbidden();
  if (provider === 'equals') return equalsForbidden();
  if (provider === 'onfido') return onfidoForbidden();
  if (provider === 'stripe') return stripeForbidden();
  return diditForbidden();
}

/** Wait `ms` before answering; resolves false as soon as the client has gone (answer abandoned). */
function hold(state, res, ms) {
  return new Promise((resolve) => {
    if (res.destroyed || res.socket?.destroyed) {
      resolve(false);
      return;
    }
    const done = (value) => {
      clearTimeout(t);
      state.timers.delete(t);
      res.off('close', onClose);
      resolve(value);
    };
    const onClose = () => done(false);
    const t = setTimeout(() => done(true), ms);
    state.timers.add(t);
    res.once('close', onClose);
  });
}

/** Headers at once, then the body in 8 pieces spread over `slowMs`. */
function writeSlowly(state, res, response, extraHeaders) {
  const body = Buffer.from(response.body ?? '', 'utf8');
  res.writeHead(response.status, { ...extraHeaders, ...response.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  const pieces = 8;
  const step = state.opts.slowMs / pieces;
  let sent = 0;
  let i = 0;
  const tick = () => {
    if (res.destroyed) return;
    i++;
    const end = i === pieces ? body.length : Math.floor((body.length * i) / pieces);
    if (end > sent) res.write(body.subarray(sent, end));
    sent = end;
    if (i === pieces) {
      res.end();
      return;
    }
    const t = setTimeout(() => {
      state.timers.delete(t);
      tick();
    }, step);
    state.timers.add(t);
  };
  const t = setTimeout(() => {
    state.timers.delete(t);
    tick();
  }, step);
  state.timers.add(t);
}

function hostedPage(url) {
  const redirect = url.searchParams.get('redirectURL');
  const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const link = redirect && /^https?:\/\//i.test(redirect) ? `<p><a href="${escape(redirect)}">Return to the application</a></p>` : '';
  return html(
    200,
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Mock hosted verification</title></head>\n` +
      `<body><h1>Mock hosted verification</h1><p>Session <code>${escape(url.pathname)}</code></p>${link}</body></html>\n`,
  );
}

function controlRequest(control, method, pathname, url, body) {
  let input = {};
  if (method === 'POST' && body.length) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return json(400, { error: `invalid JSON body: ${e.message}` });
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return json(400, { error: 'body must be a JSON object' });
  }
  const route = `${method} ${pathname.replace(/\/$/, '')}`;
  try {
    switch (route) {
      case 'GET /__mock/health':
        return json(200, control.health());
      case 'GET /__mock/faults': {
        const h = control.health();
        return json(200, { faults: h.faults, latencyMs: h.latencyMs });
      }
      case 'POST /__mock/faults':
        return json(200, control.setFaults(input));
      case 'POST /__mock/insert':
        return json(200, control.insert(input.provider, input.count ?? 1, input.userRef));
      case 'POST /__mock/remove':
        return json(200, control.remove(input.provider, input.count ?? 1));
      case 'POST /__mock/down':
        return json(200, control.setDown(input.provider, input.down ?? true));
      case 'GET /__mock/sessions':
        return json(200, control.sessions(url.searchParams.get('provider') || undefined));
      case 'GET /__mock/people':
        return json(200, control.people());
      case 'GET /__mock/stats':
        return json(200, control.stats());
      case 'POST /__mock/stats/reset':
        return json(200, control.resetStats());
      case 'POST /__mock/paging':
        return json(200, control.setPaging(input.provider, input.mode));
      case 'GET /__mock/webhooks':
        return json(200, control.webhooks());
      case 'POST /__mock/webhooks':
        return json(200, control.setWebhooks(input));
      case 'POST /__mock/status':
        return json(200, control.setStatus(input));
      case 'POST /__mock/echo':
        return json(200, control.setEcho(input.provider, input.on ?? true));
      case 'GET /__mock/idempotency':
        return json(200, control.idempotency());
      case 'POST /__mock/revoke-tokens':
        return json(200, control.revokeTokens());
      case 'GET /__mock/script':
        return json(200, control.scripts());
      case 'POST /__mock/script':
        return json(200, control.script(input.provider, input.endpoint, input.faults));
      case 'POST /__mock/script/clear':
        return json(200, control.clearScripts());
      case 'POST /__mock/reset':
        return json(200, control.reset());
      default:
        return json(404, { error: `unknown control endpoint ${route}` });
    }
  } catch (e) {
    return json(e.notFound ? 404 : 400, { error: e.message });
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

const FLAGS = {
  '--port': 'port',
  '--host': 'host',
  '--seed': 'seed',
  '--sessions': 'sessions',
  '--latency-ms': 'latencyMs',
  '--faults': 'faults',
  '--rate-scale': 'rateScale',
  '--window-scale': 'windowScale',
  '--retry-after': 'retryAfterSeconds',
  '--token-ttl': 'tokenTtlSeconds',
  '--slow-ms': 'slowMs',
  '--webhook-url': 'webhookUrl',
};

const USAGE = `usage: node tests/mock/server.mjs [--port 0] [--host 127.0.0.1] [--seed 1] [--sessions 500]
  [--latency-ms N] [--faults 429=0.1,500=0.05,502=0.05,503=0.05,reset=0.02,slow=0.05,truncate=0.05,html=0.05]
  [--rate-scale X] [--window-scale X] [--retry-after S] [--token-ttl S] [--slow-ms MS] [--faults-on-token]
  [--webhook-url URL]`;

export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--faults-on-token') {
      out.faultsOnToken = true;
      continue;
    }
    const key = FLAGS[arg];
    if (!key) throw new Error(`unknown option ${arg}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      value = argv[++i];
    }
    const text = key === 'host' || key === 'faults' || key === 'webhookUrl';
    out[key] = text ? value : Number(value);
    if (!text && Number.isNaN(out[key])) throw new Error(`${arg} needs a number, got ${value}`);
  }
  return out;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let srv;
  try {
    srv = await startMockServer(options);
  } catch (e) {
    process.stderr.write(`cannot start mock server: ${e.message}\n`);
    process.exit(1);
  }
  const stop = () => {
    srv.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  // handlers first: a parent may signal as soon as it reads the line
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`listening on ${srv.url}\n`);
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) main();
