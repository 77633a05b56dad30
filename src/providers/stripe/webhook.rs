//! Stripe's webhooks (`../shared/providers-next.md` section 1.4, stripe-node
//! `Webhooks.ts`): a POST of an Event (`{ id, type, created, data: { object }
//! }`) with `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`: the hex
//! HMAC-SHA256 of `<t>.<raw body>` with the endpoint secret. Any `v1` matching
//! any secret verifies; other schemes (`v0`) are ignored; a `t` older than the
//! tolerance is refused (one ahead of the clock is accepted, as Stripe's own
//! libraries do).

use crate::error::IdvError;
use crate::providers::normalize::NormalizeOptions;
use crate::session::Provider;
use crate::webhook::{
    decode_error, hmac_hex, signature_error, EventType, HmacTags, SignRequest, SignedWebhook,
    Verification, WebhookEvent, WebhookRequest,
};
use serde_json::Value;

const P: Provider = Provider::Stripe;

/// Verifies and unifies one Stripe event: the signature over `t.` and the
/// raw bytes first, then the JSON.
pub fn parse(request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
    let body = request
        .body
        .as_deref()
        .ok_or_else(|| decode_error(P, "no body (Stripe posts JSON)"))?;
    if request.secrets.is_empty() {
        return Err(signature_error(
            P,
            "no endpoint secret to check the signature with",
        ));
    }
    let header = request
        .header("stripe-signature")
        .ok_or_else(|| signature_error(P, "no Stripe-Signature header"))?;
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<&str> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.trim().parse().ok(),
            Some(("v1", v)) => signatures.push(v.trim()),
            _ => {}
        }
    }
    let t =
        timestamp.ok_or_else(|| signature_error(P, "Stripe-Signature has no timestamp (`t=`)"))?;
    if signatures.is_empty() {
        return Err(signature_error(P, "Stripe-Signature has no `v1` signature"));
    }
    let mut message = Vec::with_capacity(body.len() + 24);
    message.extend_from_slice(t.to_string().as_bytes());
    message.push(b'.');
    message.extend_from_slice(body);
    let expected = HmacTags::of(&request.secrets, &message);
    if !signatures.iter().any(|s| expected.matches(s)) {
        return Err(signature_error(
            P,
            "no v1 signature in Stripe-Signature matches the body",
        ));
    }
    let now = request.now_ms.div_euclid(1000);
    let tolerance = i64::try_from(request.tolerance_sec).unwrap_or(i64::MAX);
    if now.checked_sub(t).is_none_or(|age| age > tolerance) {
        return Err(signature_error(
            P,
            "the Stripe-Signature timestamp is older than the tolerance (a replay?)",
        ));
    }
    // Through `&str`: the crate's JSON reader reads text.
    let event: Value = std::str::from_utf8(body)
        .ok()
        .and_then(|text| crate::json::parse_value(text).ok())
        .ok_or_else(|| decode_error(P, "the body is not JSON"))?;
    let text = |v: &Value, name: &str| {
        v.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id = text(&event, "id").ok_or_else(|| decode_error(P, "no event `id`"))?;
    let event_type = text(&event, "type").ok_or_else(|| decode_error(P, "no event `type`"))?;
    let created = event.get("created").and_then(Value::as_i64).unwrap_or(t);
    let object = event.get("data").and_then(|d| d.get("object"));
    let mut unified = WebhookEvent {
        provider: P,
        id,
        delivery_id: None,
        event_type: EventType::Other,
        provider_type: event_type.clone(),
        session_id: None,
        status: None,
        provider_status: None,
        occurred_at: crate::time::from_unix_int(created).unwrap_or_default(),
        verification: Verification::Signature,
        needs_fetch: false,
        test: false,
        session: None,
        extra: None,
        raw: request.include_raw.then(|| event.clone()),
    };
    if event_type.starts_with("identity.verification_session.") {
        let object = object
            .filter(|o| o.is_object())
            .ok_or_else(|| decode_error(P, "no `data.object` in an identity event"))?;
        let session = crate::providers::normalize_session(P, object, &NormalizeOptions::default())?;
        unified.event_type = EventType::SessionUpdated;
        unified.session_id = Some(session.id.clone());
        unified.status = Some(session.status);
        unified.provider_status = Some(session.provider_status.clone());
        unified.session = Some(session);
    }
    Ok(unified)
}

/// A delivery signed as Stripe signs: `payload` (the Event) as the exact
/// body bytes, `Stripe-Signature: t=<timestamp>,v1=<hex>`.
pub fn sign(request: &SignRequest) -> Result<SignedWebhook, IdvError> {
    let secret = request
        .secret
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            IdvError::config(
                Some(P),
                "stripe: signWebhook needs the endpoint secret (`secret`)",
            )
        })?;
    if !request.payload.is_object() {
        return Err(IdvError::config(
            Some(P),
            "stripe: signWebhook `payload` must be an object (the Event)",
        ));
    }
    let body = request.payload.to_string();
    let t = request.timestamp.unwrap_or(request.now_ms.div_euclid(1000));
    let signature = hmac_hex(secret, format!("{t}.{body}").as_bytes());
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    headers.insert(
        "stripe-signature".to_string(),
        format!("t={t},v1={signature}"),
    );
    Ok(SignedWebhook {
        method: "POST",
        url: request.url.clone(),
        headers,
        body: Some(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::HMACS_COMPUTED;

    /// A header listing many `v1=` costs one HMAC of the body per secret, not
    /// one per signature (a 1 MB body with a thousand dummy `v1=` took
    /// seconds when each was an HMAC of its own).
    #[test]
    fn many_signatures_cost_one_hmac_per_secret() {
        let body = format!(
            r#"{{"id":"evt_1","type":"x","pad":"{}"}}"#,
            "a".repeat(4096)
        );
        let t = 1_700_000_000_i64;
        let good = hmac_hex("whsec_2", format!("{t}.{body}").as_bytes());
        let dummies = "v1=,v1=00,".repeat(500);
        let request = |last: &str| WebhookRequest {
            body: Some(body.clone().into_bytes()),
            headers: vec![(
                "Stripe-Signature".into(),
                format!("t={t},{dummies}v1={last}"),
            )],
            secrets: vec!["whsec_1".into(), "whsec_2".into()],
            tolerance_sec: 300,
            now_ms: t * 1000,
            ..WebhookRequest::default()
        };
        for (last, verifies) in [(good.as_str(), true), ("ab", false)] {
            let before = HMACS_COMPUTED.with(|n| n.get());
            assert_eq!(parse(&request(last)).is_ok(), verifies);
            assert_eq!(HMACS_COMPUTED.with(|n| n.get()) - before, 2);
        }
    }
}
