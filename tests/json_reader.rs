//! The crate's JSON reader against serde_json: the same values from the same
//! text, the same texts refused (one documented difference: an escaped lone
//! surrogate is U+FFFD, as `JSON.parse` and then `TextEncoder` make it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::json::{is_json, parse, parse_pruned, stream_rows, Json, MAX_DEPTH};
use proptest::prelude::*;
use serde_json::Value;

/// `Json` holds integers as `i64`; beyond that, floats (as it always has).
fn as_json_holds_it(value: &Value) -> Value {
    Json::from_value(value).to_value()
}

fn same_as_serde(text: &str) {
    let ours = parse(text).map(|j| j.to_value());
    let theirs = serde_json::from_str::<Value>(text).map(|v| as_json_holds_it(&v));
    // The check that builds nothing checks what serde_json's `IgnoredAny`
    // checks: grammar, so a number beyond f64 (`1e400`) passes it.
    let ignored = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    assert_eq!(is_json(text), ignored, "{text:?}");
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

#[test]
fn values_and_refusals_match_serde_json() {
    let cases = [
        // Values.
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "12345678901234567890",
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "1.5",
        "-1.5e10",
        "1E5",
        "1e-5",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "0.1",
        "123456789012345678901234567890.123",
        "5e-324",
        "1e-400",
        r#""""#,
        r#""plain""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\u65e5\uD83D\uDE00""#,
        "\"é日😀\"",
        "[]",
        "{}",
        " [ 1 , 2 ] ",
        r#"{"a":1,"a":2}"#,
        r#"{"a":{"b":[{"c":null}]}}"#,
        "\u{feff}1",
        "\t\r\n 1 \t\r\n",
        // Refusals.
        "",
        " ",
        "nul",
        "tru",
        "falsy",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "0x10",
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\"}",
        "{\"a\" 1}",
        "{a:1}",
        "{1:1}",
        "[1 2]",
        "[",
        "]",
        "{",
        "}",
        "[1",
        "{\"a\":1",
        "\"abc",
        "\"a\\",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"a\u{1}b\"",
        "\"a\nb\"",
        "'a'",
        "1 2",
        "[1]x",
        "{}{}",
        "nulll",
        "truex",
        "[-]",
        "[--1]",
        "[1.e5]",
        "[00]",
    ];
    for text in cases {
        same_as_serde(text);
    }
}

#[test]
fn an_escaped_lone_surrogate_is_a_replacement_character() {
    for (text, want) in [
        (r#""\ud800""#, "\u{fffd}"),
        (r#""\udc00x""#, "\u{fffd}x"),
        (r#""a\ud83d""#, "a\u{fffd}"),
        (r#""\ud83d\u0041""#, "\u{fffd}A"),
        (r#""\ud83d\ud83d\ude00""#, "\u{fffd}😀"),
    ] {
        assert_eq!(parse(text).unwrap().as_str(), Some(want), "{text}");
    }
    // Still four hex digits after the first half.
    assert!(parse(r#""\ud83d\u12""#).is_err());
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error() {
    let depth = MAX_DEPTH as usize;
    let ok = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(depth + 1), "]".repeat(depth + 1));
    let e = parse(&deep).unwrap_err();
    assert_eq!(e.problem(), "recursion limit exceeded");
    // Skipped values count too.
    let skipped = format!(
        "{{\"x\":{}{}}}",
        "[".repeat(depth + 1),
        "]".repeat(depth + 1)
    );
    assert!(parse_pruned(&skipped, None, |_| false).is_err());
    assert!(parse(&"{\"a\":".repeat(100_000)).is_err());
}

#[test]
fn errors_say_where() {
    let e = parse("{\n  \"a\": tru\n}").unwrap_err();
    assert_eq!(e.to_string(), "expected value at line 2 column 8");
    assert_eq!(
        parse("[1,2").unwrap_err().problem(),
        "EOF while parsing a value"
    );
    assert_eq!(parse("[1] x").unwrap_err().problem(), "trailing characters");
}

#[test]
fn strings_without_escapes_borrow_from_the_text() {
    let text = r#"{"plain":"abcdefghijklmnopqrstuvwxyz","esc":"a\tb"}"#;
    let json = parse(text).unwrap();
    let Json::Object(pairs) = &json else { panic!() };
    assert!(pairs
        .iter()
        .all(|(k, _)| matches!(k, std::borrow::Cow::Borrowed(_))));
    assert!(matches!(
        json.get("plain"),
        Some(Json::Str(std::borrow::Cow::Borrowed(_)))
    ));
    assert!(matches!(
        json.get("esc"),
        Some(Json::Str(std::borrow::Cow::Owned(_)))
    ));
}

#[test]
fn pruning_skips_unread_fields_but_still_checks_them() {
    let keep = |k: &str| k == "id" || k == "status";
    let body =
        r#"{"data":[{"id":"a","big":{"x":[1,2,{"y":"\u00e9"}]},"status":"ok"},7],"has_more":true}"#;
    let json = parse_pruned(body, Some("data"), keep).unwrap();
    let rows = json.get("data").unwrap();
    assert_eq!(
        rows.to_value(),
        serde_json::json!([{"id": "a", "status": "ok"}, 7])
    );
    assert_eq!(json.get("has_more"), Some(&Json::Bool(true)));
    // A single session at the top is pruned too; other list fields are not.
    let one = parse_pruned(r#"{"id":"a","skip":[1]}"#, None, keep).unwrap();
    assert_eq!(one.to_value(), serde_json::json!({"id": "a"}));
    // Broken JSON inside a skipped field is still broken JSON.
    for bad in [
        r#"{"data":[{"id":"a","big":[1,]}]}"#,
        r#"{"data":[{"id":"a","big":"\q"}]}"#,
        r#"{"data":[{"id":"a","big":01}]}"#,
        r#"{"data":[{"id":"a","big":"a"#,
        r#"{"data":[{"id":"a","big":{"k" 1}}]}"#,
        r#"{"data":[{"id":"a","big":nul}]}"#,
    ] {
        assert!(parse_pruned(bad, Some("data"), keep).is_err(), "{bad}");
    }
}

#[test]
fn streaming_hands_out_rows_and_stops_when_told() {
    let body = r#"{"results":[{"id":"a","x":1},{"id":"b"},{"id":"c"}],"count":3}"#;
    let mut seen = Vec::new();
    let rest = stream_rows(
        body,
        Some("results"),
        |k| k == "id",
        |i, row| {
            seen.push((i, row.get("id").and_then(Json::as_str).unwrap().to_owned()));
            true
        },
    )
    .unwrap();
    assert_eq!(seen, [(0, "a".into()), (1, "b".into()), (2, "c".into())]);
    assert_eq!(
        rest.to_value(),
        serde_json::json!({"results": [], "count": 3})
    );
    let mut n = 0;
    let e = stream_rows(
        body,
        Some("results"),
        |_| true,
        |_, _| {
            n += 1;
            n < 2
        },
    )
    .unwrap_err();
    assert_eq!(e.problem(), idv_sessions::json::STOPPED);
    assert_eq!(n, 2);
    let twice = r#"{"results":[],"results":[]}"#;
    assert!(stream_rows(twice, Some("results"), |_| true, |_, _| true).is_err());
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        "[\"\\\\\\x00-\\x1f a]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,6}", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_value_reads_back_as_serde_json_reads_it(value in arb_json(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        prop_assert_eq!(parse(&text).unwrap().to_value(), as_json_holds_it(&value));
    }

    #[test]
    fn damaged_text_is_refused_exactly_when_serde_json_refuses_it(
        value in arb_json(),
        cut in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"{}[]\",:\\ -.0e1tnf\n".to_vec()),
        how in 0..3u8,
    ) {
        let mut text = serde_json::to_string(&value).unwrap().into_bytes();
        let at = cut.index(text.len() + 1);
        match how {
            0 => text.truncate(at),
            1 => text.insert(at, byte),
            _ => if at < text.len() { text[at] = byte },
        }
        let Ok(text) = String::from_utf8(text) else { return Ok(()) };
        // Escaped lone surrogates are the one documented difference.
        if text.contains("\\u") {
            return Ok(());
        }
        same_as_serde(&text);
    }
}
