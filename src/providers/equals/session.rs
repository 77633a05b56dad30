//! Equals rows to sessions: `id, applicationId, associatedPersonId,
//! correlationId, actionUrl, status, result?, createdAt, updatedAt`. One
//! session id can appear once per application, so the key includes the
//! application.

use super::tables::STATUSES;
use crate::error::IdvError;
use crate::providers::object::Obj;
use crate::providers::table::lookup_status;
use crate::session::Provider;
use crate::session::{Extra, Session};
use crate::time;

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

/// One Equals row to a session.
pub(super) fn normalize(obj: &Obj<'_, '_>) -> Result<Session, IdvError> {
    let id = obj.required_str("id")?;
    let provider_status = obj.status_text("status");
    let provider_result = obj.str("result");
    let status = lookup_status(STATUSES, provider_status, provider_result);
    let created_at = obj.required_iso_time("createdAt")?;
    let updated_at = match obj.str("updatedAt") {
        Some(text) => time::from_iso(text),
        None => None,
    };
    let application_id = obj.string("applicationId");
    let associated_person_id = obj.string("associatedPersonId");
    let key = match &application_id {
        Some(app) => Provider::Equals.key(&[id, app]),
        None => Provider::Equals.key(&[id]),
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
