//! Everything each provider knows, one folder per provider, and the registry.
//!
//! `src/providers/<provider>/` holds one provider's status and check-kind
//! tables (as data, in the provider's documented spellings), its payload
//! parser and the fields it reads, auth, request builders, page metadata,
//! query keys and page-size caps, documented rate limits and error-body
//! quirks. Each folder exposes one [`ProviderApi`]; [`Provider::api`] is the
//! one place that dispatches on the provider. Nothing outside this folder
//! branches on a particular provider.

pub mod didit;
pub mod equals;
pub mod mangopay;
mod normalize;
mod object;
pub mod table;

pub use normalize::{
    list_rows, normalize_list, normalize_list_json, normalize_rows, normalize_session,
    normalize_session_json, parse_json, parse_payload, stream_list, BadRow, BadRows,
    NormalizeOptions, SessionList, MAX_BAD_ROWS,
};
pub use object::{Obj, Path};
pub use table::{KindRow, StatusRow};

use crate::client::config::ProviderConfig;
use crate::client::http::{HttpRequest, HttpResponse};
use crate::client::paging::{PageMeta, PageRef};
use crate::client::query::ListQuery;
use crate::client::rate::Endpoint;
use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::session::{CheckKind, Session, SessionStatus};
use crate::webhook::{EventsQuery, SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The identity-verification providers this crate speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Mangopay hosted IDV sessions (API v2.01).
    Mangopay,
    /// Equals Money Guided ID sessions (Onboarding API v2).
    Equals,
    /// Didit verification sessions (API v3).
    Didit,
}

impl Provider {
    /// All providers, in the order dashboards list them.
    pub const ALL: [Provider; 3] = [Provider::Mangopay, Provider::Equals, Provider::Didit];

    /// The registry: everything this provider knows.
    pub fn api(self) -> &'static dyn ProviderApi {
        match self {
            Provider::Mangopay => &mangopay::Mangopay,
            Provider::Equals => &equals::Equals,
            Provider::Didit => &didit::Didit,
        }
    }

    /// The provider's name as used in the JS API and in session keys.
    pub fn as_str(self) -> &'static str {
        self.api().name()
    }

    /// Parses a provider name (`"mangopay"`, `"equals"`, `"didit"`, any case).
    pub fn parse(name: &str) -> Option<Provider> {
        let name = name.trim();
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a provider authenticates API calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The API key in a header, after a prefix (`Authorization: ApiKey <key>`, `x-api-key: <key>`).
    ApiKeyHeader {
        /// Lower-case header name.
        header: &'static str,
        /// Text before the key (may be empty).
        prefix: &'static str,
    },
    /// OAuth2 client credentials: a bearer token from [`ProviderApi::token_request`],
    /// cached and shared by every call of a client.
    OAuthClientCredentials,
}

/// A provider-specific config setting besides `apiKey`, `baseUrl` and `headers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Its camelCase name in the JS config.
    pub name: &'static str,
    /// Why it is required (the config error says so); `None` when optional.
    pub required_because: Option<&'static str>,
}

/// Where and how to reach a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    /// Production base URL (no trailing slash).
    pub base_url: &'static str,
    /// The provider's own origins (production and sandbox): a browser page
    /// calling one of these with a secret key exposes it.
    pub hosts: &'static [&'static str],
    /// How calls are authenticated.
    pub auth: Auth,
    /// Provider-specific settings.
    pub settings: &'static [Setting],
}

/// How a provider pages its lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// 1-based page numbers (`page`, `perPage` in the JS query), at most `max` per page.
    Pages {
        /// Largest documented page size.
        max: u64,
    },
    /// Offsets (`offset`, `limit` in the JS query), at most `max` per page.
    Offsets {
        /// Largest documented (or used) page size.
        max: u64,
    },
}

impl Paging {
    /// The largest page.
    pub fn max(self) -> u64 {
        match self {
            Paging::Pages { max } | Paging::Offsets { max } => max,
        }
    }
}

/// The list query a provider accepts (JS names, camelCase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuerySpec {
    /// String filters.
    pub filters: &'static [&'static str],
    /// A filter every query must carry, and why.
    pub required: Option<(&'static str, &'static str)>,
    /// Page numbers or offsets.
    pub paging: Paging,
    /// The provider's own status filter parameter, when it has one; otherwise
    /// `status` is applied after fetching.
    pub status_param: Option<&'static str>,
    /// The filters naming a user, for `listUserSessions`; the first is what a
    /// plain string there means.
    pub user_keys: &'static [&'static str],
}

/// A provider's documented rate limit for one class of requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests of the same budget share it (Mangopay: all endpoints).
    pub budget: &'static str,
    /// `(requests, window in ms)`: every window applies.
    pub windows: &'static [(u32, f64)],
}

/// Everything one provider knows. One implementation per provider folder;
/// the engine, paging, retries, rate budgets and the wasm binding reach a
/// provider only through this.
pub trait ProviderApi: Sync {
    /// Which provider this is.
    fn provider(&self) -> Provider;
    /// Its name in the JS API and in session keys.
    fn name(&self) -> &'static str;

    // ---- payloads ----

    /// The status table, in the provider's documented spellings.
    fn statuses(&self) -> &'static [StatusRow];
    /// The check-kind table (names of checks, features or decision blocks).
    fn check_kinds(&self) -> &'static [KindRow];
    /// The field of a list body holding the rows (`None`: a bare array).
    fn rows_field(&self) -> Option<&'static str>;
    /// The field holding a session's id (to name a bad row).
    fn id_field(&self) -> &'static str;
    /// Which session fields the parser reads (the others are skipped while parsing).
    fn reads(&self) -> fn(&str) -> bool;
    /// One provider object (list row, single-session or create response) to a session.
    ///
    /// # Errors
    /// `decode` when the id, status or creation time is missing or mistyped.
    fn normalize(&self, obj: &Obj<'_, '_>, options: &NormalizeOptions)
        -> Result<Session, IdvError>;

    // ---- HTTP API ----

    /// Base URL, hosts, auth, settings.
    fn connection(&self) -> &'static Connection;
    /// Query keys, paging, status filter, user keys.
    fn query(&self) -> &'static QuerySpec;
    /// `GET` of one list page.
    fn list_request(
        &self,
        cfg: &ProviderConfig,
        query: &ListQuery,
        page: PageRef,
        bearer: Option<&str>,
    ) -> HttpRequest;
    /// `GET` of one session.
    ///
    /// # Errors
    /// `unsupported` when the provider has no such endpoint.
    fn get_request(
        &self,
        cfg: &ProviderConfig,
        id: &str,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError>;
    /// `POST` creating a session from the caller's input.
    ///
    /// # Errors
    /// `config` for bad input, `unsupported` when the provider cannot create sessions.
    fn create_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError>;
    /// The OAuth token request ([`Auth::OAuthClientCredentials`] only); `None`
    /// when there are no credentials to exchange (a proxy adds them).
    fn token_request(&self, _cfg: &ProviderConfig) -> Option<HttpRequest> {
        None
    }
    /// Paging metadata of a list answer (totals, page size, whether more follow).
    fn page_meta(&self, response: &HttpResponse, body: &Json<'_>, requested: PageRef) -> PageMeta;
    /// The documented rate limit of a request class; `None` when undocumented.
    fn rate_limit(&self, endpoint: Endpoint) -> Option<RateLimit>;
    /// An error code that the HTTP status alone does not tell (e.g. a lockout
    /// answered with 400); `None` to go by the status.
    fn error_code(&self, _status: u16, _body: &str) -> Option<ErrorCode> {
        None
    }
    /// How long to stop sending, in ms, when a response's own rate-limit
    /// headers say a window is spent (`now_ms`: the wall clock); `None` otherwise.
    fn rate_pause(&self, _response: &HttpResponse, _now_ms: f64) -> Option<u64> {
        None
    }
    /// The header carrying an idempotency key on creates, when the provider
    /// honours one (then a create may be retried with the same key); `None`:
    /// a create that may have reached the provider is never sent again.
    fn idempotency_header(&self) -> Option<&'static str> {
        None
    }
    /// Whether the provider accepts `key` as an idempotency key (a caller's
    /// key it would refuse is a `config` error before anything is sent).
    fn idempotency_key_ok(&self, _key: &str) -> bool {
        true
    }
    /// The request reading back the stored answer to a create made with an
    /// idempotency key, for a provider that answers a reused key with 409
    /// rather than with the first answer (Mangopay); `None` otherwise (then a
    /// 409 means the first request is still running, and the create is
    /// retried under the same key).
    fn replay_request(
        &self,
        _cfg: &ProviderConfig,
        _key: &str,
        _bearer: Option<&str>,
    ) -> Option<HttpRequest> {
        None
    }
    /// The stored first answer in a [`ProviderApi::replay_request`] body: its
    /// HTTP status and body; `None` when the body does not hold one.
    fn decode_replay(&self, _body: &Value) -> Option<(u16, String)> {
        None
    }
    /// Verifies and unifies one of the provider's webhook notifications.
    ///
    /// # Errors
    /// `signature` or `decode`.
    fn parse_webhook(&self, request: &WebhookRequest) -> Result<WebhookEvent, IdvError>;
    /// A test delivery, signed as the provider signs.
    ///
    /// # Errors
    /// `config` when the payload is not what the provider sends.
    fn sign_webhook(&self, request: &SignRequest) -> Result<SignedWebhook, IdvError>;
    /// How to fetch the session a webhook event is about: `None` to read it
    /// (`getSession`), or the list query that finds it (a provider without
    /// such an endpoint).
    ///
    /// # Errors
    /// `config` when the event does not say enough to find it.
    fn webhook_lookup(&self, _event: &WebhookEvent) -> Result<Option<ListQuery>, IdvError> {
        Ok(None)
    }
    /// `GET` of one page of the provider's past events.
    ///
    /// # Errors
    /// `unsupported` when the provider has no events API.
    fn events_request(
        &self,
        _cfg: &ProviderConfig,
        _query: &EventsQuery,
        _page: u64,
        _bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        Err(IdvError::new(
            ErrorCode::Unsupported,
            Some(self.provider()),
            format!(
                "{}: the API has no list of past events; webhooks are the only source",
                self.name()
            ),
        ))
    }
    /// The events of one page of [`ProviderApi::events_request`].
    ///
    /// # Errors
    /// `decode` when the body is not the documented shape.
    fn decode_events(&self, _body: &Json<'_>, _now_ms: i64) -> Result<Vec<WebhookEvent>, IdvError> {
        Ok(Vec::new())
    }
    /// True when list rows lack what `getSession` returns (URL, user, checks),
    /// so `details: true` fetches each session.
    fn list_rows_lack_details(&self) -> bool {
        false
    }
}

/// The unified status for a provider's status text (and its result, for
/// providers that have one). Never fails: anything unlisted is `unknown`.
pub fn map_status(provider: Provider, status: &str, result: Option<&str>) -> SessionStatus {
    table::lookup_status(provider.api().statuses(), status, result)
}

/// The check kind of a provider's check type, feature or decision block name.
pub fn check_kind(provider: Provider, name: &str) -> CheckKind {
    table::lookup_kind(provider.api().check_kinds(), name)
}
