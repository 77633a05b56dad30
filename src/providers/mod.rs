//! Provider payloads in, unified sessions out.
//!
//! One module per provider, each holding its status table (`map_status`), its
//! check-kind table and its payload parser. This module holds what they share:
//! JSON parsing and lenient field access.
//!
//! Field policy: a payload must carry the session id, its status and (except
//! Didit's create response) its creation time, with the documented types; any
//! other field that is missing, `null`, empty or of the wrong type is simply
//! absent from the unified session.

pub mod didit;
pub mod equals;
pub mod mangopay;

use crate::error::IdvError;
use crate::json::Json;
use crate::session::{Provider, Session};
use serde_json::Value;
use std::borrow::Cow;

/// Options for normalization.
#[derive(Debug, Clone, Default)]
pub struct NormalizeOptions {
    /// Keep the provider's object in `Session::raw`.
    pub include_raw: bool,
    /// Mangopay `UserId` for rows that lack it (list rows do).
    pub user_id: Option<String>,
    /// RFC 3339 "now", used as `createdAt` for Didit's create response, which has no
    /// creation time. Without it such a payload is a decode error.
    pub now: Option<String>,
}

/// Parses JSON text, telling an HTML error page apart from broken JSON.
///
/// # Errors
/// `decode` when the text is not JSON.
pub fn parse_json(provider: Provider, text: &str) -> Result<Json<'_>, IdvError> {
    let trimmed = json_text(provider, text)?;
    serde_json::from_str(trimmed)
        .map_err(|e| IdvError::decode(provider, format!("{provider}: invalid JSON: {e}")))
}

/// Parses a payload for normalization: without `include_raw`, only the
/// fields the provider's parser reads are built (see each provider's `reads`).
///
/// # Errors
/// `decode` when the text is not JSON.
pub fn parse_payload<'a>(
    provider: Provider,
    text: &'a str,
    list: bool,
    options: &NormalizeOptions,
) -> Result<Json<'a>, IdvError> {
    if options.include_raw {
        return parse_json(provider, text);
    }
    let trimmed = json_text(provider, text)?;
    let (rows, keep): (Option<&'static str>, fn(&str) -> bool) = match provider {
        Provider::Mangopay => (None, mangopay::reads),
        Provider::Equals => (Some("rows"), equals::reads),
        Provider::Didit => (Some("results"), didit::reads),
    };
    crate::json::parse_pruned(trimmed, if list { rows } else { None }, keep)
        .map_err(|e| IdvError::decode(provider, format!("{provider}: invalid JSON: {e}")))
}

/// The text to parse: an HTML error page or an empty body is named as such.
fn json_text(provider: Provider, text: &str) -> Result<&str, IdvError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return Err(IdvError::decode(
            provider,
            format!("{provider}: expected JSON, got an HTML page"),
        ));
    }
    if trimmed.is_empty() {
        return Err(IdvError::decode(
            provider,
            format!("{provider}: expected JSON, got an empty body"),
        ));
    }
    Ok(trimmed)
}

/// Normalizes one provider object: a list row, a single-session response or a
/// create response.
///
/// # Errors
/// `decode` when the object lacks its id, status or creation time, or has them
/// in the wrong type.
pub fn normalize_session(
    provider: Provider,
    raw: &Value,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    normalize_session_json(provider, &Json::from_value(raw), options)
}

/// [`normalize_session`] over a parsed [`Json`] tree.
///
/// # Errors
/// As [`normalize_session`].
pub fn normalize_session_json(
    provider: Provider,
    raw: &Json<'_>,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    let obj = Obj::new(provider, raw, Path::Root)?;
    normalize_obj(&obj, options)
}

/// Normalizes a provider's whole list response body: Mangopay's bare array,
/// Equals `{limit, offset, count, rows}`, Didit `{count, next, previous, results}`.
/// Equals and Didit also accept a bare array of rows.
///
/// # Errors
/// `decode` when the body is not the documented shape or a row is invalid
/// (the message names the row and field).
pub fn normalize_list(
    provider: Provider,
    body: &Value,
    options: &NormalizeOptions,
) -> Result<Vec<Session>, IdvError> {
    normalize_list_json(provider, &Json::from_value(body), options)
}

/// [`normalize_list`] over a parsed [`Json`] tree.
///
/// # Errors
/// As [`normalize_list`].
pub fn normalize_list_json(
    provider: Provider,
    body: &Json<'_>,
    options: &NormalizeOptions,
) -> Result<Vec<Session>, IdvError> {
    let (rows, prefix) = list_rows(provider, body)?;
    let mut sessions = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let obj = Obj::new(provider, row, Path::Row(prefix, i))?;
        sessions.push(normalize_obj(&obj, options)?);
    }
    Ok(sessions)
}

/// The rows array of a list body, and the name of the field holding it.
pub fn list_rows<'b, 'a>(
    provider: Provider,
    body: &'b Json<'a>,
) -> Result<(&'b [Json<'a>], &'static str), IdvError> {
    let field = match provider {
        Provider::Mangopay => "",
        Provider::Equals => "rows",
        Provider::Didit => "results",
    };
    match body {
        Json::Array(rows) => Ok((rows, field)),
        Json::Object(_) if !field.is_empty() => match body.get(field) {
            Some(Json::Array(rows)) => Ok((rows, field)),
            Some(other) => Err(IdvError::decode(
                provider,
                format!(
                    "{provider}: list field `{field}` must be an array, got {}",
                    other.type_name()
                ),
            )),
            None => Err(IdvError::decode(
                provider,
                format!("{provider}: list body has no `{field}` array"),
            )),
        },
        other => Err(IdvError::decode(
            provider,
            match provider {
                Provider::Mangopay => format!(
                    "mangopay: a list body is a JSON array, got {}",
                    other.type_name()
                ),
                _ => format!(
                    "{provider}: a list body is a JSON object with `{field}`, got {}",
                    other.type_name()
                ),
            },
        )),
    }
}

fn normalize_obj(obj: &Obj<'_, '_>, options: &NormalizeOptions) -> Result<Session, IdvError> {
    let mut session = match obj.provider {
        Provider::Mangopay => mangopay::normalize(obj, options)?,
        Provider::Equals => equals::normalize(obj)?,
        Provider::Didit => didit::normalize(obj, options)?,
    };
    if options.include_raw {
        session.raw = Some(obj.value.to_value());
    }
    Ok(session)
}

/// Where an object is in its payload, for error messages (formatted only then).
#[derive(Clone, Copy)]
pub(crate) enum Path {
    /// The payload itself (or a nested object: their fields are never required).
    Root,
    /// Row `i` of a list, in the named field (`""` for a bare array).
    Row(&'static str, usize),
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Row(field, i) => write!(f, "{field}[{i}]."),
        }
    }
}

/// Lenient access to one JSON object's fields, with the object's path for errors.
pub(crate) struct Obj<'b, 'a> {
    pub provider: Provider,
    value: &'b Json<'a>,
    pairs: &'b [(Cow<'a, str>, Json<'a>)],
    path: Path,
}

impl<'b, 'a> Obj<'b, 'a> {
    pub fn new(provider: Provider, value: &'b Json<'a>, path: Path) -> Result<Self, IdvError> {
        match value {
            Json::Object(pairs) => Ok(Obj {
                provider,
                value,
                pairs,
                path,
            }),
            other => Err(IdvError::decode(
                provider,
                format!(
                    "{provider}: {} must be a JSON object, got {}",
                    match path {
                        Path::Root => "a session".to_string(),
                        Path::Row(field, i) => format!("`{field}[{i}]`"),
                    },
                    other.type_name()
                ),
            )),
        }
    }

    /// A nested object (lenient: `None` unless it is an object). Paths are
    /// only needed for required fields, which nested objects do not have.
    pub fn child(&self, value: &'b Json<'a>) -> Option<Obj<'b, 'a>> {
        match value {
            Json::Object(pairs) => Some(Obj {
                provider: self.provider,
                value,
                pairs,
                path: Path::Root,
            }),
            _ => None,
        }
    }

    /// Every field, in document order.
    pub fn pairs(&self) -> &'b [(Cow<'a, str>, Json<'a>)] {
        self.pairs
    }

    /// A field (the last one, when a key is repeated).
    pub fn get(&self, name: &str) -> Option<&'b Json<'a>> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// A non-empty string field; anything else is `None`.
    pub fn str(&self, name: &str) -> Option<&'b str> {
        match self.get(name) {
            Some(Json::Str(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// A non-empty string field, owned.
    pub fn string(&self, name: &str) -> Option<String> {
        self.str(name).map(str::to_owned)
    }

    /// An array field; anything else is `None`.
    pub fn array(&self, name: &str) -> Option<&'b [Json<'a>]> {
        match self.get(name) {
            Some(Json::Array(items)) => Some(items),
            _ => None,
        }
    }

    /// The objects of an array field as reasons: `code` and `detail` name
    /// their fields; items without a code are skipped.
    pub fn reasons(&self, name: &str, code: &str, detail: &str) -> Vec<crate::session::Reason> {
        self.array(name)
            .into_iter()
            .flatten()
            .filter_map(|item| self.child(item))
            .filter_map(|item| {
                Some(crate::session::Reason {
                    code: item.string(code)?,
                    detail: item.string(detail),
                })
            })
            .collect()
    }

    /// An integer field, also from a string of digits; anything else is `None`.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Json::Int(i)) => Some(*i),
            Some(Json::Str(s)) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A required, non-empty string field.
    pub fn required_str(&self, name: &str) -> Result<&'b str, IdvError> {
        match self.get(name) {
            Some(Json::Str(s)) if !s.is_empty() => Ok(s),
            Some(Json::Str(_)) => Err(self.field_error(name, "is empty")),
            None => Err(self.field_error(name, "is missing")),
            Some(other) => Err(self.field_error(
                name,
                &format!("must be a string, got {}", other.type_name()),
            )),
        }
    }

    /// A required ISO 8601 date-time field, as RFC 3339 UTC.
    pub fn required_iso_time(&self, name: &str) -> Result<String, IdvError> {
        let text = self.required_str(name)?;
        crate::time::from_iso(text)
            .ok_or_else(|| self.field_error(name, "is not an ISO 8601 date-time"))
    }

    /// An error about one field, naming it with its path.
    pub fn field_error(&self, name: &str, problem: &str) -> IdvError {
        IdvError::decode(
            self.provider,
            format!(
                "{}: field `{}{}` {}",
                self.provider, self.path, name, problem
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn html_and_empty_bodies_are_named() {
        let e = parse_json(Provider::Didit, "<!doctype html><h1>502</h1>").unwrap_err();
        assert!(e.message.contains("HTML"), "{}", e.message);
        let e = parse_json(Provider::Didit, "  ").unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = parse_json(Provider::Didit, "{\"session_id\": \"a\"").unwrap_err();
        assert!(e.message.contains("invalid JSON"), "{}", e.message);
    }

    #[test]
    fn list_shapes() {
        let o = NormalizeOptions::default();
        let e = normalize_list(Provider::Mangopay, &json!({"rows": []}), &o).unwrap_err();
        assert!(e.message.contains("JSON array"), "{}", e.message);
        let e = normalize_list(Provider::Equals, &json!({"count": 0}), &o).unwrap_err();
        assert!(e.message.contains("`rows`"), "{}", e.message);
        let e = normalize_list(Provider::Didit, &json!({"results": {}}), &o).unwrap_err();
        assert!(e.message.contains("must be an array"), "{}", e.message);
        let e = normalize_list(Provider::Didit, &json!({"results": [1]}), &o).unwrap_err();
        assert!(e.message.contains("`results[0]`"), "{}", e.message);
        assert!(normalize_list(Provider::Didit, &json!([]), &o)
            .unwrap()
            .is_empty());
        assert!(normalize_list(Provider::Equals, &json!({"rows": []}), &o)
            .unwrap()
            .is_empty());
    }
}
