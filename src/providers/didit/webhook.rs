//! Didit's webhooks (`../shared/webhooks.md` section 1): a POST of JSON with
//! three HMAC-SHA256 signatures (lowercase hex, the destination's secret as
//! UTF-8 bytes) and `X-Timestamp`:
//! - `X-Signature`: the raw body bytes (Didit sends the canonical form with
//!   `ensure_ascii`);
//! - `X-Signature-V2`: the canonical form without `ensure_ascii`, so a body
//!   re-encoded on the way (pretty-printed, keys reordered) still verifies;
//! - `X-Signature-Simple`: `"{timestamp}:{session_id}:{status}:{webhook_type}"`,
//!   which proves only that envelope.
//!
//! The body's `timestamp` (signed by all three) must be within the
//! tolerance of now, and equal `X-Timestamp` when that header is there (a
//! freshened header over an old body fails).

use super::canonical::{self, PyJson};
use super::tables::STATUSES;
use crate::error::IdvError;
use crate::providers::normalize::NormalizeOptions;
use crate::providers::table::lookup_status;
use crate::session::Provider;
use crate::webhook::{
    decode_error, hmac_hex, hmac_matches, signature_error, EventType, SignRequest, SignedWebhook,
    Verification, WebhookEvent, WebhookRequest,
};
use serde_json::Value;

const P: Provider = Provider::Didit;

/// The longest canonical form checked for a body of `len` bytes. Didit's
/// own form of a body it sent is no longer than the body (spaces go, floats
/// shorten) but for integral floats past 2^53, written with all their digits:
/// four times the body leaves room for those, and keeps a forged body of
/// `1e308`s (fifty times its size once written) from holding the event loop
/// before its signature is refused.
fn canonical_limit(len: usize) -> usize {
    len.saturating_mul(4).saturating_add(4096)
}

fn text(value: Option<&PyJson>) -> Option<String> {
    match value {
        Some(PyJson::Str(_)) => canonical::python_str(value).filter(|s| !s.is_empty()),
        _ => None,
    }
}

fn seconds(value: Option<&PyJson>) -> Option<i64> {
    match value? {
        PyJson::Int { negative, digits } => {
            let n: i64 = digits.parse().ok()?;
            Some(if *negative { -n } else { n })
        }
        PyJson::Float(f) if f.is_finite() => Some(f.floor() as i64),
        PyJson::Str(_) => canonical::python_str(value)?.trim().parse().ok(),
        _ => None,
    }
}

/// The `X-Signature-Simple` message of a payload.
fn simple_message(data: &PyJson) -> Option<String> {
    let parts: Option<Vec<String>> = ["timestamp", "session_id", "status", "webhook_type"]
        .iter()
        .map(|k| canonical::python_str(data.get(k)))
        .collect();
    Some(parts?.join(":"))
}

/// Verifies and unifies one Didit notification.
///
/// Work before a signature matches is linear in the body (a forged 10 MB
/// body costs one HMAC, not a parse): `X-Signature` is checked over the raw
/// bytes first; only when it is absent or wrong is the body parsed (in
/// O(n log n), see [`canonical::parse`]) for `X-Signature-V2` and
/// `X-Signature-Simple`.
pub fn parse(request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
    let body = request
        .body
        .as_deref()
        .ok_or_else(|| decode_error(P, "no body (Didit posts JSON)"))?;
    if request.secrets.is_empty() {
        return Err(signature_error(P, "no secret to check the signature with"));
    }
    let raw = request.header("x-signature");
    let v2 = request.header("x-signature-v2");
    let simple = request.header("x-signature-simple");
    if raw.is_none() && v2.is_none() && simple.is_none() {
        return Err(signature_error(
            P,
            "no X-Signature, X-Signature-V2 or X-Signature-Simple header",
        ));
    }
    let secrets = &request.secrets;
    let mismatch = || signature_error(P, "no signature matches the body and secret");
    let raw_ok = raw.is_some_and(|sig| hmac_matches(secrets, body, sig));
    if !raw_ok && v2.is_none() && simple.is_none() {
        return Err(mismatch());
    }
    let text_body =
        std::str::from_utf8(body).map_err(|_| decode_error(P, "the body is not UTF-8"))?;
    let data = canonical::parse(text_body.trim_start_matches('\u{feff}'))
        .filter(|d| matches!(d, PyJson::Dict(_)))
        .ok_or_else(|| decode_error(P, "the body is not a JSON object"))?;

    // The verified bytes: the raw body, or the canonical form V2 signs.
    let (verification, signed) = if raw_ok {
        (Verification::Signature, Some(body.to_vec()))
    } else if let Some(form) = v2.and_then(|sig| {
        canonical::dumps(&data, false, canonical_limit(body.len()))
            .filter(|form| hmac_matches(secrets, form, sig))
    }) {
        (Verification::Signature, Some(form))
    } else if simple.is_some_and(|sig| {
        simple_message(&data).is_some_and(|m| hmac_matches(secrets, m.as_bytes(), sig))
    }) {
        (Verification::Envelope, None)
    } else {
        return Err(mismatch());
    };

    // Freshness: the body's timestamp is signed (by all three); the header is not.
    let header_ts = request.header("x-timestamp");
    let timestamp = match seconds(data.get("timestamp")) {
        Some(ts) => {
            if let Some(h) = header_ts {
                if h.parse::<i64>().ok() != Some(ts) {
                    return Err(signature_error(
                        P,
                        "X-Timestamp does not match the body's timestamp",
                    ));
                }
            }
            ts
        }
        None => header_ts
            .and_then(|h| h.parse::<i64>().ok())
            .ok_or_else(|| signature_error(P, "no timestamp in the body or X-Timestamp"))?,
    };
    // Checked: a hostile timestamp (or `now`) far from the other is stale, not an overflow.
    let skew = request
        .now_ms
        .div_euclid(1000)
        .checked_sub(timestamp)
        .map(i64::unsigned_abs);
    if skew.is_none_or(|skew| skew > request.tolerance_sec) {
        return Err(signature_error(
            P,
            &format!(
                "the timestamp is {} from now (tolerance {} s): stale or replayed",
                skew.map_or("too far".to_string(), |s| format!("{s} s")),
                request.tolerance_sec
            ),
        ));
    }

    let session_id = text(data.get("session_id"));
    let provider_status = text(data.get("status"));
    let webhook_type = text(data.get("webhook_type")).unwrap_or_default();
    let event_type = match webhook_type.as_str() {
        "status.updated" => EventType::SessionUpdated,
        "data.updated" => EventType::SessionDataUpdated,
        _ => EventType::Other,
    };
    // Didit's `event_id` is new on every delivery attempt: the dedupe key is
    // made of what every scheme signs, so retries of one notification share it.
    let mut id = format!(
        "{}:{webhook_type}:{timestamp}",
        session_id.as_deref().unwrap_or_default()
    );
    if let Some(status) = &provider_status {
        id.push(':');
        id.push_str(status);
    }
    let signed_body = verification == Verification::Signature;
    // Under the envelope only the timestamp is signed, not `created_at`.
    let occurred_at = signed_body
        .then(|| seconds(data.get("created_at")))
        .flatten()
        .or(Some(timestamp))
        .and_then(crate::time::from_unix_int)
        .unwrap_or_default();

    // A fully signed body's decision is the session itself, read from the
    // bytes that were verified.
    let signed_text = signed
        .as_deref()
        .and_then(|bytes| std::str::from_utf8(bytes).ok());
    let session = signed_text.and_then(|text| full_session(text, &occurred_at));
    Ok(WebhookEvent {
        provider: P,
        id,
        delivery_id: signed_body.then(|| text(data.get("event_id"))).flatten(),
        event_type,
        provider_type: webhook_type,
        status: provider_status
            .as_deref()
            .map(|s| lookup_status(STATUSES, s, None)),
        provider_status,
        session_id,
        occurred_at,
        needs_fetch: session.is_none(),
        verification,
        test: request
            .header("x-didit-test-webhook")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        session,
        extra: None,
        raw: request
            .include_raw
            .then(|| crate::json::parse_value(text_body).ok())
            .flatten(),
    })
}

/// The session of a signed body's `decision` (with the envelope's
/// `vendor_data`, `workflow_id` and `session_id` where the decision lacks them).
fn full_session(body: &str, occurred_at: &str) -> Option<crate::session::Session> {
    let mut data: Value = crate::json::parse_value(body.trim_start_matches('\u{feff}')).ok()?;
    let mut decision = data.get_mut("decision")?.take();
    let object = decision.as_object_mut()?;
    for key in ["session_id", "status", "vendor_data", "workflow_id"] {
        if !object.contains_key(key) {
            if let Some(v) = data.get(key) {
                object.insert(key.into(), v.clone());
            }
        }
    }
    // A decision without its creation time is dated by the event.
    if object.get("created_at").is_none_or(Value::is_null) {
        object.insert("created_at".into(), Value::from(occurred_at));
    }
    crate::providers::normalize_session(P, &decision, &NormalizeOptions::default()).ok()
}

/// A delivery signed as Didit signs: the payload (with `timestamp` set when
/// absent) in Python's canonical form, the three signatures and `X-Timestamp`.
pub fn sign(request: &SignRequest) -> Result<SignedWebhook, IdvError> {
    let secret = request
        .secret
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| IdvError::config(Some(P), "didit: signWebhook needs `secret`"))?;
    let mut payload = request.payload.clone();
    let object = payload.as_object_mut().ok_or_else(|| {
        IdvError::config(Some(P), "didit: signWebhook `payload` must be an object")
    })?;
    let timestamp = match (
        object.get("timestamp").and_then(Value::as_i64),
        request.timestamp,
    ) {
        (Some(ts), _) => ts,
        (None, Some(ts)) => ts,
        (None, None) => request.now_ms / 1000,
    };
    object.insert("timestamp".into(), Value::from(timestamp));
    let text = serde_json::to_string(&payload)
        .map_err(|e| IdvError::config(Some(P), format!("didit: signWebhook: {e}")))?;
    let data = canonical::parse(&text)
        .ok_or_else(|| IdvError::config(Some(P), "didit: signWebhook: payload is not JSON"))?;
    let body = canonical::dumps(&data, true, usize::MAX).ok_or_else(|| {
        IdvError::config(Some(P), "didit: signWebhook: payload cannot be encoded")
    })?;
    let v2 = canonical::dumps(&data, false, usize::MAX).ok_or_else(|| {
        IdvError::config(Some(P), "didit: signWebhook: payload cannot be encoded")
    })?;
    let simple = simple_message(&data).unwrap_or_default();
    let mut headers = std::collections::BTreeMap::new();
    for (name, value) in [
        ("content-type", "application/json".to_string()),
        (
            "user-agent",
            "DiditWebhook/2.0 +https://didit.me".to_string(),
        ),
        ("x-timestamp", timestamp.to_string()),
        ("x-signature", hmac_hex(secret, &body)),
        ("x-signature-v2", hmac_hex(secret, &v2)),
        ("x-signature-simple", hmac_hex(secret, simple.as_bytes())),
    ] {
        headers.insert(name.to_string(), value);
    }
    Ok(SignedWebhook {
        method: "POST",
        url: request.url.clone(),
        headers,
        body: Some(String::from_utf8_lossy(&body).into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::HMACS_COMPUTED;

    /// A forged body of `1e308`s (309 digits each in the canonical form) is
    /// refused before its form is written or hashed (tests/webhooks.rs has a
    /// genuine body with big floats that still verifies).
    #[test]
    fn a_canonical_form_past_the_limit_is_not_hashed() {
        let now = 1_774_970_000_i64;
        let body = |n: usize| {
            let floats = vec!["1e308"; n].join(",");
            format!(r#"{{"session_id":"s","timestamp":{now},"x":[{floats}]}}"#)
        };
        let zeros = "0".repeat(64);
        for (n, hashed) in [(4, 1), (2_000, 0)] {
            let request = WebhookRequest {
                body: Some(body(n).into_bytes()),
                headers: vec![("X-Signature-V2".into(), zeros.clone())],
                secrets: vec!["s3cret".into()],
                tolerance_sec: 300,
                now_ms: now * 1000,
                ..WebhookRequest::default()
            };
            let before = HMACS_COMPUTED.with(|c| c.get());
            let e = parse(&request).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::Signature, "{e:?}");
            assert_eq!(HMACS_COMPUTED.with(|c| c.get()) - before, hashed, "{n}");
        }
    }
}
