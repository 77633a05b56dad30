//! The providers' HTTP APIs, generic parts: request plumbing (headers, auth,
//! query strings, path segments, create inputs) that each provider's builder
//! uses, and the response decoders (pages, sessions, tokens, errors). Each
//! provider's paths and quirks are in `src/providers/<provider>/`.

use super::config::ProviderConfig;
use super::http::{HttpRequest, HttpResponse};
use super::query::ListQuery;
use super::retry::{is_retryable_status, parse_retry_after};
use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::protocol::page::PageMeta;
pub use crate::protocol::page::PageRef;
use crate::providers::{parse_json, BadRow, BadRows, NormalizeOptions, Provider};
use crate::session::Session;
use serde_json::{Map, Value};

pub use crate::protocol::request::{
    has_dot_segment, header_u64, headers, input_object, input_text, request, segment,
    url_query_u64, with_query,
};

/// `GET` of one list page.
pub fn list_request(
    provider: Provider,
    cfg: &ProviderConfig,
    query: &ListQuery,
    page: PageRef,
    bearer: Option<&str>,
) -> HttpRequest {
    provider.api().list_request(cfg, query, page, bearer)
}

/// The OAuth token request of the provider `cfg` is for (`None` for API-key
/// providers, and when a proxy holds the credentials).
pub fn token_request(cfg: &ProviderConfig) -> Option<HttpRequest> {
    cfg.provider.api().token_request(cfg)
}

/// An OAuth access token and when it expires.
#[derive(Clone, PartialEq)]
pub struct Token {
    /// The bearer token.
    pub access_token: String,
    /// Expiry, in ms since the epoch.
    pub expires_at_ms: f64,
    /// When to fetch the next one: 60 s before expiry (Mangopay's Node SDK
    /// margin; its docs ask for at least 30 s), or a quarter of the lifetime for short ones.
    pub refresh_at_ms: f64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// Decodes an OAuth token response (`{access_token, token_type, expires_in}`).
///
/// # Errors
/// `decode` (keeping the HTTP status) when it is not JSON or has no token.
pub fn decode_token(
    provider: Provider,
    response: &HttpResponse,
    now_ms: f64,
) -> Result<Token, IdvError> {
    let value =
        parse_json(provider, &response.body).map_err(|e| with_status(e, response.status))?;
    let access_token = value
        .get("access_token")
        .and_then(Json::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            with_status(
                IdvError::decode(
                    provider,
                    format!("{provider}: token response has no `access_token`"),
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
    /// The row (0-based, in the provider's page) of each of `sessions`.
    pub session_rows: Vec<u64>,
    /// Rows that were not sessions (their `page` set to where this page starts).
    pub bad_rows: BadRows,
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
    /// Where the next page starts, for a cursor: the id of the page's last
    /// row (`None` when that row had no id: the walk cannot go on from it).
    pub next_cursor: Option<String>,
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
    let from = match requested {
        PageRef::Page { page, .. } => Some(page),
        PageRef::Offset { offset, .. } => Some(offset),
        PageRef::Cursor { .. } => None,
    };
    let mut sessions = Vec::new();
    let mut session_rows = Vec::new();
    let mut bad_rows = BadRows::default();
    let mut rows: u64 = 0;
    // A cursor page is followed from its last row's id, whatever the row is.
    let mut last_id: Option<String> = None;
    let body = crate::providers::stream_list(provider, &response.body, options, &mut |row| {
        rows += 1;
        match row {
            Ok(session) => {
                last_id = Some(session.id.clone());
                sessions.push(session);
                session_rows.push(rows - 1);
            }
            Err(bad) => {
                last_id.clone_from(&bad.id);
                bad_rows.push(BadRow { page: from, ..bad });
            }
        }
        Ok(())
    })
    .map_err(|e| with_status(e, status))?;
    let PageMeta {
        total,
        pages,
        page_size,
        has_next,
    } = provider.api().page_meta(response, &body, requested);
    let mut page = ListPage {
        sessions,
        session_rows,
        bad_rows,
        rows,
        total,
        pages,
        page_size,
        has_next,
        next_cursor: last_id.filter(|_| matches!(requested, PageRef::Cursor { .. })),
    };
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
        crate::json::parse_value(body)
            .ok()
            .as_ref()
            .and_then(provider_message)
    };
    let code = provider
        .api()
        .error_code(status, body)
        .unwrap_or(match status {
            401 | 403 => ErrorCode::Auth,
            404 => ErrorCode::NotFound,
            429 => ErrorCode::RateLimited,
            _ => ErrorCode::Http,
        });
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
/// `{detail}` or field errors `{field: [msg]}`, Equals `{message}`, Stripe
/// `{error: {type, code, message, param}}`, Onfido `{error: {type, message,
/// fields}}`.
fn provider_message(body: &Value) -> Option<String> {
    let top = body.as_object()?;
    // Stripe's and Onfido's message is inside `error`; a body without one
    // there is read at the top level.
    let nested = top.get("error").and_then(Value::as_object);
    [nested, Some(top)]
        .into_iter()
        .flatten()
        .find_map(object_message)
}

fn object_message(map: &Map<String, Value>) -> Option<String> {
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
        .or_else(|| map.get("fields"))
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
    // Not cut here: the engine scrubs credentials first, then shortens.
    Some(parts.join(" "))
}

/// The largest page a provider allows.
pub fn full_page(provider: Provider) -> u64 {
    provider.api().query().paging.max()
}

#[cfg(test)]
mod tests {
    use super::{has_dot_segment, provider_message};
    use serde_json::json;

    #[test]
    fn a_message_inside_error_or_at_the_top() {
        let stripe = json!({"error": {"type": "invalid_request_error", "message": "No such verificationsession: 'vs_1'"}});
        assert_eq!(
            provider_message(&stripe).as_deref(),
            Some("No such verificationsession: 'vs_1'")
        );
        let onfido = json!({"error": {"type": "validation_error", "message": "Invalid", "fields": {"applicant_id": ["must be a UUID"]}}});
        assert_eq!(
            provider_message(&onfido).as_deref(),
            Some("Invalid applicant_id: must be a UUID")
        );
        // Nothing to say inside `error`: the top level speaks.
        let top = json!({"error": {"code": 1}, "message": "top-level words"});
        assert_eq!(provider_message(&top).as_deref(), Some("top-level words"));
        assert_eq!(
            provider_message(&json!({"error": "invalid_grant"})).as_deref(),
            Some("invalid_grant")
        );
    }

    #[test]
    fn dot_segments_in_any_spelling_a_url_parser_decodes() {
        for url in [
            "https://h/v2.01/c/identity-verifications/..",
            "https://h/v2.01/c/identity-verifications/.",
            "https://h/v2.01/c/users/../identity-verifications",
            "https://h/a/%2E%2e/b?x=1",
            "https://h/a/.%2e",
            "/api/x/..",
            "https://h/a\\..\\b",
        ] {
            assert!(has_dot_segment(url), "{url}");
        }
        for url in [
            "https://h/v2.01/c/identity-verifications/..%2Fx",
            "https://h/a/...",
            "https://h/a/.b?x=..",
            "https://h.example/a#..",
            "https://my.host./a",
        ] {
            assert!(!has_dot_segment(url), "{url}");
        }
    }
}
