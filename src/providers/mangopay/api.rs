//! Mangopay's HTTP API: paths under `/v2.01/{ClientId}/`, the OAuth token,
//! page headers and the error bodies that break the usual shape.

use crate::error::{ErrorCode, IdvError};
use crate::protocol::config::ProviderConfig;
use crate::protocol::http::{HttpRequest, HttpResponse, Method};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::request::{
    header_u64, input_object, input_text, request, segment, with_query,
};
use crate::webhook::EventsQuery;
use base64::Engine as _;
use serde_json::{json, Value};

fn client_id(cfg: &ProviderConfig) -> String {
    segment(cfg.setting("clientId").unwrap_or_default())
}

fn user_sessions_url(cfg: &ProviderConfig, user_id: &str) -> String {
    format!(
        "{}/v2.01/{}/users/{}/identity-verifications",
        cfg.base_url,
        client_id(cfg),
        segment(user_id)
    )
}

/// `GET /v2.01/{ClientId}/users/{UserId}/identity-verifications?page=&per_page=`.
pub fn list_request(
    cfg: &ProviderConfig,
    query: &ListQuery,
    page: PageRef,
    bearer: Option<&str>,
) -> HttpRequest {
    let mut pairs = Vec::new();
    if let PageRef::Page { page, per_page } = page {
        pairs.push(("page", page.to_string()));
        pairs.push(("per_page", per_page.to_string()));
    }
    let url = user_sessions_url(cfg, query.filter("userId").unwrap_or_default());
    request(Method::Get, with_query(url, &pairs), cfg, bearer)
}

/// View: `GET /v2.01/{ClientId}/identity-verifications/{Id}` (with `Checks`).
pub fn get_request(cfg: &ProviderConfig, id: &str, bearer: Option<&str>) -> HttpRequest {
    let url = format!(
        "{}/v2.01/{}/identity-verifications/{}",
        cfg.base_url,
        client_id(cfg),
        segment(id)
    );
    request(Method::Get, url, cfg, bearer)
}

/// `POST /v2.01/{ClientId}/users/{UserId}/identity-verifications` with
/// `{ReturnUrl, Tag?}` (the engine adds the `Idempotency-Key`).
pub fn create_request(
    cfg: &ProviderConfig,
    input: &Value,
    bearer: Option<&str>,
) -> Result<HttpRequest, IdvError> {
    let p = cfg.provider;
    let map = input_object(p, input)?;
    let user_id = input_text(p, map, "userId", true)?.unwrap_or_default();
    let mut body = json!({ "ReturnUrl": input_text(p, map, "returnUrl", true)? });
    if let Some(tag) = input_text(p, map, "tag", false)? {
        body["Tag"] = Value::from(tag);
    }
    let mut req = request(Method::Post, user_sessions_url(cfg, &user_id), cfg, bearer);
    req.headers
        .push(("content-type".into(), "application/json".into()));
    req.body = Some(body.to_string());
    Ok(req)
}

/// The stored answer to a request made with an idempotency key (the last 24
/// hours): `GET /v2.01/{ClientId}/responses/{IdempotencyKey}`.
pub fn replay_request(cfg: &ProviderConfig, key: &str, bearer: Option<&str>) -> HttpRequest {
    let url = format!(
        "{}/v2.01/{}/responses/{}",
        cfg.base_url,
        client_id(cfg),
        segment(key)
    );
    request(Method::Get, url, cfg, bearer)
}

/// The first answer from a `responses` body: `{StatusCode: "200", ...,
/// Resource: {...}}` (the status as text; the body of an error too).
pub fn decode_replay(body: &Value) -> Option<(u16, String)> {
    let status = match body.get("StatusCode")? {
        Value::String(s) => s.trim().parse().ok()?,
        Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
        _ => return None,
    };
    let resource = body.get("Resource").filter(|r| !r.is_null())?;
    Some((status, resource.to_string()))
}

/// Past events: `GET /v2.01/{ClientId}/events?EventType=&AfterDate=&BeforeDate=`
/// (the last 45 days only), 100 per page.
pub fn events_request(
    cfg: &ProviderConfig,
    query: &EventsQuery,
    page: u64,
    bearer: Option<&str>,
) -> HttpRequest {
    let mut pairs = vec![("page", page.to_string()), ("per_page", "100".to_string())];
    if let Some(t) = &query.event_type {
        pairs.push(("EventType", t.clone()));
    }
    if let Some(after) = query.after {
        pairs.push(("AfterDate", after.to_string()));
    }
    if let Some(before) = query.before {
        pairs.push(("BeforeDate", before.to_string()));
    }
    let url = format!("{}/v2.01/{}/events", cfg.base_url, client_id(cfg));
    request(Method::Get, with_query(url, &pairs), cfg, bearer)
}

/// OAuth2 client credentials: `POST /v2.01/oauth/token`, `Basic
/// base64(ClientId:ApiKey)`, `grant_type=client_credentials`.
pub fn token_request(cfg: &ProviderConfig) -> Option<HttpRequest> {
    let key = cfg.api_key.as_ref()?;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        cfg.setting("clientId").unwrap_or_default(),
        key.expose()
    ));
    let mut headers = vec![
        ("accept".to_string(), "application/json".to_string()),
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ),
    ];
    headers.extend(
        cfg.headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .cloned(),
    );
    headers.push(("authorization".to_string(), format!("Basic {basic}")));
    Some(HttpRequest {
        method: Method::Post,
        url: format!("{}/v2.01/oauth/token", cfg.base_url),
        headers,
        body: Some("grant_type=client_credentials".to_string()),
    })
}

/// `x-number-of-items`, `x-number-of-pages`, and `link` with `rel="next"`.
pub fn page_meta(response: &HttpResponse, requested: PageRef) -> PageMeta {
    PageMeta {
        total: header_u64(response, "x-number-of-items"),
        pages: header_u64(response, "x-number-of-pages"),
        page_size: match requested {
            PageRef::Page { per_page, .. } => Some(per_page),
            PageRef::Offset { .. } | PageRef::Cursor { .. } => None,
        },
        has_next: response.link_next(),
    }
}

/// Error codes the status alone does not tell: the OAuth lockout after
/// repeated bad credentials answers 400 `unauthorized_client` (an OAuth-style
/// body); a 403 is never about the credentials (those get 401) but about the
/// account: the IDV feature not activated (an RFC 7807 body), a resource of
/// another client.
pub fn error_code(status: u16, body: &str) -> Option<ErrorCode> {
    match status {
        400 if body.contains("unauthorized_client") => Some(ErrorCode::Auth),
        403 => Some(ErrorCode::Forbidden),
        _ => None,
    }
}

/// `x-ratelimit-remaining` and `x-ratelimit-reset` carry one value per window
/// (15 min, 30 min, 1 h, 24 h); the reset is in Unix seconds. A spent window
/// pauses requests until it resets.
pub fn rate_pause(response: &HttpResponse, now_ms: f64) -> Option<u64> {
    let remaining = response.header("x-ratelimit-remaining")?;
    let reset = response.header("x-ratelimit-reset")?;
    remaining
        .split(',')
        .zip(reset.split(','))
        .filter(|(left, _)| left.trim() == "0")
        .filter_map(|(_, reset)| reset.trim().parse::<f64>().ok())
        .map(|reset_s| reset_s * 1000.0 - now_ms)
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .map(|ms| ms.min(86_400_000.0).ceil() as u64)
        .max()
}
