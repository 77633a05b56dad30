//! Equals Money Guided ID sessions (Onboarding API v2): status table and parser.
//!
//! Payload: rows of `GET /v2/applications/identity-verification-sessions`
//! (`id, applicationId, associatedPersonId, correlationId, actionUrl, status,
//! result?, createdAt, updatedAt`). `result` is present only when `status` is
//! `completed`. One session id can appear once per application, so the key
//! includes the application. See `shared/providers.md` section 2.

use super::Obj;
use crate::error::IdvError;
use crate::session::{Extra, Provider, Session, SessionStatus};
use crate::status::token;
use crate::time;

/// Equals `status` (and `result`) to the unified status.
///
/// | Equals `status` | `result` | unified |
/// |---|---|---|
/// | `to_be_completed` | | `not_started` |
/// | `in_progress` | | `in_progress` |
/// | `completed` | absent | `in_review` |
/// | `completed` | `approved` | `approved` |
/// | `completed` | `declined` | `declined` |
/// | `completed` | `resubmission_requested` | `resubmission_requested` |
/// | `completed` | anything else | `unknown` |
/// | `expired` | | `expired` |
/// | anything else | | `unknown` |
pub fn map_status(status: &str, result: Option<&str>) -> SessionStatus {
    match token(status).as_str() {
        "to_be_completed" => SessionStatus::NotStarted,
        "in_progress" => SessionStatus::InProgress,
        "expired" => SessionStatus::Expired,
        "completed" => match result.map(token).as_ref().map(|t| t.as_str()) {
            None | Some("") => SessionStatus::InReview,
            Some("approved") => SessionStatus::Approved,
            Some("declined") => SessionStatus::Declined,
            Some("resubmission_requested") => SessionStatus::ResubmissionRequested,
            Some(_) => SessionStatus::Unknown,
        },
        _ => SessionStatus::Unknown,
    }
}

/// The fields [`normalize`] reads; the others are skipped while parsing.
pub const FIELDS: &[&str] = &[
    "id",
    "status",
    "result",
    "createdAt",
    "updatedAt",
    "applicationId",
    "associatedPersonId",
    "correlationId",
    "actionUrl",
];

/// True for a field [`normalize`] reads.
pub fn reads(field: &str) -> bool {
    FIELDS.contains(&field)
}

pub(super) fn normalize(obj: &Obj<'_, '_>) -> Result<Session, IdvError> {
    let id = obj.required_str("id")?;
    let provider_status = obj.required_str("status")?;
    let provider_result = obj.str("result");
    let status = map_status(provider_status, provider_result);
    let created_at = obj.required_iso_time("createdAt")?;
    let updated_at = match obj.str("updatedAt") {
        Some(text) => time::from_iso(text),
        None => None,
    };
    let application_id = obj.string("applicationId");
    let associated_person_id = obj.string("associatedPersonId");
    let key = match &application_id {
        Some(app) => format!("equals:{id}:{app}"),
        None => format!("equals:{id}"),
    };
    let extra = Extra {
        application_id: application_id.clone(),
        associated_person_id: associated_person_id.clone(),
        correlation_id: obj.string("correlationId"),
        ..Extra::default()
    };
    Ok(Session {
        provider: Provider::Equals,
        id: id.to_owned(),
        key,
        status,
        provider_status: provider_status.to_owned(),
        provider_result: provider_result.map(str::to_owned),
        is_terminal: status.is_terminal(),
        user_ref: associated_person_id.or(application_id),
        verification_url: obj.string("actionUrl"),
        return_url: None,
        created_at,
        updated_at,
        checks: Vec::new(),
        person: None,
        extra: (!extra.is_empty()).then_some(extra),
        raw: None,
    })
}
