// Boundary fuzzer: hostile JS values into every export of the built package (pkg/), for a
// bounded time (SPEC section 6, "At the edges", last point).
//
//   node tests/fuzz/boundary.fuzz.mjs [--seconds 5] [--seed N] [--replay I] [--stop-on-first]
//                                     [--check-every 250] [--max-growth-mb 64] [--max-jump-mb 32]
//                                     [--settle-ms 15000]
//                                     [--with-free] [--verbose]
//   make fuzz                         # 300 s; FUZZ_SECONDS=… FUZZ_SEED=… to change
//   node --test tests/fuzz/boundary.fuzz.mjs   # one 5 s run as a node test (IDV_FUZZ_SECONDS)
//   import { run } from "./boundary.fuzz.mjs"; await run({ seconds, seed })
//
// Values: detached and shared buffers, resizable buffers shrunk under a view, typed arrays of
// every kind, Proxies whose traps throw, revoked Proxies, getters and toJSON that throw,
// valueOf/toString/Symbol.toPrimitive traps, Symbols, BigInts, circular objects, deep nesting,
// sparse arrays, huge strings, lone surrogates, frozen and null-prototype objects, class
// instances, functions, Dates, RegExps, Maps, promises, errors, random JSON, and the fixtures
// mutated field by field (as objects, JSON text and bytes in every kind of buffer), plus getters
// that detach a buffer or call back into the package while it reads them.
// Calls: normalizeSession, normalizeList, mapStatus, summarize, toCsv, isIdvError, memoryBytes,
// parseWebhook, signWebhook (deliveries signed by the package, then tampered with), new IdvError,
// new IdvClient, and every client method (listSessions, listAll, sessions() and its next/return,
// listUserSessions, getSession, createSession, resolveWebhook, listEvents) on clients whose `fetch` answers
// with hostile responses (throws, never settles, nonsense statuses, headers and bodies, and
// provider-shaped bodies with hostile fields), hostile options (signals, onProgress) included.
// `--with-free` also frees clients at random, from getters too, and calls methods on foreign
// objects (see tests/node/hostile.test.mjs, "beyond the issue").
//
// Invariants: a sync call returns a value of its documented type or throws an IdvError (never a
// TypeError, RangeError or RuntimeError); an async method returns a promise (never throws) that
// settles within --settle-ms with a value or an IdvError; no uncaught exception or unhandled
// rejection; no single call grows memoryBytes() while reading its arguments (or, sync, while
// running) by more than --max-jump-mb (or 16 times the size of its big inputs); every
// --check-every iterations the known payloads normalize exactly as at the start, and the growth
// of memoryBytes() while no call with a big input (huge string, long array, deep nesting, huge
// fetch body) was in play stays under --max-growth-mb (a leak; a big input's high-water mark is
// not one). The last two are time-bounded checks: a slow leak shows in `make fuzz`, not in 5 s.
// A violation prints the seed, the
// iteration and a description of the input (reproduce one iteration with --seed S --replay I);
// distinct violations are reported once each; the exit code is 1 when there was any.
// Each iteration draws from its own generator seeded by (seed, iteration), so --replay needs
// nothing of the iterations before it.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as pkg from "../../pkg/index.mjs";

const {
  normalizeSession, normalizeList, mapStatus, summarize, toCsv, isIdvError, memoryBytes, IdvError, IdvClient, SessionStream,
  parseWebhook, signWebhook,
} = pkg;
const HAS_WEBHOOKS = typeof parseWebhook === "function" && typeof signWebhook === "function";

const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const PROVIDERS = ["mangopay", "equals", "didit"];
const STATUSES = new Set(["not_started", "in_progress", "in_review", "approved", "declined", "resubmission_requested",
  "expired", "abandoned", "outdated", "error", "unknown"]);
const FIXTURES = {
  mangopay: {
    sessions: ["mangopay-view-natural-validated-1.json", "mangopay-view-business-review-1.json", "mangopay-view-pending-1.json", "mangopay-create-response-1.json"],
    lists: ["mangopay-list-1.json"],
    token: "mangopay-oauth-token-response.json",
    errors: ["mangopay-error-400-param.json", "mangopay-error-401-invalid-credentials.json", "mangopay-error-404-not-found.json"],
  },
  equals: { sessions: [], lists: ["equals-list-1.json", "equals-list-constructed-1.json"], errors: [] },
  didit: {
    sessions: ["didit-decision-constructed-1.json", "didit-list-row-1.json", "didit-create-response-constructed-1.json"],
    lists: ["didit-list-constructed-1.json"],
    errors: [],
  },
};
const TEXT = {};
for (const p of PROVIDERS) {
  for (const kind of ["sessions", "lists", "errors"]) TEXT[`${p}.${kind}`] = FIXTURES[p][kind].map(fixture);
}
TEXT.token = fixture(FIXTURES.mangopay.token);
// Equals has no single-session payload: its list rows are the sessions.
TEXT["equals.sessions"] = JSON.parse(TEXT["equals.lists"][1]).rows.map((r) => JSON.stringify(r));

// The known payloads, normalized before any hostile call.
const KNOWN = [
  ["didit", "list", TEXT["didit.lists"][0]],
  ["equals", "list", TEXT["equals.lists"][1]],
  ["mangopay", "list", TEXT["mangopay.lists"][0], { userId: "user_m_known" }],
  ["mangopay", "session", TEXT["mangopay.sessions"][0]],
  ["didit", "session", TEXT["didit.sessions"][0]],
];
const snapshot = () => KNOWN.map(([p, kind, text, o]) => JSON.stringify(kind === "list" ? normalizeList(p, text, o) : normalizeSession(p, text, o)));
const GOOD_SESSIONS = [
  ...normalizeList("mangopay", TEXT["mangopay.lists"][0], { userId: "u1" }),
  ...normalizeList("equals", TEXT["equals.lists"][1]),
  ...normalizeList("didit", TEXT["didit.lists"][0]),
  normalizeSession("didit", TEXT["didit.sessions"][0]),
];

// Webhook deliveries as the providers send them (signed by the package itself), and the events
// they parse to: starting points for parseWebhook, signWebhook and client.resolveWebhook.
const WEBHOOK_SECRET = "fuzz-webhook-secret-0123";
const DIDIT_VECTORS = JSON.parse(fixture("didit-webhook-signatures.json"));
const WEBHOOK_PAYLOADS = {
  didit: [
    ...Object.values(DIDIT_VECTORS.cases ?? {}).map((c) => JSON.parse(c.body)),
    { session_id: "s1", status: "Approved", webhook_type: "status.updated", created_at: 1746458497 },
  ],
  mangopay: [
    { EventType: "IDENTITY_VERIFICATION_VALIDATED", RessourceId: "idnver_01JTG8BTG92TTRP5VSNV35ZYGM" },
    { EventType: "IDENTITY_VERIFICATION_FAILED", RessourceId: "idnver_2", Date: 1746458497 },
  ],
  equals: [
    { messageId: "m1", webhookEventTypeName: "IdentityVerificationStatusUpdated", eventTime: "2026-01-01T00:00:00Z", id: "5f8a2c14-3e6b-4d9f-a1b2-c3d4e5f60789", applicationId: "e9293471-5eb3-4dbc-916c-dbaf9e2deefd", status: "completed", result: "approved" },
  ],
};
const WEBHOOK_EVENTS = [];
if (HAS_WEBHOOKS) {
  for (const provider of PROVIDERS) {
    for (const payload of WEBHOOK_PAYLOADS[provider]) {
      try {
        const signed = signWebhook(provider, { payload: { ...payload, ...(provider === "didit" ? { timestamp: Math.floor(Date.now() / 1000) } : {}) }, secret: WEBHOOK_SECRET, url: "https://hooks.example.com/idv" });
        WEBHOOK_EVENTS.push(parseWebhook(provider, { body: signed.body, headers: signed.headers, url: signed.url, secret: WEBHOOK_SECRET }));
      } catch {
        // a sample the package no longer signs or accepts: not the fuzzer's business
      }
    }
  }
}

// ---- randomness ----

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const mix = (seed, i) => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;

class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  chance(p) {
    return this.next() < p;
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  /** One of `[weight, fn]` by weight. */
  weighted(table) {
    let total = 0;
    for (const [w] of table) total += w;
    let x = this.next() * total;
    for (const [w, fn] of table) {
      if ((x -= w) < 0) return fn;
    }
    return table.at(-1)[1];
  }
  seed() {
    return this.int(2 ** 32);
  }
}

// ---- hostile values: each generator returns [value, description] ----

const VIEW_KINDS = [Uint8Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView];
const TRAPS = ["get", "set", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "defineProperty",
  "deleteProperty", "apply", "construct", "isExtensible", "preventExtensions", "setPrototypeOf"];
/** Bytes of big inputs made for the call being built (huge strings, long arrays, deep nesting). */
const big = { bytes: 0 };
const short = (s, n = 160) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const quote = (s) => short(JSON.stringify(s));

function detachedBuffer(bytes = 16) {
  const b = new ArrayBuffer(bytes);
  structuredClone(b, { transfer: [b] });
  return b;
}

/** A view of `Kind` over `buffer` (whole elements only). */
function viewOver(Kind, buffer, offset = 0) {
  if (Kind === DataView) return new DataView(buffer, offset);
  const size = Kind.BYTES_PER_ELEMENT;
  const start = Math.floor(offset / size) * size;
  return new Kind(buffer, start, Math.floor((buffer.byteLength - start) / size));
}

/** Bytes in a container: ArrayBuffer, SharedArrayBuffer, any view, Buffer, subarray, resizable. */
function inContainer(rng, bytes) {
  const k = rng.int(9);
  if (k === 0) return [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), "ArrayBuffer"];
  if (k === 1) return [bytes, "Uint8Array"];
  if (k === 2) {
    const pad = 1 + rng.int(7);
    const big = new Uint8Array(bytes.length + pad * 2);
    big.set(bytes, pad);
    return [big.subarray(pad, pad + bytes.length), `Uint8Array subarray at ${pad}`];
  }
  if (k === 3) {
    const sab = new SharedArrayBuffer(bytes.length);
    new Uint8Array(sab).set(bytes);
    return rng.chance(0.5) ? [sab, "SharedArrayBuffer"] : [new Uint8Array(sab), "Uint8Array over a SharedArrayBuffer"];
  }
  if (k === 4) return [Buffer.from(bytes), "Buffer"];
  if (k === 5) {
    const Kind = rng.pick(VIEW_KINDS);
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    return [viewOver(Kind, copy), `${Kind.name} over the bytes`];
  }
  if (k === 6) {
    const rab = new ArrayBuffer(bytes.length, { maxByteLength: bytes.length * 2 + 16 });
    new Uint8Array(rab).set(bytes);
    const view = new Uint8Array(rab);
    if (rng.chance(0.5)) {
      rab.resize(rng.int(bytes.length + 1));
      return [view, `length-tracking Uint8Array over a resizable buffer shrunk to ${rab.byteLength}`];
    }
    return [rab, "resizable ArrayBuffer"];
  }
  if (k === 7) {
    const rab = new ArrayBuffer(bytes.length + 8, { maxByteLength: bytes.length + 16 });
    new Uint8Array(rab).set(bytes);
    const view = new Uint8Array(rab, 0, bytes.length);
    rab.resize(rng.int(bytes.length)); // the fixed-length view is now out of bounds
    return [view, "fixed-length Uint8Array out of bounds of its shrunk resizable buffer"];
  }
  return [new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), "DataView"];
}

const encoder = new TextEncoder();

function hostileString(rng) {
  return rng.weighted([
    [3, () => ["", '""']],
    [4, () => { const p = rng.pick(PROVIDERS); return [p, quote(p)]; }],
    [3, () => { const s = rng.pick(["Approved", "completed", "VALIDATED", "In Review", "approved", "REFUSED", "Not Started", "expired", "declined", " approved ", "APPROVED"]); return [s, quote(s)]; }],
    [3, () => { const s = rng.pick(["mangopay ", "MANGOPAY", "didit\u0000", "equals\n", "constructor", "__proto__", "toString", "hasOwnProperty", "0", "-1", "NaN", "null", "undefined", "[object Object]"]); return [s, quote(s)]; }],
    [3, () => { const n = rng.int(64); let s = ""; for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(0x80)); return [s, `ascii ${quote(s)}`]; }],
    [3, () => { const n = rng.int(32); let s = ""; for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(0x10000)); return [s, `utf-16 units (lone surrogates possible) ${quote(s)}`]; }],
    [2, () => { const s = rng.pick(["\uD800", "\uDFFF", "a\uD800b", "\u2028\u2029", "\uFEFF{}", "\u0000", "\r\n", "é", "𝕏", "\u00a0"]); return [s, quote(s)]; }],
    [1, () => { const n = rng.pick([1e4, 1e5, 1e6, 2e6]); const s = rng.pick(["a", "é", "𝕏", "\uD800", "{"]).repeat(n); big.bytes += s.length * 3; return [s, `a huge string (${n} × ${quote(s[0])})`]; }],
    [3, () => { const s = rng.pick(TEXT[`${rng.pick(PROVIDERS)}.${rng.pick(["sessions", "lists"])}`] ?? [""]) ?? ""; return [s, `fixture text (${s.length} chars)`]; }],
    [3, () => { const [s, d] = jsonText(rng); return [s, d]; }],
    [2, () => { const n = rng.pick([10, 127, 128, 129, 1000, 100000]); const s = rng.pick(["[", "{\"a\":", "[{\"x\":"]).repeat(n); if (n > 1000) big.bytes += s.length * 8; return [s, `nesting ${n} deep (unclosed)`]; }],
    [2, () => { const s = rng.pick(["1e999", "-0", "123456789012345678901234567890", "0x10", "NaN", "Infinity", "<html><body>502</body></html>", "{\"a\":1}garbage", "{\"a\":1,\"a\":2}", "\"just a string\"", "[1,2", "null", "true"]); return [s, quote(s)]; }],
    [2, () => { const s = rng.pick(["2026-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "+010000-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00+01:00", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00.1234567891Z", "2026-01-01", "yesterday", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "1746458497"]); return [s, quote(s)]; }],
    [1, () => { const s = rng.pick(["http://user:pw@127.0.0.1:1", "//user:pw@h", "http:///user:pw@h", "javascript:alert(1)", "file:///etc/passwd", "http://[::1", "/proxy", "", " ", "http://127.0.0.1:1/a?b#c", "ftp://x"]); return [s, `url ${quote(s)}`]; }],
  ])();
}

function hostileNumber(rng) {
  const n = rng.pick([0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324,
    253402300800, 253402300799, -62167219201, 1746458497.1, 1746458497.123456789, 100, 1000, 1001, 101, 1e21, Number.MIN_SAFE_INTEGER]);
  return rng.chance(0.3) ? [rng.next() * 10 ** rng.int(20) * (rng.chance(0.5) ? -1 : 1), "a random number"] : [n, Object.is(n, -0) ? "-0" : String(n)];
}

/** Random JSON text, mostly valid. */
function jsonText(rng) {
  const [v] = jsonValue(rng, 3);
  let s = JSON.stringify(v) ?? "null";
  if (rng.chance(0.3)) {
    const at = rng.int(s.length + 1);
    const op = rng.int(3);
    s = op === 0 ? s.slice(0, at) : op === 1 ? s.slice(0, at) + String.fromCharCode(rng.int(128)) + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
    return [s, `broken JSON ${quote(s, 80)}`];
  }
  return [s, `JSON ${quote(s, 80)}`];
}

/** A random plain JSON value. */
function jsonValue(rng, depth) {
  const k = depth <= 0 ? rng.int(4) : rng.int(6);
  if (k === 0) return [null, "null"];
  if (k === 1) return [rng.chance(0.5), "a boolean"];
  if (k === 2) return [hostileNumber(rng)[0] || 0, "a number"];
  if (k === 3) return [hostileString(rng)[0].slice(0, 200), "a string"];
  if (k === 4) return [Array.from({ length: rng.int(5) }, () => jsonValue(rng, depth - 1)[0]), "an array"];
  const o = {};
  for (let i = rng.int(6); i > 0; i--) o[rng.pick(["id", "Id", "status", "Status", "session_id", "created_at", "CreationDate", "rows", "results", "count", "next", "x", "", "__proto__"])] = jsonValue(rng, depth - 1)[0];
  return [o, "an object"];
}

/** A Proxy: throws from every trap, some traps, or none (transparent); or revoked. */
function proxyOf(rng, target) {
  const k = rng.int(4);
  if (k === 0) return [new Proxy(target, Object.fromEntries(TRAPS.map((t) => [t, () => { throw new Error(`fuzz proxy ${t}`); }]))), "a Proxy whose every trap throws"];
  if (k === 1) {
    const traps = TRAPS.filter(() => rng.chance(0.3));
    return [new Proxy(target, Object.fromEntries(traps.map((t) => [t, () => { throw new RangeError(`fuzz proxy ${t}`); }]))), `a Proxy throwing from ${traps.join(",") || "no trap"}`];
  }
  if (k === 2) {
    const { proxy, revoke } = Proxy.revocable(target, {});
    revoke();
    return [proxy, "a revoked Proxy"];
  }
  return [new Proxy(target, {}), "a transparent Proxy"];
}

/** A rejected promise that is handled (so that creating it is not an unhandled rejection). */
function handledRejection(reason) {
  const p = Promise.reject(reason);
  p.catch(() => {});
  return p;
}

function thrower(rng) {
  return rng.weighted([
    [3, () => new Error("fuzz")],
    [1, () => new TypeError("fuzz")],
    [1, () => 42],
    [1, () => Symbol("fuzz")],
    [1, () => null],
    [1, () => undefined],
    [1, () => proxyOf(rng, new Error("fuzz"))[0]],
    [1, () => new IdvError("fuzz idv", { code: "decode" })],
  ])();
}

/**
 * A hostile value of any kind. `ctx` gives callbacks for reentrancy (`ctx.reenter()`), the
 * provider in play, and (with --with-free) a client to free.
 */
function hostile(rng, depth, ctx) {
  const gen = rng.weighted([
    [6, () => rng.pick([[undefined, "undefined"], [null, "null"], [true, "true"], [false, "false"]])],
    [5, () => hostileNumber(rng)],
    [10, () => hostileString(rng)],
    [2, () => rng.pick([[Symbol("fuzz"), "a Symbol"], [Symbol.iterator, "Symbol.iterator"], [Symbol.for("IdvError"), "Symbol.for"]])],
    [2, () => rng.pick([[0n, "0n"], [-1n, "-1n"], [2n ** 64n, "2n**64n"], [BigInt(Number.MAX_SAFE_INTEGER) + 2n, "2^53+1 as BigInt"]])],
    [5, () => {
      if (rng.chance(0.5)) return [detachedBuffer(rng.int(64)), "a detached ArrayBuffer"];
      const Kind = rng.pick(VIEW_KINDS);
      const b = new ArrayBuffer(16);
      const v = viewOver(Kind, b);
      structuredClone(b, { transfer: [b] });
      return [v, `a ${Kind.name} over a detached buffer`];
    }],
    [5, () => {
      const [text, d] = rng.chance(0.5) ? payloadText(rng, ctx.provider) : jsonText(rng);
      const [v, c] = inContainer(rng, encoder.encode(text));
      return [v, `${c} of ${d}`];
    }],
    [3, () => {
      const Kind = rng.pick(VIEW_KINDS);
      const n = rng.pick([0, 1, 7, 64, 4096]);
      const buf = new ArrayBuffer(n * (Kind === DataView ? 1 : Kind.BYTES_PER_ELEMENT));
      const bytes = new Uint8Array(buf);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return [Kind === DataView ? new DataView(buf) : new Kind(buf), `a ${Kind.name} of ${n} random elements`];
    }],
    [8, () => jsonValue(rng, 3)],
    [8, () => payloadObject(rng, ctx.provider, depth, ctx)],
    [3, () => {
      const o = depth > 0 ? hostileObjectShell(rng, depth, ctx) : [{}, "{}"];
      return proxyOf(rng, o[0]).map((d, i) => (i === 1 ? `${d} of ${o[1]}` : d));
    }],
    [4, () => trapObject(rng, ctx)],
    [2, () => {
      const o = { a: 1 };
      o.self = o;
      if (rng.chance(0.5)) o.list = [o, { back: o }];
      return [o, "a circular object"];
    }],
    [1, () => {
      const n = rng.pick([100, 1000, 5000, 20000]);
      let v = rng.chance(0.5) ? [] : {};
      for (let i = 0; i < n; i++) v = Array.isArray(v) ? [v] : { a: v };
      big.bytes += n * 16;
      return [v, `${n}-deep nesting`];
    }],
    [2, () => {
      const k = rng.int(4);
      if (k === 0) return [[, , 1, , ], "a sparse array"];
      if (k === 1) { const a = new Array(rng.pick([10, 1000, 100000])); a[a.length - 1] = { id: "x" }; big.bytes += a.length * 5; return [a, `a sparse array of ${a.length}`]; }
      if (k === 2) { const a = [1, 2]; a.extra = "x"; a[-1] = 5; return [a, "an array with extra properties"]; }
      return [Object.assign([], { length: rng.pick([0, 5]) }), "an array with a set length"];
    }],
    [3, () => rng.pick([
      [Object.freeze({ status: "Approved", id: "x" }), "a frozen object"],
      [Object.seal([1, 2, 3]), "a sealed array"],
      [Object.assign(Object.create(null), { session_id: "n", status: "Approved", created_at: "2026-01-01T00:00:00Z" }), "a null-prototype object"],
      [Object.create(null), "an empty null-prototype object"],
      [new (class Row { constructor() { this.session_id = "c"; this.created_at = "2026-01-01T00:00:00Z"; } #secret = 1; get status() { return "Approved"; } })(), "a class instance with a getter"],
      [new Date(), "a Date"],
      [new Date(NaN), "an invalid Date"],
      [new Date(8.64e15), "the last Date"],
      [/re(g)ex/giu, "a RegExp"],
      [new Map([["didit", "user-1"], ["status", "x"]]), "a Map"],
      [new Set(["didit"]), "a Set"],
      [new WeakMap(), "a WeakMap"],
      [new WeakRef({}), "a WeakRef"],
      [new Promise(() => {}), "a pending Promise"],
      [handledRejection(new Error("x")), "a rejected Promise"],
      [new Error("plain"), "an Error"],
      [new IdvError("idv", { code: "auth" }), "an IdvError"],
      [(function () { return arguments; })(1, "didit"), "an arguments object"],
      [globalThis, "globalThis"],
      [new Number(5), "a Number object"],
      [new String("didit"), "a String object"],
      [Object(Symbol("boxed")), "a boxed Symbol"],
      [Object(10n), "a boxed BigInt"],
      [new URL("http://127.0.0.1:1/x"), "a URL"],
      [new Headers({ a: "b" }), "a Headers"],
      [new AbortController().signal, "an AbortSignal"],
    ])],
    [3, () => rng.pick([
      [() => {}, "an arrow function"],
      // (Not an async function that rejects: wherever the package calls it (a thenable's `then`,
      // `headers.get`, `onProgress`, `addEventListener`) and ignores the result, the rejection is the
      // caller's own unhandled one, as with any callback.)
      [async () => "x", "an async function"],
      [function* gen() {}, "a generator function"],
      [class K {}, "a class"],
      [Math.max.bind(null), "a bound function"],
      [fetch, "the global fetch"],
      [IdvClient, "the IdvClient class"],
      [normalizeSession, "normalizeSession itself"],
      [Object.assign(() => {}, { session_id: "f", status: "Approved", created_at: "2026-01-01T00:00:00Z" }), "a function with session fields"],
    ])],
    [1, () => [ctx.clientValue ?? {}, "an IdvClient instance"]],
  ]);
  return gen();
}

/** An object whose reading throws or misbehaves: getters, toJSON, valueOf/toString/toPrimitive traps, reentrancy. */
function trapObject(rng, ctx) {
  const k = rng.int(9);
  if (k === 0) {
    const key = rng.pick(["status", "id", "session_id", "Id", "rows", "results", "userId", "includeRaw", "strict", "signal", "apiKey", "baseUrl", "headers", "fetch", "didit", "mangopay", "equals", "workflowId", "limit", "length", "then"]);
    const o = { session_id: "g", status: "Approved", created_at: "2026-01-01T00:00:00Z", apiKey: "k-0123456789" };
    const err = thrower(rng);
    Object.defineProperty(o, key, { enumerable: true, get() { throw err; } });
    return [o, `an object whose getter ${key} throws`];
  }
  if (k === 1) {
    const err = thrower(rng);
    return [{ id: "t", toJSON() { throw err; } }, "an object whose toJSON throws"];
  }
  if (k === 2) {
    const v = rng.pick([undefined, 1n, Symbol("j"), () => {}]);
    return [{ toJSON() { return v; } }, `an object whose toJSON returns ${typeof v}`];
  }
  if (k === 3) {
    const err = thrower(rng);
    return [{ valueOf() { throw err; }, toString() { throw err; }, [Symbol.toPrimitive]() { throw err; } }, "an object whose valueOf/toString/toPrimitive throw"];
  }
  if (k === 4) return [{ [Symbol.toPrimitive]: () => "didit", toString: () => "mangopay" }, "an object that converts to a provider name"];
  if (k === 5) {
    // Detaches a buffer that is also passed (time of check, time of use).
    const buffer = encoder.encode(payloadText(rng, ctx.provider)[0]).buffer;
    ctx.sameBuffer = buffer;
    return [{ get includeRaw() { structuredClone(buffer, { transfer: [buffer] }); return true; }, toJSON() { structuredClone(buffer, { transfer: [buffer] }); return {}; } }, "an object whose reading detaches a buffer"];
  }
  if (k === 6) {
    return [{ get status() { ctx.reenter?.(); return "Approved"; }, session_id: "r", created_at: "2026-01-01T00:00:00Z", get includeRaw() { ctx.reenter?.(); return false; }, get userId() { ctx.reenter?.(); return "u"; } },
      "an object whose getters call back into the package"];
  }
  if (k === 7 && ctx.withFree && ctx.client) {
    const client = ctx.client;
    return [{ get limit() { try { client.free(); } catch {} return 5; }, toJSON() { try { client.free(); } catch {} return {}; } }, "an object whose reading frees the client"];
  }
  let calls = 0;
  return [{ get status() { calls++; return calls % 2 ? "Approved" : 5; }, session_id: "flip", created_at: "2026-01-01T00:00:00Z" }, "an object whose getter answers differently each read"];
}

function hostileObjectShell(rng, depth, ctx) {
  const o = {};
  for (let i = rng.int(4); i > 0; i--) o[rng.pick(["status", "id", "rows", "results", "x"])] = hostile(rng, depth - 1, ctx)[0];
  return [o, `an object of ${Object.keys(o).length} hostile fields`];
}

/** JSON text shaped like a provider payload (fixture, maybe mutated as text). */
function payloadText(rng, provider) {
  const p = PROVIDERS.includes(provider) ? provider : rng.pick(PROVIDERS);
  const pool = rng.chance(0.5) ? TEXT[`${p}.lists`] : TEXT[`${p}.sessions`];
  let s = rng.pick(pool.length ? pool : TEXT[`${p}.lists`]);
  if (rng.chance(0.4)) {
    const [v, d] = mutateJson(rng, JSON.parse(s), 0, null);
    const text = JSON.stringify(v);
    if (text !== undefined) return [text, `${p} fixture text, ${d}`];
  }
  if (rng.chance(0.2)) {
    s = s.slice(0, rng.int(s.length));
    return [s, `${p} fixture text cut at ${s.length}`];
  }
  return [s, `${p} fixture text`];
}

/** An object shaped like a provider payload, with hostile values planted. */
function payloadObject(rng, provider, depth, ctx) {
  const p = PROVIDERS.includes(provider) ? provider : rng.pick(PROVIDERS);
  const pool = rng.chance(0.5) ? TEXT[`${p}.lists`] : TEXT[`${p}.sessions`];
  const base = JSON.parse(rng.pick(pool.length ? pool : TEXT[`${p}.lists`]));
  const [v, d] = mutateJson(rng, base, depth, ctx);
  return [v, `${p} fixture object, ${d}`];
}

function isPlain(v) {
  try {
    return Array.isArray(v) || (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype);
  } catch {
    return false; // a Proxy that throws
  }
}

/** Replaces or deletes one to three fields along random paths (plain objects and arrays only). */
function mutateJson(rng, root, depth, ctx) {
  const notes = [];
  for (let m = 1 + rng.int(3); m > 0 && isPlain(root); m--) {
    // Earlier mutations may have planted getters, Proxies and frozen objects: reading or
    // writing them may throw, which ends this mutation (the fuzzer's own reads, not the package's).
    try {
      let node = root;
      const path = [];
      for (;;) {
        const keys = Object.keys(node);
        if (!keys.length) break;
        const key = rng.pick(keys);
        const descriptor = Object.getOwnPropertyDescriptor(node, key);
        const child = descriptor && "value" in descriptor ? descriptor.value : undefined;
        path.push(key);
        if (isPlain(child) && path.length < 6 && rng.chance(0.6)) {
          node = child;
          continue;
        }
        if (rng.chance(0.25)) {
          Reflect.deleteProperty(node, key);
          notes.push(`deleted ${path.join(".")}`);
        } else {
          const [v, d] = depth > 0 && ctx ? hostile(rng, depth - 1, ctx) : jsonValue(rng, 1);
          Reflect.defineProperty(node, key, { value: v, enumerable: true, writable: true, configurable: true });
          notes.push(`${path.join(".")} = ${d}`);
        }
        break;
      }
    } catch {
      break;
    }
  }
  return [root, notes.join("; ") || "unchanged"];
}

// ---- hostile fetch answers ----

function validBodyFor(rng, url, method) {
  const u = String(url);
  if (u.includes("/oauth/token")) {
    const token = JSON.parse(TEXT.token);
    token.expires_in = rng.pick([1199, 0, -1, 1, 86400 * 365 * 100, "1199", null]);
    if (rng.chance(0.2)) token.access_token = rng.pick(["", null, 5, "a\nb", "x".repeat(10000)]);
    return JSON.stringify(token);
  }
  const provider = u.includes("/v3/") ? "didit" : u.includes("/v2/") ? "equals" : "mangopay";
  // Paged bodies repeat after three pages: a walk that follows them ends.
  const offset = Number(/offset=(\d+)/.exec(u)?.[1] ?? /page=(\d+)/.exec(u)?.[1] ?? 0);
  const which = offset % 3;
  if (method === "POST") return rng.pick(TEXT[`${provider}.sessions`].length ? TEXT[`${provider}.sessions`] : TEXT[`${provider}.lists`]);
  if (/decision|identity-verifications\/[^/?]+$/.test(u)) return rng.pick(TEXT[`${provider}.sessions`].length ? TEXT[`${provider}.sessions`] : TEXT[`${provider}.lists`]);
  const body = JSON.parse(rng.pick(TEXT[`${provider}.lists`]));
  const rows = Array.isArray(body) ? body : body.rows ?? body.results;
  for (const row of rows) for (const k of ["Id", "id", "session_id"]) if (typeof row[k] === "string") row[k] = `${row[k]}-${which}`;
  if (!Array.isArray(body)) {
    body.count = rng.pick([rows.length * 3, 0, 1e9, -1, null, "12", rows.length]);
    if ("next" in body) body.next = rng.pick([null, `${u.split("?")[0]}?offset=${offset + rows.length}&limit=${rows.length}`, "http://elsewhere.invalid/v3/sessions/?offset=3", "not a url", 5]);
  }
  let text = JSON.stringify(body);
  if (rng.chance(0.3)) text = JSON.stringify(mutateJson(rng, JSON.parse(text), 0, null)[0]) ?? text;
  return text;
}

function hostileHeaders(rng) {
  const k = rng.int(6);
  if (k === 0) return new Headers();
  if (k === 1) {
    const h = new Headers();
    for (const name of ["retry-after", "x-number-of-pages", "x-number-of-items", "link", "x-ratelimit", "x-ratelimit-remaining", "x-ratelimit-reset", "content-type"]) {
      if (rng.chance(0.5)) h.set(name, rng.pick(["0", "1", "-1", "NaN", "999999999", "1.5", "", "Wed, 21 Oct 2015 07:28:00 GMT", "<http://x.invalid/?page=2>; rel=\"next\"", "2300,4500,8800,105600", "a,b,c,d", "application/json", "text/html"]));
    }
    return h;
  }
  if (k === 2) return { get() { throw new Error("headers.get exploded"); } };
  if (k === 3) return { get: () => rng.pick([5, {}, Symbol("h"), null, "1"]) };
  if (k === 4) return proxyOf(rng, new Headers())[0];
  return undefined;
}

/** A `fetch` answering with hostile responses, drawn from its own generator. */
function hostileFetch(rng, note) {
  return function fuzzFetch(url, init) {
    const kind = rng.weighted([
      [2, () => "throw"],
      [2, () => "reject"],
      [1, () => "never"],
      [2, () => "non-response"],
      [5, () => "hostile-response"],
      [10, () => "valid"],
      [2, () => "real-response"],
    ])();
    const where = (() => {
      try {
        const u = new URL(String(url));
        return `${init?.method ?? "GET"} ${u.pathname}${u.search}`;
      } catch {
        return String(url).slice(0, 80);
      }
    })();
    note.push(`${kind} ${where}`);
    if (kind === "throw") throw thrower(rng);
    // Not pre-handled: a fetch promise the package drops (an abort race) is an unhandled rejection.
    if (kind === "reject") return Promise.reject(thrower(rng));
    if (kind === "never") return new Promise(() => {});
    if (kind === "non-response") return Promise.resolve(rng.pick([undefined, null, 5, "200", Symbol("r"), [], () => {}, proxyOf(rng, {})[0], { then(ok) { ok({ status: 200 }); } }, { then() { throw new Error("then"); } }]));
    if (kind === "real-response") {
      const status = rng.pick([200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 503]);
      const body = status === 204 ? null : rng.chance(0.7) ? validBodyFor(rng, url, init?.method) : jsonText(rng)[0];
      const headers = hostileHeaders(rng);
      return Promise.resolve(new Response(body, { status, headers: headers instanceof Headers ? headers : undefined }));
    }
    const status = kind === "valid" ? rng.pick([200, 200, 200, 201]) : rng.pick([200, 0, 99, 100, 199, 301, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504, 599, 600, -1, 200.5, NaN, "200", null, 2 ** 53]);
    const bodyKind = kind === "valid" ? "valid" : rng.pick(["valid", "json", "detached", "detached-view", "string", "proxy", "never", "reject", "sync-throw", "symbol", "not-a-function", "sab", "huge"]);
    note[note.length - 1] += ` -> ${String(status)} ${bodyKind}`;
    const body = () => {
      switch (bodyKind) {
        case "valid": return encoder.encode(validBodyFor(rng, url, init?.method)).buffer;
        case "json": return encoder.encode(jsonText(rng)[0]).buffer;
        case "detached": return detachedBuffer();
        case "detached-view": { const b = new ArrayBuffer(8); const v = new Uint8Array(b); structuredClone(b, { transfer: [b] }); return v; }
        case "string": return validBodyFor(rng, url, init?.method);
        case "proxy": return proxyOf(rng, new ArrayBuffer(8))[0];
        case "never": return new Promise(() => {});
        case "reject": return Promise.reject(thrower(rng));
        case "sync-throw": throw thrower(rng);
        case "symbol": return Symbol("body");
        case "sab": { const t = encoder.encode(validBodyFor(rng, url, init?.method)); const s = new SharedArrayBuffer(t.length); new Uint8Array(s).set(t); return s; }
        case "huge": note.big = true; return encoder.encode(`{"results":[${'{"session_id":"h","status":"x","created_at":"2026-01-01T00:00:00Z"},'.repeat(5000)}{}]}`).buffer;
        default: return new ArrayBuffer(0);
      }
    };
    const response = {
      status,
      headers: kind === "valid" ? new Headers({ "content-type": "application/json" }) : hostileHeaders(rng),
      arrayBuffer: bodyKind === "not-a-function" ? 5 : () => (rng.chance(0.5) ? body() : Promise.resolve().then(body)),
      text: () => { throw new Error("the client must read bytes"); },
    };
    if (kind === "hostile-response" && rng.chance(0.2)) Object.defineProperty(response, "status", { get() { throw new Error("status exploded"); } });
    return rng.chance(0.8) ? Promise.resolve(response) : response;
  };
}

/** A delivery for parseWebhook: signed by the package, then parts replaced by hostile values. */
function webhookInput(rng, provider, ctx) {
  const payload = structuredClone(rng.pick(WEBHOOK_PAYLOADS[provider]));
  if (provider === "didit") payload.timestamp = rng.chance(0.8) ? Math.floor(Date.now() / 1000) : hostileNumber(rng)[0];
  const notes = [];
  let signed;
  try {
    signed = signWebhook(provider, { payload, secret: WEBHOOK_SECRET, url: "https://hooks.example.com/idv" });
  } catch {
    signed = { headers: {}, body: JSON.stringify(payload), url: "https://hooks.example.com/idv" };
    notes.push("unsigned");
  }
  const input = { body: signed.body, headers: { ...signed.headers }, url: signed.url, secret: WEBHOOK_SECRET };
  if (rng.chance(0.3) && typeof input.body === "string") {
    const [v, c] = rng.chance(0.8) ? inContainer(rng, encoder.encode(input.body)) : [detachedBuffer(), "a detached buffer"];
    input.body = v;
    notes.push(`body as ${c}`);
  }
  if (rng.chance(0.2) && typeof input.body === "string") {
    const [v, d] = mutateJson(rng, JSON.parse(input.body), 0, null);
    input.body = JSON.stringify(v) ?? input.body;
    notes.push(`body changed after signing (${d})`);
  }
  if (rng.chance(0.2)) {
    const name = rng.pick([...Object.keys(input.headers), "x-signature", "x-timestamp", "authorization", "content-type"]);
    const [v, d] = rng.chance(0.5) ? [rng.pick([["a", "b"], "", "0", 5, undefined, "z".repeat(100000), "\u0000"]), "odd"] : hostile(rng, 1, ctx);
    input.headers[name] = v;
    notes.push(`header ${name} = ${d}`);
  }
  if (rng.chance(0.15)) {
    const k = rng.int(3);
    let asHeaders;
    try {
      asHeaders = new Headers(Object.entries(input.headers).filter(([, v]) => typeof v === "string"));
    } catch {
      asHeaders = new Headers(); // a value Headers refuses
    }
    input.headers = k === 0 ? asHeaders : k === 1 ? proxyOf(rng, input.headers)[0] : hostile(rng, 1, ctx)[0];
    notes.push(`headers as ${["a Headers", "a Proxy", "a hostile value"][k]}`);
  }
  for (const key of ["url", "secret", "toleranceSec", "now", "includeRaw"]) {
    if (!rng.chance(0.12)) continue;
    const [v, d] = key === "secret" && rng.chance(0.5) ? [rng.pick([[WEBHOOK_SECRET, "old"], [], ["x", 5], "", "s".repeat(1e6)]), "odd secret"].map((x, i) => { if (i === 0 && typeof x === "string") big.bytes += x.length; return x; }) : hostile(rng, 1, ctx);
    input[key] = v;
    notes.push(`${key} = ${d}`);
  }
  return [input, `${provider} delivery {${notes.join("; ") || "as signed"}}`];
}

// ---- calls ----

const SYNC = "sync";
const ASYNC = "async";

/** A config that is mostly valid, with hostile parts. */
function clientConfig(rng, ctx, note) {
  if (rng.chance(0.05)) return hostile(rng, 2, ctx);
  const cfg = {};
  const parts = [];
  for (const p of PROVIDERS) {
    if (!rng.chance(0.8)) continue;
    const s = { apiKey: `fuzz-${p}-key-0123456789`, baseUrl: "http://fuzz.invalid" };
    if (p === "mangopay") s.clientId = "fuzz-client";
    if (rng.chance(0.15)) {
      const field = rng.pick(["apiKey", "baseUrl", "headers", "clientId"]);
      const [v, d] = hostile(rng, 1, ctx);
      s[field] = v;
      parts.push(`${p}.${field} = ${d}`);
    } else if (rng.chance(0.2)) {
      s.headers = { "x-fuzz": rng.pick(["v", "", "a b", "é", "\u0100", "a\nb", "x".repeat(10000)]) };
      parts.push(`${p}.headers = ${quote(s.headers["x-fuzz"], 40)}`);
    }
    cfg[p] = s;
  }
  Object.assign(cfg, {
    timeoutMs: rng.pick([20, 50, 100, 200]),
    maxRetries: rng.pick([0, 0, 1, 2]),
    retryBaseMs: rng.pick([0, 1, 5]),
    retryMaxDelayMs: rng.pick([10, 50, 100]),
    concurrency: rng.pick([1, 2, 4, 8]),
    rateLimitScale: 1000,
    fetch: hostileFetch(new Rng(rng.seed()), note),
  });
  if (rng.chance(0.1)) {
    const field = rng.pick(["timeoutMs", "maxRetries", "retryBaseMs", "retryMaxDelayMs", "concurrency", "rateLimitScale", "fetch", "dangerouslyAllowBrowser"]);
    const [v, d] = hostile(rng, 1, ctx);
    cfg[field] = v;
    parts.push(`${field} = ${d}`);
    // A timing the package reads as its default (NaN, Infinity and null stringify as null: 30 s
    // timeouts, 3 retries) legitimately takes minutes against a fetch that never answers: such
    // calls carry a signal that ends them (and so also test that an abort really ends a call).
    if (["timeoutMs", "maxRetries", "retryBaseMs", "retryMaxDelayMs", "concurrency", "rateLimitScale"].includes(field)) note.hostileTiming = true;
  }
  return [cfg, `config {${Object.keys(cfg).filter((k) => PROVIDERS.includes(k)).join(",")}}${parts.length ? `, ${parts.join("; ")}` : ""}`];
}

function queryFor(rng, provider, ctx) {
  if (rng.chance(0.3)) return hostile(rng, 2, ctx);
  const q = provider === "mangopay" ? { userId: "user_m_fuzz" } : {};
  const keys = { mangopay: ["page", "perPage", "status", "userId"], equals: ["applicationId", "associatedPersonId", "limit", "offset", "status"], didit: ["vendorData", "status", "country", "workflowId", "dateFrom", "dateTo", "limit", "offset"] }[provider] ?? ["limit"];
  const notes = [];
  for (const k of keys) {
    if (!rng.chance(0.3)) continue;
    const [v, d] = rng.chance(0.5) ? [rng.pick([1, 5, 100, 0, -1, 1001, "approved", ["approved", "Declined"], "d4c3b2a1-5678-4e9a-bcde-f01234567890", "2026-01-01"]), "plausible"] : hostile(rng, 1, ctx);
    q[k] = v;
    notes.push(`${k} = ${d}`);
  }
  return [q, `query {${notes.join("; ")}}`];
}

function optionsFor(rng, ctx) {
  const k = rng.int(10);
  if (k < 3) return [undefined, "no options"];
  if (k === 3) return hostile(rng, 2, ctx);
  const o = {};
  const notes = [];
  for (const key of ["includeRaw", "details", "strict", "userId"]) if (rng.chance(0.2)) { o[key] = rng.pick([true, false, 1, "yes", null]); notes.push(key); }
  if (rng.chance(0.4)) {
    const s = rng.int(5);
    if (s === 0) { const c = new AbortController(); c.abort(); o.signal = c.signal; notes.push("an aborted signal"); }
    else if (s === 1) { const c = new AbortController(); const t = setTimeout(() => c.abort(thrower(rng)), rng.int(100)); t.unref(); o.signal = c.signal; notes.push("a signal aborted soon"); }
    else if (s === 2) { o.signal = { aborted: false, addEventListener() { throw new Error("ael"); }, removeEventListener() {} }; notes.push("a fake signal that throws"); }
    else if (s === 3) { const [v, d] = hostile(rng, 1, ctx); o.signal = v; notes.push(`signal = ${d}`); }
    else { o.signal = AbortSignal.timeout(rng.int(200)); notes.push("AbortSignal.timeout"); }
  }
  if (rng.chance(0.3)) {
    const err = thrower(rng);
    // (Not an async callback that rejects: that rejection would be the caller's own, unhandled.)
    o.onProgress = rng.pick([() => { throw err; }, () => ctx.reenter?.(), (p) => p, 5, {}]);
    notes.push("onProgress");
  }
  return [o, `options {${notes.join(", ")}}`];
}

const providerArg = (rng, ctx) => (rng.chance(0.85) ? (() => { const p = rng.pick(PROVIDERS); return [p, quote(p)]; })() : hostile(rng, 1, ctx));

/** Builds one call: { target, kind, describe, invoke() } from the iteration's generator. */
function buildCall(rng, state) {
  big.bytes = 0;
  const c = buildCallInner(rng, state);
  c.inputBytes = big.bytes;
  return c;
}

function buildCallInner(rng, state) {
  const ctx = {
    provider: rng.pick(PROVIDERS),
    withFree: state.withFree,
    reenter() {
      try {
        normalizeList("didit", TEXT["didit.lists"][0]);
        normalizeSession("didit", "{");
      } catch {
        // a decode error, expected
      }
    },
  };
  const args = [];
  const descs = [];
  const add = ([v, d]) => {
    args.push(v);
    descs.push(d);
  };
  const extra = () => {
    if (rng.chance(0.1)) add(hostile(rng, 1, ctx));
  };
  const target = rng.weighted([
    [10, () => "normalizeSession"],
    [10, () => "normalizeList"],
    [5, () => "mapStatus"],
    [3, () => "summarize"],
    [3, () => "toCsv"],
    [3, () => "isIdvError"],
    [1, () => "memoryBytes"],
    [2, () => "new IdvError"],
    [4, () => "new IdvClient"],
    [6, () => "listSessions"],
    [4, () => "listAll"],
    [4, () => "sessions"],
    [3, () => "listUserSessions"],
    [4, () => "getSession"],
    [3, () => "createSession"],
    ...(HAS_WEBHOOKS ? [[5, () => "parseWebhook"], [3, () => "signWebhook"], [3, () => "resolveWebhook"], [2, () => "listEvents"]] : []),
    ...(state.withFree ? [[3, () => "foreign this"]] : []),
  ])();

  const sync = (fn, check) => ({ target, kind: SYNC, args, descs, invoke: () => fn(...args), check });
  switch (target) {
    case "normalizeSession":
    case "normalizeList": {
      const [p, pd] = providerArg(rng, ctx);
      add([p, pd]);
      if (PROVIDERS.includes(p)) ctx.provider = p;
      const r = rng.int(4);
      add(r === 0 ? payloadText(rng, ctx.provider) : r === 1 ? payloadObject(rng, ctx.provider, 2, ctx)
        : r === 2 ? (() => { const [t, d] = payloadText(rng, ctx.provider); const [v, c] = inContainer(rng, encoder.encode(t)); return [v, `${c} of ${d}`]; })()
          : hostile(rng, 3, ctx));
      if (ctx.sameBuffer && rng.chance(0.5)) {
        args[1] = ctx.sameBuffer;
        descs[1] = "the buffer the options detach";
      }
      if (rng.chance(0.6)) add(rng.chance(0.5) ? optionsFor(rng, ctx) : [{ includeRaw: rng.chance(0.5), strict: rng.chance(0.5), userId: rng.pick(["u1", undefined, 5]) }, "normalize options"]);
      extra();
      return target === "normalizeSession"
        ? sync(normalizeSession, (v) => v !== null && typeof v === "object" && typeof v.key === "string" && STATUSES.has(v.status))
        : sync(normalizeList, (v) => Array.isArray(v) && Array.isArray(v.badRows) && !Object.keys(v).includes("badRows") && v.every((s) => STATUSES.has(s.status)));
    }
    case "mapStatus": {
      add(providerArg(rng, ctx));
      add(rng.chance(0.5) ? hostileString(rng) : hostile(rng, 1, ctx));
      if (rng.chance(0.5)) add(rng.chance(0.5) ? hostileString(rng) : hostile(rng, 1, ctx));
      extra();
      return sync(mapStatus, (v) => STATUSES.has(v));
    }
    case "summarize":
    case "toCsv": {
      const k = rng.int(3);
      if (k === 0) add(hostile(rng, 3, ctx));
      else {
        const list = GOOD_SESSIONS.filter(() => rng.chance(0.5)).map((s) => structuredClone(s));
        let d = `${list.length} good sessions`;
        if (k === 2 && list.length) {
          const [, md] = mutateJson(rng, list[rng.int(list.length)], 2, ctx); // in place
          d += `, one mutated: ${md}`;
        }
        add([list, d]);
      }
      if (target === "summarize" && rng.chance(0.5)) {
        add(rng.chance(0.5) ? hostile(rng, 2, ctx) : [{ now: rng.pick([Date.now(), "2026-01-01T00:00:00Z", new Date(NaN), NaN, -1e20, "x", 8.64e15 + 1]), livenessWithinDays: rng.pick([90, -1, NaN, 1e12, "9"]), spikeThreshold: rng.pick([3, 0, Infinity]) }, "summary options"]);
      }
      extra();
      return target === "summarize" ? sync(summarize, (v) => v !== null && typeof v === "object" && typeof v.sessionCount === "number") : sync(toCsv, (v) => typeof v === "string");
    }
    case "isIdvError":
      add(hostile(rng, 2, ctx));
      return sync(isIdvError, (v) => typeof v === "boolean");
    case "memoryBytes":
      if (rng.chance(0.3)) add(hostile(rng, 1, ctx));
      return sync(memoryBytes, (v) => typeof v === "number" && v > 0);
    case "new IdvError":
      add(rng.chance(0.5) ? hostileString(rng) : hostile(rng, 1, ctx));
      if (rng.chance(0.7)) add(rng.chance(0.5) ? [{ code: rng.pick(["decode", "bogus", 5]), provider: rng.pick(["didit", 5]), httpStatus: rng.pick([400, "400"]), retryable: rng.pick([true, 1]) }, "fields"] : hostile(rng, 2, ctx));
      return { target, kind: SYNC, args, descs, invoke: () => new IdvError(...args), check: (v) => v instanceof IdvError };
    case "parseWebhook": {
      add(providerArg(rng, ctx));
      add(rng.chance(0.8) ? webhookInput(rng, PROVIDERS.includes(args[0]) ? args[0] : rng.pick(PROVIDERS), ctx) : hostile(rng, 2, ctx));
      extra();
      return sync(parseWebhook, (v) => v !== null && typeof v === "object" && typeof v.id === "string" && typeof v.occurredAt === "string");
    }
    case "signWebhook": {
      const [p, pd] = providerArg(rng, ctx);
      add([p, pd]);
      const provider = PROVIDERS.includes(p) ? p : rng.pick(PROVIDERS);
      if (rng.chance(0.8)) {
        const [payload, d] = mutateJson(rng, structuredClone(rng.pick(WEBHOOK_PAYLOADS[provider])), rng.chance(0.5) ? 2 : 0, ctx);
        const input = { payload, secret: WEBHOOK_SECRET, url: "https://hooks.example.com/idv" };
        const notes = [`payload: ${d}`];
        for (const key of ["secret", "timestamp", "url", "now"]) {
          if (!rng.chance(0.2)) continue;
          const [v, vd] = hostile(rng, 1, ctx);
          input[key] = v;
          notes.push(`${key} = ${vd}`);
        }
        add([input, `sign input {${notes.join("; ")}}`]);
      } else add(hostile(rng, 2, ctx));
      extra();
      return sync(signWebhook, (v) => v !== null && typeof v === "object" && (v.method === "POST" || v.method === "GET") && typeof v.headers === "object");
    }
    case "new IdvClient": {
      add(clientConfig(rng, ctx, []));
      extra();
      return {
        target, kind: SYNC, args, descs,
        invoke: () => new IdvClient(...args),
        check: (v) => v instanceof IdvClient,
        after: (v) => v?.free?.(),
      };
    }
    default:
      return buildClientCall(rng, state, ctx, target, add, args, descs, extra);
  }
}

function buildClientCall(rng, state, ctx, target, add, args, descs, extra) {
  const fetches = [];
  const [config, configDesc] = clientConfig(rng, ctx, fetches);
  let client;
  try {
    client = new IdvClient(config);
  } catch (e) {
    if (!(e instanceof IdvError)) {
      return { target: "new IdvClient", kind: SYNC, args: [config], descs: [configDesc], invoke: () => { throw e; }, check: () => true };
    }
    client = new IdvClient({ didit: { apiKey: "fuzz-didit-key-0123456789", baseUrl: "http://fuzz.invalid" }, timeoutMs: 50, maxRetries: 0, rateLimitScale: 1000, fetch: hostileFetch(new Rng(rng.seed()), fetches) });
  }
  ctx.client = client;
  ctx.clientValue = client;
  const base = { target, kind: ASYNC, args, descs: [configDesc, ...descs], client, fetches };
  /** The options argument (sometimes none); with a hostile timing, always one with a signal that fires within a second. */
  const addOptions = (p = 0.6) => {
    if (fetches.hostileTiming) {
      const [o, d] = rng.chance(0.5) ? optionsFor(rng, ctx) : [{}, "options {}"];
      const signal = AbortSignal.timeout(300 + rng.int(700));
      let bounded = isPlain(o) && !Array.isArray(o) ? o : null;
      try {
        if (bounded) bounded.signal = signal;
      } catch {
        bounded = null; // a getter-only field or a Proxy
      }
      bounded ??= { signal };
      add([bounded, `${bounded === o ? d : "options {}"} + a signal that fires within a second`]);
    } else if (rng.chance(p)) add(optionsFor(rng, ctx));
  };
  const provider = providerArg(rng, ctx);
  if (PROVIDERS.includes(provider[0])) ctx.provider = provider[0];
  switch (target) {
    case "listSessions":
    case "listAll":
    case "sessions":
      add(provider);
      add(queryFor(rng, ctx.provider, ctx));
      addOptions();
      extra();
      base.descs = [configDesc, ...descs];
      if (target === "sessions") return { ...base, kind: "iterator", ops: Array.from({ length: 1 + rng.int(4) }, () => (rng.chance(0.75) ? "next" : "return")), concurrent: rng.chance(0.3) };
      return { ...base, invoke: () => client[target](...args), check: target === "listAll" ? (v) => Array.isArray(v) && Array.isArray(v.badRows) : (v) => v && Array.isArray(v.sessions) };
    case "listUserSessions": {
      if (rng.chance(0.7)) {
        const refs = {};
        if (rng.chance(0.6)) refs.mangopay = rng.chance(0.8) ? "user_m_fuzz" : hostile(rng, 1, ctx)[0];
        if (rng.chance(0.6)) refs.equals = rng.chance(0.8) ? { associatedPersonId: "d4c3b2a1-5678-4e9a-bcde-f01234567890" } : hostile(rng, 1, ctx)[0];
        if (rng.chance(0.6)) refs.didit = rng.chance(0.8) ? "user-1" : hostile(rng, 1, ctx)[0];
        add([refs, `refs {${Object.keys(refs).map((k) => `${k}: ${typeof refs[k] === "string" ? quote(refs[k], 40) : typeof refs[k]}`).join(", ")}}`]);
      } else add(hostile(rng, 2, ctx));
      addOptions();
      extra();
      base.descs = [configDesc, ...descs];
      return { ...base, invoke: () => client.listUserSessions(...args), check: (v) => v && Array.isArray(v.sessions) && Array.isArray(v.errors) && v.errors.every((e) => e instanceof IdvError) && Array.isArray(v.badRows) };
    }
    case "getSession":
      add(provider);
      add(rng.chance(0.6) ? [rng.pick(["9f2a4d1e", "idnver_01JTG8BTG92TTRP5VSNV35ZYGM", "", "../../x", "a/b?c#d", "%00", "x".repeat(5000)]), "an id"] : hostile(rng, 1, ctx));
      addOptions();
      extra();
      base.descs = [configDesc, ...descs];
      return { ...base, invoke: () => client.getSession(...args), check: (v) => v && typeof v.key === "string" };
    case "createSession":
      add(provider);
      add(rng.chance(0.6)
        ? [{ userId: "user_m_fuzz", returnUrl: rng.pick(["https://example.com/back", "", "x".repeat(600)]), workflowId: "a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35", metadata: rng.chance(0.3) ? hostile(rng, 2, ctx)[0] : { a: 1 }, idempotencyKey: rng.pick([undefined, "k", "", "a\nb"]) }, "create input"]
        : hostile(rng, 2, ctx));
      addOptions();
      extra();
      base.descs = [configDesc, ...descs];
      return { ...base, invoke: () => client.createSession(...args), check: (v) => v && typeof v.key === "string" };
    case "resolveWebhook": {
      if (rng.chance(0.8) && WEBHOOK_EVENTS.length) {
        const [event, d] = mutateJson(rng, structuredClone(rng.pick(WEBHOOK_EVENTS)), rng.chance(0.5) ? 2 : 0, ctx);
        add([event, `a parsed event, ${d}`]);
      } else add(hostile(rng, 2, ctx));
      addOptions();
      extra();
      base.descs = [configDesc, ...descs];
      return { ...base, invoke: () => client.resolveWebhook(...args), check: (v) => v && typeof v.key === "string" };
    }
    case "listEvents": {
      add(provider);
      if (rng.chance(0.7)) {
        const q = {};
        const notes = [];
        for (const key of ["eventType", "afterDate", "beforeDate"]) {
          if (!rng.chance(0.5)) continue;
          const [v, d] = rng.chance(0.5) ? [rng.pick(["IDENTITY_VERIFICATION_VALIDATED", 1746458497, "2026-01-01T00:00:00Z", new Date(0), new Date(NaN), -1, 1e20]), "plausible"] : hostile(rng, 1, ctx);
          q[key] = v;
          notes.push(`${key} = ${d}`);
        }
        add([q, `events query {${notes.join("; ")}}`]);
      } else if (rng.chance(0.5)) add(hostile(rng, 2, ctx));
      else add([undefined, "no query"]);
      addOptions(0.5);
      extra();
      base.descs = [configDesc, ...descs];
      return { ...base, invoke: () => client.listEvents(...args), check: (v) => Array.isArray(v) };
    }
    case "foreign this": {
      const other = rng.pick([{}, client.sessions("didit", {}), Object.create(IdvClient.prototype), new SessionStream()]);
      const method = rng.pick(["listSessions", "getSession", "listAll", "next", "return", "free"]);
      const owner = ["next", "return"].includes(method) ? SessionStream.prototype : IdvClient.prototype;
      if (rng.chance(0.5)) client.free();
      return { ...base, descs: [`${owner === SessionStream.prototype ? "SessionStream" : "IdvClient"}.prototype.${method} on ${other?.constructor?.name ?? "{}"}`], invoke: () => (method === "free" ? owner[method].call(other) : owner[method].call(other, "didit", "x")), check: () => true, anyResult: true };
    }
    default:
      throw new Error(`no target ${target}`);
  }
}

// ---- the run ----

function describeThrown(e) {
  try {
    if (e instanceof Error) return `${e.constructor?.name ?? "Error"}${e.code ? `(${e.code})` : ""}: ${String(e.message).slice(0, 200)}`;
    if (typeof e === "symbol") return e.toString();
    return `${typeof e}: ${String(e).slice(0, 200)}`;
  } catch {
    return "(an undescribable value)";
  }
}
/** A stable signature for deduplication: the target, the outcome, the message without numbers and quotes. */
const signature = (target, problem) => `${target} | ${problem.replace(/\d+/g, "N").replace(/"[^"]*"|`[^`]*`/g, "…").slice(0, 160)}`;

/**
 * Runs the fuzzer for `seconds`. Returns `{ seed, iterations, violations, memory, ... }`;
 * `violations` lists distinct problems, each with its first iteration and input.
 */
export async function run({
  seconds = 5, seed = (Math.random() * 2 ** 32) >>> 0, replay = null, stopOnFirst = false, checkEvery = 250,
  maxGrowthMb = 64, maxJumpMb = 32, settleMs = 15_000, withFree = false, verbose = false, log = console.log, maxInFlight = 24,
} = {}) {
  const baseline = snapshot();
  const memoryStart = memoryBytes();
  let memoryPeak = memoryStart;
  const violations = new Map();
  const inFlight = new Map(); // iteration -> description
  let dead = null;
  let iterations = 0;
  let calls = 0;
  let lastIteration = -1;
  const inFlightCalls = new Map(); // iteration -> call
  const stats = {}; // target -> { ok, idvError, other }
  const tally = (target, outcome) => {
    const t = (stats[target] ??= { ok: 0, idvError: 0, other: 0 });
    t[outcome]++;
  };

  const report = (iteration, target, problem, describe) => {
    const sig = signature(target, problem);
    const known = violations.get(sig);
    if (known) {
      known.count++;
      return;
    }
    const entry = { signature: sig, target, problem, seed, iteration, input: describe(), count: 1 };
    violations.set(sig, entry);
    log(`VIOLATION seed=${seed} iteration=${iteration} ${target}: ${problem}\n  input: ${entry.input}\n  reproduce: node tests/fuzz/boundary.fuzz.mjs --seed ${seed} --replay ${iteration}`);
  };

  // No request leaves the machine: a config whose hostile `fetch` field falls back to the global
  // fetch (and whose baseUrl falls back to a provider's production URL) gets this one.
  const realFetch = globalThis.fetch;
  globalThis.fetch = function fuzzNoNetwork(input) {
    // Who called, and how: so that a rejection nobody handled can be traced to its caller.
    const caller = (new Error().stack ?? "").split("\n").slice(2, 12).map((l) => l.trim()).join(" < ");
    let how = "";
    try {
      how = `this: ${this === undefined ? "undefined" : this === globalThis ? "globalThis" : Object.prototype.toString.call(this)}, first argument: ${typeof input === "string" ? JSON.stringify(input.slice(0, 80)) : typeof input}`;
    } catch {
      how = "(undescribable)";
    }
    // Handled already: hostile values may hand this function to the package as a callback
    // (a `toJSON`, a getter's result), and a rejection it ignores there is the caller's own.
    return handledRejection(new TypeError(`fetch failed (the fuzzer disables the network); called during iteration #${lastIteration}; ${how}; called from ${caller}`));
  };
  const onUncaught = (e) => report(lastIteration, "process", `uncaught exception ${describeThrown(e)}`,
    () => `calls in flight: ${[...inFlight.entries()].slice(0, 5).map(([i, d]) => `#${i} ${d}`).join(" | ") || "none"} (last started #${lastIteration})`);
  const onUnhandled = (e) => report(lastIteration, "process", `unhandled rejection ${describeThrown(e)}`,
    () => `calls in flight: ${[...inFlight.entries()].slice(0, 5).map(([i, d]) => `#${i} ${d}`).join(" | ") || "none"} (last started #${lastIteration}); ` +
      `the rejection: ${(() => { try { return String(e?.message ?? e).slice(0, 1500); } catch { return "?"; } })()}`);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);

  const checkModule = (iteration) => {
    let now;
    try {
      now = snapshot();
    } catch (e) {
      now = [describeThrown(e)];
    }
    const mem = memoryBytes();
    memoryPeak = Math.max(memoryPeak, mem);
    const bad = now.findIndex((s, i) => s !== baseline[i]);
    if (bad >= 0 || now.length !== baseline.length) {
      dead = `after iteration ${iteration}, known payload #${bad} (${KNOWN[bad]?.[0]} ${KNOWN[bad]?.[1]}) normalizes differently: ${short(now[bad] ?? "", 200)}`;
      report(iteration, "module", `the known payloads no longer normalize exactly: ${short(now[bad] ?? "", 120)}`, () => `(the ${iteration + 1} iterations so far)`);
    }
    memoryWindow();
    if (unexplained > maxGrowthMb * 1048576) {
      report(iteration, "module", `memoryBytes() grew by more than ${maxGrowthMb} MB while no call with a big input ran (a leak)`,
        () => `${memoryStart} -> ${mem} bytes after ${iteration + 1} iterations (${calls} calls), ${unexplained} bytes of it while no big input was in play`);
    }
  };

  const describeCall = (c) => `${c.target}(${c.descs.map((d) => short(String(d), 300)).join(", ")})`;

  /** The most memory one call may take: --max-jump-mb, more for big inputs (16x their size). */
  const jumpLimit = (c) => Math.max(maxJumpMb * 1048576, 16 * (c.inputBytes ?? 0));
  /** Growth of memory while calls with big inputs (or huge fetch bodies) ran is their high-water mark, not a leak. */
  const isBig = (c) => (c.inputBytes ?? 0) >= 256 * 1024 || Boolean(c.fetches?.big);
  let lastMem = memoryStart;
  let windowBig = false;
  let bigUntil = -1; // a big call's work may go on after it settles (a request it started): 100 iterations of shadow
  let unexplained = 0;
  const memoryWindow = () => {
    const mem = memoryBytes();
    memoryPeak = Math.max(memoryPeak, mem);
    if (mem > lastMem && !windowBig && lastIteration > bigUntil && ![...inFlightCalls.values()].some(isBig)) unexplained += mem - lastMem;
    lastMem = mem;
    windowBig = false;
  };

  /** Runs one sync call and checks it, and the memory it took. */
  const runSync = (iteration, c) => {
    const before = memoryBytes();
    try {
      runSyncChecked(iteration, c);
    } finally {
      const grown = memoryBytes() - before;
      if (grown > jumpLimit(c)) {
        report(iteration, c.target, `one call grew memoryBytes() by more than ${(jumpLimit(c) / 1048576).toFixed(0)} MB`,
          () => `${describeCall(c)}: ${before} -> ${before + grown} bytes (${(grown / 1048576).toFixed(1)} MB)`);
      }
    }
  };
  const runSyncChecked = (iteration, c) => {
    let value;
    try {
      value = c.invoke();
    } catch (e) {
      const idv = e instanceof IdvError && e instanceof Error;
      tally(c.target, idv ? "idvError" : "other");
      if (!idv) report(iteration, c.target, `threw ${describeThrown(e)}`, () => describeCall(c));
      return;
    }
    tally(c.target, "ok");
    let ok = false;
    try {
      ok = c.check(value);
    } catch (e) {
      ok = false;
    }
    if (!ok) report(iteration, c.target, `returned an unexpected value (${typeof value})`, () => describeCall(c));
    try {
      c.after?.(value);
    } catch (e) {
      report(iteration, c.target, `free() of the result threw ${describeThrown(e)}`, () => describeCall(c));
    }
  };

  /** A promise that settles as `p` does, or reports a hang after settleMs. */
  const settled = (iteration, c, label, p, check) => new Promise((resolve) => {
    const timer = setTimeout(() => {
      report(iteration, c.target, `${label}: still pending after ${settleMs} ms`, () => `${describeCall(c)}; fetch answers: ${c.fetches.join(",")}`);
      resolve();
    }, settleMs);
    p.then(
      (v) => {
        clearTimeout(timer);
        tally(c.target, "ok");
        let ok = false;
        try {
          ok = check(v);
        } catch {
          ok = false;
        }
        if (!ok) report(iteration, c.target, `${label}: resolved with an unexpected value`, () => describeCall(c));
        resolve();
      },
      (e) => {
        clearTimeout(timer);
        const idv = e instanceof IdvError && e instanceof Error;
        tally(c.target, idv ? "idvError" : "other");
        if (!idv) report(iteration, c.target, `${label}: rejected with ${describeThrown(e)}`, () => `${describeCall(c)}; fetch answers: ${c.fetches.join(",")}`);
        resolve();
      },
    );
  });

  /** Starts one async call (or iterator sequence); returns a promise that settles when it is checked. */
  const runAsync = (iteration, c) => {
    const expectPromise = (label, thunk) => {
      let p;
      const before = memoryBytes();
      try {
        p = thunk();
      } catch (e) {
        if (!c.anyResult) report(iteration, c.target, `${label}: threw synchronously ${describeThrown(e)}`, () => describeCall(c));
        return null;
      }
      // The arguments are read before the call returns: the memory that took is this call's.
      const grown = memoryBytes() - before;
      if (grown > jumpLimit(c)) {
        report(iteration, c.target, `${label}: reading the arguments grew memoryBytes() by more than ${(jumpLimit(c) / 1048576).toFixed(0)} MB`,
          () => `${describeCall(c)}: ${before} -> ${before + grown} bytes (${(grown / 1048576).toFixed(1)} MB)`);
      }
      if (!(p instanceof Promise)) {
        if (!c.anyResult) report(iteration, c.target, `${label}: returned ${typeof p}, not a promise`, () => describeCall(c));
        return null;
      }
      return p;
    };
    if (c.kind === "iterator") {
      let it;
      try {
        it = c.client.sessions(...c.args);
      } catch (e) {
        report(iteration, c.target, `sessions() threw ${describeThrown(e)}`, () => describeCall(c));
        return Promise.resolve();
      }
      if (!it || typeof it.next !== "function") {
        report(iteration, c.target, "sessions() returned no iterator", () => describeCall(c));
        return Promise.resolve();
      }
      const step = (op, k) => {
        const p = expectPromise(`${op}() #${k}`, () => it[op]());
        return p ? settled(iteration, c, `${op}() #${k}`, p, (r) => r && typeof r.done === "boolean" && (r.done || typeof r.value?.key === "string")) : Promise.resolve();
      };
      const done = c.concurrent
        ? Promise.all(c.ops.map(step))
        : c.ops.reduce((prev, op, k) => prev.then(() => step(op, k)), Promise.resolve());
      return done.then(() => step("return", c.ops.length));
    }
    const p = expectPromise("the call", c.invoke);
    if (!p) return Promise.resolve();
    if (c.anyResult) return settled(iteration, c, "the call", p.then(() => {}, () => {}), () => true);
    const done = settled(iteration, c, "the call", p, c.check);
    if (replay === null && !verbose) return done;
    return done.then(() => log(`#${iteration} settled; fetch answers: ${c.fetches.join(" | ") || "none"}; memoryBytes ${memoryBytes()}`));
  };

  const started = Date.now();
  const deadline = started + seconds * 1000;
  const pending = new Set();
  const first = replay ?? 0;
  const last = replay ?? Infinity;
  log(`boundary fuzz: seed ${seed}, ${replay !== null ? `replaying iteration ${replay}` : `${seconds} s`}, memoryBytes ${memoryStart}`);

  for (let iteration = first; iteration <= last && Date.now() < deadline && !dead; iteration++) {
    const rng = new Rng(mix(seed, iteration));
    let c;
    try {
      c = buildCall(rng, { withFree });
    } catch (e) {
      report(iteration, "fuzzer", `building the call threw ${describeThrown(e)}`, () => `(a fuzzer bug) ${String(e?.stack ?? "").split("\n").slice(1, 4).join(" ")}`);
      continue;
    }
    if (verbose || replay !== null) log(`#${iteration} ${describeCall(c)}`);
    lastIteration = iteration;
    iterations++;
    calls++;
    memoryWindow();
    windowBig = isBig(c);
    if (windowBig) bigUntil = iteration + 100;
    if (c.kind === SYNC) runSync(iteration, c);
    else {
      inFlight.set(iteration, describeCall(c).slice(0, 300));
      inFlightCalls.set(iteration, c);
      const p = runAsync(iteration, c).finally(() => {
        inFlight.delete(iteration);
        inFlightCalls.delete(iteration);
        pending.delete(p);
      });
      pending.add(p);
      if (pending.size >= maxInFlight) await Promise.race(pending);
    }
    if (iteration % checkEvery === checkEvery - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      checkModule(iteration);
    }
    if (stopOnFirst && violations.size) break;
    if (iteration % 64 === 63) await new Promise((resolve) => setImmediate(resolve)); // let timers and I/O run
  }
  const drainStarted = Date.now();
  await Promise.all(pending);
  const drainMs = Date.now() - drainStarted;
  await new Promise((resolve) => setTimeout(resolve, 20)); // late unhandled rejections
  checkModule(lastIteration);
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
  globalThis.fetch = realFetch;

  const result = {
    seed,
    seconds: (Date.now() - started) / 1000,
    iterations,
    drainMs,
    memory: { start: memoryStart, peak: memoryPeak, end: memoryBytes(), unexplained },
    dead,
    stats,
    violations: [...violations.values()],
  };
  log(`boundary fuzz: seed ${seed}, ${iterations} iterations in ${result.seconds.toFixed(1)} s (last calls drained in ${drainMs} ms), ` +
    `memoryBytes ${memoryStart} -> peak ${memoryPeak} -> ${result.memory.end} (${unexplained} bytes of the growth while no big input was in play), ` +
    `${result.violations.length} distinct violation(s)` +
    `\n  outcomes (value / IdvError / other): ${Object.entries(stats).map(([t, o]) => `${t} ${o.ok}/${o.idvError}/${o.other}`).join(", ")}` +
    (result.violations.length ? `\n${result.violations.map((v) => `  ${v.count}× ${v.signature} (first: iteration ${v.iteration})`).join("\n")}` : ""));
  return result;
}

// ---- CLI and node:test entry ----

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--seconds") o.seconds = Number(value());
    else if (a === "--seed") o.seed = Number(value()) >>> 0;
    else if (a === "--replay") o.replay = Number(value());
    else if (a === "--check-every") o.checkEvery = Number(value());
    else if (a === "--max-growth-mb") o.maxGrowthMb = Number(value());
    else if (a === "--max-jump-mb") o.maxJumpMb = Number(value());
    else if (a === "--settle-ms") o.settleMs = Number(value());
    else if (a === "--stop-on-first") o.stopOnFirst = true;
    else if (a === "--with-free") o.withFree = true;
    else if (a === "--verbose") o.verbose = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && process.env.NODE_TEST_CONTEXT) {
  // `node --test tests/fuzz/boundary.fuzz.mjs`: one short run as a test.
  const { test } = await import("node:test");
  test(`boundary fuzz (${process.env.IDV_FUZZ_SECONDS ?? 5} s)`, async () => {
    const result = await run({ seconds: Number(process.env.IDV_FUZZ_SECONDS ?? 5), ...(process.env.IDV_FUZZ_SEED ? { seed: Number(process.env.IDV_FUZZ_SEED) } : {}) });
    if (result.violations.length) {
      throw new Error(`seed ${result.seed}: ${result.violations.length} violation(s):\n${result.violations.map((v) => `#${v.iteration} ${v.target}: ${v.problem}\n  ${v.input}`).join("\n")}`);
    }
  });
} else if (isMain) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  // A watchdog: a call that blocks the event loop or a fuzzer that never drains still ends.
  const limit = ((options.seconds ?? 5) + (options.settleMs ?? 15_000) / 1000 + 30) * 1000;
  setTimeout(() => {
    console.log(`boundary fuzz: seed ${options.seed ?? "(random)"}: still running ${limit / 1000} s after the start: a call never settled or the package blocked (a violation)`);
    process.exit(1);
  }, limit).unref();
  const result = await run(options);
  // Exit now: a hostile call may have left something behind (a finding of its own only if the
  // package's calls did; the fuzzer's own never-settling promises hold no handle).
  process.exit(result.violations.length ? 1 : 0);
}
