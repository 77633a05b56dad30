//! Stripe VerificationSessions to sessions (stripe-node
//! `types/Identity/VerificationSessions.d.ts`): `id, status, last_error{code},
//! client_reference_id, url, created (Unix seconds), type, redaction{status},
//! last_verification_report (an id, or the report when expanded),
//! verified_outputs (when expanded)`.

use super::tables::{CHECK_KINDS, STATUSES};
use crate::error::IdvError;
use crate::json::Json;
use crate::providers::object::Obj;
use crate::providers::table::{lookup_kind, lookup_status};
use crate::session::{Check, CheckStatus, Extra, Person, Provider, Reason, Session};
use crate::time;

/// The fields [`normalize`] reads; the others are skipped while parsing.
pub const FIELDS: &[&str] = &[
    "id",
    "status",
    "last_error",
    "client_reference_id",
    "url",
    "created",
    "type",
    "redaction",
    "last_verification_report",
    "verified_outputs",
];

/// True for a field [`normalize`] reads.
pub fn reads(field: &str) -> bool {
    FIELDS.contains(&field)
}

/// One VerificationSession to a session.
pub(super) fn normalize(obj: &Obj<'_, '_>) -> Result<Session, IdvError> {
    let id = obj.required_str("id")?;
    let provider_status = obj.status_text("status");
    // A `last_error` whose `code` is null is no error.
    let code = obj
        .get("last_error")
        .and_then(|e| obj.child(e))
        .and_then(|e| e.string("code"));
    let status = lookup_status(STATUSES, provider_status, code.as_deref());
    let created_at = match obj.get("created") {
        Some(Json::Int(secs)) => time::from_unix_int(*secs),
        Some(Json::Float(secs)) => time::from_unix_seconds(*secs),
        Some(_) => None,
        None => return Err(obj.field_error("created", "is missing")),
    }
    .ok_or_else(|| obj.field_error("created", "must be Unix seconds"))?;
    let report = obj.get("last_verification_report");
    let (report_id, checks) = match report.and_then(|r| obj.child(r)) {
        Some(expanded) => (expanded.string("id"), report_checks(&expanded)),
        None => (
            report
                .and_then(Json::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            Vec::new(),
        ),
    };
    let client_reference_id = obj.string("client_reference_id");
    let extra = Extra {
        session_type: obj.string("type"),
        client_reference_id: client_reference_id.clone(),
        redaction_status: obj
            .get("redaction")
            .and_then(|r| obj.child(r))
            .and_then(|r| r.string("status")),
        last_verification_report: report_id,
        ..Extra::default()
    };
    let person = obj
        .get("verified_outputs")
        .and_then(|v| obj.child(v))
        .map(|v| {
            let first = v.string("first_name");
            let last = v.string("last_name");
            Person {
                full_name: match (&first, &last) {
                    (Some(f), Some(l)) => Some(format!("{f} {l}")),
                    _ => None,
                },
                first_name: first,
                last_name: last,
                country: v
                    .get("address")
                    .and_then(|a| v.child(a))
                    .and_then(|a| a.string("country")),
                ..Person::default()
            }
        })
        .filter(|p| !p.is_empty());
    Ok(Session {
        provider: Provider::Stripe,
        id: id.to_owned(),
        key: Provider::Stripe.key(&[id]),
        status,
        provider_status: provider_status.to_owned(),
        provider_result: code,
        is_terminal: status.is_terminal(),
        user_ref: client_reference_id,
        verification_url: obj.string("url"),
        return_url: None,
        created_at,
        updated_at: None,
        checks,
        person,
        extra: (!extra.is_empty()).then_some(extra),
        raw: None,
    })
}

/// The checks of an expanded VerificationReport: each of `document`,
/// `selfie`, `id_number`, `email`, `phone` it has; `verified` approved,
/// `unverified` declined; its `error.code` a reason.
fn report_checks(report: &Obj<'_, '_>) -> Vec<Check> {
    CHECK_KINDS
        .iter()
        .filter_map(|row| {
            let block = report.child(report.get(row.name)?)?;
            let status = block.string("status").unwrap_or_default();
            let error = block.get("error").and_then(|e| block.child(e));
            Some(Check {
                kind: lookup_kind(CHECK_KINDS, row.name),
                status: match status.as_str() {
                    "verified" => CheckStatus::Approved,
                    "unverified" => CheckStatus::Declined,
                    _ => CheckStatus::Unknown,
                },
                provider_type: row.name.to_owned(),
                provider_status: status,
                reasons: error
                    .and_then(|e| {
                        Some(Reason {
                            code: e.string("code")?,
                            detail: e.string("reason"),
                        })
                    })
                    .into_iter()
                    .collect(),
            })
        })
        .collect()
}
