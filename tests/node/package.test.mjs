// The built package (pkg/) in Node: the exports' shapes, errors, and both
// module systems. Run after `scripts/build-pkg.sh`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as esm from "../../pkg/index.mjs";

const require = createRequire(import.meta.url);
const cjs = require("../../pkg/index.cjs");
const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

const SESSION_KEYS = new Set([
  "provider", "id", "key", "status", "providerStatus", "providerResult", "isTerminal", "userRef",
  "verificationUrl", "returnUrl", "createdAt", "updatedAt", "checks", "person", "extra", "raw",
]);
const STATUSES = new Set([
  "not_started", "in_progress", "in_review", "approved", "declined", "resubmission_requested",
  "expired", "abandoned", "canceled", "outdated", "error", "unknown",
]);
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;

/** Asserts the documented Session shape: required fields typed, optional ones absent or set. */
function assertSession(s) {
  for (const key of Object.keys(s)) assert.ok(SESSION_KEYS.has(key), `unexpected key ${key}`);
  for (const [key, value] of Object.entries(s)) {
    assert.notEqual(value, null, `${key} is null`);
    assert.notEqual(value, undefined, `${key} is present but undefined`);
  }
  assert.ok(["mangopay", "equals", "didit"].includes(s.provider));
  assert.equal(typeof s.id, "string");
  assert.ok(s.key.startsWith(`${s.provider}:${s.id}`));
  assert.ok(STATUSES.has(s.status), s.status);
  assert.equal(typeof s.providerStatus, "string");
  assert.equal(typeof s.isTerminal, "boolean");
  assert.match(s.createdAt, RFC3339_UTC);
  if ("updatedAt" in s) assert.match(s.updatedAt, RFC3339_UTC);
  assert.ok(Array.isArray(s.checks));
  for (const c of s.checks) {
    assert.deepEqual(Object.keys(c).sort(), ["kind", "providerStatus", "providerType", "reasons", "status"]);
    assert.ok(Array.isArray(c.reasons));
  }
}

test("ESM and CJS entry points export the same functions of one instance", () => {
  const names = ["normalizeSession", "normalizeList", "mapStatus", "isIdvError", "IdvError", "parseWebhook", "signWebhook", "summarize", "toCsv", "memoryBytes", "IdvClient", "SessionStream"];
  for (const name of names) {
    assert.equal(typeof esm[name], "function", name);
    assert.equal(esm[name], cjs[name], `${name}: ESM and CJS differ`);
  }
  const exported = Object.keys(cjs).filter((k) => typeof cjs[k] === "function" && !k.startsWith("__"));
  assert.deepEqual(exported.sort(), [...names].sort(), "index.mjs must list every export");
});

test("normalizeSession: every session fixture, from text and from an object", () => {
  for (const [provider, name, status] of [
    ["mangopay", "mangopay-view-natural-validated-1.json", "approved"],
    ["mangopay", "mangopay-view-business-review-1.json", "in_review"],
    ["mangopay", "mangopay-view-pending-1.json", "in_progress"],
    ["mangopay", "mangopay-create-response-1.json", "in_progress"],
    ["didit", "didit-list-row-1.json", "approved"],
    ["didit", "didit-decision-constructed-1.json", "declined"],
    ["didit", "didit-create-response-constructed-1.json", "not_started"],
  ]) {
    const text = fixture(name);
    const fromText = esm.normalizeSession(provider, text);
    const fromObject = esm.normalizeSession(provider, JSON.parse(text));
    assertSession(fromText);
    assert.equal(fromText.status, status, name);
    if (!name.includes("create-response")) assert.deepEqual(fromObject, fromText, name);
  }
});

test("Didit's create response gets a creation time of now", () => {
  const before = Date.now();
  const s = esm.normalizeSession("didit", fixture("didit-create-response-constructed-1.json"));
  const created = Date.parse(s.createdAt);
  assert.ok(created >= before - 1000 && created <= Date.now() + 1000, s.createdAt);
  assert.equal(s.verificationUrl, "https://verify.didit.me/session/abcdef123456");
});

test("normalizeList: the three list body shapes, with userId for Mangopay rows", () => {
  const mp = esm.normalizeList("mangopay", fixture("mangopay-list-1.json"), { userId: "user_m_1" });
  assert.equal(mp.length, 2);
  mp.forEach(assertSession);
  assert.deepEqual(mp.map((s) => s.userRef), ["user_m_1", "user_m_1"]);
  assert.equal("updatedAt" in mp[0], false, "LastUpdate null is absent");

  const eq = esm.normalizeList("equals", JSON.parse(fixture("equals-list-constructed-1.json")));
  eq.forEach(assertSession);
  assert.deepEqual(eq.map((s) => s.status), ["in_review", "not_started", "resubmission_requested", "expired"]);
  assert.equal(new Set(eq.map((s) => s.key)).size, eq.length, "keys are unique");

  const dd = esm.normalizeList("didit", fixture("didit-list-constructed-1.json"));
  dd.forEach(assertSession);
  assert.deepEqual(dd.map((s) => s.status), ["outdated", "in_progress", "unknown"]);
  assert.equal(dd[2].providerStatus, "Pending Review");
});

test("normalizeList takes UTF-8 bytes as well as text", () => {
  const text = fixture("didit-list-constructed-1.json");
  const bytes = new TextEncoder().encode(text);
  assert.deepEqual(esm.normalizeList("didit", bytes), esm.normalizeList("didit", text));
  assert.deepEqual(esm.normalizeList("didit", bytes.buffer), esm.normalizeList("didit", text));
  assert.ok(esm.memoryBytes() >= 65536);
});

test("includeRaw keeps the provider object; without it there is no raw", () => {
  const row = JSON.parse(fixture("didit-list-row-1.json"));
  assert.deepEqual(esm.normalizeSession("didit", row, { includeRaw: true }).raw, row);
  assert.equal("raw" in esm.normalizeSession("didit", row), false);
  assert.equal("raw" in esm.normalizeSession("didit", row, {}), false);
});

test("mapStatus: tolerant spellings, Equals results, unknown", () => {
  assert.equal(esm.mapStatus("didit", "Kyc Expired"), "outdated");
  assert.equal(esm.mapStatus("didit", "KYC_EXPIRED"), "outdated");
  assert.equal(esm.mapStatus("mangopay", "out_of_date"), "outdated");
  assert.equal(esm.mapStatus("equals", "completed"), "in_review");
  assert.equal(esm.mapStatus("equals", "completed", null), "in_review");
  assert.equal(esm.mapStatus("equals", "completed", "declined"), "declined");
  assert.equal(esm.mapStatus("didit", "Pending Review"), "unknown");
  assert.equal(esm.mapStatus("didit", undefined), "unknown");
});

function assertIdvError(fn, code, provider, messagePart) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, "expected a throw");
  assert.ok(thrown instanceof Error, "instanceof Error");
  assert.equal(thrown.name, "IdvError");
  assert.equal(thrown.code, code);
  assert.equal(thrown.provider, provider);
  assert.equal(thrown.retryable, false);
  assert.ok(esm.isIdvError(thrown));
  if (messagePart) assert.ok(thrown.message.includes(messagePart), thrown.message);
  assert.ok(typeof thrown.stack === "string");
  return thrown;
}

test("bad input throws IdvError with code decode and names the field", () => {
  assertIdvError(() => esm.normalizeSession("mangopay", "{\"Status\":\"PENDING\",\"CreationDate\":1}"), "decode", "mangopay", "`Id`");
  assertIdvError(() => esm.normalizeSession("equals", { id: 5, status: "expired" }), "decode", "equals", "`id` must be a string");
  assertIdvError(() => esm.normalizeSession("didit", "not json"), "decode", "didit", "invalid JSON");
  assertIdvError(() => esm.normalizeSession("didit", "<html>502</html>"), "decode", "didit", "HTML");
  assertIdvError(() => esm.normalizeSession("didit", undefined), "decode", "didit");
  assertIdvError(() => esm.normalizeSession("didit", 42), "decode", "didit", "got number");
  const cyclic = {};
  cyclic.self = cyclic;
  assertIdvError(() => esm.normalizeSession("didit", cyclic), "decode", "didit", "cycle");
  assertIdvError(() => esm.normalizeList("mangopay", { rows: [] }), "decode", "mangopay", "JSON array");
  const text = fixture("didit-list-constructed-1.json");
  assertIdvError(() => esm.normalizeList("didit", text.slice(0, text.length / 2)), "decode", "didit");
  const e = assertIdvError(() => esm.normalizeSession("paypal", "{}"), "config", undefined, "paypal");
  assert.equal("provider" in e, false);
  assertIdvError(() => esm.mapStatus(7, "x"), "config", undefined);
  assert.equal(esm.isIdvError(new Error("x")), false);
  assert.equal(esm.isIdvError({ name: "IdvError" }), false);
});

test("summarize and toCsv take the sessions this package returns", () => {
  const sessions = [
    ...esm.normalizeList("mangopay", fixture("mangopay-list-1.json"), { userId: "u1" }),
    esm.normalizeSession("didit", fixture("didit-decision-constructed-1.json")),
  ];
  const summary = esm.summarize(sessions, { now: "2026-08-01T00:00:00Z" });
  assert.equal(summary.sessionCount, 3);
  assert.equal(summary.currentStatus, "declined");
  assert.equal(summary.verified, false);
  assert.equal(summary.flags.newestDeclined, true);
  assert.equal(summary.checks.liveness.status, "declined");
  assert.equal(summary.counts.in_progress, 1);
  assert.deepEqual(Object.keys(summary.counts).sort(), [...STATUSES].sort());
  assert.deepEqual(summary.byProvider, { mangopay: 2, equals: 0, didit: 1, onfido: 0, stripe: 0 });
  const csv = esm.toCsv(sessions);
  const lines = csv.split("\r\n");
  assert.equal(lines[0].split(",")[0], "provider");
  assert.equal(lines.length, 1 + sessions.length + 1);
  assert.ok(lines[3].startsWith("didit,9f2a4d1e-"));
  for (const bad of ["nope", [{ provider: "didit" }], [1]]) {
    let e;
    try { esm.summarize(bad); } catch (err) { e = err; }
    assert.equal(e?.code, "decode", JSON.stringify(bad));
  }
});

test("the module keeps working after thousands of bad inputs (nothing panicked)", () => {
  const junk = ["", "{", "[", "null", "[1,2]", "{\"Id\":{}}", "\u0000", "{\"session_id\":\"x\",\"status\":5}"];
  for (let i = 0; i < 2000; i++) {
    for (const provider of ["mangopay", "equals", "didit"]) {
      try {
        esm.normalizeList(provider, junk[i % junk.length]);
      } catch (e) {
        assert.equal(e.code, "decode");
      }
    }
  }
  assert.equal(esm.normalizeSession("didit", fixture("didit-list-row-1.json")).status, "approved");
});
