// Benchmark 6: how long a forged webhook holds the event loop. parseWebhook is
// synchronous, so the time to reject an unsigned body is time a Node server
// serves no one. Didit bodies of 1 MB and 10 MB (unique keys in `metadata`,
// the shape that was quadratic) with a wrong signature under each scheme the
// verifier may have to try: X-Signature alone (checked over the raw bytes, no
// parse), X-Signature-V2 (the canonical form needs the parse), and all three.
// Baselines measured in the same run: Node's own HMAC-SHA256 of the same bytes
// (the least any verifier does) and JSON.parse of the same text.
//   node bench/webhooks.mjs [--quick] [--out file.json]
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs, isMain, writeJson, log } from "./lib/cli.mjs";
import { interleave, median, round } from "./lib/measure.mjs";
import { webhooksSection } from "./lib/report.mjs";
import { parseWebhook } from "../pkg/index.mjs";

const SECRET = "bench-webhook-secret";
const WRONG = "0".repeat(64);

/** A Didit `status.updated` body of about `mb` MB: `metadata` with unique keys. */
export function forgedBody(mb, nowS) {
  const keys = [];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const pair = `"k${i.toString(36).padStart(7, "0")}":${i}`;
    keys.push(pair);
    size += pair.length + 1;
  }
  return `{"metadata":{${keys.join(",")}},"session_id":"11111111-2222-4333-8444-555555555555","status":"Approved","timestamp":${nowS},"webhook_type":"status.updated"}`;
}

export function run({ quick = false } = {}) {
  const nowMs = Date.now();
  const sizes = quick ? [1] : [1, 10];
  const runs = quick ? 3 : 7;
  const cases = [];
  for (const mb of sizes) {
    const text = forgedBody(mb, Math.floor(nowMs / 1000));
    const body = new TextEncoder().encode(text);
    const attempt = (headers) => () => {
      try {
        parseWebhook("didit", { body, headers, secret: SECRET, now: nowMs });
      } catch (e) {
        if (e.code !== "signature") throw new Error(`expected a signature error, got ${e.code}: ${e.message}`);
        return "rejected";
      }
      throw new Error("a forged body was accepted");
    };
    log(`webhooks: ${(body.length / 1e6).toFixed(2)} MB forged Didit body, ${runs} runs each`);
    const times = interleave(
      [
        { name: "X-Signature", fn: attempt({ "x-signature": WRONG }) },
        { name: "X-Signature-V2", fn: attempt({ "x-signature-v2": WRONG }) },
        { name: "all three", fn: attempt({ "x-signature": WRONG, "x-signature-v2": WRONG, "x-signature-simple": WRONG }) },
        { name: "node:crypto HMAC", fn: () => createHmac("sha256", SECRET).update(body).digest("hex") },
        { name: "JSON.parse", fn: () => Object.keys(JSON.parse(text).metadata) },
      ],
      runs,
    );
    cases.push({
      mb: round(body.length / 1e6),
      keys: Object.keys(JSON.parse(text).metadata).length,
      times: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { median: round(median(v)), all: v.map((x) => round(x)) }])),
    });
  }
  return { cases };
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  const result = run({ quick: args.quick });
  if (args.out) writeJson(args.out, result);
  console.log(webhooksSection(result).join("\n"));
}

export const file = fileURLToPath(import.meta.url);
