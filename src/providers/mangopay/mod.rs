//! Mangopay hosted IDV sessions (API v2.01). Facts and sources:
//! `../shared/providers.md` section 1.
//!
//! - `session.rs`: list rows (`Id, Status, CreationDate, LastUpdate`, no
//!   `UserId`), View and create responses to sessions; times are Unix seconds.
//! - `api.rs`: OAuth2 client credentials, list (per user, `page`/`per_page`),
//!   View, create (`Idempotency-Key`), page headers, error-body quirks.

mod api;
mod session;
mod tables;
mod webhook;

pub use tables::{CHECK_KINDS, STATUSES};

use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::protocol::config::ProviderConfig;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::spec::{Auth, Connection, Dates, Paging, QuerySpec, RateLimit, Setting};
use crate::providers::normalize::{BadRows, NormalizeOptions};
use crate::providers::object::Obj;
use crate::providers::registry::ProviderApi;
use crate::providers::table::{KindRow, StatusRow};
use crate::session::Provider;
use crate::session::Session;
use crate::webhook::{EventsQuery, SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::Value;

const CONNECTION: Connection = Connection {
    base_url: "https://api.mangopay.com",
    regions: &[],
    hosts: &[
        "https://api.mangopay.com",
        "https://api.sandbox.mangopay.com",
    ],
    auth: Auth::OAuthClientCredentials,
    settings: &[Setting {
        name: "clientId",
        required_because: Some("it is part of every Mangopay path"),
    }],
};

const QUERY: QuerySpec = QuerySpec {
    filters: &["userId"],
    required: Some(("userId", "Mangopay lists sessions per user")),
    paging: Paging::Pages { max: 100 },
    status_param: None,
    status_values: None,
    user_keys: &["userId"],
    dates: Dates::AsGiven,
};

const MINUTE: f64 = 60_000.0;

/// 2,300 / 15 min, 4,500 / 30 min, 8,800 / h, 105,600 / day, all endpoints together.
const RATE_LIMIT: RateLimit = RateLimit {
    budget: "all",
    windows: &[
        (2_300, 15.0 * MINUTE),
        (4_500, 30.0 * MINUTE),
        (8_800, 60.0 * MINUTE),
        (105_600, 24.0 * 60.0 * MINUTE),
    ],
};

/// The registry entry.
pub struct Mangopay;

impl ProviderApi for Mangopay {
    fn provider(&self) -> Provider {
        Provider::Mangopay
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
        "Id"
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
        api::list_request(cfg, query, page, bearer)
    }
    fn get_request(
        &self,
        cfg: &ProviderConfig,
        id: &str,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        Ok(api::get_request(cfg, id, bearer))
    }
    fn create_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        api::create_request(cfg, input, bearer)
    }
    fn token_request(&self, cfg: &ProviderConfig) -> Option<HttpRequest> {
        api::token_request(cfg)
    }
    fn page_meta(&self, response: &HttpResponse, _body: &Json<'_>, requested: PageRef) -> PageMeta {
        api::page_meta(response, requested)
    }
    fn events_request(
        &self,
        cfg: &ProviderConfig,
        query: &EventsQuery,
        page: u64,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        Ok(api::events_request(cfg, query, page, bearer))
    }
    fn decode_events(
        &self,
        body: &Json<'_>,
        options: &NormalizeOptions,
    ) -> Result<(Vec<WebhookEvent>, BadRows), IdvError> {
        webhook::decode_events(body, options)
    }
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
        webhook::parse(request)
    }
    fn sign_webhook(&self, request: &SignRequest) -> Result<SignedWebhook, IdvError> {
        webhook::sign(request)
    }
    fn rate_limit(&self, _cfg: &ProviderConfig, _endpoint: Endpoint) -> Option<RateLimit> {
        Some(RATE_LIMIT)
    }
    fn error_code(&self, status: u16, body: &str) -> Option<ErrorCode> {
        api::error_code(status, body)
    }
    fn rate_pause(&self, response: &HttpResponse, now_ms: f64) -> Option<u64> {
        api::rate_pause(response, now_ms)
    }
    fn idempotency_header(&self) -> Option<&'static str> {
        Some("idempotency-key")
    }
    fn idempotency_key_ok(&self, key: &str) -> bool {
        // 16 to 36 characters, letters, digits or dashes (docs: idempotency).
        (16..=36).contains(&key.len())
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }
    fn replay_request(
        &self,
        cfg: &ProviderConfig,
        key: &str,
        bearer: Option<&str>,
    ) -> Option<HttpRequest> {
        Some(api::replay_request(cfg, key, bearer))
    }
    fn decode_replay(&self, body: &Value) -> Option<(u16, String)> {
        api::decode_replay(body)
    }
    fn list_rows_lack_details(&self) -> bool {
        true
    }
}
