// Browsers, workers and bundlers: fetches and instantiates the wasm module
// once, with top-level await, so importers need no init call.
import init from "./web/idv_sessions.js";

await init({ module_or_path: new URL("./web/idv_sessions_bg.wasm", import.meta.url) });

export { normalizeSession, normalizeList, mapStatus, isIdvError } from "./web/idv_sessions.js";
