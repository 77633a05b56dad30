//! Equals' webhooks (`../shared/webhooks.md` section 3): a POST of
//! `{"body": {messageId, webhookEventTypeName, eventTime, ...}}`, retried
//! every 5 minutes for two weeks with the same `messageId` (the dedupe key).
//! `IdentityVerificationStatusUpdated` carries the session's `status` and
//! `result` as the list does, and shares its `correlationId`. Equals documents
//! no signature; a webhook may be given a fixed `authorizationHeader`, which
//! is checked (in constant time) when `secret` is given. Either way the body
//! is a hint: fetch the session.

use super::tables::STATUSES;
use crate::error::IdvError;
use crate::providers::table::lookup_status;
use crate::session::Extra;
use crate::session::Provider;
use crate::webhook::{
    decode_error, same_secret, signature_error, EventType, SignRequest, SignedWebhook,
    Verification, WebhookEvent, WebhookRequest,
};
use serde_json::{json, Value};

const P: Provider = Provider::Equals;

/// Unifies one Equals notification.
pub fn parse(request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
    let verification = if request.secrets.is_empty() {
        Verification::None
    } else {
        let given = request.header("authorization").unwrap_or_default();
        if !request.secrets.iter().any(|s| same_secret(s, given)) {
            return Err(signature_error(
                P,
                "the Authorization header does not match the webhook's authorizationHeader",
            ));
        }
        Verification::Envelope
    };
    let text = request
        .body_text()
        .ok_or_else(|| decode_error(P, "no body (Equals posts JSON)"))?;
    let parsed: Value = crate::json::parse_value(text.trim_start_matches('\u{feff}'))
        .map_err(|_| decode_error(P, "the body is not JSON"))?;
    // The envelope: `{"body": {...}}` (also accepted unwrapped).
    let event = match parsed.get("body") {
        Some(inner @ Value::Object(_)) => inner,
        _ => &parsed,
    };
    let field = |name: &str| {
        event
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let message_id =
        field("messageId").ok_or_else(|| decode_error(P, "no `messageId` in the envelope"))?;
    let event_name = field("webhookEventTypeName").unwrap_or_default();
    let is_session = event_name.eq_ignore_ascii_case("IdentityVerificationStatusUpdated");
    let provider_status = field("status");
    let result = field("result");
    let occurred_at = field("eventTime")
        .and_then(|t| crate::time::from_iso(&t))
        .or_else(|| crate::time::from_unix_millis(request.now_ms as f64))
        .unwrap_or_default();
    let extra = Extra {
        application_id: field("applicationId"),
        associated_person_id: field("associatedPersonId"),
        correlation_id: field("correlationId"),
        ..Extra::default()
    };
    Ok(WebhookEvent {
        provider: P,
        id: message_id,
        delivery_id: None,
        event_type: if is_session {
            EventType::SessionUpdated
        } else {
            EventType::Other
        },
        provider_type: event_name,
        session_id: if is_session { field("id") } else { None },
        status: (is_session)
            .then(|| {
                provider_status
                    .as_deref()
                    .map(|s| lookup_status(STATUSES, s, result.as_deref()))
            })
            .flatten(),
        provider_status: if is_session { provider_status } else { None },
        occurred_at,
        verification,
        needs_fetch: true,
        test: false,
        session: None,
        extra: (!extra.is_empty()).then_some(extra),
        raw: request.include_raw.then(|| parsed.clone()),
    })
}

/// A delivery as Equals sends it: the payload in its envelope (with a
/// `messageId` and `eventTime` when absent), and `secret` as `Authorization`.
pub fn sign(request: &SignRequest) -> Result<SignedWebhook, IdvError> {
    let mut payload = request.payload.clone();
    let object = payload.as_object_mut().ok_or_else(|| {
        IdvError::config(Some(P), "equals: signWebhook `payload` must be an object")
    })?;
    let seconds = request.timestamp.unwrap_or(request.now_ms / 1000);
    object
        .entry("webhookEventTypeName")
        .or_insert_with(|| Value::from("IdentityVerificationStatusUpdated"));
    object
        .entry("eventTime")
        .or_insert_with(|| Value::from(crate::time::from_unix_int(seconds).unwrap_or_default()));
    if !object.contains_key("messageId") {
        let id = format!("{seconds:016x}-test");
        object.insert("messageId".into(), Value::from(id));
    }
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    if let Some(secret) = request.secret.as_deref().filter(|s| !s.is_empty()) {
        headers.insert("authorization".to_string(), secret.to_string());
    }
    Ok(SignedWebhook {
        method: "POST",
        url: request.url.clone(),
        headers,
        body: Some(json!({ "body": payload }).to_string()),
    })
}
