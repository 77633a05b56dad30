// `idv-sessions webhooks`: a receiver on node:http. `<prefix>/<provider>` is verified with the
// provider's secret from the environment through the package's parseWebhook (the raw body
// bytes, the headers, the full URL for Mangopay's GET), answered 200 and printed on stdout as
// one JSON line; everything else is answered with its status and logged on stderr.
import http from "node:http";
import { PROVIDERS, envValue } from "./providers.mjs";

const MAX_BODY = 1024 * 1024;

/** Starts the receiver; resolves with the server once it listens (rejects if it cannot). */
export function startReceiver({ out, env, host, port, prefix, parseWebhook, isIdvError }) {
  const secrets = Object.fromEntries(Object.entries(PROVIDERS).map(([p, row]) =>
    [p, row.webhook.secretEnv ? envValue(env, row.webhook.secretEnv) : undefined]));
  let origin = ""; // http://HOST:PORT once listening

  const reply = (res, status, body, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(`${JSON.stringify(body)}\n`);
  };

  const handle = (req, res, bytes) => {
    const path = new URL(req.url ?? "/", "http://receiver").pathname;
    const what = `${req.method} ${path}`;
    const name = path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1).replace(/\/$/, "") : null;
    if (name === null || !Object.hasOwn(PROVIDERS, name)) {
      out.warn(`${what}: 404: no such webhook path (expected ${prefix}/<provider>)`);
      return reply(res, 404, { error: "not_found" });
    }
    const row = PROVIDERS[name];
    if (!row.webhook.methods.includes(req.method)) {
      out.warn(`${what}: 405: ${row.name} webhooks are ${row.webhook.methods.join(" or ")} requests`);
      return reply(res, 405, { error: "method_not_allowed" }, { allow: row.webhook.methods.join(", ") });
    }
    if (bytes === null) {
      out.warn(`${what}: 413: the body is over ${MAX_BODY} bytes`);
      return reply(res, 413, { error: "too_large" }, { connection: "close" });
    }
    const secret = secrets[name];
    if (row.webhook.secretEnv && secret === undefined) {
      out.warn(`${what}: 401: ${row.webhook.secretEnv} is not set, so ${name} deliveries cannot be verified`);
      return reply(res, 401, { error: "signature" });
    }
    let event;
    try {
      event = parseWebhook(name, {
        body: bytes.length ? bytes : undefined,
        headers: req.headers,
        url: `http://${req.headers.host || origin.slice("http://".length)}${req.url}`,
        ...(secret === undefined ? {} : { secret }),
      });
    } catch (e) {
      const code = isIdvError(e) ? e.code : "internal";
      if (code === "signature") {
        out.warn(`${what}: 401: ${e.message}`);
        return reply(res, 401, { error: "signature" });
      }
      if (code === "decode") {
        out.warn(`${what}: 400: ${e.message}`);
        return reply(res, 400, { error: "decode", message: e.message });
      }
      // The receiver cannot verify this provider (a package without it, a bad secret): the
      // provider retries later; the operator sees why.
      out.error(`${what}: 500: ${code}: ${e?.message ?? e}`);
      return reply(res, 500, { error: code });
    }
    out.data(`${JSON.stringify(event)}\n`);
    return reply(res, 200, { ok: true });
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY) {
        tooLarge = true;
        chunks.length = 0;
        handle(req, res, null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) return;
      // A copy of its own (no pooled Buffer slice): exactly the bytes received.
      handle(req, res, new Uint8Array(Buffer.concat(chunks)));
    });
    req.on("error", () => res.destroy());
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const shown = address.family === "IPv6" || address.family === 6 ? `[${address.address}]` : address.address;
      origin = `http://${shown}:${address.port}`;
      out.line(`listening on ${origin}`);
      for (const [name, row] of Object.entries(PROVIDERS)) {
        const { secretEnv } = row.webhook;
        const state = !secretEnv ? "accepted unsigned (it signs nothing)"
          : secrets[name] !== undefined ? `verified with ${secretEnv}`
            : `answered 401 (${secretEnv} is not set)`;
        out.info(`  ${origin}${prefix}/${name}: ${state}`);
      }
      resolve(server);
    });
  });
}

/** `--path-prefix`: a leading slash, no trailing one ("" for the root). */
export function normalizePrefix(text) {
  const trimmed = text.trim().replace(/\/+$/, "");
  if (trimmed === "") return "";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}
