// Times the pure core on a list body file: `cargo run --release --example time_normalize -- didit FILE`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use idv_sessions::{providers, NormalizeOptions, Provider};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let provider = Provider::parse(&args[1]).expect("provider");
    let text = std::fs::read_to_string(&args[2]).expect("file");
    for _ in 0..3 {
        let t = Instant::now();
        let json =
            providers::parse_payload(provider, &text, true, &NormalizeOptions::default()).unwrap();
        let parsed = t.elapsed();
        let sessions = idv_sessions::providers::normalize_list_json(
            provider,
            &json,
            &NormalizeOptions::default(),
        )
        .unwrap();
        let mapped = t.elapsed();
        let mut out = String::with_capacity(text.len() * 3 / 2);
        idv_sessions::session_json::write_sessions(&mut out, &sessions);
        let total = t.elapsed();
        println!(
            "parse {parsed:?} map {:?} serialize {:?} ({} sessions, {} MB out)",
            mapped - parsed,
            total - mapped,
            sessions.len(),
            out.len() / 1_000_000
        );
    }
}
