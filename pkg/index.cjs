// Node, CommonJS (`require`): the wasm-bindgen Node glue compiles
// idv_sessions_bg.wasm (beside this file) synchronously on require; no init
// call. index.mjs re-exports this module: import and require share one instance.
"use strict";
const wasm = require("./idv_sessions.cjs");

// A freed client, or a method called on something else, gives an IdvError;
// `for await (const s of client.sessions(...))` works (crates/wasm/src/guarded.js).
wasm.__harden(wasm.IdvClient, wasm.SessionStream);

// The public exports, one per line, the same in every entry (index.mjs,
// node.mjs, browser.mjs; tests/node/exports.test.mjs compares them).
exports.normalizeSession = wasm.normalizeSession;
exports.normalizeList = wasm.normalizeList;
exports.mapStatus = wasm.mapStatus;
exports.isIdvError = wasm.isIdvError;
exports.IdvError = wasm.__idvErrorClass();
exports.parseWebhook = wasm.parseWebhook;
exports.signWebhook = wasm.signWebhook;
exports.summarize = wasm.summarize;
exports.toCsv = wasm.toCsv;
exports.memoryBytes = wasm.memoryBytes;
exports.IdvClient = wasm.IdvClient;
exports.SessionStream = wasm.SessionStream;
