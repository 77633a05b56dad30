// Node, CommonJS: the wasm module is compiled synchronously on require; no init call.
"use strict";
const wasm = require("./node/idv_sessions.js");

// `for await (const s of client.sessions(...))`
wasm.SessionStream.prototype[Symbol.asyncIterator] = function () {
  return this;
};

module.exports = wasm;
