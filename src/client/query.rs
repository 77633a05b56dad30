//! List queries (camelCase keys, SPEC section 4) and the status filter.
//!
//! `status` accepts unified statuses and provider statuses, as one string,
//! a comma-separated string or an array. Didit filters on its side: unified
//! statuses are translated to Didit's own. Mangopay and Equals have no status
//! filter: it is applied after fetching.

use crate::error::IdvError;
use crate::session::{Provider, Session, SessionStatus};
use crate::status::token;
use serde_json::{Map, Value};

/// A list query for one provider.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListQuery {
    /// Mangopay `UserId` (required for Mangopay).
    pub user_id: Option<String>,
    /// Mangopay page (1-based).
    pub page: Option<u64>,
    /// Mangopay `per_page` (max 100).
    pub per_page: Option<u64>,
    /// Equals `applicationId`.
    pub application_id: Option<String>,
    /// Equals `associatedPersonId`.
    pub associated_person_id: Option<String>,
    /// Didit `vendor_data`.
    pub vendor_data: Option<String>,
    /// Didit `country` (ISO alpha-3).
    pub country: Option<String>,
    /// Didit `workflow_id`.
    pub workflow_id: Option<String>,
    /// Didit `date_from`.
    pub date_from: Option<String>,
    /// Didit `date_to`.
    pub date_to: Option<String>,
    /// Equals / Didit `limit`.
    pub limit: Option<u64>,
    /// Equals / Didit `offset`.
    pub offset: Option<u64>,
    /// Requested statuses, as given.
    pub status: Vec<String>,
}

/// Largest page each provider documents (Didit's is not documented: 100 is
/// requested, and the page size the server really uses is read from its answer).
pub fn max_page_size(provider: Provider) -> u64 {
    match provider {
        Provider::Mangopay => 100,
        Provider::Equals => 1000,
        Provider::Didit => 100,
    }
}

impl ListQuery {
    /// Parses a JS query object (as JSON). `null`/absent means no filter.
    ///
    /// # Errors
    /// `config` naming the key that is wrong or missing.
    pub fn from_json(provider: Provider, value: &Value) -> Result<Self, IdvError> {
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
        let allowed: &[&str] = match provider {
            Provider::Mangopay => &["userId", "page", "perPage", "status"],
            Provider::Equals => &[
                "applicationId",
                "associatedPersonId",
                "limit",
                "offset",
                "status",
            ],
            Provider::Didit => &[
                "vendorData",
                "status",
                "country",
                "workflowId",
                "dateFrom",
                "dateTo",
                "limit",
                "offset",
            ],
        };
        if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(IdvError::config(
                Some(provider),
                format!(
                    "{provider}: unknown query key `{unknown}` (expected one of: {})",
                    allowed.join(", ")
                ),
            ));
        }
        let text = |name: &str| -> Result<Option<String>, IdvError> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
                Some(_) => Err(IdvError::config(
                    Some(provider),
                    format!("{provider}: query `{name}` must be a non-empty string"),
                )),
            }
        };
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
        let max = max_page_size(provider);
        let query = ListQuery {
            user_id: text("userId")?,
            page: int("page", 1, u32::MAX as u64)?,
            per_page: int("perPage", 1, max)?,
            application_id: text("applicationId")?,
            associated_person_id: text("associatedPersonId")?,
            vendor_data: text("vendorData")?,
            country: text("country")?,
            workflow_id: text("workflowId")?,
            date_from: text("dateFrom")?,
            date_to: text("dateTo")?,
            limit: int("limit", 1, max)?,
            offset: int("offset", 0, u32::MAX as u64 * 1000)?,
            status: status_list(provider, map.get("status"))?,
        };
        if provider == Provider::Mangopay && query.user_id.is_none() {
            return Err(IdvError::config(
                Some(provider),
                "mangopay: query `userId` is required (Mangopay lists sessions per user)",
            ));
        }
        Ok(query)
    }

    /// The same query as a JS query object (camelCase), e.g. for `next`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let mut put = |name: &str, value: Option<Value>| {
            if let Some(v) = value {
                map.insert(name.to_string(), v);
            }
        };
        put("userId", self.user_id.clone().map(Value::from));
        put("page", self.page.map(Value::from));
        put("perPage", self.per_page.map(Value::from));
        put(
            "applicationId",
            self.application_id.clone().map(Value::from),
        );
        put(
            "associatedPersonId",
            self.associated_person_id.clone().map(Value::from),
        );
        put("vendorData", self.vendor_data.clone().map(Value::from));
        put("country", self.country.clone().map(Value::from));
        put("workflowId", self.workflow_id.clone().map(Value::from));
        put("dateFrom", self.date_from.clone().map(Value::from));
        put("dateTo", self.date_to.clone().map(Value::from));
        put("limit", self.limit.map(Value::from));
        put("offset", self.offset.map(Value::from));
        if !self.status.is_empty() {
            put("status", Some(Value::from(self.status.clone())));
        }
        Value::Object(map)
    }

    /// How the status filter is applied for this provider.
    pub fn status_filter(&self, provider: Provider) -> StatusFilter {
        if self.status.is_empty() {
            return StatusFilter::default();
        }
        match provider {
            Provider::Didit => {
                let mut server = Vec::new();
                for s in &self.status {
                    match SessionStatus::parse(s) {
                        Some(unified) => match didit_statuses(unified) {
                            Some(names) => server.extend(names.iter().map(|n| n.to_string())),
                            // `unknown` has no Didit spelling: filter after fetching instead.
                            None => return StatusFilter::after(&self.status),
                        },
                        None => server.push(s.clone()),
                    }
                }
                server.dedup();
                StatusFilter {
                    server,
                    after: Vec::new(),
                }
            }
            _ => StatusFilter::after(&self.status),
        }
    }
}

/// A status filter split into what the provider applies and what is applied after fetching.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusFilter {
    /// Provider status strings sent to the provider (Didit `status=`).
    pub server: Vec<String>,
    /// Unified or provider statuses a session must match, checked after fetching.
    pub after: Vec<String>,
}

impl StatusFilter {
    fn after(statuses: &[String]) -> Self {
        StatusFilter {
            server: Vec::new(),
            after: statuses.to_vec(),
        }
    }

    /// True when the session passes the after-fetch filter.
    pub fn keeps(&self, session: &Session) -> bool {
        self.after.is_empty()
            || self.after.iter().any(|wanted| {
                let wanted = token(wanted);
                wanted == session.status.as_str() || wanted == token(&session.provider_status)
            })
    }
}

/// Didit's own spellings of a unified status (`None` for `unknown`).
pub fn didit_statuses(status: SessionStatus) -> Option<&'static [&'static str]> {
    Some(match status {
        SessionStatus::NotStarted => &["Not Started"],
        SessionStatus::InProgress => &["In Progress", "Awaiting User"],
        SessionStatus::InReview => &["In Review"],
        SessionStatus::Approved => &["Approved"],
        SessionStatus::Declined => &["Declined"],
        SessionStatus::ResubmissionRequested => &["Resubmitted"],
        SessionStatus::Expired => &["Expired"],
        SessionStatus::Abandoned => &["Abandoned"],
        SessionStatus::Outdated => &["Kyc Expired"],
        // Didit has no session in these states.
        SessionStatus::Error => &[],
        SessionStatus::Unknown => return None,
    })
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
        assert_eq!(q.vendor_data.as_deref(), Some("user-1"));
        assert_eq!(q.status, vec!["approved", "In Review"]);
        assert_eq!(
            q.to_json(),
            json!({"vendorData": "user-1", "status": ["approved", "In Review"], "limit": 20, "offset": 40})
        );
        assert_eq!(
            ListQuery::from_json(Provider::Equals, &json!(null)).unwrap(),
            ListQuery::default()
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
        ] {
            let e = ListQuery::from_json(provider, &q).unwrap_err();
            assert!(e.message.contains(part), "{q}: {}", e.message);
        }
    }

    #[test]
    fn didit_translates_unified_statuses_to_its_own() {
        let q = ListQuery::from_json(
            Provider::Didit,
            &json!({"status": ["in_progress", "outdated", "Declined"]}),
        )
        .unwrap();
        let f = q.status_filter(Provider::Didit);
        assert_eq!(
            f.server,
            vec!["In Progress", "Awaiting User", "Kyc Expired", "Declined"]
        );
        assert!(f.after.is_empty());
        // `unknown` cannot be asked of Didit: everything is fetched and filtered here.
        let q =
            ListQuery::from_json(Provider::Didit, &json!({"status": "unknown,approved"})).unwrap();
        let f = q.status_filter(Provider::Didit);
        assert!(f.server.is_empty());
        assert_eq!(f.after, vec!["unknown", "approved"]);
    }

    #[test]
    fn after_fetch_filter_matches_unified_or_provider_status() {
        let q = ListQuery::from_json(
            Provider::Mangopay,
            &json!({"userId": "u", "status": ["approved", "REVIEW"]}),
        )
        .unwrap();
        let f = q.status_filter(Provider::Mangopay);
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
    }
}
