// Node through a bundler (esbuild --platform=node, webpack, Vite SSR): the
// "module" export condition, which bundlers set and Node itself does not.
// Plain ES module code that a bundler can inline into ESM or CommonJS output;
// it reads idv_sessions_bg.wasm synchronously from beside this file or, once
// bundled, from beside the bundle (README, Bundlers). No init call.
import { readFileSync } from "node:fs";
import { initSync, IdvClient, SessionStream, __idvErrorClass, __harden } from "./idv_sessions.mjs";

// In ESM output import.meta.url is the bundle's URL; esbuild's CommonJS
// output leaves import.meta empty, and there __dirname is the bundle's folder.
const wasmFile = import.meta.url
  ? new URL("./idv_sessions_bg.wasm", import.meta.url)
  : `${__dirname}/idv_sessions_bg.wasm`;
let bytes;
try {
  bytes = readFileSync(wasmFile);
} catch (cause) {
  throw new Error(
    `idv-sessions: cannot read ${wasmFile} (${cause.code ?? cause}). A bundle needs ` +
      `idv_sessions_bg.wasm beside it: copy require.resolve("idv-sessions/wasm") there.`,
    { cause },
  );
}
initSync({ module: bytes });

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
