//! Didit verification sessions (API v3). Facts and sources:
//! `../shared/providers.md` section 3.
//!
//! `x-api-key` auth; `GET /v3/sessions/` (offset/limit, filters, its own
//! `status` filter, `{count, next, previous, results}`), the decision
//! `GET /v3/session/{id}/decision/`, create `POST /v3/session/`. Trailing
//! slashes matter: without them Didit answers 301.

mod canonical;
mod session;
mod tables;
mod webhook;

pub use tables::{CHECK_KINDS, STATUSES};

use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::protocol::config::ProviderConfig;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::http::{HttpRequest, HttpResponse, Method};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::request::{
    input_object, input_text, request, segment, url_query_u64, with_query,
};
use crate::protocol::spec::{Auth, Connection, Dates, Paging, QuerySpec, RateLimit};
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::registry::ProviderApi;
use crate::providers::table::{KindRow, StatusRow};
use crate::session::Provider;
use crate::session::Session;
use crate::webhook::{SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::{json, Value};

const CONNECTION: Connection = Connection {
    base_url: "https://verification.didit.me",
    regions: &[],
    hosts: &["https://verification.didit.me"],
    auth: Auth::ApiKeyHeader {
        header: "x-api-key",
        prefix: "",
    },
    settings: &[],
};

/// `limit` is undocumented beyond its default: 100 is asked for, and the page
/// size the server really uses is read from its answer.
const QUERY: QuerySpec = QuerySpec {
    filters: &["vendorData", "country", "workflowId", "dateFrom", "dateTo"],
    required: None,
    paging: Paging::Offsets { max: 100 },
    status_param: Some("status"),
    status_values: None,
    user_keys: &["vendorData"],
    dates: Dates::AsGiven,
};

const MINUTE: f64 = 60_000.0;

/// The registry entry.
pub struct Didit;

impl ProviderApi for Didit {
    fn provider(&self) -> Provider {
        Provider::Didit
    }
    fn statuses(&self) -> &'static [StatusRow] {
        STATUSES
    }
    fn check_kinds(&self) -> &'static [KindRow] {
        CHECK_KINDS
    }
    fn rows_field(&self) -> Option<&'static str> {
        Some("results")
    }
    fn id_field(&self) -> &'static str {
        "session_id"
    }
    fn reads(&self) -> fn(&str) -> bool {
        session::reads
    }
    fn normalize(
        &self,
        obj: &Obj<'_, '_>,
        options: &NormalizeOptions,
    ) -> Result<Session, IdvError> {
        session::normalize(obj, options)
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
        for (name, wire) in [
            ("vendorData", "vendor_data"),
            ("country", "country"),
            ("workflowId", "workflow_id"),
            ("dateFrom", "date_from"),
            ("dateTo", "date_to"),
        ] {
            if let Some(value) = query.filter(name) {
                pairs.push((wire, value.to_string()));
            }
        }
        let filter = query.status_filter(Provider::Didit);
        if !filter.server.is_empty() {
            pairs.push(("status", filter.server.join(",")));
        }
        if let PageRef::Offset { offset, limit } = page {
            pairs.push(("offset", offset.to_string()));
            pairs.push(("limit", limit.to_string()));
        }
        let url = format!("{}/v3/sessions/", cfg.base_url);
        request(Method::Get, with_query(url, &pairs), cfg, bearer)
    }
    fn get_request(
        &self,
        cfg: &ProviderConfig,
        id: &str,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let url = format!("{}/v3/session/{}/decision/", cfg.base_url, segment(id));
        Ok(request(Method::Get, url, cfg, bearer))
    }
    fn create_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let p = Provider::Didit;
        let map = input_object(p, input)?;
        let mut body = json!({ "workflow_id": input_text(p, map, "workflowId", true)? });
        if let Some(v) = input_text(p, map, "vendorData", false)? {
            body["vendor_data"] = Value::from(v);
        }
        if let Some(v) = input_text(p, map, "callback", false)? {
            body["callback"] = Value::from(v);
        }
        match map.get("metadata") {
            None | Some(Value::Null) => {}
            Some(m @ Value::Object(_)) => body["metadata"] = m.clone(),
            Some(_) => {
                return Err(IdvError::config(
                    Some(p),
                    "didit: createSession input `metadata` must be an object",
                ))
            }
        }
        let url = format!("{}/v3/session/", cfg.base_url);
        let mut req = request(Method::Post, url, cfg, bearer);
        req.headers
            .push(("content-type".into(), "application/json".into()));
        req.body = Some(body.to_string());
        Ok(req)
    }
    fn page_meta(
        &self,
        _response: &HttpResponse,
        body: &Json<'_>,
        _requested: PageRef,
    ) -> PageMeta {
        let next = body.get("next").and_then(Json::as_str);
        PageMeta {
            total: body.get("count").and_then(Json::as_u64),
            pages: None,
            page_size: next
                .and_then(|url| url_query_u64(url, "limit"))
                .filter(|l| *l > 0),
            has_next: Some(next.is_some()),
        }
    }
    /// Didit's 403 means a key not sent, lacking a permission or used from a
    /// non-allowed IP (`auth`: check the key's settings), or no credits left
    /// (`forbidden`: the key is fine), which its message names.
    fn error_code(&self, status: u16, body: &str) -> Option<ErrorCode> {
        (status == 403 && body.to_ascii_lowercase().contains("credit"))
            .then_some(ErrorCode::Forbidden)
    }
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
        webhook::parse(request)
    }
    fn sign_webhook(&self, request: &SignRequest) -> Result<SignedWebhook, IdvError> {
        webhook::sign(request)
    }
    fn rate_limit(&self, _cfg: &ProviderConfig, endpoint: Endpoint) -> Option<RateLimit> {
        // 300 / min per method; session creation 600 / min; decisions 100 / min.
        Some(match endpoint {
            Endpoint::Create => RateLimit {
                budget: "create",
                windows: &[(600, MINUTE)],
            },
            Endpoint::Get => RateLimit {
                budget: "decision",
                windows: &[(100, MINUTE)],
            },
            Endpoint::List | Endpoint::Token => RateLimit {
                budget: "list",
                windows: &[(300, MINUTE)],
            },
        })
    }
}
