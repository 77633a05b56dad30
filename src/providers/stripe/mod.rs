//! Stripe Identity VerificationSessions. Facts and sources:
//! `../shared/providers-next.md` section 1, SPEC section 9.
//!
//! - `GET /v1/identity/verification_sessions?limit=&starting_after=&status=&client_reference_id=&created[gte]=&created[lte]=`:
//!   `{ object: "list", data, has_more }`, newest first, by cursor (the next
//!   page starts after the last row's id). `status` takes one value.
//! - `GET /v1/identity/verification_sessions/{id}?expand[]=last_verification_report&expand[]=verified_outputs`:
//!   the session with its checks and the verified person.
//! - `POST /v1/identity/verification_sessions`, form-encoded with bracket
//!   nesting, with an `Idempotency-Key` (the caller's or one per call) that
//!   every attempt reuses: Stripe answers a replay with the first answer.
//! - `Authorization: Bearer <secret key>`, `Stripe-Version` pinned (the
//!   `apiVersion` setting overrides it). Error bodies `{ error: { type, code,
//!   message, param } }`; an `idempotency_error` (a key reused with other
//!   parameters) is a `config` error. 25 requests/s per endpoint.

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
use crate::protocol::request::{form_body, input_object, input_text, request, segment, with_query};
use crate::protocol::spec::{Auth, Connection, Dates, Paging, QuerySpec, RateLimit, Setting};
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::registry::ProviderApi;
use crate::providers::table::{KindRow, StatusRow};
use crate::session::{Provider, Session};
use crate::webhook::{SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::{Map, Value};

const P: Provider = Provider::Stripe;

/// The API version this package reads (stripe-node 23.2.0's `ApiVersion`).
pub const API_VERSION: &str = "2026-11-18.endive";

const CONNECTION: Connection = Connection {
    base_url: "https://api.stripe.com",
    regions: &[],
    hosts: &["https://api.stripe.com"],
    auth: Auth::ApiKeyHeader {
        header: "authorization",
        prefix: "Bearer ",
    },
    settings: &[Setting {
        name: "apiVersion",
        required_because: None,
    }],
};

const QUERY: QuerySpec = QuerySpec {
    filters: &["clientReferenceId", "dateFrom", "dateTo"],
    required: None,
    paging: Paging::Cursor { max: 100 },
    status_param: Some("status"),
    status_values: None,
    user_keys: &["clientReferenceId"],
    dates: Dates::Instants,
};

/// The registry entry.
pub struct Stripe;

/// A request with `Stripe-Version`.
fn stripe_request(
    method: Method,
    url: String,
    cfg: &ProviderConfig,
    bearer: Option<&str>,
) -> HttpRequest {
    let mut req = request(method, url, cfg, bearer);
    if req.header("stripe-version").is_none() {
        let version = cfg.setting("apiVersion").unwrap_or(API_VERSION);
        req.headers
            .push(("stripe-version".into(), version.to_owned()));
    }
    req
}

/// Unix seconds of a query date (`dateTo`: the last second of a date-only one).
fn seconds(text: &str, end_of_day: bool) -> Option<String> {
    crate::time::instant(text, end_of_day).map(|ms| ms.div_euclid(1000).to_string())
}

impl ProviderApi for Stripe {
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
        Some("data")
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
        let mut pairs: Vec<(&str, String)> = vec![("limit", page.size().to_string())];
        if let Some(after) = &query.after {
            pairs.push(("starting_after", after.clone()));
        }
        // One status only: several are filtered after fetching.
        let filter = query.status_filter(P);
        if let [one] = filter.server.as_slice() {
            pairs.push(("status", one.clone()));
        }
        if let Some(v) = query.filter("clientReferenceId") {
            pairs.push(("client_reference_id", v.to_owned()));
        }
        if let Some(s) = query.filter("dateFrom").and_then(|t| seconds(t, false)) {
            pairs.push(("created[gte]", s));
        }
        if let Some(s) = query.filter("dateTo").and_then(|t| seconds(t, true)) {
            pairs.push(("created[lte]", s));
        }
        let url = with_query(
            format!("{}/v1/identity/verification_sessions", cfg.base_url),
            &pairs,
        );
        stripe_request(Method::Get, url, cfg, bearer)
    }
    fn get_request(
        &self,
        cfg: &ProviderConfig,
        id: &str,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let url = with_query(
            format!(
                "{}/v1/identity/verification_sessions/{}",
                cfg.base_url,
                segment(id)
            ),
            &[
                ("expand[]", "last_verification_report".to_owned()),
                ("expand[]", "verified_outputs".to_owned()),
            ],
        );
        Ok(stripe_request(Method::Get, url, cfg, bearer))
    }
    fn create_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let map = input_object(P, input)?;
        let mut body = Map::new();
        for (from, to) in [
            ("type", "type"),
            ("verificationFlow", "verification_flow"),
            ("clientReferenceId", "client_reference_id"),
            ("returnUrl", "return_url"),
        ] {
            if let Some(v) = input_text(P, map, from, false)? {
                body.insert(to.into(), Value::from(v));
            }
        }
        if !body.contains_key("type") && !body.contains_key("verification_flow") {
            body.insert("type".into(), Value::from("document"));
        }
        for (from, to) in [
            ("metadata", "metadata"),
            ("options", "options"),
            ("providedDetails", "provided_details"),
        ] {
            match map.get(from) {
                None | Some(Value::Null) => {}
                Some(v @ Value::Object(_)) => {
                    body.insert(to.into(), v.clone());
                }
                Some(_) => {
                    return Err(IdvError::config(
                        Some(P),
                        format!("stripe: createSession input `{from}` must be an object"),
                    ))
                }
            }
        }
        let mut req = stripe_request(
            Method::Post,
            format!("{}/v1/identity/verification_sessions", cfg.base_url),
            cfg,
            bearer,
        );
        req.headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        req.body = Some(form_body(&body));
        Ok(req)
    }
    fn page_meta(
        &self,
        _response: &HttpResponse,
        body: &Json<'_>,
        _requested: PageRef,
    ) -> PageMeta {
        PageMeta {
            has_next: match body.get("has_more") {
                Some(Json::Bool(more)) => Some(*more),
                _ => None,
            },
            ..PageMeta::default()
        }
    }
    /// A key reused with other parameters (`idempotency_error`, 400) is the
    /// caller's mistake: `config`.
    fn error_code(&self, status: u16, body: &str) -> Option<ErrorCode> {
        (status == 400 && body.contains("idempotency_error")).then_some(ErrorCode::Config)
    }
    fn idempotency_header(&self) -> Option<&'static str> {
        Some("Idempotency-Key")
    }
    /// "Idempotency keys are up to 255 characters long."
    fn idempotency_key_ok(&self, key: &str) -> bool {
        key.len() <= 255
    }
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
        webhook::parse(request)
    }
    fn sign_webhook(&self, request: &SignRequest) -> Result<SignedWebhook, IdvError> {
        webhook::sign(request)
    }
    /// 25 requests/s per endpoint; in test mode (a `sk_test_`/`rk_test_`
    /// key) 25/s overall too, so every endpoint shares one budget there
    /// (live, the overall 100/s is more than three endpoints can use).
    fn rate_limit(&self, cfg: &ProviderConfig, endpoint: Endpoint) -> Option<RateLimit> {
        let test_mode = cfg.api_key.as_ref().is_some_and(|key| {
            key.expose().starts_with("sk_test_") || key.expose().starts_with("rk_test_")
        });
        if test_mode {
            return Some(RateLimit {
                budget: "test mode",
                windows: &[(25, 1_000.0)],
            });
        }
        Some(match endpoint {
            Endpoint::Create => RateLimit {
                budget: "create",
                windows: &[(25, 1_000.0)],
            },
            Endpoint::Get => RateLimit {
                budget: "get",
                windows: &[(25, 1_000.0)],
            },
            Endpoint::List | Endpoint::Token => RateLimit {
                budget: "list",
                windows: &[(25, 1_000.0)],
            },
        })
    }
}
