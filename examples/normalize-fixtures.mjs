// Normalizes the providers' documented example payloads with the built package
// and prints them as one table: the same sessions, one shape, one status.
import { readFileSync } from "node:fs";
import { normalizeList, normalizeSession } from "../pkg/index.mjs";

const fixture = (name) => readFileSync(new URL(`../tests/fixtures/${name}`, import.meta.url), "utf8");

const sessions = [
  ...normalizeList("mangopay", fixture("mangopay-list-1.json"), { userId: "user_m_01JTG7NDTE52MZCCF50QHJ870A" }),
  normalizeSession("mangopay", fixture("mangopay-view-business-review-1.json")),
  ...normalizeList("equals", fixture("equals-list-1.json")),
  ...normalizeList("equals", fixture("equals-list-constructed-1.json")),
  normalizeSession("didit", fixture("didit-list-row-1.json")),
  normalizeSession("didit", fixture("didit-decision-constructed-1.json")),
  ...normalizeList("didit", fixture("didit-list-constructed-1.json")),
].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

console.table(sessions.map((s) => ({
  provider: s.provider,
  user: s.userRef ?? "",
  status: s.status,
  "provider status": s.providerResult ? `${s.providerStatus} + ${s.providerResult}` : s.providerStatus,
  created: s.createdAt,
  checks: s.checks.map((c) => `${c.kind}:${c.status}`).join(" "),
})));
