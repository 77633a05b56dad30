// Peak wasm memory of one call, in a fresh process (wasm memory only grows, so
// a fresh module is the only clean start): how much the module's linear memory
// grows while normalizing one list (divided by the input's size), or while
// listing every page of a provider (divided by the listing's size as JSON).
//   node bench/memory-peak.mjs <provider> <text|bytes> <rows>   -> one JSON line
//   node bench/memory-peak.mjs listAll didit <sessions>         -> one JSON line
import { IdvClient, normalizeList, memoryBytes } from "../pkg/index.mjs";
import { listBody } from "./gen.mjs";

const args = process.argv.slice(2);
if (args[0] === "listAll") {
  // Didit's list API answered by an injected fetch from generated rows
  // (?limit=&offset=, {count, next, previous, results}).
  const total = Number(args[2]);
  const { body } = listBody("didit", total);
  const encoder = new TextEncoder();
  let served = total;
  const fetch = async (url) => {
    const u = new URL(url);
    const offset = Number(u.searchParams.get("offset") ?? 0);
    const limit = Number(u.searchParams.get("limit") ?? 50);
    const end = Math.min(served, offset + limit);
    const next = end < served ? `https://verification.didit.me/v2/sessions/?limit=${limit}&offset=${end}` : null;
    const page = { count: served, next, previous: null, results: body.results.slice(offset, end) };
    return new Response(encoder.encode(JSON.stringify(page)), { status: 200, headers: { "content-type": "application/json" } });
  };
  const client = new IdvClient({ didit: { apiKey: "bench-key-0123456789", baseUrl: "http://didit.invalid" }, fetch, rateLimitScale: 1000 });
  served = 10; // warm up with a short listing (the module's first allocations)
  await client.listAll("didit", {});
  served = total;
  const before = memoryBytes();
  const list = await client.listAll("didit", {});
  const after = memoryBytes();
  const listingBytes = Buffer.byteLength(JSON.stringify(list));
  console.log(JSON.stringify({ call: "listAll", provider: "didit", sessions: list.length, listingBytes, before, after }));
} else {
  const [provider, form, rows] = args;
  const { body, options } = listBody(provider, Number(rows));
  const text = JSON.stringify(body);
  const input = form === "bytes" ? new TextEncoder().encode(text) : text;
  const inputBytes = Buffer.byteLength(text);
  const before = memoryBytes();
  const sessions = normalizeList(provider, input, options).length;
  const after = memoryBytes();
  console.log(JSON.stringify({ provider, form, rows: Number(rows), sessions, inputBytes, before, after }));
}
