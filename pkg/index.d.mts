// Types of the ES-module entries (index.mjs, node.mjs, browser.mjs); index.d.ts
// has those of the CommonJS entry. Both are the generated declarations: the
// exports and crates/wasm/src/types.rs. An export written in JavaScript (not generated)
// needs a line in both files.
export * from "./idv_sessions.js";
