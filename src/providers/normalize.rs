//! Provider payloads in, unified sessions out: JSON parsing and the list
//! shapes, shared by every provider; each provider's parser is its
//! `ProviderApi::normalize`.
//!
//! Field policy: a payload must carry the session id, its status and (except
//! Didit's create response) its creation time, with the documented types; any
//! other field that is missing, `null`, empty or of the wrong type is simply
//! absent from the unified session.

use super::object::{Obj, Path};
use crate::error::IdvError;
use crate::json::Json;
use crate::session::Provider;
use crate::session::Session;
use serde::Serialize;
use serde_json::Value;

/// Options for normalization.
#[derive(Debug, Clone, Default)]
pub struct NormalizeOptions {
    /// Keep the provider's object in `Session::raw`.
    pub include_raw: bool,
    /// The user a list or create call was about, for rows that do not say
    /// (Mangopay list rows lack `UserId`).
    pub user_id: Option<String>,
    /// RFC 3339 "now", used as `createdAt` of a create response that has no
    /// creation time (Didit's). Without it such a payload is a decode error;
    /// list rows are never dated "now".
    pub now: Option<String>,
    /// A list row that is not a session fails the whole list (`decode`)
    /// instead of being reported as a [`BadRow`].
    pub strict: bool,
}

/// A list row that is not a session (no usable id or creation time, or not
/// an object), reported next to the sessions instead of failing the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BadRow {
    /// The provider listed.
    pub provider: Provider,
    /// The row's position in its list response (0-based).
    pub index: usize,
    /// The provider's id of the row, when it has a usable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why it is not a session (names the field).
    pub reason: String,
    /// For the client: where the page started (Mangopay `page`, Equals and
    /// Didit `offset`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
}

/// How many bad rows a list describes one by one; the rest are only counted
/// (a hostile body of millions of non-object rows must not cost memory,
/// or a JS string, per row).
pub const MAX_BAD_ROWS: usize = 100;

/// The rows of a list that were not sessions: the first [`MAX_BAD_ROWS`]
/// described, all of them counted.
///
/// Dereferences to the described rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BadRows {
    rows: Vec<BadRow>,
    count: usize,
}

impl BadRows {
    /// Counts the row; describes it while fewer than [`MAX_BAD_ROWS`] are.
    pub fn push(&mut self, row: BadRow) {
        self.count += 1;
        if self.rows.len() < MAX_BAD_ROWS {
            self.rows.push(row);
        }
    }

    /// Adds another list's bad rows (their count too).
    pub fn append(&mut self, other: BadRows) {
        self.add_undescribed(other.count - other.rows.len());
        for row in other.rows {
            self.push(row);
        }
    }

    /// Says where the page of these rows starts (a listing's page or offset).
    pub fn set_page(&mut self, page: u64) {
        for row in &mut self.rows {
            row.page = Some(page);
        }
    }

    /// Counts rows that are not described.
    pub fn add_undescribed(&mut self, rows: usize) {
        self.count += rows;
    }

    /// How many rows were not sessions (described or not).
    #[must_use]
    pub fn count(&self) -> usize {
        self.count
    }
}

impl std::ops::Deref for BadRows {
    type Target = [BadRow];
    fn deref(&self) -> &[BadRow] {
        &self.rows
    }
}

impl FromIterator<BadRow> for BadRows {
    fn from_iter<I: IntoIterator<Item = BadRow>>(iter: I) -> Self {
        let mut rows = BadRows::default();
        for row in iter {
            rows.push(row);
        }
        rows
    }
}

/// Sessions of a list, and the rows that were not sessions.
///
/// Dereferences to the sessions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionList {
    /// The sessions, in the provider's order.
    pub sessions: Vec<Session>,
    /// The rows that were not sessions.
    pub bad_rows: BadRows,
}

impl std::ops::Deref for SessionList {
    type Target = Vec<Session>;
    fn deref(&self) -> &Vec<Session> {
        &self.sessions
    }
}

/// Parses JSON text, telling an HTML error page apart from broken JSON.
///
/// # Errors
/// `decode` when the text is not JSON.
pub fn parse_json(provider: Provider, text: &str) -> Result<Json<'_>, IdvError> {
    let trimmed = json_text(provider, text)?;
    crate::json::parse(trimmed)
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
    let api = provider.api();
    let rows = if list { api.rows_field() } else { None };
    crate::json::parse_pruned(trimmed, rows, api.reads())
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
    let strict = NormalizeOptions {
        strict: true,
        ..options.clone()
    };
    normalize_rows(provider, body, &strict).map(|list| list.sessions)
}

/// A provider's list body given as JSON text, normalized row by row as it is
/// parsed: `each` gets every session (or, for a row that is not a session, a
/// [`BadRow`]; with `strict`, such a row is an error instead), and the list
/// never exists whole in memory. List rows are never dated "now".
///
/// Returns the body without its rows (totals, links: the page metadata).
///
/// # Errors
/// `decode` when the text is not JSON, the body is not the documented shape,
/// or (with `strict`) a row is bad; an error of `each`.
pub fn stream_list<'a>(
    provider: Provider,
    text: &'a str,
    options: &NormalizeOptions,
    each: &mut dyn FnMut(Result<Session, BadRow>) -> Result<(), IdvError>,
) -> Result<Json<'a>, IdvError> {
    let trimmed = json_text(provider, text)?;
    let api = provider.api();
    let undated;
    let options = if options.now.is_some() {
        undated = NormalizeOptions {
            now: None,
            ..options.clone()
        };
        &undated
    } else {
        options
    };
    let field = api.rows_field();
    let prefix = field.unwrap_or("");
    let id_field = api.id_field();
    let keep: fn(&str) -> bool = if options.include_raw {
        |_| true
    } else {
        api.reads()
    };
    let mut failed: Option<IdvError> = None;
    let body = crate::json::stream_rows(trimmed, field, keep, &mut |index, row| {
        let session = Obj::new(provider, &row, Path::Row(prefix, index))
            .and_then(|obj| normalize_obj(&obj, options));
        let outcome = match session {
            Ok(session) => each(Ok(session)),
            Err(e) if options.strict => Err(e),
            Err(e) => each(Err(BadRow {
                provider,
                index,
                id: row
                    .get(id_field)
                    .and_then(Json::as_str)
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned),
                reason: e.message,
                page: None,
            })),
        };
        match outcome {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    });
    let body = match (body, failed) {
        (_, Some(e)) => return Err(e),
        (Ok(body), None) => body,
        (Err(e), None) => {
            return Err(IdvError::decode(
                provider,
                format!("{provider}: invalid JSON: {e}"),
            ))
        }
    };
    // The shape: what `list_rows` checks, on what is left of the body.
    list_rows(provider, &body)?;
    Ok(body)
}

/// A provider's list body to sessions, each row that is not a session
/// reported as a [`BadRow`] (or, with `strict`, failing the list). List rows
/// are never dated "now".
///
/// # Errors
/// `decode` when the body is not the documented shape (or, with `strict`, a row is bad).
pub fn normalize_rows(
    provider: Provider,
    body: &Json<'_>,
    options: &NormalizeOptions,
) -> Result<SessionList, IdvError> {
    let (rows, prefix) = list_rows(provider, body)?;
    let mut list = SessionList {
        sessions: Vec::with_capacity(rows.len()),
        bad_rows: BadRows::default(),
    };
    let dated_now = options.now.is_some();
    let undated;
    let options = if dated_now {
        undated = NormalizeOptions {
            now: None,
            ..options.clone()
        };
        &undated
    } else {
        options
    };
    let id_field = provider.api().id_field();
    for (index, row) in rows.iter().enumerate() {
        let session = Obj::new(provider, row, Path::Row(prefix, index))
            .and_then(|obj| normalize_obj(&obj, options));
        match session {
            Ok(session) => list.sessions.push(session),
            Err(e) if options.strict => return Err(e),
            Err(e) => list.bad_rows.push(BadRow {
                provider,
                index,
                id: row
                    .get(id_field)
                    .and_then(Json::as_str)
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned),
                reason: e.message,
                page: None,
            }),
        }
    }
    Ok(list)
}

/// The rows array of a list body, and the name of the field holding it
/// (`""` for Mangopay's bare array). Providers whose list is an object also accept a bare array.
///
/// # Errors
/// `decode` when the body is not the provider's list shape.
pub fn list_rows<'b, 'a>(
    provider: Provider,
    body: &'b Json<'a>,
) -> Result<(&'b [Json<'a>], &'static str), IdvError> {
    let field = provider.api().rows_field();
    match (body, field) {
        (Json::Array(rows), field) => Ok((rows, field.unwrap_or(""))),
        (Json::Object(pairs), Some(field))
            if pairs.iter().filter(|(k, _)| k == field).count() > 1 =>
        {
            Err(IdvError::decode(
                provider,
                format!("{provider}: the list body has `{field}` twice"),
            ))
        }
        (Json::Object(_), Some(field)) => match body.get(field) {
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
        (other, None) => Err(IdvError::decode(
            provider,
            format!(
                "{provider}: a list body is a JSON array, got {}",
                other.type_name()
            ),
        )),
        (other, Some(field)) => Err(IdvError::decode(
            provider,
            format!(
                "{provider}: a list body is a JSON object with `{field}`, got {}",
                other.type_name()
            ),
        )),
    }
}

fn normalize_obj(obj: &Obj<'_, '_>, options: &NormalizeOptions) -> Result<Session, IdvError> {
    let mut session = obj.provider.api().normalize(obj, options)?;
    if options.include_raw {
        session.raw = Some(obj.value.to_value());
    }
    Ok(session)
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
