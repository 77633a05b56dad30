// Helpers for the mock-server tests (not a test file itself).

import { CREDENTIALS } from './data.mjs';

export const MP = CREDENTIALS.mangopay;
export const EQ_AUTH = { authorization: `ApiKey ${CREDENTIALS.equals.apiKey}` };
export const DD_AUTH = { 'x-api-key': CREDENTIALS.didit.apiKey };

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
