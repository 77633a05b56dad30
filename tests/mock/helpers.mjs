// Helpers for the mock-server tests (not a test file itself).

import { CREDENTIALS } from './data.mjs';

export const MP = CREDENTIALS.mangopay;
export const EQ_AUTH = { authorization: `ApiKey ${CREDENTIALS.equals.apiKey}` };
export const DD_AUTH = { 'x-api-key': CREDENTIALS.didit.apiKey };
export const ON_AUTH = { authorization: `Token token=${CREDENTIALS.onfido.apiToken}` };
export const ST_AUTH = { authorization: `Bearer ${CREDENTIALS.stripe.secretKey}` };

export function basic(id, key) {
  return `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;
}

export async function mangopayToken(url, id = MP.clientId, key = MP.apiKey) {
  const res = await fetch(`${url}/v2.01/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(id, key), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

export function mpHeaders(token) {
  return { authorization: `Bearer ${token}` };
}

export async function getJson(url, headers = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { res, status: res.status, body, text };
}

export async function postJson(url, value, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { res, status: res.status, body, text };
}

export async function control(url, path, value) {
  const r = value === undefined ? await getJson(`${url}/__mock/${path}`) : await postJson(`${url}/__mock/${path}`, value);
  if (r.status !== 200) throw new Error(`control ${path} failed: ${r.status} ${r.text}`);
  return r.body;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A local webhook receiver for the tests: records every request (`method`, `path`, `query`,
 * `headers`, raw `body` bytes); `answer(entry)` decides the status (default 200).
 * `waitFor(pathPrefix, n)` resolves with the matching requests once `n` have arrived.
 */
export async function startReceiver() {
  const { createServer } = await import('node:http');
  const received = [];
  const waiters = [];
  const r = {
    received,
    answer: () => 200,
    url: '',
    waitFor(path, n, ms = 5000) {
      const matching = () => received.filter((x) => x.path.startsWith(path));
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length >= n) {
            clearTimeout(timer);
            resolve(matching());
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`${matching().length} of ${n} requests on ${path} after ${ms} ms`)), ms);
        if (!check()) waiters.push(check);
      });
    },
    on(path) {
      return received.filter((x) => x.path.startsWith(path));
    },
  };
  r.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url, 'http://x');
      const entry = { method: req.method, path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]()) waiters.splice(i, 1);
      res.writeHead(r.answer(entry), { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${r.server.address().port}/hooks`;
  r.close = () => {
    r.server.closeAllConnections();
    return new Promise((resolve) => r.server.close(resolve));
  };
  return r;
}
