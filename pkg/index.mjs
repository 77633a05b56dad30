// Node, ES module: the same instance as require("idv-sessions"), so a process
// that mixes import and require shares one wasm module.
import { createRequire } from "node:module";

const wasm = createRequire(import.meta.url)("./index.cjs");

export const {
  normalizeSession,
  normalizeList,
  mapStatus,
  isIdvError,
  summarize,
  toCsv,
  memoryBytes,
  IdvClient,
  SessionStream,
} = wasm;
