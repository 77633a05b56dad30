//! Mangopay payloads to sessions: list rows (`Id, Status, CreationDate,
//! LastUpdate`, no `UserId`), View responses (with `HostedUrl`, `UserId`,
//! `Checks`), create responses. Times are Unix seconds.

use super::tables::{CHECK_KINDS, STATUSES};
use crate::error::IdvError;
use crate::json::Json;
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::table::{lookup_kind, lookup_status};
use crate::session::Provider;
use crate::session::{Check, Extra, Person, Session};
use crate::status::map_check_status;
use crate::time;

/// The fields [`normalize`] reads; the others are skipped while parsing.
pub const FIELDS: &[&str] = &[
    "Id",
    "SessionId",
    "Status",
    "CreationDate",
    "LastUpdate",
    "UserId",
    "HostedUrl",
    "ReturnUrl",
    "Tag",
    "Checks",
];

/// True for a field [`normalize`] reads.
pub fn reads(field: &str) -> bool {
    FIELDS.contains(&field)
}

/// One Mangopay object to a session.
pub(super) fn normalize(
    obj: &Obj<'_, '_>,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    // `SessionId` is the id field of the removed "checks" endpoint's response.
    let id = match obj.str("SessionId") {
        Some(id) if obj.get("Id").is_none() => id,
        _ => obj.required_str("Id")?,
    };
    let provider_status = obj.status_text("Status");
    let status = lookup_status(STATUSES, provider_status, None);
    let created_at = unix_time(obj, "CreationDate")?
        .ok_or_else(|| obj.field_error("CreationDate", "is missing"))?;
    // Optional: a malformed LastUpdate is dropped rather than failing the session.
    let updated_at = unix_time(obj, "LastUpdate").ok().flatten();

    let mut checks = Vec::new();
    let mut person = Person::default();
    for item in obj.array("Checks").into_iter().flatten() {
        let Some(check) = obj.child(item) else {
            continue;
        };
        let provider_type = check.string("Type").unwrap_or_default();
        let provider_status = check.string("CheckStatus").unwrap_or_default();
        let reasons = check.reasons("Reasons", "Type", "Value");
        for data in check.array("Data").into_iter().flatten() {
            let Some(data) = obj.child(data) else {
                continue;
            };
            let (Some(kind), Some(value)) = (data.str("Type"), data.string("Value")) else {
                continue;
            };
            let slot = match kind {
                "FIRST_NAME" | "LEGAL_REPRESENTATIVE_FIRST_NAME" => &mut person.first_name,
                "LAST_NAME" | "LEGAL_REPRESENTATIVE_LAST_NAME" => &mut person.last_name,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        checks.push(Check {
            kind: lookup_kind(CHECK_KINDS, &provider_type),
            status: map_check_status(&provider_status),
            provider_type,
            provider_status,
            reasons,
        });
    }

    let extra = Extra {
        tag: obj.string("Tag"),
        ..Extra::default()
    };
    Ok(Session {
        provider: Provider::Mangopay,
        id: id.to_owned(),
        key: Provider::Mangopay.key(&[id]),
        status,
        provider_status: provider_status.to_owned(),
        provider_result: None,
        is_terminal: status.is_terminal(),
        user_ref: obj
            .string("UserId")
            .or_else(|| options.user_id.clone().filter(|u| !u.is_empty())),
        verification_url: obj.string("HostedUrl"),
        return_url: obj.string("ReturnUrl"),
        created_at,
        updated_at,
        checks,
        person: (!person.is_empty()).then_some(person),
        extra: (!extra.is_empty()).then_some(extra),
        raw: None,
    })
}

/// A Unix-seconds field: `Ok(None)` when absent or `null`.
fn unix_time(obj: &Obj<'_, '_>, name: &str) -> Result<Option<String>, IdvError> {
    match obj.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Int(secs)) => time::from_unix_int(*secs)
            .map(Some)
            .ok_or_else(|| obj.field_error(name, "is out of range for a timestamp")),
        Some(Json::Float(secs)) => time::from_unix_seconds(*secs)
            .map(Some)
            .ok_or_else(|| obj.field_error(name, "is out of range for a timestamp")),
        Some(other) => Err(obj.field_error(
            name,
            &format!("must be Unix seconds (a number), got {}", other.type_name()),
        )),
    }
}
