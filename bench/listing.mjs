// Benchmark 2: time to list every session of a query through the mock
// providers (50 ms latency per response), against the physical limit.
//   node bench/listing.mjs [--quick] [--out file.json]
//
// Contenders, interleaved in each round: (a) client.listAll (default
// concurrency 4), (b) a sequential loop of client.listSessions following
// `next`, (c) Mangopay only: the official SDK (mangopay4-nodejs-sdk) paging
// IdentityVerifications.getAll with per_page 100. (d) The limit: round trips
// and the documented rate limit (see README.md).
import { createRequire } from "node:module";
import { parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { interleaveAsync, stats, round } from "./lib/measure.mjs";
import { listingSection } from "./lib/report.mjs";
import { IdvClient } from "../pkg/index.mjs";
import { startMockServer, CREDENTIALS } from "../tests/mock/server.mjs";

const require = createRequire(import.meta.url);
const Mangopay = require("mangopay4-nodejs-sdk");

const LATENCY_MS = 50;
const CONCURRENCY = 4; // the client's default
const PAGE_SIZE = { mangopay: 100, equals: 1000, didit: 100, stripe: 100 }; // the client's defaults (each provider's maximum)
const MINUTE = 60_000;
/** Documented limits, as fixed windows (how the mock and the client count). Equals documents none. */
const DOCUMENTED = {
  mangopay: [
    { limit: 2300, ms: 15 * MINUTE },
    { limit: 4500, ms: 30 * MINUTE },
    { limit: 8800, ms: 60 * MINUTE },
    { limit: 105_600, ms: 24 * 60 * MINUTE },
  ],
  equals: [],
  didit: [{ limit: 300, ms: MINUTE }],
  stripe: [{ limit: 25, ms: 1000 }],
};

export const FULL = {
  cases: [
    { sessions: 2000, runs: 3 },
    { sessions: 20_000, runs: 2 },
  ],
  // The rate limit made binding: Didit at 20k sessions (200 pages) with the
  // mock's limit scaled to 30 requests per 2 s window.
  rateLimited: { provider: "didit", sessions: 20_000, rateScale: 0.1, windowScale: 1 / 30, runs: 1 },
};
export const QUICK = {
  cases: [
    { sessions: 500, runs: 2 },
    { sessions: 2000, runs: 1 },
  ],
  rateLimited: { provider: "didit", sessions: 2000, rateScale: 0.02, windowScale: 0.02, runs: 1 },
};

/** The lower bound on listing time (ms) and its parts. */
export function physicalLimit(provider, sessions, { latencyMs = LATENCY_MS, concurrency = CONCURRENCY, rateScale = 1, windowScale = 1 } = {}) {
  const pages = Math.max(1, Math.ceil(sessions / PAGE_SIZE[provider]));
  const token = provider === "mangopay" ? 1 : 0;
  const requests = pages + token;
  // Round trips: the token, the first page (it says how many there are), then
  // the rest `concurrency` at a time.
  const roundTripMs = latencyMs * (token + 1 + Math.ceil((pages - 1) / concurrency));
  // Rate limit, fixed windows opened by the first request: the last request
  // cannot be admitted before its window opens.
  let rateMs = 0;
  let smoothMs = 0;
  for (const w of DOCUMENTED[provider]) {
    const limit = Math.max(1, Math.floor(w.limit * rateScale));
    const windowMs = w.ms * windowScale;
    const windows = Math.ceil(requests / limit);
    rateMs = Math.max(rateMs, latencyMs + (windows - 1) * windowMs);
    // The same limit read as a smooth rate (no bursts): shown, not used.
    smoothMs = Math.max(smoothMs, (requests - 1) * (windowMs / limit) + latencyMs);
  }
  return { pages, requests, roundTripMs, rateMs, smoothRateMs: round(smoothMs), limitMs: Math.max(roundTripMs, rateMs) };
}

function clientConfig(url, extra = {}) {
  return {
    mangopay: { clientId: CREDENTIALS.mangopay.clientId, apiKey: CREDENTIALS.mangopay.apiKey, baseUrl: url },
    equals: { apiKey: CREDENTIALS.equals.apiKey, baseUrl: url },
    didit: { apiKey: CREDENTIALS.didit.apiKey, baseUrl: url },
    stripe: { apiKey: CREDENTIALS.stripe.secretKey, baseUrl: url },
    ...extra,
  };
}

/** A mock with `sessions` per provider, and one Mangopay user holding exactly `sessions`. */
async function mockFor(sessions, extra = {}) {
  const mock = await startMockServer({ seed: 1, sessions, latencyMs: LATENCY_MS, ...extra });
  const person = mock.control
    .people()
    .filter((p) => p.mangopayUserId)
    .sort((a, b) => b.counts.mangopay - a.counts.mangopay)[0];
  const userId = person.mangopayUserId;
  const mine = () => mock.control.sessions("mangopay").sessions.filter((s) => s.userRef === userId).length;
  let missing = sessions - mine();
  while (missing > 0) {
    const n = Math.min(missing, 10_000);
    mock.control.insert("mangopay", n, userId);
    missing -= n;
  }
  const counts = {
    mangopay: mine(),
    equals: mock.control.sessions("equals").count,
    didit: mock.control.sessions("didit").count,
    stripe: mock.control.sessions("stripe").count,
  };
  for (const [p, n] of Object.entries(counts)) {
    if (p !== "mangopay" && n !== sessions) throw new Error(`mock: ${p} has ${n} sessions, wanted ${sessions}`);
  }
  if (counts.mangopay < sessions) throw new Error(`mock: Mangopay user has ${counts.mangopay} sessions, wanted ${sessions}`);
  return { mock, userId, counts };
}

let budgetResets = 0;

/**
 * Restarts the mock's rate-limit counters, keeping latency and scales: the
 * mock restarts them whenever a scale changes, so the scale alternates between
 * two values a billionth apart (the same limits once floored).
 */
function freshBudget(mock, { rateScale = 1, windowScale = 1 } = {}) {
  budgetResets++;
  mock.control.setFaults({ latencyMs: LATENCY_MS, rateScale: rateScale * (1 + 1e-9 * (budgetResets % 2)), windowScale });
}

async function sequential(client, provider, query) {
  let n = 0;
  let q = query;
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await client.listSessions(provider, q);
    n += page.sessions.length;
    if (!page.next) return n;
    q = page.next;
  }
  throw new Error("sequential: too many pages");
}

/** The SDK's own paging: getAll with page/per_page, until `x-number-of-pages`. */
async function sdkListAll(api, userId) {
  api.authorizationExpireTime = 0; // a fresh token per run, like a new IdvClient
  const rows = [];
  let pages = 1;
  for (let page = 1; page <= pages; page++) {
    const res = await api.IdentityVerifications.getAll(userId, {
      parameters: { page, per_page: 100 },
      resolveWithFullResponse: true,
    });
    pages = Number(res.headers["x-number-of-pages"]);
    rows.push(...res.body);
  }
  return rows.length;
}

async function measureCase(mock, userId, provider, sessions, runs, { scales, clientExtra = {}, contenders: only } = {}) {
  const query = provider === "mangopay" ? { userId } : {};
  const expect = (what, n) => {
    if (n !== sessions) throw new Error(`${provider} ${what}: listed ${n} sessions, wanted ${sessions}`);
    return n;
  };
  const contenders = [
    {
      name: "listAll",
      fn: async () => {
        const client = new IdvClient(clientConfig(mock.url, clientExtra));
        try {
          return expect("listAll", (await client.listAll(provider, query)).length);
        } finally {
          client.free();
        }
      },
    },
    {
      name: "sequential",
      fn: async () => {
        const client = new IdvClient(clientConfig(mock.url, clientExtra));
        try {
          return expect("sequential", await sequential(client, provider, query));
        } finally {
          client.free();
        }
      },
    },
  ];
  if (provider === "mangopay") {
    const api = new Mangopay({
      clientId: CREDENTIALS.mangopay.clientId,
      clientApiKey: CREDENTIALS.mangopay.apiKey,
      baseUrl: mock.url,
      errorHandler: () => {},
    });
    contenders.push({ name: "sdk", fn: () => sdkListAll(api, userId).then((n) => expect("SDK", n)) });
  }
  const chosen = only ? contenders.filter((c) => only.includes(c.name)) : contenders;
  const wrapped = chosen.map((c) => ({
    name: c.name,
    fn: async () => {
      freshBudget(mock, scales);
      return c.fn();
    },
  }));
  const times = await interleaveAsync(wrapped, runs, {
    onRun: (name, ms) => log(`listing: ${provider} ${sessions}: ${name} ${Math.round(ms)} ms`),
  });
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
}

export async function run({ quick = false } = {}) {
  const config = quick ? QUICK : FULL;
  const out = { latencyMs: LATENCY_MS, concurrency: CONCURRENCY, pageSize: PAGE_SIZE, cases: [] };
  for (const { sessions, runs } of config.cases) {
    const { mock, userId } = await mockFor(sessions);
    try {
      // Stripe: listAll walks slices of creation time concurrently; "sequential" is the cursor.
      for (const provider of ["mangopay", "equals", "didit", "stripe"]) {
        const times = await measureCase(mock, userId, provider, sessions, runs);
        out.cases.push({ provider, sessions, runs, limit: physicalLimit(provider, sessions), times });
      }
    } finally {
      await mock.close();
    }
  }
  const rl = config.rateLimited;
  if (rl) {
    const scales = { rateScale: rl.rateScale, windowScale: rl.windowScale };
    const { mock, userId } = await mockFor(rl.sessions, scales);
    try {
      // The client's own budget counts documented minute windows and cannot
      // mirror shortened windows: here the mock's 429 + Retry-After pace it.
      const times = await measureCase(mock, userId, rl.provider, rl.sessions, rl.runs, {
        scales,
        clientExtra: { maxRetries: 10 },
        contenders: ["listAll"],
      });
      out.cases.push({
        provider: rl.provider,
        sessions: rl.sessions,
        runs: rl.runs,
        scaled: scales,
        limit: physicalLimit(rl.provider, rl.sessions, scales),
        times,
      });
    } finally {
      await mock.close();
    }
  }
  return out;
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = await run(args);
  if (args.out) writeJson(args.out, result);
  else console.log(listingSection(result).join("\n"));
}
