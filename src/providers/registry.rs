//! The registry's contract: everything one provider knows, behind one trait.
//! Each provider folder implements it; [`Provider::api`](crate::session::Provider) dispatches.

use super::normalize::{BadRows, NormalizeOptions};
use super::object::Obj;
use super::table::{KindRow, StatusRow};
use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::protocol::config::ProviderConfig;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::spec::{Connection, QuerySpec, RateLimit};
use crate::session::{Provider, Session};
use crate::webhook::{EventsQuery, SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::Value;

/// Rounds of [`ProviderApi::detail_requests`] at most (a provider that
/// keeps asking is stopped there).
pub const DETAIL_ROUNDS: usize = 4;

/// Everything one provider knows. One implementation per provider folder;
/// the engine, paging, retries, rate budgets and the wasm binding reach a
/// provider only through this.
pub trait ProviderApi: Sync {
    /// Which provider this is.
    fn provider(&self) -> Provider;
    /// Its name in the JS API and in session keys.
    fn name(&self) -> &'static str {
        self.provider().as_str()
    }

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
    /// Authenticates `request` just before it is sent, after it has waited
    /// for its in-flight slot and rate budget ([`Auth::Signed`]: a signature
    /// over a timestamp and the request, which a wait would make stale).
    /// `now_ms`: the wall clock. The default adds nothing.
    ///
    /// # Errors
    /// `config` when the credentials cannot sign.
    fn sign(
        &self,
        _cfg: &ProviderConfig,
        _request: &mut HttpRequest,
        _now_ms: f64,
    ) -> Result<(), IdvError> {
        Ok(())
    }
    /// The first request of a create that is two (Onfido: the applicant,
    /// then the workflow run for it), when `input` asks for one; `None`: the
    /// create is one request. It is checked before anything is sent and,
    /// like every create, never sent again once it may have arrived.
    ///
    /// # Errors
    /// `config` for bad input.
    fn create_first_request(
        &self,
        _cfg: &ProviderConfig,
        _input: &Value,
        _bearer: Option<&str>,
    ) -> Result<Option<HttpRequest>, IdvError> {
        Ok(None)
    }
    /// The create's input completed from the answer to
    /// [`ProviderApi::create_first_request`], and what that request made: the
    /// input key that reuses it and its id (Onfido: `applicantId`), which a
    /// later failure reports so that nothing is made twice.
    ///
    /// # Errors
    /// `decode` when the answer does not hold what was made.
    fn create_after_first(
        &self,
        _input: &Value,
        _answer: &Value,
    ) -> Result<(Value, (&'static str, String)), IdvError> {
        Err(IdvError::new(
            ErrorCode::Unsupported,
            Some(self.provider()),
            format!("{}: a create is one request", self.name()),
        ))
    }
    /// The OAuth token request ([`Auth::OAuthClientCredentials`] only); `None`
    /// when there are no credentials to exchange (a proxy adds them).
    fn token_request(&self, _cfg: &ProviderConfig) -> Option<HttpRequest> {
        None
    }
    /// Paging metadata of a list answer (totals, page size, whether more follow).
    fn page_meta(&self, response: &HttpResponse, body: &Json<'_>, requested: PageRef) -> PageMeta;
    /// The documented rate limit of a request class for this configuration
    /// (a key may say test mode); `None` when undocumented.
    fn rate_limit(&self, cfg: &ProviderConfig, endpoint: Endpoint) -> Option<RateLimit>;
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
    /// The events of one page of [`ProviderApi::events_request`], and its
    /// rows that are not events.
    ///
    /// # Errors
    /// `decode` when the body is not the documented shape (or, with
    /// `strict`, a row is not an event).
    fn decode_events(
        &self,
        _body: &Json<'_>,
        _options: &NormalizeOptions,
    ) -> Result<(Vec<WebhookEvent>, BadRows), IdvError> {
        Ok(Default::default())
    }
    /// The next requests that complete a session read with `details`
    /// (Onfido: the run's checks, then their reports), given the answers so
    /// far (in the order of the requests that got them); empty when the
    /// session is whole. Each round's requests are read concurrently within
    /// the client's limits; at most [`DETAIL_ROUNDS`] rounds.
    ///
    /// # Errors
    /// `decode` when an answer so far does not say what to read next.
    fn detail_requests(
        &self,
        _cfg: &ProviderConfig,
        _session: &Session,
        _answers: &[Value],
        _bearer: Option<&str>,
    ) -> Result<Vec<HttpRequest>, IdvError> {
        Ok(Vec::new())
    }
    /// Completes `session` from the answers to its
    /// [`ProviderApi::detail_requests`], all rounds, in order.
    ///
    /// # Errors
    /// `decode` when an answer is not the documented shape.
    fn add_details(&self, _session: &mut Session, _answers: &[Value]) -> Result<(), IdvError> {
        Ok(())
    }
    /// True when list rows lack what `getSession` returns (URL, user, checks),
    /// so `details: true` fetches each session.
    fn list_rows_lack_details(&self) -> bool {
        false
    }
}
