//! summarize and to_csv: every flag, and the edge cases (no sessions, all
//! unknown, ties in time, quoting and formula injection).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::{
    summarize, to_csv, CheckKind, CheckStatus, Session, SessionStatus, SummaryOptions,
};
use serde_json::json;

/// A session as JS hands it back (the package's own JSON shape).
fn session(
    key: &str,
    provider: &str,
    status: &str,
    created: &str,
    checks: &[(&str, &str)],
) -> Session {
    serde_json::from_value(json!({
        "provider": provider, "id": key, "key": key, "status": status, "providerStatus": status,
        "isTerminal": false, "createdAt": created,
        "checks": checks.iter().map(|(k, s)| json!({"kind": k, "status": s, "providerType": k, "providerStatus": s, "reasons": []})).collect::<Vec<_>>(),
    }))
    .unwrap()
}

const NOW: &str = "2026-06-01T00:00:00Z";
fn at_now() -> SummaryOptions {
    SummaryOptions::at(idv_sessions::time::to_unix_millis(NOW).unwrap())
}

#[test]
fn no_sessions() {
    let s = summarize(&[], &at_now());
    assert_eq!(s.session_count, 0);
    assert_eq!(s.current_status, None);
    assert!(!s.verified);
    assert_eq!(s.last_approved_at, None);
    assert!(s.checks.is_empty());
    assert_eq!(s.counts.len(), SessionStatus::ALL.len());
    assert!(s.counts.values().all(|&n| n == 0));
    assert!(!s.flags.approved_liveness_within_days);
    assert!(!s.flags.newest_declined);
    assert!(!s.flags.session_spike);
    let v = serde_json::to_value(&s).unwrap();
    assert!(v.get("currentStatus").is_none());
    assert_eq!(
        v["byProvider"],
        json!({"mangopay": 0, "equals": 0, "didit": 0, "onfido": 0, "stripe": 0})
    );
}

#[test]
fn current_status_is_the_newest_across_providers_and_checks_take_the_latest_known() {
    let sessions = vec![
        session(
            "mangopay:old",
            "mangopay",
            "approved",
            "2025-01-01T00:00:00Z",
            &[("document", "approved"), ("age", "approved")],
        ),
        session(
            "didit:mid",
            "didit",
            "declined",
            "2026-04-01T00:00:00Z",
            &[("document", "declined"), ("liveness", "approved")],
        ),
        session(
            "equals:new",
            "equals",
            "in_review",
            "2026-05-01T00:00:00Z",
            &[("document", "unknown")],
        ),
    ];
    let s = summarize(&sessions, &at_now());
    assert_eq!(s.current_status, Some(SessionStatus::InReview));
    assert_eq!(s.current_session_key.as_deref(), Some("equals:new"));
    assert!(!s.verified);
    assert_eq!(s.last_approved_at.as_deref(), Some("2025-01-01T00:00:00Z"));
    // The newest known document status is Didit's declined, not Equals' unknown.
    assert_eq!(s.checks[&CheckKind::Document].status, CheckStatus::Declined);
    assert_eq!(s.checks[&CheckKind::Document].session_key, "didit:mid");
    assert_eq!(s.checks[&CheckKind::Age].status, CheckStatus::Approved);
    assert_eq!(s.counts[&SessionStatus::Declined], 1);
    assert_eq!(s.by_provider.values().sum::<usize>(), 3);
    assert!(
        s.flags.approved_liveness_within_days,
        "liveness approved 61 days ago is within 90 days"
    );
    assert!(!s.flags.newest_declined);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["checks"]["document"]["status"], "declined");
    assert_eq!(json["counts"]["resubmission_requested"], 0);
}

#[test]
fn verified_and_each_flag() {
    let approved = session(
        "a",
        "didit",
        "approved",
        "2026-05-20T00:00:00Z",
        &[("liveness", "approved")],
    );
    let s = summarize(std::slice::from_ref(&approved), &at_now());
    assert!(s.verified);
    assert!(s.flags.approved_liveness_within_days);

    // Liveness approved 100 days ago: outside 90 days, inside 120.
    let old = session(
        "a",
        "didit",
        "approved",
        "2026-02-21T00:00:00Z",
        &[("liveness", "approved")],
    );
    assert!(
        !summarize(std::slice::from_ref(&old), &at_now())
            .flags
            .approved_liveness_within_days
    );
    let wide = SummaryOptions {
        liveness_within_days: 120,
        ..at_now()
    };
    assert!(summarize(&[old], &wide).flags.approved_liveness_within_days);
    // A declined liveness does not count.
    let declined = session(
        "b",
        "didit",
        "declined",
        "2026-05-30T00:00:00Z",
        &[("liveness", "declined")],
    );
    assert!(
        !summarize(std::slice::from_ref(&declined), &at_now())
            .flags
            .approved_liveness_within_days
    );

    // Newest declined.
    let s = summarize(&[approved, declined], &at_now());
    assert!(s.flags.newest_declined);
    assert!(!s.verified);

    // Spike: more than 3 sessions in the last 30 days.
    let recent: Vec<Session> = (0..4)
        .map(|i| {
            session(
                &format!("s{i}"),
                "didit",
                "abandoned",
                &format!("2026-05-{:02}T00:00:00Z", 10 + i),
                &[],
            )
        })
        .collect();
    let s = summarize(&recent, &at_now());
    assert_eq!(s.sessions_in_window, 4);
    assert!(s.flags.session_spike);
    assert!(!summarize(&recent[..3], &at_now()).flags.session_spike);
    let tolerant = SummaryOptions {
        spike_threshold: 4,
        ..at_now()
    };
    assert!(!summarize(&recent, &tolerant).flags.session_spike);
    // Sessions after "now" are not in the window.
    let future = session("f", "didit", "approved", "2027-01-01T00:00:00Z", &[]);
    assert_eq!(summarize(&[future], &at_now()).sessions_in_window, 0);
}

#[test]
fn ties_in_time_are_broken_by_key_whatever_the_input_order() {
    let a = session("didit:a", "didit", "approved", "2026-05-01T00:00:00Z", &[]);
    let b = session(
        "mangopay:b",
        "mangopay",
        "declined",
        "2026-05-01T00:00:00.000Z",
        &[],
    );
    let one = summarize(&[a.clone(), b.clone()], &at_now());
    let two = summarize(&[b, a], &at_now());
    assert_eq!(one, two);
    assert_eq!(one.current_session_key.as_deref(), Some("didit:a"));
}

/// Times apart by less than a millisecond (Didit's have microseconds) are
/// not a tie: the newer is current.
#[test]
fn sub_millisecond_times_order_exactly() {
    let a = session(
        "didit:a",
        "didit",
        "declined",
        "2026-05-01T00:00:00.000100Z",
        &[],
    );
    let b = session(
        "didit:b",
        "didit",
        "approved",
        "2026-05-01T00:00:00.000900Z",
        &[],
    );
    for input in [[a.clone(), b.clone()], [b, a]] {
        let s = summarize(&input, &at_now());
        assert_eq!(s.current_session_key.as_deref(), Some("didit:b"));
        assert!(s.verified);
    }
}

#[test]
fn all_unknown() {
    let sessions: Vec<Session> = (0..3)
        .map(|i| {
            session(
                &format!("k{i}"),
                "equals",
                "something_new",
                "2026-01-01T00:00:00Z",
                &[("selfie", "weird")],
            )
        })
        .collect();
    let s = summarize(&sessions, &at_now());
    assert_eq!(s.current_status, Some(SessionStatus::Unknown));
    assert_eq!(s.counts[&SessionStatus::Unknown], 3);
    assert_eq!(s.checks[&CheckKind::Other].status, CheckStatus::Unknown);
    assert!(!s.verified);
}

#[test]
fn csv_header_rows_quoting_and_crlf() {
    let mut s = session(
        "didit:1",
        "didit",
        "approved",
        "2026-01-01T00:00:00Z",
        &[("document", "approved"), ("liveness", "declined")],
    );
    s.user_ref = Some("user, \"quoted\"\nnext line".into());
    s.person = Some(idv_sessions::Person {
        first_name: Some("ALEX".into()),
        last_name: Some("SMITH".into()),
        ..Default::default()
    });
    let csv = to_csv(&[s]);
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "provider,id,key,user_ref,status,provider_status,provider_result,is_terminal,created_at,updated_at,verification_url,return_url,full_name,country,document_type,checks"
    );
    assert!(csv.ends_with("\r\n"));
    assert!(
        csv.contains(",\"user, \"\"quoted\"\"\nnext line\","),
        "{csv}"
    );
    assert!(csv.contains(",ALEX SMITH,"), "{csv}");
    assert!(
        csv.contains(",document:approved liveness:declined\r\n"),
        "{csv}"
    );
    assert_eq!(to_csv(&[]).matches("\r\n").count(), 1, "header only");
}

#[test]
fn csv_cells_cannot_run_as_formulas() {
    for (evil, safe) in [
        (
            "=HYPERLINK(\"http://x\")",
            "\"'=HYPERLINK(\"\"http://x\"\")\"",
        ),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
    ] {
        let mut s = session("k", "didit", "approved", "2026-01-01T00:00:00Z", &[]);
        s.user_ref = Some(evil.into());
        let csv = to_csv(&[s]);
        let row = csv.split("\r\n").nth(1).unwrap();
        assert!(
            row.starts_with(&format!("didit,k,k,{safe},")),
            "{evil:?} -> {row:?}"
        );
    }
}
