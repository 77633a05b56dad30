//! Onfido's webhooks (`../shared/providers-next.md` section 2.4): a POST of
//! `{"payload": {resource_type, action, object: {id, status,
//! started_at_iso8601, completed_at_iso8601, href}, resource?}}` signed in
//! `X-SHA2-Signature`: the lowercase hex HMAC-SHA256 of the raw body with the
//! webhook's token. No timestamp is signed, so deduplication is the only
//! replay defence: `id` is the action, the object's id and its completion
//! (or start) time, the same for every retry of one delivery.

use super::tables::STATUSES;
use crate::error::IdvError;
use crate::providers::normalize::NormalizeOptions;
use crate::providers::table::lookup_status;
use crate::session::{Extra, Provider};
use crate::webhook::{
    decode_error, hmac_hex, hmac_matches, signature_error, EventType, SignRequest, SignedWebhook,
    Verification, WebhookEvent, WebhookRequest,
};
use serde_json::Value;

const P: Provider = Provider::Onfido;

/// Verifies and unifies one Onfido notification: the signature over the raw
/// bytes first (a forged body costs one HMAC), then the JSON.
pub fn parse(request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
    let body = request
        .body
        .as_deref()
        .ok_or_else(|| decode_error(P, "no body (Onfido posts JSON)"))?;
    if request.secrets.is_empty() {
        return Err(signature_error(
            P,
            "no webhook token to check the signature with",
        ));
    }
    let signature = request
        .header("x-sha2-signature")
        .ok_or_else(|| signature_error(P, "no X-SHA2-Signature header"))?;
    if !hmac_matches(&request.secrets, body, signature) {
        return Err(signature_error(
            P,
            "X-SHA2-Signature does not match the body",
        ));
    }
    // Through `&str`: the crate's JSON reader reads text.
    let parsed: Value = std::str::from_utf8(body)
        .ok()
        .and_then(|text| crate::json::parse_value(text).ok())
        .ok_or_else(|| decode_error(P, "the body is not JSON"))?;
    let payload = parsed
        .get("payload")
        .filter(|p| p.is_object())
        .ok_or_else(|| decode_error(P, "no `payload` object"))?;
    let text = |v: Option<&Value>, name: &str| {
        v.and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let action =
        text(Some(payload), "action").ok_or_else(|| decode_error(P, "no `payload.action`"))?;
    let object = payload.get("object").filter(|o| o.is_object());
    let resource = payload.get("resource").filter(|r| r.is_object());
    let object_id = text(object, "id").ok_or_else(|| decode_error(P, "no `payload.object.id`"))?;
    let completed = text(object, "completed_at_iso8601");
    let started = text(object, "started_at_iso8601");
    let occurred_at = completed
        .as_deref()
        .or(started.as_deref())
        .and_then(crate::time::from_iso)
        .or_else(|| crate::time::from_unix_millis(request.now_ms as f64))
        .unwrap_or_default();
    let id = format!(
        "onfido:{action}:{object_id}:{}",
        completed
            .as_deref()
            .or(started.as_deref())
            .unwrap_or_default()
    );
    let applicant_id = text(resource, "applicant_id");
    let mut event = WebhookEvent {
        provider: P,
        id,
        delivery_id: None,
        event_type: EventType::Other,
        provider_type: action.clone(),
        session_id: None,
        status: None,
        provider_status: None,
        occurred_at,
        verification: Verification::Signature,
        needs_fetch: false,
        test: false,
        session: None,
        extra: applicant_id.map(|a| Extra {
            applicant_id: Some(a),
            ..Extra::default()
        }),
        raw: request.include_raw.then(|| parsed.clone()),
    };
    if action == "workflow_run.completed" {
        let status = text(object, "status").or_else(|| text(resource, "status"));
        event.event_type = EventType::SessionUpdated;
        event.session_id = Some(object_id.clone());
        event.status = status.as_deref().map(|s| lookup_status(STATUSES, s, None));
        event.provider_status = status;
        // The run itself, when the delivery carries it (its id is the object's).
        event.session = resource.and_then(|r| {
            let mut run = r.clone();
            if let Some(map) = run.as_object_mut() {
                map.entry("id")
                    .or_insert_with(|| Value::from(object_id.as_str()));
            }
            crate::providers::normalize_session(P, &run, &NormalizeOptions::default()).ok()
        });
        event.needs_fetch = event.session.is_none();
    } else if action.starts_with("workflow_task.") {
        event.event_type = EventType::SessionUpdated;
        event.session_id =
            text(object, "workflow_run_id").or_else(|| text(resource, "workflow_run_id"));
        event.needs_fetch = true;
    } else if action.starts_with("check.") || action.starts_with("report.") {
        event.event_type = EventType::SessionDataUpdated;
        event.needs_fetch = true;
    }
    Ok(event)
}

/// A delivery signed as Onfido signs: `payload` (the object under
/// `"payload"`, or the whole body when it has one) as the exact body bytes,
/// `X-SHA2-Signature` over them with the webhook token.
pub fn sign(request: &SignRequest) -> Result<SignedWebhook, IdvError> {
    let secret = request
        .secret
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            IdvError::config(
                Some(P),
                "onfido: signWebhook needs the webhook token (`secret`)",
            )
        })?;
    let body = match &request.payload {
        Value::Object(map) if map.contains_key("payload") => request.payload.clone(),
        Value::Object(_) => serde_json::json!({ "payload": request.payload }),
        _ => {
            return Err(IdvError::config(
                Some(P),
                "onfido: signWebhook `payload` must be an object",
            ))
        }
    }
    .to_string();
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    headers.insert(
        "x-sha2-signature".to_string(),
        hmac_hex(secret, body.as_bytes()),
    );
    Ok(SignedWebhook {
        method: "POST",
        url: request.url.clone(),
        headers,
        body: Some(body),
    })
}
