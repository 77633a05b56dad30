//! The providers' HTTP APIs as pure functions: request builders (paths, auth
//! headers, query strings, bodies) and response decoders (pages, errors).
//! See `shared/providers.md` for every path and header.

use super::config::ProviderConfig;
use super::http::{HttpRequest, HttpResponse, Method};
use super::query::{max_page_size, ListQuery};
use super::retry::{is_retryable_status, parse_retry_after};
use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::providers::{list_rows, parse_json, NormalizeOptions};
use crate::session::{Provider, Session};
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Map, Value};

/// Characters escaped in a path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\');

fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

fn with_query(url: String, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return url;
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    format!("{url}?{}", q.finish())
}

/// Which page of a list to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRef {
    /// Mangopay: 1-based page number and page size.
    Page {
        /// 1-based page.
        page: u64,
        /// Items per page.
        per_page: u64,
    },
    /// Equals and Didit: offset and limit.
    Offset {
        /// Rows to skip.
        offset: u64,
        /// Rows to return.
        limit: u64,
    },
}

impl PageRef {
    /// The page a query asks for (its own page/offset, else the first).
    pub fn of_query(provider: Provider, query: &ListQuery, default_size: u64) -> PageRef {
        match provider {
            Provider::Mangopay => PageRef::Page {
                page: query.page.unwrap_or(1),
                per_page: query.per_page.unwrap_or(default_size),
            },
            _ => PageRef::Offset {
                offset: query.offset.unwrap_or(0),
                limit: query.limit.unwrap_or(default_size),
            },
        }
    }
}

/// Headers every request carries: JSON, the caller's extra headers, and auth.
fn headers(
    provider: Provider,
    cfg: &ProviderConfig,
    bearer: Option<&str>,
) -> Vec<(String, String)> {
    let auth: Option<(&str, String)> = match provider {
        Provider::Mangopay => bearer.map(|t| ("authorization", format!("Bearer {t}"))),
        Provider::Equals => cfg
            .api_key
            .as_ref()
            .map(|k| ("authorization", format!("ApiKey {}", k.expose()))),
        Provider::Didit => cfg
            .api_key
            .as_ref()
            .map(|k| ("x-api-key", k.expose().to_string())),
    };
    let mut out = vec![("accept".to_string(), "application/json".to_string())];
    for (name, value) in &cfg.headers {
        let overridden = auth
            .as_ref()
            .is_some_and(|(a, _)| name.eq_ignore_ascii_case(a));
        if !overridden && !name.eq_ignore_ascii_case("accept") {
            out.push((name.clone(), value.clone()));
        }
    }
    if let Some((name, value)) = auth {
        out.push((name.to_string(), value));
    }
    out
}

fn client_id(cfg: &ProviderConfig) -> String {
    segment(cfg.client_id.as_deref().unwrap_or_default())
}

/// `GET` of one list page.
pub fn list_request(
    provider: Provider,
    cfg: &ProviderConfig,
    query: &ListQuery,
    page: PageRef,
    bearer: Option<&str>,
) -> HttpRequest {
    let base = &cfg.base_url;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let url = match provider {
        Provider::Mangopay => {
            if let PageRef::Page { page, per_page } = page {
                pairs.push(("page", page.to_string()));
                pairs.push(("per_page", per_page.to_string()));
            }
            format!(
                "{base}/v2.01/{}/users/{}/identity-verifications",
                client_id(cfg),
                segment(query.user_id.as_deref().unwrap_or_default())
            )
        }
        Provider::Equals => {
            if let PageRef::Offset { offset, limit } = page {
                pairs.push(("limit", limit.to_string()));
                pairs.push(("offset", offset.to_string()));
            }
            if let Some(a) = &query.application_id {
                pairs.push(("applicationId", a.clone()));
            }
            if let Some(p) = &query.associated_person_id {
                pairs.push(("associatedPersonId", p.clone()));
            }
            format!("{base}/v2/applications/identity-verification-sessions")
        }
        Provider::Didit => {
            let filter = query.status_filter(provider);
            for (name, value) in [
                ("vendor_data", &query.vendor_data),
                ("country", &query.country),
                ("workflow_id", &query.workflow_id),
                ("date_from", &query.date_from),
                ("date_to", &query.date_to),
            ] {
                if let Some(v) = value {
                    pairs.push((name, v.clone()));
                }
            }
            if !filter.server.is_empty() {
                pairs.push(("status", filter.server.join(",")));
            }
            if let PageRef::Offset { offset, limit } = page {
                pairs.push(("offset", offset.to_string()));
                pairs.push(("limit", limit.to_string()));
            }
            // The trailing slash matters: without it Didit answers 301.
            format!("{base}/v3/sessions/")
        }
    };
    HttpRequest {
        method: Method::Get,
        url: with_query(url, &pairs),
        headers: headers(provider, cfg, bearer),
        body: None,
    }
}

/// `GET` of one session: Mangopay View, Didit decision. Equals has no such endpoint.
pub fn get_request(
    provider: Provider,
    cfg: &ProviderConfig,
    id: &str,
    bearer: Option<&str>,
) -> Result<HttpRequest, IdvError> {
    let base = &cfg.base_url;
    let url = match provider {
        Provider::Mangopay => format!(
            "{base}/v2.01/{}/identity-verifications/{}",
            client_id(cfg),
            segment(id)
        ),
        Provider::Didit => format!("{base}/v3/session/{}/decision/", segment(id)),
        Provider::Equals => {
            return Err(IdvError::new(
                ErrorCode::Unsupported,
                Some(provider),
                "equals: the API has no endpoint to read one session; use listSessions with \
                 `applicationId` or `associatedPersonId`",
            ))
        }
    };
    Ok(HttpRequest {
        method: Method::Get,
        url,
        headers: headers(provider, cfg, bearer),
        body: None,
    })
}

/// `POST` creating a session. Mangopay input `{userId, returnUrl, tag?, idempotencyKey?}`;
/// Didit input `{workflowId, vendorData?, callback?, metadata?}`; Equals: `unsupported`.
///
/// # Errors
/// `config` for missing or mistyped input fields, `unsupported` for Equals.
pub fn create_request(
    provider: Provider,
    cfg: &ProviderConfig,
    input: &Value,
    bearer: Option<&str>,
) -> Result<HttpRequest, IdvError> {
    let empty = Map::new();
    let map = match input {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => {
            return Err(IdvError::config(
                Some(provider),
                format!("{provider}: createSession input must be an object"),
            ))
        }
    };
    let text = |name: &str, required: bool| -> Result<Option<String>, IdvError> {
        match map.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            None | Some(Value::Null) if !required => Ok(None),
            _ => Err(IdvError::config(
                Some(provider),
                format!(
                    "{provider}: createSession input `{name}` {}",
                    if required {
                        "is required (a non-empty string)"
                    } else {
                        "must be a string"
                    }
                ),
            )),
        }
    };
    let base = &cfg.base_url;
    let mut headers = headers(provider, cfg, bearer);
    headers.push(("content-type".into(), "application/json".into()));
    let (url, body) = match provider {
        Provider::Mangopay => {
            let user_id = text("userId", true)?.unwrap_or_default();
            let mut body = json!({ "ReturnUrl": text("returnUrl", true)? });
            if let Some(tag) = text("tag", false)? {
                body["Tag"] = Value::from(tag);
            }
            if let Some(key) = text("idempotencyKey", false)? {
                headers.push(("idempotency-key".into(), key));
            }
            (
                format!(
                    "{base}/v2.01/{}/users/{}/identity-verifications",
                    client_id(cfg),
                    segment(&user_id)
                ),
                body,
            )
        }
        Provider::Didit => {
            let mut body = json!({ "workflow_id": text("workflowId", true)? });
            if let Some(v) = text("vendorData", false)? {
                body["vendor_data"] = Value::from(v);
            }
            if let Some(v) = text("callback", false)? {
                body["callback"] = Value::from(v);
            }
            match map.get("metadata") {
                None | Some(Value::Null) => {}
                Some(m @ Value::Object(_)) => body["metadata"] = m.clone(),
                Some(_) => {
                    return Err(IdvError::config(
                        Some(provider),
                        "didit: createSession input `metadata` must be an object",
                    ))
                }
            }
            (format!("{base}/v3/session/"), body)
        }
        Provider::Equals => return Err(IdvError::new(
            ErrorCode::Unsupported,
            Some(provider),
            "equals: sessions are issued by Equals during onboarding; the API cannot create one",
        )),
    };
    Ok(HttpRequest {
        method: Method::Post,
        url,
        headers,
        body: Some(body.to_string()),
    })
}

/// Mangopay's OAuth2 client-credentials token request.
pub fn token_request(cfg: &ProviderConfig) -> Option<HttpRequest> {
    let key = cfg.api_key.as_ref()?;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        cfg.client_id.as_deref().unwrap_or_default(),
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

/// A Mangopay access token and when it expires.
#[derive(Clone, PartialEq)]
pub struct Token {
    /// The bearer token.
    pub access_token: String,
    /// Expiry, in ms since the epoch.
    pub expires_at_ms: f64,
    /// When to fetch the next one: 60 s before expiry (the Node SDK's margin;
    /// Mangopay asks for at least 30 s), or a quarter of the lifetime for short ones.
    pub refresh_at_ms: f64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// Decodes the token response (`{access_token, token_type, expires_in}`).
pub fn decode_token(response: &HttpResponse, now_ms: f64) -> Result<Token, IdvError> {
    let value = parse_json(Provider::Mangopay, &response.body)
        .map_err(|e| with_status(e, response.status))?;
    let access_token = value
        .get("access_token")
        .and_then(Json::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            with_status(
                IdvError::decode(
                    Provider::Mangopay,
                    "mangopay: token response has no `access_token`",
                ),
                response.status,
            )
        })?;
    // Use the returned lifetime; 5 minutes if absent.
    let expires_in = value
        .get("expires_in")
        .and_then(Json::as_f64)
        .filter(|s| *s > 0.0)
        .unwrap_or(300.0);
    Ok(Token {
        access_token: access_token.to_string(),
        expires_at_ms: now_ms + expires_in * 1000.0,
        refresh_at_ms: now_ms + expires_in * 1000.0 - (expires_in * 250.0).min(60_000.0),
    })
}

/// One decoded list page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    /// Normalized rows, in the provider's order.
    pub sessions: Vec<Session>,
    /// Rows in the provider's page (before any after-fetch filtering).
    pub rows: u64,
    /// Total rows matching the query, when the provider says.
    pub total: Option<u64>,
    /// Total pages (Mangopay `x-number-of-pages`).
    pub pages: Option<u64>,
    /// The page size the provider used (Equals `limit`; Didit from `next`; else requested).
    pub page_size: Option<u64>,
    /// Whether the provider says another page follows (Didit `next`, Mangopay `link`).
    pub has_next: Option<bool>,
}

fn header_u64(response: &HttpResponse, name: &str) -> Option<u64> {
    response.header(name)?.trim().parse().ok()
}

/// Decodes a list page.
///
/// # Errors
/// `decode` (keeping the HTTP status) when the body is not the documented shape.
pub fn decode_list(
    provider: Provider,
    response: &HttpResponse,
    requested: PageRef,
    options: &NormalizeOptions,
) -> Result<ListPage, IdvError> {
    let status = response.status;
    let body = crate::providers::parse_payload(provider, &response.body, true, options)
        .map_err(|e| with_status(e, status))?;
    let sessions = crate::providers::normalize_list_json(provider, &body, options)
        .map_err(|e| with_status(e, status))?;
    let rows = list_rows(provider, &body)
        .map(|(r, _)| r.len() as u64)
        .unwrap_or(0);
    let mut page = ListPage {
        sessions,
        rows,
        ..ListPage::default()
    };
    match provider {
        Provider::Mangopay => {
            page.total = header_u64(response, "x-number-of-items");
            page.pages = header_u64(response, "x-number-of-pages");
            if let PageRef::Page { per_page, .. } = requested {
                page.page_size = Some(per_page);
            }
            page.has_next = response.header("link").map(|l| l.contains("rel=\"next\""));
        }
        Provider::Equals => {
            page.total = body.get("count").and_then(Json::as_u64);
            page.page_size = body.get("limit").and_then(Json::as_u64).filter(|l| *l > 0);
        }
        Provider::Didit => {
            page.total = body.get("count").and_then(Json::as_u64);
            let next = body.get("next").and_then(Json::as_str);
            page.has_next = Some(next.is_some());
            page.page_size = next
                .and_then(|url| query_param(url, "limit"))
                .filter(|l| *l > 0);
        }
    }
    // A server that clamps the page size: trust what it returned.
    if let (PageRef::Offset { limit, .. }, None) = (requested, page.page_size) {
        let more = page.total.map_or(page.has_next == Some(true), |t| t > rows);
        page.page_size = Some(if more && rows > 0 && rows < limit {
            rows
        } else {
            limit
        });
    }
    Ok(page)
}

fn query_param(url: &str, name: &str) -> Option<u64> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// Decodes a single-session response (View, decision, create).
pub fn decode_session(
    provider: Provider,
    response: &HttpResponse,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    let value = crate::providers::parse_payload(provider, &response.body, false, options)
        .map_err(|e| with_status(e, response.status))?;
    crate::providers::normalize_session_json(provider, &value, options)
        .map_err(|e| with_status(e, response.status))
}

fn with_status(mut e: IdvError, status: u16) -> IdvError {
    e.http_status = Some(status);
    e
}

/// The error for a non-2xx response: code from the status, the provider's own
/// message from its body (any of its documented shapes), `Retry-After`.
pub fn error_from_response(
    provider: Provider,
    operation: &str,
    response: &HttpResponse,
    now_ms: f64,
) -> IdvError {
    let status = response.status;
    let body = response.body.trim_start();
    let html = body.starts_with('<')
        || response
            .header("content-type")
            .is_some_and(|c| c.to_ascii_lowercase().contains("html"));
    let detail = if html {
        Some("the body is an HTML page, not JSON".to_string())
    } else {
        serde_json::from_str::<Value>(body)
            .ok()
            .as_ref()
            .and_then(provider_message)
    };
    let mut code = match status {
        401 | 403 => ErrorCode::Auth,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        _ => ErrorCode::Http,
    };
    // Mangopay's OAuth lockout answers 400 `unauthorized_client`.
    if status == 400 && body.contains("unauthorized_client") {
        code = ErrorCode::Auth;
    }
    let mut message = format!("{provider}: {operation} failed: HTTP {status}");
    if let Some(d) = detail {
        message.push_str(": ");
        message.push_str(&d);
    }
    IdvError {
        code,
        provider: Some(provider),
        http_status: Some(status),
        retryable: is_retryable_status(status),
        retry_after_ms: response
            .header("retry-after")
            .and_then(|v| parse_retry_after(v, now_ms)),
        message,
    }
}

/// The provider's message from an error body: Mangopay `{Message, Type, errors}`,
/// OAuth `{error, error_description}`, RFC 7807 `{title, detail}`, Django REST
/// `{detail}` or field errors `{field: [msg]}`, Equals `{message}`.
fn provider_message(body: &Value) -> Option<String> {
    let map = body.as_object()?;
    let text = |k: &str| map.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = text("Message")
        .or_else(|| text("message"))
        .or_else(|| text("error_description"))
    {
        parts.push(m.to_string());
    } else if let Some(d) = text("detail")
        .or_else(|| text("title"))
        .or_else(|| text("error"))
    {
        parts.push(d.to_string());
    }
    if let Some(t) = text("Type") {
        parts.push(format!("({t})"));
    }
    let fields = map
        .get("errors")
        .or_else(|| map.get("Errors"))
        .and_then(Value::as_object);
    // Django REST field errors (`{field: [msg]}`) when nothing else was said.
    let django = parts.is_empty();
    let field_errors = fields
        .into_iter()
        .flatten()
        .chain(map.iter().filter(|(_, v)| django && v.is_array()));
    let field_errors: Vec<_> = field_errors.collect();
    for (field, value) in field_errors {
        let msg = match value {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            _ => continue,
        };
        parts.push(format!("{field}: {msg}"));
    }
    if parts.is_empty() {
        return None;
    }
    let mut joined = parts.join(" ");
    if joined.len() > 400 {
        let mut end = 400;
        while !joined.is_char_boundary(end) {
            end -= 1;
        }
        joined.truncate(end);
        joined.push('…');
    }
    Some(joined)
}

/// The default page size when listing everything.
pub fn full_page(provider: Provider) -> u64 {
    max_page_size(provider)
}
