// Browsers, workers and bundlers: fetches and instantiates the wasm module
// once, with top-level await, so importers need no init call.
import init, { SessionStream } from "./web/idv_sessions.js";

await init({ module_or_path: new URL("./web/idv_sessions_bg.wasm", import.meta.url) });

// `for await (const s of client.sessions(...))`
SessionStream.prototype[Symbol.asyncIterator] = function () {
  return this;
};

export {
  normalizeSession,
  normalizeList,
  mapStatus,
  isIdvError,
  summarize,
  toCsv,
  memoryBytes,
  IdvClient,
  SessionStream,
} from "./web/idv_sessions.js";
