#!/usr/bin/env node
// The demo dashboard's backend: the embedded mock providers, the static dashboard (www/), the
// built package (pkg/) and a small credential-adding proxy, on one local HTTP server.
//
//   node scripts/demo.mjs [--port 8080] [--latency-ms 40] [--sessions 400] [--seed 1]
//   prints `dashboard on http://127.0.0.1:8080 (mock providers on http://127.0.0.1:NNNN)`
//   and serves until SIGINT/SIGTERM.
//
// Routes:
//   GET  /, /<file>            www/ (the dashboard)
//   GET  /pkg/<file>           the built package (application/wasm for .wasm)
//   GET  /api/directory        the demo's user directory (with each person's Stripe client
//                              reference id), Didit and Onfido workflows
//   *    /api/mangopay/v2.01/… the mock's Mangopay, with `Authorization: Bearer <token>` added
//                              (OAuth2 client credentials done here: cached, refreshed before
//                              expiry and once on 401)
//   *    /api/equals/v2/…      the mock's Equals, with `Authorization: ApiKey <key>` added
//   *    /api/didit/v3/…       the mock's Didit, with `x-api-key` added
//   *    /api/onfido/…         the mock's Onfido, /v3.6/…, with `Authorization: Token token=…`
//                              added (Onfido's base URL carries its API version, so the page's
//                              base URL /api/onfido stands for …/v3.6)
//   *    /api/stripe/v1/identity/…
//                              the mock's Stripe Identity, with `Authorization: Bearer <secret
//                              key>` added (Stripe's base URL names no version: the package
//                              appends /v1/identity/…); Stripe-Version, Idempotency-Key and the
//                              form-encoded Content-Type are forwarded
//   POST /api/demo/down        {provider, down}: make one mock provider fail (503) or recover
//   POST /api/demo/status      {provider, id, status, result?, applicationId?}: change a session's
//                              status at the mock (its /__mock/status), which sends the webhook
//                              (Equals: `result` its result; Stripe: its `last_error.code`)
//   *    /webhooks/<provider>  the mock's webhook deliveries (Mangopay GET, Equals, Didit, Onfido
//                              and Stripe POST), verified with the package's parseWebhook: 200 at
//                              once, 401 on a bad signature (Stripe: or a stale timestamp), 400
//                              when it is not the provider's format
//   GET  /api/events           Server-Sent Events: one `data:` JSON per accepted notification
//                              (with the session, see below), `event: stats` with the counters
//   GET  /api/webhooks         the counters (received, accepted, duplicates, rejected), the
//                              last rejections and the last events, as JSON
//
// The browser never sees a credential: the page calls /api/<provider>/…, this server adds the
// secret. That is the shape a real deployment takes (a backend route in front of each provider).
// The same holds for webhooks: this server verifies each delivery, fetches the session it is
// about when the notification alone cannot be trusted (`needsFetch`: Mangopay and Equals sign
// nothing, Onfido's task events only name their run; `client.resolveWebhook` with the server's
// credentials), and pushes the verified event plus the session to the pages, which only apply
// what they receive.
//
// Library: `const demo = await startDemo({ port: 0 })` -> { url, mockUrl, mock, close() }.

import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startMockServer, CREDENTIALS } from "../tests/mock/server.mjs";
import { CONTENT_TYPES as TYPES } from "../tests/support/static-server.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PROVIDERS = ["mangopay", "equals", "didit", "onfido", "stripe"];
const PROVIDER_LIST = `${PROVIDERS.slice(0, -1).join(", ")} or ${PROVIDERS.at(-1)}`;


// What the proxy forwards. Requests: an allow-list (never the browser's Authorization, x-api-key
// or cookies; Stripe-Version is the API version the package pins). Responses: what the package
// reads (paging, rate limits, Retry-After).
const REQUEST_HEADERS = ["content-type", "accept", "idempotency-key", "stripe-version"];
const RESPONSE_HEADERS = [
  "content-type",
  "retry-after",
  "x-number-of-pages",
  "x-number-of-items",
  "link",
  "x-ratelimit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];
// The provider API each proxy route may reach: nothing else on the upstream host (the mock's
// control endpoints, the token endpoint) is reachable through it. Stripe: Identity only (a
// Stripe secret key opens far more than the verification sessions).
const UPSTREAM_PREFIX = { mangopay: "/v2.01/", equals: "/v2/", didit: "/v3/", onfido: "/v3.6/", stripe: "/v1/identity/" };
// What a proxy route's base URL stands for on the upstream host: the package appends Onfido's
// paths (/workflow_runs, /applicants, …) to a base URL that already names the API version.
const UPSTREAM_MOUNT = { onfido: "/v3.6" };
const MANGOPAY_TOKEN_PATH = "/v2.01/oauth/token";
const MAX_BODY = 1 << 20;
// Live events: how many the server keeps (replayed to a page that connects), how many recent
// notification ids it remembers (retries carry the same id), how many rejections it lists.
const KEEP_EVENTS = 50;
const KEEP_IDS = 1000;
const KEEP_REJECTIONS = 20;

/**
 * Starts the mock providers and the dashboard server.
 * Options: port (8080; 0 = any free port), host (127.0.0.1), seed (1), sessions (400 per
 * provider), latencyMs (40, added to every provider response so the progress bar shows),
 * pkgDir (the built package, default pkg/), wwwDir (default www/), mockOptions (more options of
 * startMockServer, e.g. { faults: { 503: 0.05 }, tokenTtlSeconds: 60 }), webhooks (true: the
 * mock notifies this server; false: no live events), webhookSecret (the Didit secret this
 * server verifies with, default the mock's), onfidoWebhookToken (the Onfido webhook token it
 * verifies with, default the mock's), stripeWebhookSecret (the Stripe endpoint signing secret it
 * verifies with, default the mock's), keepAliveMs (15000, SSE keep-alive comment period),
 * log (false; the CLI sets it: one stderr line per rejected delivery).
 */
export async function startDemo(options = {}) {
  const opts = {
    port: 8080,
    host: "127.0.0.1",
    seed: 1,
    sessions: 400,
    latencyMs: 40,
    pkgDir: join(ROOT, "pkg"),
    wwwDir: join(ROOT, "www"),
    webhooks: true,
    webhookSecret: CREDENTIALS.didit.webhookSecret,
    onfidoWebhookToken: CREDENTIALS.onfido.webhookToken,
    stripeWebhookSecret: CREDENTIALS.stripe.webhookSecret,
    keepAliveMs: 15_000,
    log: false,
    ...options,
  };
  // The server side of the package: parseWebhook, and a client with the real credentials to
  // fetch the session an unsigned notification is about.
  const pkg = await import(pathToFileURL(join(opts.pkgDir, "index.mjs")).href);
  const mock = await startMockServer({
    port: 0,
    host: "127.0.0.1",
    seed: opts.seed,
    sessions: opts.sessions,
    latencyMs: opts.latencyMs,
    ...opts.mockOptions,
  });
  const upstream = {
    mangopay: { baseUrl: mock.url, clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey },
    equals: { baseUrl: mock.url, apiKey: CREDENTIALS.equals.apiKey },
    didit: { baseUrl: mock.url, apiKey: CREDENTIALS.didit.apiKey },
    onfido: { baseUrl: mock.url + UPSTREAM_MOUNT.onfido, apiKey: CREDENTIALS.onfido.apiToken },
    stripe: { baseUrl: mock.url, apiKey: CREDENTIALS.stripe.secretKey },
  };
  const tokens = mangopayTokens(upstream.mangopay);
  const live = liveEvents({ pkg, upstream, opts });

  const server = http.createServer((req, res) => {
    route(req, res).catch((err) => {
      process.stderr.write(`demo server error: ${err?.stack ?? err}\n`);
      if (!res.headersSent) sendJson(res, 500, { message: "internal error" });
      else res.destroy();
    });
  });

  async function route(req, res) {
    const url = new URL(req.url, "http://localhost");
    const path = url.pathname;
    const match = /^\/api\/(mangopay|equals|didit|onfido|stripe)(\/.*)?$/.exec(path);
    if (match) return proxy(req, res, match[1], match[2] ?? "/", url.search);
    if (path === "/api/directory") return directory(req, res);
    if (path === "/api/demo/down") return demoDown(req, res);
    if (path === "/api/demo/status") return demoStatus(req, res);
    if (path === "/api/events") return live.subscribe(req, res);
    if (path === "/api/webhooks") return req.method === "GET" ? sendJson(res, 200, live.view()) : sendJson(res, 405, { message: "method not allowed" });
    const hook = /^\/webhooks\/(mangopay|equals|didit|onfido|stripe)$/.exec(path);
    if (hook) return live.receive(req, res, hook[1]);
    if (path === "/webhooks" || path.startsWith("/webhooks/")) return sendJson(res, 404, { message: "no such provider" });
    if (path.startsWith("/api/")) return sendJson(res, 404, { message: "not found" });
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { message: "method not allowed" });
    if (path === "/pkg" || path.startsWith("/pkg/")) return serveFile(req, res, opts.pkgDir, path.slice(4));
    return serveFile(req, res, opts.wwwDir, path);
  }

  function directory(req, res) {
    if (req.method !== "GET") return sendJson(res, 405, { message: "method not allowed" });
    const health = mock.control.health();
    const people = mock.control.people().map((p) => ({
      index: p.index,
      name: p.fullName,
      country: p.country,
      mangopayUserType: p.mangopayUserType,
      mangopayUserId: p.mangopayUserId,
      diditVendorData: p.diditVendorData,
      equalsAssociatedPersonId: p.equalsAssociatedPersonId,
      equalsApplicationIds: p.equalsApplicationIds,
      onfidoApplicantId: p.onfidoApplicantId,
      stripeClientReferenceId: p.stripeClientReferenceId,
    }));
    return sendJson(res, 200, {
      source: "mock",
      // Not a secret: Mangopay puts the ClientId in every path.
      mangopayClientId: upstream.mangopay.clientId,
      diditWorkflows: health.diditWorkflows,
      onfidoWorkflows: health.onfidoWorkflows,
      // Which mock providers the demo controls have taken down.
      down: health.down,
      // Live updates (Server-Sent Events), when the mock's webhooks come here.
      events: opts.webhooks ? "/api/events" : null,
      people,
    });
  }

  async function demoDown(req, res) {
    if (req.method !== "POST") return sendJson(res, 405, { message: "method not allowed" });
    let input;
    try {
      input = JSON.parse((await readBody(req)).toString("utf8") || "{}");
    } catch {
      return sendJson(res, 400, { message: "body must be JSON: {provider, down}" });
    }
    if (!PROVIDERS.includes(input?.provider)) return sendJson(res, 400, { message: `provider must be ${PROVIDER_LIST}` });
    return sendJson(res, 200, mock.control.setDown(input.provider, input.down ?? true));
  }

  // Demo only: what a provider does on its own (a reviewer approves, a user finishes), done at
  // the mock, which then sends the webhook. The answer is the mock's summary of the session.
  async function demoStatus(req, res) {
    if (req.method !== "POST") return sendJson(res, 405, { message: "method not allowed" });
    let input;
    try {
      input = JSON.parse((await readBody(req)).toString("utf8") || "{}");
    } catch {
      return sendJson(res, 400, { message: "body must be JSON: {provider, id, status, result?, applicationId?}" });
    }
    if (!PROVIDERS.includes(input?.provider)) return sendJson(res, 400, { message: `provider must be ${PROVIDER_LIST}` });
    const text = (v) => (typeof v === "string" && v !== "" ? v : undefined);
    if (!text(input.id) || !text(input.status)) return sendJson(res, 400, { message: "id and status must be non-empty strings" });
    try {
      const summary = mock.control.setStatus({
        provider: input.provider,
        id: input.id,
        status: input.status,
        result: text(input.result),
        applicationId: text(input.applicationId),
      });
      return sendJson(res, 200, summary);
    } catch (e) {
      return sendJson(res, e.notFound ? 404 : 400, { message: e.message });
    }
  }

  async function proxy(req, res, provider, rest, search) {
    if (req.method !== "GET" && req.method !== "POST") return sendJson(res, 405, { message: "method not allowed" });
    const cfg = upstream[provider];
    const path = normalizeUpstreamPath(rest);
    const target = path && (UPSTREAM_MOUNT[provider] ?? "") + path;
    if (!target || !target.startsWith(UPSTREAM_PREFIX[provider]) || target === MANGOPAY_TOKEN_PATH) {
      return sendJson(res, 404, { message: `not a ${provider} API path` });
    }
    let body;
    try {
      body = req.method === "POST" ? await readBody(req) : undefined;
    } catch (e) {
      return sendJson(res, 413, { message: e.message });
    }
    const headers = {};
    for (const name of REQUEST_HEADERS) if (req.headers[name]) headers[name] = req.headers[name];

    const send = async (auth) =>
      fetch(mock.url + target + search, { method: req.method, headers: { ...headers, ...auth }, body, redirect: "follow" });

    let upstreamRes;
    try {
      if (provider === "mangopay") {
        let token = await tokens.get();
        if (token.response) return relay(res, token.response, provider, req);
        upstreamRes = await send({ authorization: `Bearer ${token.accessToken}` });
        if (upstreamRes.status === 401) {
          // The token was revoked or expired early: one fresh token, one more try.
          await upstreamRes.arrayBuffer();
          tokens.invalidate(token.accessToken);
          token = await tokens.get();
          if (token.response) return relay(res, token.response, provider, req);
          upstreamRes = await send({ authorization: `Bearer ${token.accessToken}` });
        }
      } else if (provider === "equals") {
        upstreamRes = await send({ authorization: `ApiKey ${cfg.apiKey}` });
      } else if (provider === "onfido") {
        upstreamRes = await send({ authorization: `Token token=${cfg.apiKey}` });
      } else if (provider === "stripe") {
        upstreamRes = await send({ authorization: `Bearer ${cfg.apiKey}` });
      } else {
        upstreamRes = await send({ "x-api-key": cfg.apiKey });
      }
    } catch (e) {
      return sendJson(res, 502, { message: `${provider} unreachable: ${e.cause?.code ?? e.message}` });
    }
    return relay(res, upstreamRes, provider, req);
  }

  // Copies an upstream response: status, body and the headers the package reads. Paging links
  // point back at this proxy, so a client following them never talks to the provider directly.
  async function relay(res, upstreamRes, provider, req) {
    const buf = upstreamRes.buffer ?? Buffer.from(await upstreamRes.arrayBuffer());
    const out = { "cache-control": "no-store", "content-length": buf.length };
    for (const name of RESPONSE_HEADERS) {
      const v = upstreamRes.headers.get(name);
      if (v !== null) out[name] = v;
    }
    if (out.link) out.link = out.link.split(mock.url + (UPSTREAM_MOUNT[provider] ?? "")).join(`http://${req.headers.host}/api/${provider}`);
    res.writeHead(upstreamRes.status, out);
    res.end(buf);
  }

  await new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const { port } = server.address();
  const url = `http://${opts.host}:${port}`;
  // The mock's webhooks come to /webhooks/<provider> (it appends the provider).
  const local = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;
  if (opts.webhooks) mock.control.setWebhooks({ url: `http://${local.includes(":") ? `[${local}]` : local}:${port}/webhooks` });
  let closing = null;
  return {
    url,
    mockUrl: mock.url,
    mock,
    /** Counters, last rejections and last events of the live feed (as GET /api/webhooks). */
    webhooks: () => live.view(),
    close() {
      closing ??= (async () => {
        // No more deliveries, then every SSE stream ended cleanly, then the sockets.
        mock.control.setWebhooks({ url: null });
        live.close();
        await new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections?.();
        });
        await mock.close();
      })();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Live events: webhooks in, Server-Sent Events out

/**
 * Receives the providers' notifications, verifies each with `parseWebhook`, answers at once,
 * then publishes `{seq, receivedAt, event, session, key, source, resolveError}` to every page:
 * `session` is the event's own when its body is signed (Didit's decision, Onfido's completed
 * run, Stripe's verification session events), else the session fetched with `client.resolveWebhook` (server side, with the real
 * credentials, one fetch per notification whatever the number of pages); none for an event about
 * no session (Onfido's check and report events name no run). Per session, events are published
 * in the order they arrived. Rejected deliveries are counted, never published as events.
 */
function liveEvents({ pkg, upstream, opts }) {
  const { parseWebhook, IdvClient } = pkg;
  const client =
    typeof IdvClient === "function"
      ? new IdvClient({
          mangopay: { baseUrl: upstream.mangopay.baseUrl, clientId: upstream.mangopay.clientId, apiKey: upstream.mangopay.apiKey },
          equals: { baseUrl: upstream.equals.baseUrl, apiKey: upstream.equals.apiKey },
          didit: { baseUrl: upstream.didit.baseUrl, apiKey: upstream.didit.apiKey },
          onfido: { baseUrl: upstream.onfido.baseUrl, apiKey: upstream.onfido.apiKey },
          stripe: { baseUrl: upstream.stripe.baseUrl, apiKey: upstream.stripe.apiKey },
        })
      : null;
  const secrets = { didit: opts.webhookSecret, onfido: opts.onfidoWebhookToken, stripe: opts.stripeWebhookSecret };
  const events = []; // the last KEEP_EVENTS published messages
  const seenIds = new Set(); // insertion-ordered: the oldest go first
  const rejections = [];
  const stats = { received: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const streams = new Set(); // open SSE responses
  const chains = new Map(); // session key -> the promise of its last event
  const aborter = new AbortController();
  let seq = 0;
  let closed = false;

  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(": keep-alive\n\n");
  }, opts.keepAliveMs);
  keepAlive.unref();

  const frame = (msg, replay) => `id: ${msg.seq}\ndata: ${JSON.stringify(replay ? { ...msg, replay } : msg)}\n\n`;
  const statsFrame = () => `event: stats\ndata: ${JSON.stringify(counters())}\n\n`;
  const counters = () => ({ ...stats, lastRejection: rejections.at(-1) ?? null });
  const broadcast = (text) => {
    for (const res of streams) res.write(text);
  };

  function publish(msg) {
    if (closed) return;
    msg.seq = ++seq;
    events.push(msg);
    if (events.length > KEEP_EVENTS) events.shift();
    broadcast(frame(msg, false));
  }

  function reject(provider, status, error) {
    stats.rejected++;
    const entry = { at: new Date().toISOString(), provider, status, code: error?.code ?? "error", message: String(error?.message ?? error) };
    rejections.push(entry);
    if (rejections.length > KEEP_REJECTIONS) rejections.shift();
    if (opts.log) process.stderr.write(`webhook rejected: ${provider} ${status} ${entry.code}: ${entry.message}\n`);
    broadcast(statsFrame());
  }

  // The session an event is about: its own (a signed body), else fetched.
  async function resolve(event, receivedAt) {
    const { session: own, raw: _raw, ...rest } = event;
    const msg = { seq: 0, receivedAt, event: rest, key: null, session: null, source: null, resolveError: null };
    if (own) {
      msg.session = own;
      msg.source = "event";
    } else if (event.sessionId && event.type !== "other" && !event.test && client) {
      try {
        msg.session = await client.resolveWebhook(event, { signal: aborter.signal });
        msg.source = "fetched";
      } catch (e) {
        msg.resolveError = { code: e?.code ?? "error", message: String(e?.message ?? e) };
      }
    }
    msg.key = msg.session?.key ?? eventKey(event);
    publish(msg);
  }

  return {
    async receive(req, res, provider) {
      if (req.method !== "GET" && req.method !== "POST") return sendJson(res, 405, { message: "method not allowed" });
      let body;
      try {
        body = await readBody(req);
      } catch (e) {
        return sendJson(res, 413, { message: e.message });
      }
      stats.received++;
      const receivedAt = new Date().toISOString();
      let event;
      try {
        if (typeof parseWebhook !== "function") throw Object.assign(new Error("this build of the package has no parseWebhook"), { code: "unsupported" });
        event = parseWebhook(provider, {
          body: body.length ? body : undefined,
          headers: req.headers,
          url: `http://${req.headers.host ?? "localhost"}${req.url}`,
          secret: secrets[provider],
        });
      } catch (e) {
        const status = e?.code === "signature" ? 401 : e?.code === "decode" ? 400 : 500;
        reject(provider, status, e);
        return sendJson(res, status, { message: status === 401 ? "signature rejected" : status === 400 ? "not a notification of this provider" : "cannot verify" });
      }
      if (seenIds.has(`${provider}:${event.id}`)) {
        stats.duplicates++;
        broadcast(statsFrame());
        return sendJson(res, 200, { received: true, duplicate: true });
      }
      seenIds.add(`${provider}:${event.id}`);
      if (seenIds.size > KEEP_IDS) seenIds.delete(seenIds.values().next().value);
      stats.accepted++;
      // Answer first (Mangopay wants 200 within 2 s), work after.
      sendJson(res, 200, { received: true });
      broadcast(statsFrame());
      const key = eventKey(event) ?? `${provider}:?`;
      const run = () =>
        closed
          ? undefined
          : resolve(event, receivedAt).catch((e) => process.stderr.write(`demo: live event failed: ${e?.stack ?? e}\n`));
      const next = (chains.get(key) ?? Promise.resolve()).then(run);
      chains.set(key, next);
      next.then(() => {
        if (chains.get(key) === next) chains.delete(key);
      });
    },

    subscribe(req, res) {
      if (req.method !== "GET") return sendJson(res, 405, { message: "method not allowed" });
      if (closed) return sendJson(res, 503, { message: "shutting down" });
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      // A reconnecting EventSource says what it saw last: it gets what it missed (`replay:
      // "missed"`); a new page gets the kept events (`replay: "backlog"`: its feed shows them, its
      // table, loaded now, already reflects them).
      const header = req.headers["last-event-id"];
      const last = header === undefined || header === "" ? NaN : Number(header);
      const resumed = Number.isInteger(last) && last >= 0 && last <= seq;
      const replay = resumed ? events.filter((m) => m.seq > last) : events;
      res.write(`retry: 2000\n\n${replay.map((m) => frame(m, resumed ? "missed" : "backlog")).join("")}${statsFrame()}`);
      streams.add(res);
      res.on("close", () => streams.delete(res));
    },

    view() {
      return { ...counters(), rejections: [...rejections], events: [...events] };
    },

    close() {
      closed = true;
      clearInterval(keepAlive);
      aborter.abort();
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

/** The unified key of the session an event is about, when the event alone tells it. */
function eventKey(event) {
  if (!event.sessionId) return null;
  if (event.provider === "equals") return event.extra?.applicationId ? `equals:${event.sessionId}:${event.extra.applicationId}` : null;
  return `${event.provider}:${event.sessionId}`;
}

// Mangopay OAuth2 client credentials, server side: one token shared by every request, fetched
// once at a time, refreshed a little before it expires. A failed token request is relayed as is
// (e.g. the provider's 503) so the page sees the provider's own failure.
function mangopayTokens(cfg) {
  let current = null; // { accessToken, expiresAt }
  let pending = null;
  const basic = Buffer.from(`${cfg.clientId}:${cfg.apiKey}`).toString("base64");

  async function fetchToken() {
    const res = await fetch(cfg.baseUrl + MANGOPAY_TOKEN_PATH, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    // A failure is kept whole (status, headers, body) so every waiting request can relay it.
    const failed = { status: res.status, headers: res.headers, buffer: Buffer.from(await res.arrayBuffer()) };
    if (!res.ok) return { response: failed };
    let body;
    try {
      body = JSON.parse(failed.buffer.toString("utf8"));
    } catch {
      return { response: failed };
    }
    if (typeof body?.access_token !== "string") return { response: failed };
    const ttlMs = Math.max(1, Number(body.expires_in) || 60) * 1000;
    const margin = Math.min(60_000, ttlMs / 4);
    current = { accessToken: body.access_token, expiresAt: Date.now() + ttlMs - margin };
    return current;
  }

  return {
    async get() {
      if (current && Date.now() < current.expiresAt) return current;
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate(accessToken) {
      if (current?.accessToken === accessToken) current = null;
    },
  };
}

// "/v3/sessions/" stays as is; "..", "//" and encoded slashes are refused (null).
function normalizeUpstreamPath(rest) {
  if (!rest.startsWith("/") || rest.includes("//") || /%2f|%5c|\\/i.test(rest)) return null;
  if (rest.split("/").some((seg) => seg === ".." || seg === ".")) return null;
  return rest;
}

async function serveFile(req, res, dir, urlPath) {
  const base = resolve(dir);
  let rel;
  try {
    rel = decodeURIComponent(urlPath || "/");
  } catch {
    return sendText(res, 400, "bad path");
  }
  let file = normalize(join(base, rel));
  if (file !== base && !file.startsWith(base + sep)) return sendText(res, 403, "forbidden");
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const body = await readFile(file);
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch {
    sendText(res, 404, "not found");
  }
}

function readBody(req) {
  return new Promise((resolveBody, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolveBody(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(body);
}

function sendText(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// CLI

const FLAGS = { "--port": "port", "--latency-ms": "latencyMs", "--sessions": "sessions", "--seed": "seed" };
const USAGE = "usage: node scripts/demo.mjs [--port 8080] [--latency-ms 40] [--sessions 400] [--seed 1]";

export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === "--help" || arg === "-h") return { help: true };
    const key = FLAGS[arg];
    if (!key) throw new Error(`unknown option ${arg}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      value = argv[++i];
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a non-negative integer, got ${value}`);
    out[key] = n;
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
  if (options.port === undefined && process.env.PORT) options.port = Number(process.env.PORT);
  let demo;
  try {
    demo = await startDemo({ log: true, ...options });
  } catch (e) {
    process.stderr.write(`demo: cannot start: ${e.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`dashboard on ${demo.url} (mock providers on ${demo.mockUrl})\n`);
  const stop = () => demo.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
