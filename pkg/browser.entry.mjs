// The source of browser.mjs (scripts/build-pkg.sh bundles it with the ES-module
// glue and its JS snippets into that one file: a page loads one module, then
// the .wasm, instead of a chain of three modules; about 15-20 ms less from
// `import` to the first result in Chromium, bench/startup.mjs).
//
// Browsers, workers and bundlers: fetches and instantiates
// idv_sessions_bg.wasm (beside this file, or beside the bundle) once, with
// top-level await, so importers need no init call. Bundlers that follow
// `new URL("...", import.meta.url)` (Vite, webpack) emit the .wasm themselves;
// with esbuild, copy it beside the bundle (README, Bundlers).
import init, { IdvClient, SessionStream, __idvErrorClass, __harden } from "./idv_sessions.mjs";

await init({ module_or_path: new URL("./idv_sessions_bg.wasm", import.meta.url) });

// A freed client, or a method called on something else, gives an IdvError;
// `for await (const s of client.sessions(...))` works (crates/wasm/src/guarded.js).
__harden(IdvClient, SessionStream);

// The public exports, one per line, the same in every entry.
export const IdvError = __idvErrorClass();
export {
  normalizeSession,
  normalizeList,
  mapStatus,
  isIdvError,
  parseWebhook,
  signWebhook,
  summarize,
  toCsv,
  memoryBytes,
  IdvClient,
  SessionStream,
} from "./idv_sessions.mjs";
