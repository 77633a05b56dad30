//! Lenient access to one JSON object's fields, with the object's path for
//! error messages (formatted only when an error is built).

use crate::error::IdvError;
use crate::json::Json;
use crate::session::Provider;
use std::borrow::Cow;

/// Where an object is in its payload, for error messages (formatted only then).
#[derive(Clone, Copy)]
pub enum Path {
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
pub struct Obj<'b, 'a> {
    /// The provider whose payload this is (for error messages).
    pub provider: Provider,
    pub(crate) value: &'b Json<'a>,
    pairs: &'b [(Cow<'a, str>, Json<'a>)],
    path: Path,
}

impl<'b, 'a> Obj<'b, 'a> {
    /// The object at `path`, or a `decode` error when `value` is not an object.
    ///
    /// # Errors
    /// `decode` naming the path.
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

    /// A status field: its text when it is a string (possibly empty), else
    /// `""` (missing, `null`, another type): such a session is `unknown`, never
    /// an error.
    pub fn status_text(&self, name: &str) -> &'b str {
        match self.get(name) {
            Some(Json::Str(s)) => s,
            _ => "",
        }
    }

    /// A required, non-empty string field.
    ///
    /// # Errors
    /// `decode` naming the field.
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
    ///
    /// # Errors
    /// `decode` naming the field.
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
