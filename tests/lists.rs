//! Lists that exist in Rust and again in JS, TypeScript or the README: each
//! copy is compared with the Rust table, so adding a code or a status in one
//! place and forgetting another fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::{CheckKind, CheckStatus, ErrorCode, Provider, SessionStatus};

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
        &read("crates/wasm/src/idv_error.js"),
        "const CODES = new Set([",
        "]);",
    );
    assert_eq!(js, rust_codes());
}

/// The names of a Rust table, in its order.
fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|&x| name(x).to_string()).collect()
}

fn statuses() -> Vec<String> {
    names(&SessionStatus::ALL, SessionStatus::as_str)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The keys of the JS object literal after `start` (`key: value,` lines).
fn object_keys(text: &str, start: &str) -> Vec<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let body = &text[from..from + text[from..].find("};").expect("no }; after it")];
    body.lines()
        .filter_map(|l| l.trim().split_once(':'))
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.starts_with("//"))
        .collect()
}

#[test]
fn the_typescript_unions_are_the_rust_lists() {
    let ts = read("crates/wasm/src/types.d.ts");
    let union = |name: &str| quoted_between(&ts, &format!("export type {name} ="), ";");
    assert_eq!(union("IdvErrorCode"), rust_codes());
    assert_eq!(union("SessionStatus"), statuses());
    assert_eq!(
        union("CheckKind"),
        names(&CheckKind::ALL, CheckKind::as_str)
    );
    assert_eq!(
        union("CheckStatus"),
        names(&CheckStatus::ALL, CheckStatus::as_str)
    );
    assert_eq!(union("Provider"), names(&Provider::ALL, Provider::as_str));
}

#[test]
fn the_dashboard_and_the_command_line_know_every_status_and_check_kind() {
    let ui = read("www/ui.js");
    assert_eq!(
        quoted_between(&ui, "export const PROVIDERS = [", "];"),
        names(&Provider::ALL, Provider::as_str)
    );
    // The dashboard orders statuses as a compliance team reads them.
    assert_eq!(
        sorted(quoted_between(&ui, "export const STATUSES = [", "];")),
        sorted(statuses())
    );
    assert_eq!(
        object_keys(&ui, "export const STATUS_LABELS = {"),
        statuses()
    );
    assert_eq!(
        object_keys(&ui, "export const CHECK_KIND_LABELS = {"),
        names(&CheckKind::ALL, CheckKind::as_str)
    );
    let help = read("pkg/cli/help.mjs");
    let from = help.find("export const STATUSES =").expect("help STATUSES");
    let listed: Vec<String> = quoted_between(&help[from..], "=", ";")
        .concat()
        .replace("\\n", "")
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    assert_eq!(listed, statuses());
    assert_eq!(
        sorted(object_keys(
            &read("pkg/cli/output.mjs"),
            "const STATUS_COLOURS = {"
        )),
        sorted(statuses())
    );
}

#[test]
fn the_readme_status_table_has_one_row_per_unified_status() {
    let readme = read("README.md");
    let rows: Vec<String> = readme
        .split("## Status table")
        .nth(1)
        .expect("status table")
        .lines()
        .skip_while(|l| !l.starts_with("| `"))
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('`').nth(1).unwrap_or_default().to_string())
        .collect();
    assert_eq!(rows, statuses());
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
