//! List queries (camelCase keys, SPEC section 4) and the status filter.
//!
//! Which keys a provider takes, how it pages and whether it filters statuses
//! itself come from its [`QuerySpec`](crate::providers::QuerySpec).
//!
//! `status` accepts unified statuses and provider statuses, as one string, a
//! comma-separated string or an array:
//! - a unified name (`in_progress`) means every provider status mapped to it;
//! - a provider's own spelling (`In Progress`, `IN_PROGRESS`) means exactly that status;
//! - a unified status the provider has no spelling of matches nothing, and a
//!   filter of only such statuses costs no request;
//! - anything else is taken as a provider status.
//!
//! Providers with a status parameter (Didit) get their own spellings;
//! the others are filtered after fetching.

use crate::error::IdvError;
use crate::protocol::spec::Dates;
use crate::providers::table::{find_status, spellings};
use crate::providers::{Paging, Provider};
use crate::session::{Session, SessionStatus};
use crate::status::token;
use serde_json::{Map, Value};

pub use crate::protocol::query::ListQuery;

/// The JS names of a paging style's keys: start, then size (none: `""`).
fn paging_keys(paging: Paging) -> (&'static str, &'static str) {
    match paging {
        Paging::Pages { .. } => ("page", "perPage"),
        Paging::ServerPages => ("page", ""),
        Paging::Offsets { .. } => ("offset", "limit"),
        Paging::Cursor { .. } => ("startingAfter", "limit"),
    }
}

impl ListQuery {
    /// Parses a JS query object (as JSON). `null`/absent means no filter.
    ///
    /// # Errors
    /// `config` naming the key that is wrong or missing.
    pub fn from_json(provider: Provider, value: &Value) -> Result<Self, IdvError> {
        let spec = provider.api().query();
        let empty = Map::new();
        let map = match value {
            Value::Null => &empty,
            Value::Object(map) => map,
            _ => {
                return Err(IdvError::config(
                    Some(provider),
                    format!("{provider}: the query must be an object"),
                ))
            }
        };
        let (from_key, size_key) = paging_keys(spec.paging);
        let mut allowed: Vec<&str> = spec.filters.to_vec();
        allowed.extend([from_key, size_key, "status"]);
        allowed.retain(|k| !k.is_empty());
        if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(IdvError::config(
                Some(provider),
                format!(
                    "{provider}: unknown query key `{unknown}` (expected one of: {})",
                    allowed.join(", ")
                ),
            ));
        }
        let mut filters = Vec::new();
        for &name in spec.filters {
            match map.get(name) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if !s.is_empty() => filters.push((name, s.clone())),
                Some(_) => {
                    return Err(IdvError::config(
                        Some(provider),
                        format!("{provider}: query `{name}` must be a non-empty string"),
                    ))
                }
            }
        }
        let int = |name: &str, min: u64, max: u64| -> Result<Option<u64>, IdvError> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => match n.as_u64() {
                    Some(v) if v >= min && v <= max => Ok(Some(v)),
                    _ => Err(IdvError::config(
                        Some(provider),
                        format!(
                            "{provider}: query `{name}` must be an integer from {min} to {max}"
                        ),
                    )),
                },
                Some(_) => Err(IdvError::config(
                    Some(provider),
                    format!("{provider}: query `{name}` must be an integer"),
                )),
            }
        };
        let (from, after) = match spec.paging {
            Paging::Pages { .. } | Paging::ServerPages => {
                (int(from_key, 1, u32::MAX as u64)?, None)
            }
            Paging::Offsets { .. } => (int(from_key, 0, u32::MAX as u64 * 1000)?, None),
            Paging::Cursor { .. } => match map.get(from_key) {
                None | Some(Value::Null) => (None, None),
                Some(Value::String(s)) if !s.is_empty() => (None, Some(s.clone())),
                Some(_) => {
                    return Err(IdvError::config(
                        Some(provider),
                        format!("{provider}: query `{from_key}` must be a non-empty string"),
                    ))
                }
            },
        };
        let query = ListQuery {
            filters,
            from,
            after,
            size: match spec.paging {
                Paging::ServerPages => None,
                _ => int(size_key, 1, spec.paging.max())?,
            },
            status: status_list(provider, map.get("status"))?,
        };
        if spec.dates != Dates::AsGiven {
            for name in ["dateFrom", "dateTo"] {
                if query
                    .filter(name)
                    .is_some_and(|t| crate::time::instant(t, false).is_none())
                {
                    return Err(IdvError::config(
                        Some(provider),
                        format!(
                            "{provider}: query `{name}` must be a date (`2026-01-31`) or an \
                             RFC 3339 time (`2026-01-31T12:00:00Z`)"
                        ),
                    ));
                }
            }
        }
        if let Some((name, why)) = spec.required {
            if query.filter(name).is_none() {
                return Err(IdvError::config(
                    Some(provider),
                    format!("{provider}: query `{name}` is required ({why})"),
                ));
            }
        }
        Ok(query)
    }

    /// The same query as a JS query object (camelCase), e.g. for `next`.
    pub fn to_json(&self, provider: Provider) -> Value {
        let (from_key, size_key) = paging_keys(provider.api().query().paging);
        let mut map = Map::new();
        for (name, value) in &self.filters {
            map.insert(name.to_string(), Value::from(value.as_str()));
        }
        if let Some(from) = self.from {
            map.insert(from_key.to_string(), Value::from(from));
        }
        if let Some(after) = &self.after {
            map.insert(from_key.to_string(), Value::from(after.as_str()));
        }
        if let Some(size) = self.size.filter(|_| !size_key.is_empty()) {
            map.insert(size_key.to_string(), Value::from(size));
        }
        if !self.status.is_empty() {
            map.insert("status".to_string(), Value::from(self.status.clone()));
        }
        Value::Object(map)
    }

    /// How the status filter is applied for this provider.
    pub fn status_filter(&self, provider: Provider) -> StatusFilter {
        let api = provider.api();
        let mut filter = self.statuses_filter(provider);
        if api.query().dates != Dates::AsGiven {
            filter.created_from = self
                .filter("dateFrom")
                .and_then(|t| crate::time::instant(t, false));
            filter.created_to = self
                .filter("dateTo")
                .and_then(|t| crate::time::instant(t, true));
        }
        filter
    }

    fn statuses_filter(&self, provider: Provider) -> StatusFilter {
        let api = provider.api();
        let table = api.statuses();
        let wanted: Vec<Wanted> = self.status.iter().map(|s| wanted(table, s)).collect();
        if wanted.is_empty() {
            return StatusFilter::default();
        }
        // A unified status the provider has no spelling of: no session can have it
        // (`unknown`, "any status not in the table", always can).
        let possible: Vec<Wanted> = wanted
            .into_iter()
            .filter(|w| match w {
                Wanted::Unified(SessionStatus::Unknown) | Wanted::Provider(_) => true,
                Wanted::Unified(unified) => !spellings(table, *unified).is_empty(),
            })
            .collect();
        let mut filter = StatusFilter::default();
        // No provider filter can say "any status not in the table".
        let server_side = api.query().status_param.is_some()
            && !possible.contains(&Wanted::Unified(SessionStatus::Unknown));
        if server_side {
            for w in &possible {
                let names: Vec<String> = match w {
                    Wanted::Unified(unified) => spellings(table, *unified)
                        .iter()
                        .map(|n| n.to_string())
                        .collect(),
                    Wanted::Provider(name) => vec![name.clone()],
                };
                for name in names {
                    if !filter.server.contains(&name) {
                        filter.server.push(name);
                    }
                }
            }
            // A value the parameter is not documented to take may be refused
            // (or ignored): then only the check after fetching filters.
            if let Some(documented) = api.query().status_values {
                if !filter
                    .server
                    .iter()
                    .all(|n| documented.contains(&n.as_str()))
                {
                    filter.server.clear();
                }
            }
        }
        // Checked after fetching too, server filter or not: a proxy that drops
        // `status=`, or a status qualified by a result the parameter cannot
        // say, must not let other sessions through.
        filter.after = possible;
        filter.matches_nothing = filter.after.is_empty();
        filter
    }
}

/// One requested status, as understood for a provider.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// A unified status: every provider status mapped to it.
    Unified(SessionStatus),
    /// Exactly this provider status (its documented spelling when it has one).
    Provider(String),
}

/// What one requested status means for a provider: a unified name as
/// written (`in_progress`), else the provider's spelling it matches, else a
/// unified status in another spelling, else a provider status as given.
fn wanted(table: &[crate::providers::StatusRow], text: &str) -> Wanted {
    if let Some(unified) = SessionStatus::ALL.into_iter().find(|s| s.as_str() == text) {
        return Wanted::Unified(unified);
    }
    if let Some(row) = find_status(table, text) {
        return Wanted::Provider(row.status.to_string());
    }
    match SessionStatus::parse(text) {
        Some(unified) => Wanted::Unified(unified),
        None => Wanted::Provider(text.to_string()),
    }
}

/// A status filter split into what the provider applies and what is applied after fetching.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusFilter {
    /// Provider status strings sent to the provider (Didit `status=`).
    pub server: Vec<String>,
    /// Statuses a session must match, checked after fetching.
    pub after: Vec<Wanted>,
    /// True when no session can match (only statuses the provider never has):
    /// no request needs to be made.
    pub matches_nothing: bool,
    /// Created at or after (ms), checked after fetching: the provider takes
    /// whole days, or a proxy may drop the filter ([`Dates`]).
    pub created_from: Option<i64>,
    /// Created at or before (ms), likewise.
    pub created_to: Option<i64>,
}

impl StatusFilter {
    /// True when the session passes the after-fetch filter.
    pub fn keeps(&self, session: &Session) -> bool {
        let created = || crate::time::to_unix_millis(&session.created_at);
        let in_range = (self.created_from.is_none() && self.created_to.is_none())
            || created().is_some_and(|at| {
                self.created_from.is_none_or(|from| at >= from)
                    && self.created_to.is_none_or(|to| at <= to)
            });
        !self.matches_nothing
            && in_range
            && (self.after.is_empty()
                || self.after.iter().any(|wanted| match wanted {
                    Wanted::Unified(status) => session.status == *status,
                    Wanted::Provider(name) => token(name) == token(&session.provider_status),
                }))
    }
}

fn status_list(provider: Provider, value: Option<&Value>) -> Result<Vec<String>, IdvError> {
    let bad = || {
        IdvError::config(
            Some(provider),
            format!("{provider}: query `status` must be a string or an array of strings"),
        )
    };
    let items: Vec<&str> = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) => s.split(',').collect(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                out.push(item.as_str().ok_or_else(bad)?);
            }
            out
        }
        Some(_) => return Err(bad()),
    };
    Ok(items
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_round_trips() {
        let q = ListQuery::from_json(
            Provider::Didit,
            &json!({"vendorData": "user-1", "status": "approved, In Review", "limit": 20, "offset": 40}),
        )
        .unwrap();
        assert_eq!(q.filter("vendorData"), Some("user-1"));
        assert_eq!(q.status, vec!["approved", "In Review"]);
        assert_eq!(
            q.to_json(Provider::Didit),
            json!({"vendorData": "user-1", "status": ["approved", "In Review"], "limit": 20, "offset": 40})
        );
        assert_eq!(
            ListQuery::from_json(Provider::Equals, &json!(null)).unwrap(),
            ListQuery::default()
        );
        let q =
            ListQuery::from_json(Provider::Mangopay, &json!({"userId": "u", "page": 2})).unwrap();
        assert_eq!(
            q.to_json(Provider::Mangopay),
            json!({"userId": "u", "page": 2})
        );
    }

    #[test]
    fn rejects_bad_queries() {
        for (provider, q, part) in [
            (Provider::Mangopay, json!({}), "`userId` is required"),
            (
                Provider::Mangopay,
                json!({"userId": "u", "perPage": 101}),
                "`perPage` must be an integer from 1 to 100",
            ),
            (Provider::Equals, json!({"limit": 1001}), "`limit`"),
            (
                Provider::Equals,
                json!({"vendorData": "x"}),
                "unknown query key `vendorData`",
            ),
            (Provider::Didit, json!({"limit": -1}), "`limit`"),
            (Provider::Didit, json!({"status": 5}), "`status`"),
            (Provider::Didit, json!({"status": ["a", 1]}), "`status`"),
            (Provider::Didit, json!("x"), "must be an object"),
            (Provider::Didit, json!({"vendorData": ""}), "`vendorData`"),
        ] {
            let e = ListQuery::from_json(provider, &q).unwrap_err();
            assert!(e.message.contains(part), "{q}: {}", e.message);
        }
    }

    fn filter(provider: Provider, status: Value) -> StatusFilter {
        let mut q = json!({"status": status});
        if provider == Provider::Mangopay {
            q["userId"] = json!("u");
        }
        ListQuery::from_json(provider, &q)
            .unwrap()
            .status_filter(provider)
    }

    #[test]
    fn didit_translates_unified_statuses_to_its_own() {
        let f = filter(
            Provider::Didit,
            json!(["in_progress", "outdated", "Declined"]),
        );
        assert_eq!(
            f.server,
            vec!["In Progress", "Awaiting User", "Kyc Expired", "Declined"]
        );
        // Checked again after fetching (a proxy may drop `status=`).
        assert_eq!(
            f.after,
            vec![
                Wanted::Unified(SessionStatus::InProgress),
                Wanted::Unified(SessionStatus::Outdated),
                Wanted::Provider("Declined".into())
            ]
        );
        let declined = |status: &str| {
            let row =
                json!({"session_id": "s", "status": status, "created_at": "2026-01-01T00:00:00Z"});
            crate::providers::normalize_session(Provider::Didit, &row, &Default::default()).unwrap()
        };
        assert!(f.keeps(&declined("Declined")) && !f.keeps(&declined("Approved")));
        // Each spelling once, repeats apart included.
        let f = filter(Provider::Didit, json!(["declined", "approved", "Declined"]));
        assert_eq!(f.server, vec!["Declined", "Approved"]);
        // `unknown` cannot be asked of Didit: everything is fetched and filtered here.
        let f = filter(Provider::Didit, json!("unknown,approved"));
        assert!(f.server.is_empty());
        assert_eq!(
            f.after,
            vec![
                Wanted::Unified(SessionStatus::Unknown),
                Wanted::Unified(SessionStatus::Approved)
            ]
        );
    }

    #[test]
    fn a_providers_own_spelling_filters_exactly_that_status() {
        let f = filter(Provider::Didit, json!("In Progress"));
        assert_eq!(f.server, vec!["In Progress"]);
        let f = filter(Provider::Didit, json!("AWAITING_USER"));
        assert_eq!(f.server, vec!["Awaiting User"]);
        // A status Didit does not document goes to Didit as written.
        let f = filter(Provider::Didit, json!("Pending Review"));
        assert_eq!(f.server, vec!["Pending Review"]);
        assert!(!f.matches_nothing);
    }

    #[test]
    fn onfido_is_sent_only_the_statuses_its_filter_documents() {
        let f = filter(Provider::Onfido, json!(["approved", "declined"]));
        assert_eq!(f.server, vec!["approved", "declined"]);
        // `in_review` includes `awaiting_client_input`, which the parameter's
        // text does not list: fetched unfiltered, filtered after.
        for wanted in [json!("in_review"), json!("awaiting_client_input")] {
            let f = filter(Provider::Onfido, wanted.clone());
            assert!(f.server.is_empty(), "{wanted}: {f:?}");
            assert!(!f.matches_nothing && !f.after.is_empty(), "{wanted}");
        }
    }

    #[test]
    fn a_unified_status_the_provider_never_has_matches_nothing() {
        let f = filter(Provider::Didit, json!("error"));
        assert!(f.matches_nothing, "{f:?}");
        assert!(f.server.is_empty());
        let f = filter(Provider::Didit, json!(["error", "approved"]));
        assert!(!f.matches_nothing);
        assert_eq!(f.server, vec!["Approved"]);
        assert!(filter(Provider::Mangopay, json!("not_started")).matches_nothing);
        assert!(filter(Provider::Equals, json!(["abandoned", "error"])).matches_nothing);
        // `unknown` can always match: every provider may send an unlisted status.
        assert!(!filter(Provider::Equals, json!("unknown")).matches_nothing);
    }

    #[test]
    fn after_fetch_filter_matches_unified_or_provider_status() {
        let f = filter(Provider::Mangopay, json!(["approved", "REVIEW"]));
        assert!(f.server.is_empty());
        let session = |status: &str| {
            crate::normalize_json(
                Provider::Mangopay,
                &format!(r#"{{"Id":"i","Status":"{status}","CreationDate":1}}"#),
                &Default::default(),
            )
            .unwrap()
        };
        assert!(f.keeps(&session("VALIDATED")));
        assert!(f.keeps(&session("REVIEW")));
        assert!(!f.keeps(&session("REFUSED")));
        assert!(StatusFilter::default().keeps(&session("REFUSED")));
        // Mangopay's `OUTDATED` spelling keeps only that spelling, `outdated` both.
        let f = filter(Provider::Mangopay, json!("OUTDATED"));
        assert!(f.keeps(&session("OUTDATED")) && !f.keeps(&session("OUT_OF_DATE")));
        let f = filter(Provider::Mangopay, json!("outdated"));
        assert!(f.keeps(&session("OUTDATED")) && f.keeps(&session("OUT_OF_DATE")));
    }
}
