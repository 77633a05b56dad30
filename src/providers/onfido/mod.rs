//! Onfido (Entrust) Studio workflow runs, API v3.6. Facts and sources:
//! `../shared/providers-next.md` section 2, SPEC section 9.
//!
//! - `GET /workflow_runs?page=&status=&created_at_gt=&created_at_lt=&sort=&applicant_id=&tags=`:
//!   a bare JSON array per page, at the server's own page size, no total: a
//!   page shorter than the ones before, or empty, ends the walk. The dates
//!   are whole days: `dateFrom`/`dateTo` are widened to them, and the exact
//!   instants are checked after fetching.
//! - `GET /workflow_runs/{id}`; with `details`, the checks of its applicant
//!   created since the run (`GET /checks?applicant_id=`: checks name no run),
//!   then each check's reports (`GET /reports?check_id=`).
//! - `POST /workflow_runs` (`workflow_id`, `applicant_id`); with `applicant`
//!   in the input, `POST /applicants` first. No idempotency key: neither is
//!   sent again once it may have arrived.
//! - `Authorization: Token token=<apiToken>`; `region` `eu` (default), `us`,
//!   `ca`. Error bodies `{ error: { type, message, fields } }`. No published
//!   rate limit: 429 and `Retry-After` are honoured.

mod session;
mod tables;
mod webhook;

pub use session::report_check;
pub use tables::{CHECK_KINDS, STATUSES};

use crate::error::IdvError;
use crate::json::Json;
use crate::protocol::config::ProviderConfig;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::http::{HttpRequest, HttpResponse, Method};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::request::{input_object, input_text, request, segment, with_query};
use crate::protocol::spec::{Auth, Connection, Dates, Paging, QuerySpec, RateLimit, Region};
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::registry::ProviderApi;
use crate::providers::table::{KindRow, StatusRow};
use crate::session::{Provider, Session};
use crate::webhook::{SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::{json, Map, Value};

const P: Provider = Provider::Onfido;

const CONNECTION: Connection = Connection {
    base_url: "https://api.eu.onfido.com/v3.6",
    regions: &[
        Region {
            name: "eu",
            base_url: "https://api.eu.onfido.com/v3.6",
        },
        Region {
            name: "us",
            base_url: "https://api.us.onfido.com/v3.6",
        },
        Region {
            name: "ca",
            base_url: "https://api.ca.onfido.com/v3.6",
        },
    ],
    hosts: &[
        "https://api.eu.onfido.com",
        "https://api.us.onfido.com",
        "https://api.ca.onfido.com",
        "https://api.onfido.com",
    ],
    auth: Auth::ApiKeyHeader {
        header: "authorization",
        prefix: "Token token=",
    },
    settings: &[],
};

const QUERY: QuerySpec = QuerySpec {
    filters: &["applicantId", "tags", "sort", "dateFrom", "dateTo"],
    required: None,
    paging: Paging::ServerPages,
    status_param: Some("status"),
    // The parameter's text lists seven of the eight run statuses, not
    // `awaiting_client_input` (../shared/providers-next.md section 2.2).
    status_values: Some(&[
        "processing",
        "awaiting_input",
        "approved",
        "declined",
        "review",
        "abandoned",
        "error",
    ]),
    user_keys: &["applicantId"],
    dates: Dates::WholeDays,
};

/// The registry entry.
pub struct Onfido;

/// `YYYY-MM-DD` of `instant` moved by `days` (an RFC 3339 time or a date).
fn day(instant: &str, days: i64) -> Option<String> {
    let millis = crate::time::to_unix_millis(instant)
        .or_else(|| crate::time::to_unix_millis(&format!("{instant}T00:00:00Z")))?;
    let shifted = millis.checked_add(days.checked_mul(86_400_000)?)?;
    crate::time::from_unix_millis(shifted as f64).and_then(|t| t.get(..10).map(str::to_owned))
}

fn post_json(cfg: &ProviderConfig, path: &str, body: &Value, bearer: Option<&str>) -> HttpRequest {
    let mut req = request(Method::Post, format!("{}{path}", cfg.base_url), cfg, bearer);
    req.headers
        .push(("content-type".into(), "application/json".into()));
    req.body = Some(body.to_string());
    req
}

/// The run's body from the caller's input (camelCase), the applicant given.
fn run_body(map: &Map<String, Value>, applicant_id: &str) -> Result<Value, IdvError> {
    let mut body = json!({
        "workflow_id": input_text(P, map, "workflowId", true)?,
        "applicant_id": applicant_id,
    });
    if let Some(v) = input_text(P, map, "customerUserId", false)? {
        body["customer_user_id"] = Value::from(v);
    }
    match map.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) if tags.iter().all(Value::is_string) => {
            body["tags"] = Value::Array(tags.clone());
        }
        Some(_) => {
            return Err(IdvError::config(
                Some(P),
                "onfido: createSession input `tags` must be an array of strings",
            ))
        }
    }
    let mut link = Map::new();
    for (from, to) in [
        ("completedRedirectUrl", "completed_redirect_url"),
        ("expiredRedirectUrl", "expired_redirect_url"),
    ] {
        if let Some(v) = input_text(P, map, from, false)? {
            link.insert(to.into(), Value::from(v));
        }
    }
    if !link.is_empty() {
        body["link"] = Value::Object(link);
    }
    Ok(body)
}

/// The applicant's body (`firstName`, `lastName` required; `email`, `dob`,
/// `phoneNumber`).
fn applicant_body(applicant: &Value) -> Result<Value, IdvError> {
    let Value::Object(map) = applicant else {
        return Err(IdvError::config(
            Some(P),
            "onfido: createSession input `applicant` must be an object",
        ));
    };
    let field = |name: &str, required: bool| -> Result<Option<String>, IdvError> {
        input_text(P, map, name, required).map_err(|e| IdvError {
            message: e.message.replace("input `", "input `applicant."),
            ..e
        })
    };
    let mut body = json!({
        "first_name": field("firstName", true)?,
        "last_name": field("lastName", true)?,
    });
    for (from, to) in [
        ("email", "email"),
        ("dob", "dob"),
        ("phoneNumber", "phone_number"),
    ] {
        if let Some(v) = field(from, false)? {
            body[to] = Value::from(v);
        }
    }
    Ok(body)
}

impl ProviderApi for Onfido {
    fn provider(&self) -> Provider {
        P
    }
    fn statuses(&self) -> &'static [StatusRow] {
        STATUSES
    }
    fn check_kinds(&self) -> &'static [KindRow] {
        CHECK_KINDS
    }
    fn rows_field(&self) -> Option<&'static str> {
        None
    }
    fn id_field(&self) -> &'static str {
        "id"
    }
    fn reads(&self) -> fn(&str) -> bool {
        session::reads
    }
    fn normalize(
        &self,
        obj: &Obj<'_, '_>,
        _options: &NormalizeOptions,
    ) -> Result<Session, IdvError> {
        session::normalize(obj)
    }
    fn connection(&self) -> &'static Connection {
        &CONNECTION
    }
    fn query(&self) -> &'static QuerySpec {
        &QUERY
    }
    fn list_request(
        &self,
        cfg: &ProviderConfig,
        query: &ListQuery,
        page: PageRef,
        bearer: Option<&str>,
    ) -> HttpRequest {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let PageRef::Page { page, .. } = page {
            pairs.push(("page", page.to_string()));
        }
        let filter = query.status_filter(P);
        if !filter.server.is_empty() {
            pairs.push(("status", filter.server.join(",")));
        }
        // Whole days around the instants asked for (`gt`/`lt` are exclusive).
        if let Some(d) = query.filter("dateFrom").and_then(|t| day(t, -1)) {
            pairs.push(("created_at_gt", d));
        }
        if let Some(d) = query.filter("dateTo").and_then(|t| day(t, 1)) {
            pairs.push(("created_at_lt", d));
        }
        for (name, wire) in [
            ("applicantId", "applicant_id"),
            ("sort", "sort"),
            ("tags", "tags"),
        ] {
            if let Some(value) = query.filter(name) {
                pairs.push((wire, value.to_string()));
            }
        }
        let url = format!("{}/workflow_runs", cfg.base_url);
        request(Method::Get, with_query(url, &pairs), cfg, bearer)
    }
    fn get_request(
        &self,
        cfg: &ProviderConfig,
        id: &str,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let url = format!("{}/workflow_runs/{}", cfg.base_url, segment(id));
        Ok(request(Method::Get, url, cfg, bearer))
    }
    fn create_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let map = input_object(P, input)?;
        let applicant = input_text(P, map, "applicantId", true)?.unwrap_or_default();
        let body = run_body(map, &applicant)?;
        Ok(post_json(cfg, "/workflow_runs", &body, bearer))
    }
    /// `applicant` in the input: the applicant is created first.
    fn create_first_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<Option<HttpRequest>, IdvError> {
        let map = input_object(P, input)?;
        let Some(applicant) = map.get("applicant").filter(|a| !a.is_null()) else {
            return Ok(None);
        };
        if map.get("applicantId").is_some_and(|a| !a.is_null()) {
            return Err(IdvError::config(
                Some(P),
                "onfido: createSession takes `applicant` or `applicantId`, not both",
            ));
        }
        // The run's input is checked before the applicant is made.
        run_body(map, "")?;
        let body = applicant_body(applicant)?;
        Ok(Some(post_json(cfg, "/applicants", &body, bearer)))
    }
    fn create_after_first(
        &self,
        input: &Value,
        answer: &Value,
    ) -> Result<(Value, (&'static str, String)), IdvError> {
        let id = answer
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| IdvError::decode(P, "onfido: the new applicant has no `id`"))?;
        let mut input = input_object(P, input)?.clone();
        input.remove("applicant");
        input.insert("applicantId".into(), Value::from(id));
        Ok((Value::Object(input), ("applicantId", id.to_owned())))
    }
    /// The v3.6 spec gives no page metadata; Onfido's classic lists sent a
    /// `Link` header, whose `rel="next"` (or its absence) is taken when it
    /// comes. Without one, a page shorter than the ones before ends the walk.
    fn page_meta(
        &self,
        response: &HttpResponse,
        _body: &Json<'_>,
        _requested: PageRef,
    ) -> PageMeta {
        PageMeta {
            has_next: response.link_next(),
            ..PageMeta::default()
        }
    }
    /// With `details`: the checks of the run's applicant created since the
    /// run, then the reports of each.
    fn detail_requests(
        &self,
        cfg: &ProviderConfig,
        session: &Session,
        answers: &[Value],
        bearer: Option<&str>,
    ) -> Result<Vec<HttpRequest>, IdvError> {
        let get = |path: &str, pairs: &[(&str, String)]| {
            let url = with_query(format!("{}{path}", cfg.base_url), pairs);
            request(Method::Get, url, cfg, bearer)
        };
        let Some(applicant) = session.extra.as_ref().and_then(|e| e.applicant_id.as_ref()) else {
            return Ok(Vec::new());
        };
        match answers {
            [] => Ok(vec![get("/checks", &[("applicant_id", applicant.clone())])]),
            [checks] => Ok(session::run_checks(checks, &session.created_at)?
                .into_iter()
                .map(|id| get("/reports", &[("check_id", id)]))
                .collect()),
            _ => Ok(Vec::new()),
        }
    }
    fn add_details(&self, session: &mut Session, answers: &[Value]) -> Result<(), IdvError> {
        session.checks = answers
            .iter()
            .skip(1)
            .flat_map(|reports| {
                reports
                    .get("reports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .map(session::report_check)
            .collect();
        Ok(())
    }
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
        webhook::parse(request)
    }
    fn sign_webhook(&self, request: &SignRequest) -> Result<SignedWebhook, IdvError> {
        webhook::sign(request)
    }
    /// None published: 429 and `Retry-After` are honoured as they come.
    fn rate_limit(&self, _cfg: &ProviderConfig, _endpoint: Endpoint) -> Option<RateLimit> {
        None
    }
}
