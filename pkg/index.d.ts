// Types of the CommonJS entry (index.cjs); index.d.mts has those of the ES-module
// entries. Both are the generated declarations: the exports and crates/wasm/src/types.rs.
// An export written in JavaScript (not generated) needs a line in both files.
export * from "./idv_sessions.js";
