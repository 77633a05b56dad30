// Node, CommonJS: the wasm module is compiled synchronously on require; no init call.
"use strict";
module.exports = require("./node/idv_sessions.js");
