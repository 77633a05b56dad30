//! The TypeScript types of the package: `types.d.ts` beside this file,
//! appended verbatim to the generated `.d.ts`. They mirror the serde shapes
//! of `idv_sessions::session` and `idv_sessions::error`; `tests/lists.rs` compares every
//! union with the Rust tables, the Node tests check real values against
//! them, and CI type-checks a consumer.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
