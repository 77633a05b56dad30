//! Onfido workflow runs to sessions (spec `schemas/workflow_runs`): `id,
//! applicant_id, workflow_id, workflow_version_id, status, link{url,
//! completed_redirect_url}, tags, customer_user_id, dashboard_url,
//! created_at, updated_at`; and reports (spec `schemas/reports`) to checks.

use super::tables::{CHECK_KINDS, STATUSES};
use crate::error::IdvError;
use crate::json::Json;
use crate::providers::object::Obj;
use crate::providers::table::{lookup_kind, lookup_status};
use crate::session::{Check, CheckStatus, Extra, Provider, Reason, Session};
use crate::time;
use serde_json::Value;

/// The fields [`normalize`] reads; the others are skipped while parsing.
pub const FIELDS: &[&str] = &[
    "id",
    "status",
    "applicant_id",
    "customer_user_id",
    "workflow_id",
    "workflow_version_id",
    "link",
    "tags",
    "dashboard_url",
    "created_at",
    "updated_at",
];

/// True for a field [`normalize`] reads.
pub fn reads(field: &str) -> bool {
    FIELDS.contains(&field)
}

/// One workflow run to a session.
pub(super) fn normalize(obj: &Obj<'_, '_>) -> Result<Session, IdvError> {
    let id = obj.required_str("id")?;
    let provider_status = obj.status_text("status");
    let status = lookup_status(STATUSES, provider_status, None);
    let created_at = obj.required_iso_time("created_at")?;
    let updated_at = obj.str("updated_at").and_then(time::from_iso);
    let link = obj.get("link").and_then(|l| obj.child(l));
    let applicant_id = obj.string("applicant_id");
    let tags: Vec<String> = obj
        .array("tags")
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().filter(|t| !t.is_empty()).map(str::to_owned))
        .collect();
    // An integer, however written (`3` and `3.0` are the same version).
    let workflow_version_id = match obj.get("workflow_version_id") {
        Some(Json::Int(n)) => Some(*n),
        Some(Json::Float(f)) if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
            Some(*f as i64)
        }
        _ => None,
    };
    let extra = Extra {
        applicant_id: applicant_id.clone(),
        workflow_id: obj.string("workflow_id"),
        workflow_version_id,
        tags,
        dashboard_url: obj.string("dashboard_url"),
        ..Extra::default()
    };
    Ok(Session {
        provider: Provider::Onfido,
        id: id.to_owned(),
        key: Provider::Onfido.key(&[id]),
        status,
        provider_status: provider_status.to_owned(),
        provider_result: None,
        is_terminal: status.is_terminal(),
        user_ref: obj.string("customer_user_id").or(applicant_id),
        verification_url: link.as_ref().and_then(|l| l.string("url")),
        return_url: link
            .as_ref()
            .and_then(|l| l.string("completed_redirect_url")),
        created_at,
        updated_at,
        checks: Vec::new(),
        person: None,
        extra: (!extra.is_empty()).then_some(extra),
        raw: None,
    })
}

/// One report (`GET /reports?check_id=`) to a check: `complete` + `clear`
/// approved; `complete` + `consider` in review, declined when the document
/// `sub_result` is `rejected` or `suspected`; `awaiting_data` and
/// `awaiting_approval` not finished; anything else unknown. Reasons: every
/// part of `breakdown` (nested by `.`) whose `result` is `consider`.
pub fn report_check(report: &Value) -> Check {
    let text = |name: &str| report.get(name).and_then(Value::as_str).unwrap_or_default();
    let (status, result, sub) = (text("status"), text("result"), text("sub_result"));
    let check_status = match (status, result) {
        ("complete", "clear") => CheckStatus::Approved,
        ("complete", "consider") if matches!(sub, "rejected" | "suspected") => {
            CheckStatus::Declined
        }
        ("complete", "consider") => CheckStatus::InReview,
        ("awaiting_data" | "awaiting_approval", _) => CheckStatus::NotFinished,
        _ => CheckStatus::Unknown,
    };
    let mut reasons = Vec::new();
    if let Some(breakdown) = report.get("breakdown") {
        breakdown_reasons(breakdown, "", 0, &mut reasons);
    }
    if matches!(sub, "rejected" | "suspected" | "caution") {
        reasons.insert(
            0,
            Reason {
                code: "sub_result".into(),
                detail: Some(sub.to_owned()),
            },
        );
    }
    Check {
        kind: lookup_kind(CHECK_KINDS, text("name")),
        status: check_status,
        provider_type: text("name").to_owned(),
        provider_status: if result.is_empty() { status } else { result }.to_owned(),
        reasons,
    }
}

/// Breakdown parts flagged `consider`, as dotted paths (nesting bounded).
fn breakdown_reasons(value: &Value, path: &str, depth: usize, out: &mut Vec<Reason>) {
    let Some(parts) = value.as_object() else {
        return;
    };
    if depth > 4 {
        return;
    }
    for (name, part) in parts {
        let at = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        let nested = part.get("breakdown");
        let flagged = part.get("result").and_then(Value::as_str) == Some("consider");
        let before = out.len();
        if let Some(nested) = nested {
            breakdown_reasons(nested, &at, depth + 1, out);
        }
        // The innermost flagged parts say the most; a flagged part with none is itself the reason.
        if flagged && out.len() == before {
            out.push(Reason {
                code: at,
                detail: None,
            });
        }
    }
}

/// At most this many checks are read for one run's `details`: a run makes
/// one or two, and each is a request of its own.
pub const MAX_RUN_CHECKS: usize = 20;

/// The ids of the checks (`GET /checks?applicant_id=`: `{checks: [...]}`)
/// created at or after the run: checks name no run, and none predates its
/// run. Each once, the earliest first, at most [`MAX_RUN_CHECKS`] (the
/// applicant's later runs come after; a hostile answer of thousands of ids
/// must not become thousands of requests).
///
/// # Errors
/// `decode` when the answer is not `{checks: [{id, created_at}]}`.
pub fn run_checks(answer: &Value, run_created_at: &str) -> Result<Vec<String>, IdvError> {
    let checks = answer
        .get("checks")
        .and_then(Value::as_array)
        .ok_or_else(|| IdvError::decode(Provider::Onfido, "onfido: checks: no `checks` array"))?;
    let since = time::to_unix_millis(run_created_at).unwrap_or(i64::MIN);
    // The earliest, kept in order as they come (at most MAX_RUN_CHECKS + 1
    // held: no sort of the whole answer).
    let mut earliest: Vec<(i64, &str)> = Vec::new();
    for check in checks {
        let Some(id) = check.get("id").and_then(Value::as_str) else {
            continue;
        };
        let at = check
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(time::to_unix_millis);
        // A check without a readable date is kept, after the dated ones.
        let at = match at {
            Some(at) if at < since => continue,
            Some(at) => at,
            None => i64::MAX,
        };
        // A repeated id: kept at its earliest time.
        if let Some(seen) = earliest.iter().position(|(_, seen)| *seen == id) {
            if earliest[seen].0 <= at {
                continue;
            }
            earliest.remove(seen);
        }
        let place = earliest.partition_point(|(t, _)| *t <= at);
        earliest.insert(place, (at, id));
        earliest.truncate(MAX_RUN_CHECKS);
    }
    Ok(earliest.into_iter().map(|(_, id)| id.to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_runs_checks_are_those_after_it_each_once_earliest_first_and_few() {
        let answer = json!({ "checks": [
            { "id": "later", "created_at": "2026-01-03T00:00:00Z" },
            { "id": "before", "created_at": "2025-12-31T00:00:00Z" },
            { "id": "first", "created_at": "2026-01-04T00:00:00Z" },
            { "id": "first", "created_at": "2026-01-01T00:00:01Z" },
            { "id": "undated" },
            { "created_at": "2026-01-02T00:00:00Z" },
        ] });
        assert_eq!(
            run_checks(&answer, "2026-01-01T00:00:00Z").unwrap(),
            ["first", "later", "undated"]
        );
        let many: Vec<Value> = (0..5_000)
            .map(|i| json!({ "id": format!("chk_{i:05}"), "created_at": "2026-01-02T00:00:00Z" }))
            .collect();
        let ids = run_checks(&json!({ "checks": many }), "2026-01-01T00:00:00Z").unwrap();
        assert_eq!(ids.len(), MAX_RUN_CHECKS);
        assert_eq!(ids[0], "chk_00000");
        assert!(run_checks(&json!({ "checks": {} }), "").is_err());
    }
}
