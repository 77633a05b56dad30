// listAll in bounded wasm memory: each page's sessions go to JS as the page arrives, so wasm
// linear memory (which never shrinks: a Node server keeps its high-water mark for good) grows
// with the pages in flight, not with the listing. Each case runs in a fresh process (a fresh
// module: its memory is this listing's alone), against an injected `fetch` serving Didit pages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runChild } from "../support/child.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const PKG_URL = pathToFileURL(path.resolve(here, "../../pkg/index.mjs")).href;
const ROW = readFileSync(path.resolve(here, "../fixtures/didit-list-row-1.json"), "utf8");
const CONCURRENCY = 4; // the default, written out: the memory bound below counts pages in flight

/** Runs `listAll("didit", query)` over `total` generated sessions in a fresh process; returns
 * the wasm memory growth, the listing's size as JSON, and what the listing holds. */
function listInChild(total, query) {
  const source = `
import { IdvClient, memoryBytes } from ${JSON.stringify(PKG_URL)};
const row = ${ROW};
let total = 10;
let maxPageBytes = 0;
const encoder = new TextEncoder();
// Didit's list: ?limit=&offset=, {count, next, previous, results}; every third session Declined.
const fetch = async (url) => {
  const u = new URL(url);
  const offset = Number(u.searchParams.get("offset") ?? 0);
  const limit = Number(u.searchParams.get("limit") ?? 50);
  const results = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) {
    results.push({ ...row, session_id: "s-" + String(i).padStart(8, "0"), session_number: i, status: i % 3 === 2 ? "Declined" : "Approved" });
  }
  const next = offset + limit < total ? "https://verification.didit.me/v2/sessions/?limit=" + limit + "&offset=" + (offset + limit) : null;
  const body = encoder.encode(JSON.stringify({ count: total, next, previous: null, results }));
  maxPageBytes = Math.max(maxPageBytes, body.length);
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
};
const client = new IdvClient({ didit: { apiKey: "k-0123456789", baseUrl: "http://didit.invalid" }, fetch, rateLimitScale: 1000, maxRetries: 0, concurrency: ${CONCURRENCY} });
// Warm up with a short listing (the module's first allocations), then measure a long one.
await client.listAll("didit", {});
total = ${total};
const before = memoryBytes();
const list = await client.listAll("didit", ${JSON.stringify(query)});
const grown = memoryBytes() - before;
const keys = list.map((s) => s.id);
console.log(JSON.stringify({
  grown,
  maxPageBytes,
  listingBytes: Buffer.byteLength(JSON.stringify(list)),
  length: list.length,
  nulls: list.filter((s) => s === null || s === undefined).length,
  ordered: keys.every((k, i) => i === 0 || keys[i - 1] < k),
  statuses: [...new Set(list.map((s) => s.providerStatus))],
}));
`;
  return runChild(source).then(({ result, why }) => {
    if (!result) throw new Error(`the child died: ${why}`);
    return result;
  });
}

test("listAll of 20,000 sessions grows wasm memory by far less than the listing (pages in flight, not the total)", async (t) => {
  const out = await listInChild(20_000, {});
  assert.equal(out.length, 20_000);
  assert.equal(out.nulls, 0);
  assert.ok(out.ordered, "in the provider's order");
  // Before the sessions went to JS page by page the whole listing stayed in wasm memory (its
  // sessions, then their JSON): growth above the listing's own size (24.8 MB for 16 MB of JSON).
  // What may stay now, with room for the allocator's steps rather than its exact behaviour:
  // - per session, its key and its slot in the de-duplication table: measured 56 bytes a session
  //   (10,000 to 40,000 sessions); allowed 128, for a table that doubles (while it grows, the old
  //   and the new table both live) and another allocator;
  // - the pages in flight, each as its body and what is parsed from it: allowed twice the largest
  //   page's body for each of the `concurrency` pages (the part of the growth that does not grow
  //   with the listing measured 65 to 150 KB).
  // A session's own JSON is about 800 bytes: a build that kept the sessions, or their raw rows,
  // in wasm memory grows by several times the bound.
  const bound = 128 * out.length + 2 * CONCURRENCY * out.maxPageBytes;
  t.diagnostic(`wasm memory grew by ${out.grown} bytes (bound ${bound}); the listing is ${out.listingBytes} bytes of JSON`);
  assert.ok(out.grown <= bound,
    `wasm memory grew by ${out.grown} bytes for ${out.length} sessions (${(out.grown / out.length).toFixed(1)} a session), ` +
    `over ${bound} (128 a session and ${2 * CONCURRENCY} pages of ${out.maxPageBytes} bytes); the listing is ${out.listingBytes} bytes of JSON`);
});

test("listAll with a status filter checked after fetching leaves no hole where a session was filtered out", async () => {
  // With `unknown` among the statuses no server filter can say it, so the client checks each
  // session after fetching: the Declined third is dropped.
  const out = await listInChild(3_000, { status: ["approved", "unknown"] });
  assert.equal(out.length, 2_000);
  assert.equal(out.nulls, 0);
  assert.ok(out.ordered, "in the provider's order");
  assert.deepEqual(out.statuses, ["Approved"]);
});
