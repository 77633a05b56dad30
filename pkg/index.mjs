// Node, ES module (`import`): the exports of index.cjs, so a process that
// mixes import and require shares one wasm instance. Bundlers take node.mjs
// (Node) or browser.mjs instead.
import cjs from "./index.cjs";

// The public exports, one per line, the same in every entry.
export const {
  normalizeSession,
  normalizeList,
  mapStatus,
  isIdvError,
  IdvError,
  parseWebhook,
  signWebhook,
  summarize,
  toCsv,
  memoryBytes,
  IdvClient,
  SessionStream,
} = cjs;
