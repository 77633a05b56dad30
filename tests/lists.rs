//! Lists that exist in Rust and again in JS, TypeScript or the README: each
//! copy is compared with the Rust table, so adding a code or a status in one
//! place and forgetting another fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::ErrorCode;

fn read(path: &str) -> String {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The double-quoted strings between `start` and the first `end` after it.
fn quoted_between(text: &str, start: &str, end: &str) -> Vec<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("no {end} after {start}"));
    text[from..to]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn rust_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

#[test]
fn the_js_error_class_knows_every_rust_error_code() {
    // idv_error.js turns a code it does not know into `config`.
    let js = quoted_between(
        &read("src/wasm/idv_error.js"),
        "const CODES = new Set([",
        "]);",
    );
    assert_eq!(js, rust_codes());
}

#[test]
fn the_typescript_error_code_union_is_the_rust_list() {
    let ts = quoted_between(
        &read("src/wasm/types.rs"),
        "export type IdvErrorCode =",
        ";",
    );
    assert_eq!(ts, rust_codes());
}

#[test]
fn the_readme_names_every_error_code_and_the_node_floor() {
    let readme = read("README.md");
    for code in rust_codes() {
        assert!(
            readme.contains(&format!("`{code}`")),
            "README lacks `{code}`"
        );
    }
    let package = read("pkg/package.json");
    let engines = quoted_between(&package, "\"engines\": {", "}");
    let floor = engines[1].trim_start_matches(">=");
    assert!(
        readme.contains(&format!("Node ≥ {floor}")),
        "README's Node floor is not {floor}"
    );
}
