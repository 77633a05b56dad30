//! Equals Money Guided ID sessions (Onboarding API v2). Facts and sources:
//! `../shared/providers.md` section 2.
//!
//! One endpoint: `GET /v2/applications/identity-verification-sessions`
//! (`limit` up to 1000, `offset`, filters `applicationId`,
//! `associatedPersonId`), answering `{limit, offset, count, rows}`. Equals
//! issues sessions itself during onboarding and has no endpoint to read or
//! create one. `Authorization: ApiKey <key>`. No documented rate limit.

mod session;
mod tables;
mod webhook;

pub use tables::STATUSES;

use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::protocol::config::ProviderConfig;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::http::{HttpRequest, HttpResponse, Method};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::request::{request, with_query};
use crate::protocol::spec::{Auth, Connection, Dates, Paging, QuerySpec, RateLimit};
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::registry::ProviderApi;
use crate::providers::table::{KindRow, StatusRow};
use crate::session::Provider;
use crate::session::Session;
use crate::webhook::{SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::Value;

const CONNECTION: Connection = Connection {
    base_url: "https://api.equalsmoney.com",
    regions: &[],
    hosts: &[
        "https://api.equalsmoney.com",
        "https://api-sandbox.equalsmoney.com",
    ],
    auth: Auth::ApiKeyHeader {
        header: "authorization",
        prefix: "ApiKey ",
    },
    settings: &[],
};

const QUERY: QuerySpec = QuerySpec {
    filters: &["applicationId", "associatedPersonId"],
    required: None,
    paging: Paging::Offsets { max: 1000 },
    status_param: None,
    status_values: None,
    user_keys: &["associatedPersonId", "applicationId"],
    dates: Dates::AsGiven,
};

/// The registry entry.
pub struct Equals;

fn unsupported(message: &str) -> IdvError {
    IdvError::new(ErrorCode::Unsupported, Some(Provider::Equals), message)
}

impl ProviderApi for Equals {
    fn provider(&self) -> Provider {
        Provider::Equals
    }
    fn statuses(&self) -> &'static [StatusRow] {
        STATUSES
    }
    fn check_kinds(&self) -> &'static [KindRow] {
        // Equals reports no checks.
        &[]
    }
    fn rows_field(&self) -> Option<&'static str> {
        Some("rows")
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
        let mut pairs = Vec::new();
        if let PageRef::Offset { offset, limit } = page {
            pairs.push(("limit", limit.to_string()));
            pairs.push(("offset", offset.to_string()));
        }
        for name in QUERY.filters {
            if let Some(value) = query.filter(name) {
                pairs.push((name, value.to_string()));
            }
        }
        let url = format!(
            "{}/v2/applications/identity-verification-sessions",
            cfg.base_url
        );
        request(Method::Get, with_query(url, &pairs), cfg, bearer)
    }
    fn get_request(
        &self,
        _cfg: &ProviderConfig,
        _id: &str,
        _bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        Err(unsupported(
            "equals: the API has no endpoint to read one session; use listSessions with \
             `applicationId` or `associatedPersonId`",
        ))
    }
    fn create_request(
        &self,
        _cfg: &ProviderConfig,
        _input: &Value,
        _bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        Err(unsupported(
            "equals: sessions are issued by Equals during onboarding; the API cannot create one",
        ))
    }
    fn page_meta(
        &self,
        _response: &HttpResponse,
        body: &Json<'_>,
        _requested: PageRef,
    ) -> PageMeta {
        PageMeta {
            total: body.get("count").and_then(Json::as_u64),
            pages: None,
            page_size: body.get("limit").and_then(Json::as_u64).filter(|l| *l > 0),
            has_next: None,
        }
    }
    /// No endpoint reads one session: list the event's application (or person).
    fn webhook_lookup(&self, event: &WebhookEvent) -> Result<Option<ListQuery>, IdvError> {
        let extra = event.extra.as_ref();
        let by = |name: &'static str, value: Option<&String>| {
            value.map(|v| ListQuery::with(name, v.clone()))
        };
        by("applicationId", extra.and_then(|e| e.application_id.as_ref()))
            .or_else(|| by("associatedPersonId", extra.and_then(|e| e.associated_person_id.as_ref())))
            .map(Some)
            .ok_or_else(|| {
                IdvError::config(
                    Some(Provider::Equals),
                    "equals: the event names no `applicationId` or `associatedPersonId` to find the session by",
                )
            })
    }
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
        webhook::parse(request)
    }
    fn sign_webhook(&self, request: &SignRequest) -> Result<SignedWebhook, IdvError> {
        webhook::sign(request)
    }
    fn rate_limit(&self, _cfg: &ProviderConfig, _endpoint: Endpoint) -> Option<RateLimit> {
        None
    }
}
