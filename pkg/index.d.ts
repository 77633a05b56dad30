// The package's types: the generated declarations (exports and the types in
// src/wasm/types.rs), identical for every entry point.
export * from "./node/idv_sessions.js";
