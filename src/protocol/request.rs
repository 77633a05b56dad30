//! Building requests: URL segments and queries, the headers every request
//! carries (the provider's auth included), reading a `createSession` input,
//! reading numbers from headers and URLs.

use super::config::ProviderConfig;
use super::http::{HttpRequest, HttpResponse, Method};
use super::spec::Auth;
use crate::error::IdvError;
use crate::session::Provider;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};

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

/// A value as one URL path segment.
pub fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// True when the path of `url` has a `.` or `..` segment (in any spelling a
/// URL parser decodes: `%2e`, `.%2E`): a session or user id of `..` would
/// make the request reach another resource.
pub fn has_dot_segment(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = match path.find("://") {
        Some(at) => path[at + 3..].split_once('/').map_or("", |(_, p)| p),
        None => path,
    };
    path.split(['/', '\\']).any(|segment| {
        let lower = segment.to_ascii_lowercase().replace("%2e", ".");
        lower == "." || lower == ".."
    })
}

/// `url` with a query string of `pairs` (form-encoded).
pub fn with_query(url: String, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return url;
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    format!("{url}?{}", q.finish())
}

/// Headers every request carries: JSON, the caller's extra headers, and the
/// provider's auth (an API-key header, or the OAuth bearer token).
pub fn headers(cfg: &ProviderConfig, bearer: Option<&str>) -> Vec<(String, String)> {
    let auth: Option<(&str, String)> = match cfg.auth {
        Auth::OAuthClientCredentials => bearer.map(|t| ("authorization", format!("Bearer {t}"))),
        Auth::ApiKeyHeader { header, prefix } => cfg
            .api_key
            .as_ref()
            .map(|k| (header, format!("{prefix}{}", k.expose()))),
        Auth::Signed => None,
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

/// A JSON object as a form body (`application/x-www-form-urlencoded`),
/// nested members in brackets as Stripe reads them: `metadata[user]=u1`,
/// `options[document][allowed_types][0]=passport`. `null` members are left
/// out; booleans and numbers are their JSON text. (Nesting is bounded by
/// the JSON parser's depth limit.)
pub fn form_body(object: &Map<String, Value>) -> String {
    fn add(out: &mut form_urlencoded::Serializer<'_, String>, key: &str, value: &Value) {
        match value {
            Value::Null => {}
            Value::String(s) => {
                out.append_pair(key, s);
            }
            Value::Bool(b) => {
                out.append_pair(key, if *b { "true" } else { "false" });
            }
            Value::Number(n) => {
                out.append_pair(key, &n.to_string());
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    add(out, &format!("{key}[{i}]"), item);
                }
            }
            Value::Object(members) => {
                for (name, item) in members {
                    add(out, &format!("{key}[{name}]"), item);
                }
            }
        }
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in object {
        add(&mut out, name, value);
    }
    out.finish()
}

/// A request without a body, with [`headers`].
pub fn request(
    method: Method,
    url: String,
    cfg: &ProviderConfig,
    bearer: Option<&str>,
) -> HttpRequest {
    HttpRequest {
        method,
        url,
        headers: headers(cfg, bearer),
        body: None,
    }
}

/// The object of a `createSession` input (`null`: empty).
///
/// # Errors
/// `config` when the input is not an object.
pub fn input_object(provider: Provider, input: &Value) -> Result<&Map<String, Value>, IdvError> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    match input {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(EMPTY.get_or_init(Map::new)),
        _ => Err(IdvError::config(
            Some(provider),
            format!("{provider}: createSession input must be an object"),
        )),
    }
}

/// A string field of a `createSession` input.
///
/// # Errors
/// `config` naming the field when it is required and missing, or not a non-empty string.
pub fn input_text(
    provider: Provider,
    map: &Map<String, Value>,
    name: &str,
    required: bool,
) -> Result<Option<String>, IdvError> {
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
}

/// A response header as a non-negative integer.
pub fn header_u64(response: &HttpResponse, name: &str) -> Option<u64> {
    response.header(name)?.trim().parse().ok()
}

/// A query parameter of a URL as a non-negative integer.
pub fn url_query_u64(url: &str, name: &str) -> Option<u64> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}
