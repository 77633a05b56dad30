//! Mangopay's notifications (`../shared/webhooks.md` section 2): a GET to
//! the hook URL with `EventType`, `RessourceId` (sic) and `Date` (Unix
//! seconds) in the query. No body, no signature: Mangopay's docs say to GET
//! the resource to check the notification is authentic and still relevant,
//! so every event needs a fetch. The dashboard's "test the hook" may send an
//! empty `RessourceId`: a test ping.

use super::tables::STATUSES;
use crate::error::IdvError;
use crate::providers::normalize::{BadRow, BadRows, NormalizeOptions};
use crate::providers::table::lookup_status;
use crate::session::Provider;
use crate::webhook::{
    decode_error, EventType, SignRequest, SignedWebhook, Verification, WebhookEvent, WebhookRequest,
};
use serde_json::{Map, Value};

const P: Provider = Provider::Mangopay;

/// IDV event types and the session `Status` each implies. The documented
/// four (2025), `EXPIRED` (2026-08-18), and, defensively, the beta draft's
/// `PENDING`, `TIMEOUT` and `REVIEW` that some SDKs still list.
const SESSION_EVENTS: &[(&str, &str)] = &[
    ("IDENTITY_VERIFICATION_VALIDATED", "VALIDATED"),
    ("IDENTITY_VERIFICATION_FAILED", "REFUSED"),
    ("IDENTITY_VERIFICATION_INCONCLUSIVE", "REVIEW"),
    ("IDENTITY_VERIFICATION_OUTDATED", "OUT_OF_DATE"),
    ("IDENTITY_VERIFICATION_EXPIRED", "EXPIRED"),
    ("IDENTITY_VERIFICATION_PENDING", "PENDING"),
    ("IDENTITY_VERIFICATION_TIMEOUT", "TIMEOUT"),
    ("IDENTITY_VERIFICATION_REVIEW", "REVIEW"),
];

/// Events about a session that imply no status of it: PSC (persons with
/// significant control) sub-sessions and pending PSC action (2026-08-18;
/// `_PSC_FAILED` is the release notes' spelling of `_PSC_REJECTED`).
const SESSION_NOTICES: &[&str] = &[
    "IDENTITY_VERIFICATION_PENDING_PSC_ACTION",
    "IDENTITY_VERIFICATION_PSC_PENDING",
    "IDENTITY_VERIFICATION_PSC_VALIDATED",
    "IDENTITY_VERIFICATION_PSC_REJECTED",
    "IDENTITY_VERIFICATION_PSC_FAILED",
    "IDENTITY_VERIFICATION_PSC_ABANDONED",
];

/// The unified event of a Mangopay event type and resource; also used for
/// the rows of `GET /events`.
pub fn event(event_type: &str, resource_id: &str, date: Option<i64>, now_ms: i64) -> WebhookEvent {
    let implied = SESSION_EVENTS
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(event_type))
        .map(|(_, status)| *status);
    let about_session = implied.is_some()
        || SESSION_NOTICES
            .iter()
            .any(|t| t.eq_ignore_ascii_case(event_type));
    let occurred_at = date
        .and_then(crate::time::from_unix_int)
        .or_else(|| crate::time::from_unix_millis(now_ms as f64))
        .unwrap_or_default();
    WebhookEvent {
        provider: P,
        id: format!(
            "{event_type}:{resource_id}:{}",
            date.map(|d| d.to_string()).unwrap_or_default()
        ),
        delivery_id: None,
        event_type: if implied.is_some() {
            EventType::SessionUpdated
        } else {
            EventType::Other
        },
        provider_type: event_type.to_string(),
        session_id: (about_session && !resource_id.is_empty()).then(|| resource_id.to_string()),
        status: implied.map(|s| lookup_status(STATUSES, s, None)),
        provider_status: implied.map(str::to_string),
        occurred_at,
        verification: Verification::None,
        needs_fetch: true,
        test: resource_id.is_empty(),
        session: None,
        extra: None,
        raw: None,
    }
}

/// Unifies one Mangopay notification (its URL's query).
pub fn parse(request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
    let query = request.query();
    let field = |names: &[&str]| {
        query
            .iter()
            .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .map(|(_, v)| v.trim().to_string())
    };
    let event_type = field(&["EventType"])
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            decode_error(
                P,
                "no EventType in the URL's query (Mangopay sends a GET with one)",
            )
        })?;
    let resource_id = field(&["RessourceId", "ResourceId"]).unwrap_or_default();
    // `Date=NaN` or `inf` parse as floats: no date, not 1970.
    let date = field(&["Date"])
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite())
        .map(|d| d as i64);
    let mut out = event(&event_type, &resource_id, date, request.now_ms);
    if request.include_raw {
        let mut map = Map::new();
        for (k, v) in query {
            map.insert(k, Value::from(v));
        }
        out.raw = Some(Value::Object(map));
    }
    Ok(out)
}

/// The rows of `GET /events` (`[{ResourceId, EventType, Date}]`) as events.
/// A row that is not one (not an object, or without its `EventType` or its
/// `Date` in Unix seconds) is a bad row, as a list row without its date is;
/// with `strict` it fails the page. An empty `RessourceId` is a test event. `include_raw` keeps the
/// row in the event's `raw`.
pub fn decode_events(
    body: &crate::json::Json<'_>,
    options: &NormalizeOptions,
) -> Result<(Vec<WebhookEvent>, BadRows), IdvError> {
    use crate::json::Json;
    let Json::Array(rows) = body else {
        return Err(decode_error(P, "the events list is not a JSON array"));
    };
    let mut events = Vec::new();
    let mut bad_rows = BadRows::default();
    for (index, row) in rows.iter().enumerate() {
        let text = |name: &str| row.get(name).and_then(Json::as_str).map(str::to_string);
        // An empty `RessourceId` is Mangopay's test event, as in a notification.
        let resource = text("ResourceId").or_else(|| text("RessourceId"));
        let event_type = text("EventType").filter(|t| !t.is_empty());
        // Unix seconds within years 0000-9999 (milliseconds are not).
        let date = row
            .get("Date")
            .and_then(Json::as_f64)
            .map(|d| d as i64)
            .filter(|d| crate::time::from_unix_int(*d).is_some());
        let (Some(event_type), Some(date)) = (event_type, date) else {
            let reason = match row.get("EventType") {
                _ if !matches!(row, Json::Object(_)) => "not an object",
                None => "field `EventType` is missing",
                Some(_) if row.get("Date").is_none() => "field `Date` is missing",
                Some(_) => "field `EventType` or `Date` is not what the events list holds",
            };
            let reason = format!("{P}: events row {index}: {reason}");
            if options.strict {
                return Err(IdvError::decode(P, reason));
            }
            bad_rows.push(BadRow {
                provider: P,
                index,
                id: resource.filter(|r| !r.is_empty()),
                reason,
                page: None,
            });
            continue;
        };
        let resource_id = resource.unwrap_or_default();
        let mut event = event(&event_type, &resource_id, Some(date), 0);
        if options.include_raw {
            event.raw = Some(row.to_value());
        }
        events.push(event);
    }
    Ok((events, bad_rows))
}

/// A notification as Mangopay sends it: a GET with the query, unsigned.
pub fn sign(request: &SignRequest) -> Result<SignedWebhook, IdvError> {
    let text = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| request.payload.get(*n))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    let event_type = text(&["EventType", "eventType"]).ok_or_else(|| {
        IdvError::config(Some(P), "mangopay: signWebhook `payload` needs `EventType`")
    })?;
    let resource = text(&["RessourceId", "ResourceId", "resourceId"]).unwrap_or_default();
    let date = text(&["Date", "date"])
        .or_else(|| request.timestamp.map(|t| t.to_string()))
        .unwrap_or_else(|| (request.now_ms / 1000).to_string());
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("EventType", &event_type)
        .append_pair("RessourceId", &resource)
        .append_pair("Date", &date)
        .finish();
    let base = request.url.clone().unwrap_or_default();
    let separator = if base.contains('?') { '&' } else { '?' };
    Ok(SignedWebhook {
        method: "GET",
        url: Some(format!("{base}{separator}{query}")),
        headers: Default::default(),
        body: None,
    })
}
