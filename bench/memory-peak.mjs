// Peak wasm memory of one normalizeList call, in a fresh process (wasm memory
// only grows, so a fresh module is the only clean start): how much the module's
// linear memory grows while normalizing one list, divided by the input's size.
//   node bench/memory-peak.mjs <provider> <text|bytes> <rows>   -> one JSON line
import { normalizeList, memoryBytes } from "../pkg/index.mjs";
import { listBody } from "./gen.mjs";

const [provider, form, rows] = process.argv.slice(2);
const { body, options } = listBody(provider, Number(rows));
const text = JSON.stringify(body);
const input = form === "bytes" ? new TextEncoder().encode(text) : text;
const inputBytes = Buffer.byteLength(text);
const before = memoryBytes();
const sessions = normalizeList(provider, input, options).length;
const after = memoryBytes();
console.log(JSON.stringify({ provider, form, rows: Number(rows), sessions, inputBytes, before, after }));
