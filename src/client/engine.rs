//! The client's behaviour over any [`Transport`]: auth (one shared token
//! request), rate budgets and pauses, the per-provider in-flight limit,
//! retries (one budget per logical request, creates never duplicated), paging
//! passes, de-duplication, merging. Plain async Rust: the wasm binding runs it
//! over `fetch`, native tests over in-memory transports.

use super::api::{self, Token};
use super::config::ClientConfig;
use super::http::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportError};
use super::paging;
use super::query::ListQuery;
use super::rate::{budget_key, Endpoint, RateBudget};
use super::sync::{Changes, Semaphore};
use crate::error::{ErrorCode, IdvError};
use crate::providers::{Auth, BadRows, NormalizeOptions};
use crate::session::{Provider, Session};
use crate::webhook::{EventsQuery, WebhookEvent};
use futures_util::future::{select, Either};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::future::Future;

/// Pages of events read at most (100 each: 45 days of a busy platform).
const MAX_EVENT_PAGES: u64 = 1_000;

/// Per-call options.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Keep each provider object in `raw`.
    pub include_raw: bool,
    /// Mangopay: fetch each listed session's View (URL, user, checks).
    pub details: bool,
    /// A row that is not a session fails the call (`decode`) instead of being
    /// reported in `bad_rows`.
    pub strict: bool,
    /// The most sessions a full listing may hold before it fails
    /// (`incomplete`); `None`: `listing::DEFAULT_MAX_SESSIONS`.
    pub max_sessions: Option<usize>,
}

/// Progress of a full listing, reported as pages arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The provider being listed.
    pub provider: Provider,
    /// Pages received so far.
    pub pages_done: u64,
    /// Pages expected, when known.
    pub pages_total: Option<u64>,
    /// Distinct sessions received so far.
    pub sessions: usize,
}

/// One page of sessions and how to get the next.
#[derive(Debug, Clone)]
pub struct SessionPage {
    /// The provider listed.
    pub provider: Provider,
    /// Normalized sessions of the page (after any status filter).
    pub sessions: Vec<Session>,
    /// Total rows the provider reports for the query, when it says.
    pub total: Option<u64>,
    /// The query of the next page; `None` on the last page.
    pub next: Option<ListQuery>,
    /// Rows of the page that were not sessions.
    pub bad_rows: BadRows,
    /// Rows in the provider's page (before any status filter).
    pub rows: u64,
}

/// Whose sessions to list, per provider: a query naming the user (Mangopay
/// `userId`, Equals `associatedPersonId` or `applicationId`, Didit `vendorData`).
#[derive(Debug, Clone, Default)]
pub struct UserRefs(pub Vec<(Provider, ListQuery)>);

impl UserRefs {
    /// Parses `{ <provider>: "<user>" | { ...query naming the user } }`: a
    /// string is the provider's first user key (Mangopay `userId`, Equals
    /// `associatedPersonId`, Didit `vendorData`); an object is a query that
    /// must name the user with one of the provider's user keys.
    ///
    /// # Errors
    /// `config` for an unknown provider, a wrong type, or a query naming no user.
    pub fn from_json(value: &Value) -> Result<Self, IdvError> {
        let bad = |msg: String| IdvError::config(None, format!("listUserSessions: {msg}"));
        let Value::Object(map) = value else {
            let names: Vec<String> = Provider::ALL.iter().map(|p| format!("{p}?")).collect();
            return Err(bad(format!("expected {{ {} }}", names.join(", "))));
        };
        let mut refs = Vec::new();
        for (name, value) in map {
            let provider = Provider::parse(name)
                .filter(|p| p.as_str() == name)
                .ok_or_else(|| bad(format!("unknown provider `{name}`")))?;
            let user_keys = provider.api().query().user_keys;
            let query = match value {
                Value::Null => continue,
                Value::String(user) if !user.is_empty() => match user_keys.first() {
                    Some(key) => ListQuery::with(key, user.clone()),
                    None => return Err(bad(format!("`{name}` has no user filter"))),
                },
                Value::Object(_) => {
                    let query = ListQuery::from_json(provider, value)?;
                    if !user_keys.iter().any(|k| query.filter(k).is_some()) {
                        let keys: Vec<String> =
                            user_keys.iter().map(|k| format!("`{k}`")).collect();
                        return Err(bad(format!("`{name}` needs {}", keys.join(" or "))));
                    }
                    query
                }
                _ => {
                    return Err(bad(format!(
                        "`{name}` must be a non-empty string or a query object"
                    )))
                }
            };
            refs.push((provider, query));
        }
        crate::order::sort_by_key(&mut refs, |(p, _)| *p);
        Ok(UserRefs(refs))
    }
}

/// Every provider's sessions for one user, merged newest first, and the
/// errors of the providers that failed.
#[derive(Debug, Default)]
pub struct UserSessions {
    /// Sessions from the providers that answered.
    pub sessions: Vec<Session>,
    /// One error per provider that failed.
    pub errors: Vec<IdvError>,
    /// Rows that were not sessions.
    pub bad_rows: BadRows,
}

/// Whether a failed request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resend {
    /// Reads, token requests, and creates carrying an idempotency key.
    Always,
    /// A create without idempotency: only when it provably never reached the
    /// provider (a refused connection, a 429).
    OnlyIfNotReceived,
}

/// One provider's OAuth token, shared by every call of a client.
#[derive(Default)]
struct TokenSlot {
    token: Option<Token>,
    /// The number of the fetch in flight; the other calls wait for it.
    fetching: Option<u64>,
    fetches: u64,
    /// The last shared fetch that failed, and its error.
    failure: Option<(u64, IdvError)>,
}

#[derive(Default)]
struct State {
    tokens: HashMap<Provider, TokenSlot>,
    /// Tokens no longer in use, still scrubbed from messages (the last few).
    retired_tokens: Vec<String>,
    budgets: HashMap<(Provider, &'static str), RateBudget>,
    /// A 429 (or the provider's own rate headers) paused the provider until
    /// this monotonic time.
    paused_until: HashMap<Provider, f64>,
}

/// The client core. Cheap to share behind an `Rc`.
pub struct Engine {
    /// The validated configuration.
    pub config: ClientConfig,
    state: RefCell<State>,
    /// Requests in flight per provider, across every call (`concurrency`).
    in_flight: HashMap<Provider, Semaphore>,
    /// Bumped whenever a shared token fetch ends.
    token_changes: Changes,
    /// The configuration's credentials in every spelling scrubbed from errors (computed once).
    secrets: Vec<String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

pub(super) fn aborted(provider: Provider) -> IdvError {
    IdvError::new(
        ErrorCode::Aborted,
        Some(provider),
        format!("{provider}: aborted by the caller's signal"),
    )
}

/// `text` with every occurrence of `secret` replaced. A short secret (under 8
/// characters, a test key) only where it stands alone, so that the key `k`
/// does not eat the `k` of "network".
fn scrub(text: &str, secret: &str) -> String {
    if secret.len() >= 8 {
        return text.replace(secret, "[redacted]");
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(secret) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + secret.len()..].chars().next();
        out.push_str(&rest[..at]);
        if word(before) || word(after) {
            out.push_str(secret);
        } else {
            out.push_str("[redacted]");
        }
        rest = &rest[at + secret.len()..];
    }
    out.push_str(rest);
    out
}

/// Frees the token slot when the call fetching the token ends in any way,
/// dropped mid-way included (its caller aborted or went away): the next
/// caller fetches, and every waiter wakes up.
struct FetchingToken<'a> {
    engine: &'a Engine,
    provider: Provider,
}

impl Drop for FetchingToken<'_> {
    fn drop(&mut self) {
        if let Ok(mut state) = self.engine.state.try_borrow_mut() {
            if let Some(slot) = state.tokens.get_mut(&self.provider) {
                slot.fetching = None;
            }
        }
        self.engine.token_changes.bump();
    }
}

/// A failed attempt, and whether the provider may have received the request.
struct Failure {
    error: IdvError,
    received: bool,
}

/// True when `body` is JSON at all (whatever its shape).
fn is_json(body: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok()
}

impl Engine {
    /// A client core for a validated configuration.
    pub fn new(config: ClientConfig) -> Self {
        let in_flight = config
            .providers
            .iter()
            .map(|p| (p.provider, Semaphore::new(config.concurrency.max(1))))
            .collect();
        Engine {
            secrets: config.secrets(),
            config,
            state: RefCell::new(State::default()),
            in_flight,
            token_changes: Changes::default(),
        }
    }

    /// Scrubs every credential from an error message (API keys, the
    /// `Authorization` values built from them, custom header values, the
    /// OAuth tokens in use), then shortens it: scrubbing first, so that a
    /// secret echoed across the cut leaves no part behind.
    pub fn redact(&self, mut error: IdvError) -> IdvError {
        let tokens: Vec<String> = self
            .state
            .try_borrow()
            .map(|s| {
                s.tokens
                    .values()
                    .filter_map(|slot| slot.token.as_ref().map(|t| t.access_token.clone()))
                    .chain(s.retired_tokens.iter().cloned())
                    .collect()
            })
            .unwrap_or_default();
        for secret in self.secrets.iter().chain(&tokens) {
            if !secret.is_empty() && error.message.contains(secret.as_str()) {
                error.message = scrub(&error.message, secret);
            }
        }
        const MAX: usize = 600;
        if error.message.len() > MAX {
            let mut end = MAX;
            while !error.message.is_char_boundary(end) {
                end -= 1;
            }
            error.message.truncate(end);
            error.message.push('…');
        }
        error
    }

    /// Runs `f` unless the caller's signal fires first.
    async fn or_abort<F: Future>(
        &self,
        t: &dyn Transport,
        provider: Provider,
        f: F,
    ) -> Result<F::Output, IdvError> {
        if t.is_aborted() {
            return Err(aborted(provider));
        }
        match select(std::pin::pin!(f), t.until_aborted()).await {
            Either::Left((out, _)) => Ok(out),
            Either::Right(_) => Err(aborted(provider)),
        }
    }

    /// The error of a call that will not wait `ms` for the provider's window.
    fn closed_window(provider: Provider, ms: u64) -> IdvError {
        IdvError {
            retryable: true,
            retry_after_ms: Some(ms),
            ..IdvError::new(
                ErrorCode::RateLimited,
                Some(provider),
                format!(
                    "{provider}: rate limited for {} s, longer than the client's longest \
                     back-off (retryMaxDelayMs): not retried; try again after retryAfterMs",
                    ms.div_ceil(1000)
                ),
            )
        }
    }

    /// Pauses every call to `provider` for `ms` (after a 429, or when the
    /// provider's own rate headers say a window is spent).
    fn pause(&self, t: &dyn Transport, provider: Provider, ms: u64) {
        let until = t.monotonic_ms() + ms as f64;
        let mut state = self.state.borrow_mut();
        let paused = state.paused_until.entry(provider).or_insert(until);
        *paused = paused.max(until);
    }

    /// Waits until the provider is not paused and its documented budget allows
    /// one more request. A pause longer than the longest back-off fails at once.
    async fn acquire(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
    ) -> Result<(), IdvError> {
        let key = budget_key(provider, endpoint);
        loop {
            let now = t.monotonic_ms();
            let wait = {
                let mut state = self.state.borrow_mut();
                let paused = state
                    .paused_until
                    .get(&provider)
                    .map_or(0, |until| (until - now).max(0.0).ceil() as u64);
                if paused > self.config.retry.max_delay_ms {
                    return Err(Self::closed_window(provider, paused));
                }
                if paused > 0 {
                    paused
                } else {
                    let scale = self.config.rate_limit_scale;
                    let budget = key.and_then(|key| match state.budgets.entry(key) {
                        Entry::Occupied(e) => Some(e.into_mut()),
                        Entry::Vacant(e) => {
                            RateBudget::documented(provider, endpoint, scale).map(|b| e.insert(b))
                        }
                    });
                    match budget.map(|b| b.try_acquire(now)) {
                        None | Some(Ok(())) => return Ok(()),
                        Some(Err(ms)) => ms,
                    }
                }
            };
            t.sleep(wait).await.map_err(|_| aborted(provider))?;
        }
    }

    /// The OAuth bearer token: cached, refreshed before expiry, fetched by one
    /// call at a time while the others wait and share its result. `None` for
    /// API-key providers and when a proxy holds the credentials.
    fn bearer<'a>(
        &'a self,
        t: &'a dyn Transport,
        provider: Provider,
    ) -> LocalFuture<'a, Result<Option<String>, IdvError>> {
        Box::pin(async move {
            if provider.api().connection().auth != Auth::OAuthClientCredentials {
                return Ok(None);
            }
            let cfg = self.config.provider(provider)?;
            let Some(request) = api::token_request(cfg) else {
                return Ok(None);
            };
            loop {
                let generation = self.token_changes.generation();
                let waiting_for = {
                    let mut state = self.state.borrow_mut();
                    let slot = state.tokens.entry(provider).or_default();
                    if let Some(token) = &slot.token {
                        if t.now_ms() < token.refresh_at_ms {
                            return Ok(Some(token.access_token.clone()));
                        }
                    }
                    match slot.fetching {
                        Some(fetch) => Some(fetch),
                        None => {
                            slot.fetches += 1;
                            slot.fetching = Some(slot.fetches);
                            None
                        }
                    }
                };
                if let Some(fetch) = waiting_for {
                    self.or_abort(t, provider, self.token_changes.changed(generation))
                        .await?;
                    let state = self.state.borrow();
                    let failure = state.tokens.get(&provider).and_then(|s| s.failure.as_ref());
                    if let Some((failed, error)) = failure {
                        if *failed == fetch {
                            return Err(error.clone());
                        }
                    }
                    continue;
                }
                let guard = FetchingToken {
                    engine: self,
                    provider,
                };
                let result = self
                    .call(
                        t,
                        provider,
                        Endpoint::Token,
                        "get an OAuth token",
                        Resend::Always,
                        &|_| Ok(request.clone()),
                        &|response| api::decode_token(provider, response, t.now_ms()),
                    )
                    .await;
                let still_valid = {
                    let mut state = self.state.borrow_mut();
                    let slot = state.tokens.entry(provider).or_default();
                    let now = t.now_ms();
                    match &result {
                        Ok(token) => {
                            slot.token = Some(token.clone());
                            slot.failure = None;
                            None
                        }
                        // An aborted fetch is not a failure to share: a waiter fetches instead.
                        Err(e) if e.code == ErrorCode::Aborted => None,
                        // A refresh that failed while the token in hand is still valid:
                        // keep using it, and try again later (half its remaining life,
                        // at most 15 s), not on every call.
                        Err(_) if slot.token.as_ref().is_some_and(|t| now < t.expires_at_ms) => {
                            slot.failure = None;
                            slot.token.as_mut().map(|token| {
                                token.refresh_at_ms =
                                    now + ((token.expires_at_ms - now) / 2.0).min(15_000.0);
                                token.access_token.clone()
                            })
                        }
                        Err(e) => {
                            slot.failure = Some((slot.fetches, e.clone()));
                            None
                        }
                    }
                };
                drop(guard);
                if let Some(token) = still_valid {
                    return Ok(Some(token));
                }
                return result.map(|token| Some(token.access_token));
            }
        })
    }

    /// Forgets `used` after the provider refused it (401), unless another
    /// call already replaced it: one refresh for every call that saw the 401.
    fn drop_token(&self, provider: Provider, used: &str) {
        let mut state = self.state.borrow_mut();
        let retired = state.tokens.get_mut(&provider).and_then(|slot| {
            if slot.token.as_ref().is_some_and(|t| t.access_token == used) {
                slot.token.take()
            } else {
                None
            }
        });
        if let Some(token) = retired {
            if state.retired_tokens.len() >= 8 {
                state.retired_tokens.remove(0);
            }
            state.retired_tokens.push(token.access_token);
        }
    }

    /// One logical request: rate budget and pauses, auth, the in-flight
    /// limit, and one retry budget (`maxRetries + 1` attempts, whatever
    /// failed: the network, a retryable status, or a 2xx body that is not JSON
    /// at all); one token refresh after a 401. `decode` reads the 2xx answer.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn call<T>(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
        operation: &str,
        resend: Resend,
        build: &dyn Fn(Option<&str>) -> Result<HttpRequest, IdvError>,
        decode: &dyn Fn(&HttpResponse) -> Result<T, IdvError>,
    ) -> Result<T, IdvError> {
        // Checked before anything waits or is sent.
        if api::has_dot_segment(&build(None)?.url) {
            return Err(IdvError::config(
                Some(provider),
                format!(
                    "{provider}: {operation}: an id of `.` or `..` would send the request to \
                     another path; it is refused"
                ),
            ));
        }
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        loop {
            if t.is_aborted() {
                return Err(aborted(provider));
            }
            let bearer = if endpoint == Endpoint::Token {
                None
            } else {
                self.bearer(t, provider).await?
            };
            // The in-flight slot first, then the rate budget, then the request
            // itself: the budget counts a request when it is sent, not when it
            // starts to queue (a queued one would otherwise be counted in a
            // window it is not sent in).
            let permit = match self.in_flight.get(&provider) {
                Some(slots) => Some(self.or_abort(t, provider, slots.acquire()).await?),
                None => None,
            };
            self.acquire(t, provider, endpoint).await?;
            let request = build(bearer.as_deref())?;
            let sent = t.send(request, self.config.timeout_ms).await;
            drop(permit);
            let failure = match sent {
                Ok(response) => {
                    if let Some(ms) = provider.api().rate_pause(&response, t.now_ms()) {
                        self.pause(t, provider, ms);
                    }
                    if (200..300).contains(&response.status) {
                        match decode(&response) {
                            Ok(value) => return Ok(value),
                            // Valid JSON in the wrong shape will not improve on a retry.
                            Err(e) if is_json(&response.body) => return Err(self.redact(e)),
                            // Cut short, or an HTML page from something in between.
                            Err(e) => Failure {
                                error: IdvError {
                                    retryable: true,
                                    ..e
                                },
                                received: true,
                            },
                        }
                    } else if response.status == 401 && !refreshed {
                        if let Some(used) = &bearer {
                            // The token expired early or was revoked: one fresh token, then retry.
                            refreshed = true;
                            self.drop_token(provider, used);
                            continue;
                        }
                        Failure {
                            error: api::error_from_response(
                                provider,
                                operation,
                                &response,
                                t.now_ms(),
                            ),
                            received: true,
                        }
                    } else {
                        let error =
                            api::error_from_response(provider, operation, &response, t.now_ms());
                        if response.status == 429 {
                            if let Some(ms) = error.retry_after_ms {
                                self.pause(t, provider, ms);
                            }
                        }
                        // A 429 was refused before being processed.
                        Failure {
                            received: response.status != 429,
                            error,
                        }
                    }
                }
                Err(TransportError::Aborted) => return Err(aborted(provider)),
                Err(TransportError::Timeout) => Failure {
                    error: IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Timeout,
                            Some(provider),
                            format!(
                                "{provider}: {operation} timed out after {} ms",
                                self.config.timeout_ms
                            ),
                        )
                    },
                    received: true,
                },
                Err(TransportError::Network(reason)) => Failure {
                    error: IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Network,
                            Some(provider),
                            format!("{provider}: {operation} failed: network error: {reason}"),
                        )
                    },
                    received: true,
                },
                Err(TransportError::NotSent(reason)) => Failure {
                    error: IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Network,
                            Some(provider),
                            format!("{provider}: {operation} failed: network error: {reason}"),
                        )
                    },
                    received: false,
                },
            };
            let Failure { error, received } = failure;
            if resend == Resend::OnlyIfNotReceived && received {
                return Err(self.redact(Self::maybe_created(provider, error)));
            }
            if !error.retryable || attempt >= self.config.retry.max_retries {
                return Err(self.redact(error));
            }
            if let Some(ms) = error.retry_after_ms {
                if ms > self.config.retry.max_delay_ms {
                    // No retry into a closed window.
                    return Err(self.redact(IdvError {
                        message: format!(
                            "{} (rate limited for {} s, longer than retryMaxDelayMs: not retried)",
                            error.message,
                            ms.div_ceil(1000)
                        ),
                        ..error
                    }));
                }
            }
            self.back_off(t, provider, &mut attempt, error.retry_after_ms)
                .await?;
        }
    }

    /// The error of a create that failed after it may have reached the
    /// provider: it is not sent again, and the caller is told why.
    fn maybe_created(provider: Provider, error: IdvError) -> IdvError {
        if !error.retryable {
            return error;
        }
        IdvError {
            retryable: false,
            message: format!(
                "{}. The request may have reached {provider}, so it was not sent again: a \
                 session may have been created; list the user's sessions before creating another",
                error.message
            ),
            ..error
        }
    }

    /// Waits before retry number `attempt` (then counts it): the provider's
    /// `Retry-After` when given, else backoff with full jitter.
    async fn back_off(
        &self,
        t: &dyn Transport,
        provider: Provider,
        attempt: &mut u32,
        retry_after_ms: Option<u64>,
    ) -> Result<(), IdvError> {
        let delay = self
            .config
            .retry
            .delay_ms(*attempt, retry_after_ms, t.random());
        *attempt += 1;
        t.sleep(delay).await.map_err(|_| aborted(provider))
    }

    /// One session: Mangopay View, Didit decision.
    ///
    /// # Errors
    /// `unsupported` for Equals (no such endpoint), `not_found`, and the rest.
    pub async fn get_session(
        &self,
        t: &dyn Transport,
        provider: Provider,
        id: &str,
        options: &CallOptions,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        if id.is_empty() {
            return Err(IdvError::config(
                Some(provider),
                format!("{provider}: getSession needs a session id"),
            ));
        }
        let api = provider.api();
        api.get_request(cfg, id, None)?;
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            strict: options.strict,
            ..NormalizeOptions::default()
        };
        self.call(
            t,
            provider,
            Endpoint::Get,
            "get session",
            Resend::Always,
            &|bearer| api.get_request(cfg, id, bearer),
            &|response| api::decode_session(provider, response, &normalize),
        )
        .await
    }

    /// A fresh idempotency key (a random UUID v4).
    fn new_idempotency_key(t: &dyn Transport) -> String {
        let mut bytes = [0u8; 16];
        for chunk in bytes.chunks_mut(4) {
            chunk.copy_from_slice(&t.random_u32().to_le_bytes());
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// Creates a session (Mangopay, Didit); Equals is `unsupported`. Never
    /// duplicated by a retry: with an idempotency key (Mangopay: the caller's
    /// `idempotencyKey`, else one generated for this call) every attempt
    /// carries the same key; without (Didit), a create that may have reached
    /// the provider is not sent again.
    ///
    /// # Errors
    /// `config` for bad input, `unsupported` for Equals, and the rest.
    pub async fn create_session(
        &self,
        t: &dyn Transport,
        provider: Provider,
        input: &Value,
        options: &CallOptions,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        api.create_request(cfg, input, None)?;
        let (resend, idempotency) = match api.idempotency_header() {
            Some(header) => {
                let key = match input.get("idempotencyKey") {
                    None | Some(Value::Null) => Self::new_idempotency_key(t),
                    Some(Value::String(key)) if !key.is_empty() && api.idempotency_key_ok(key) => {
                        key.clone()
                    }
                    Some(_) => {
                        return Err(IdvError::config(
                            Some(provider),
                            format!(
                                "{provider}: createSession input `idempotencyKey` must be a \
                                 non-empty string the provider accepts (a UUID always is)"
                            ),
                        ))
                    }
                };
                (Resend::Always, Some((header, key)))
            }
            None => (Resend::OnlyIfNotReceived, None),
        };
        let user_key = api.query().user_keys.first().copied();
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            // A create response may not name its user (Mangopay's): it is the one asked for.
            user_id: user_key
                .and_then(|k| input.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned),
            // A create response may have no creation time (Didit's): it is now.
            now: crate::time::from_unix_millis(t.now_ms()),
            strict: options.strict,
        };
        let mut conflicts = 0;
        loop {
            let created = self
                .call(
                    t,
                    provider,
                    Endpoint::Create,
                    "create session",
                    resend,
                    &|bearer| {
                        let mut request = api.create_request(cfg, input, bearer)?;
                        if let Some((header, key)) = &idempotency {
                            request
                                .headers
                                .retain(|(n, _)| !n.eq_ignore_ascii_case(header));
                            request.headers.push((header.to_string(), key.clone()));
                        }
                        Ok(request)
                    },
                    &|response| api::decode_session(provider, response, &normalize),
                )
                .await;
            let (Err(error), Some((_, key))) = (&created, &idempotency) else {
                return created;
            };
            if error.http_status != Some(409) {
                return created;
            }
            // The key was used before: by an earlier attempt of this call that
            // reached the provider, or by the caller's earlier call.
            if api.replay_request(cfg, key, None).is_some() {
                return self
                    .read_back_create(t, provider, key, &normalize, error.clone())
                    .await;
            }
            // The first request under the key is still running: ask again,
            // under the same key, after a back-off.
            if conflicts >= self.config.retry.max_retries {
                return Err(self.redact(Self::maybe_created_under(provider, key, error.clone())));
            }
            self.back_off(t, provider, &mut conflicts, None).await?;
        }
    }

    /// A create answered 409 under `key` by a provider that stores the first
    /// answer (Mangopay): that answer, read back; while it is not stored yet
    /// (the first request still running), read again after back-offs.
    async fn read_back_create(
        &self,
        t: &dyn Transport,
        provider: Provider,
        key: &str,
        normalize: &NormalizeOptions,
        conflict: IdvError,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        let mut attempt = 0;
        loop {
            let stored = self
                .call(
                    t,
                    provider,
                    Endpoint::Get,
                    "read the first answer of the create",
                    Resend::Always,
                    &|bearer| {
                        api.replay_request(cfg, key, bearer).ok_or_else(|| {
                            IdvError::config(Some(provider), "no stored answers to read")
                        })
                    },
                    &|response| {
                        let body: Value = serde_json::from_str(&response.body)
                            .map_err(|_| IdvError::decode(provider, "not JSON"))?;
                        api.decode_replay(&body).ok_or_else(|| {
                            IdvError::decode(provider, format!("{provider}: no stored answer"))
                        })
                    },
                )
                .await;
            match stored {
                Ok((status, body)) => {
                    let answer = HttpResponse {
                        status,
                        headers: Vec::new(),
                        body,
                    };
                    if (200..300).contains(&status) {
                        return api::decode_session(provider, &answer, normalize);
                    }
                    let first =
                        api::error_from_response(provider, "create session", &answer, t.now_ms());
                    return Err(self.redact(IdvError {
                        retryable: false,
                        message: format!(
                            "{} (the first request under idempotency key `{key}`, whose answer \
                             this is; {provider} refuses that key from now on: create again with \
                             a new key)",
                            first.message
                        ),
                        ..first
                    }));
                }
                // Not stored yet: the first request is still running.
                Err(e)
                    if e.code == ErrorCode::NotFound && attempt < self.config.retry.max_retries =>
                {
                    self.back_off(t, provider, &mut attempt, None).await?;
                }
                Err(e) if e.code == ErrorCode::NotFound || e.code == ErrorCode::Decode => {
                    return Err(self.redact(Self::maybe_created_under(provider, key, conflict)));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The error of a create whose key was used by a request that reached
    /// the provider and whose answer is not known yet: the session may
    /// exist; the same key (never a new one) finds out.
    fn maybe_created_under(provider: Provider, key: &str, conflict: IdvError) -> IdvError {
        IdvError {
            retryable: true,
            message: format!(
                "{}. A request under idempotency key `{key}` reached {provider} and its answer \
                 is not known yet: a session may have been created. Call createSession again \
                 with idempotencyKey \"{key}\" to get it (never without it, which would create \
                 another)",
                conflict.message
            ),
            ..conflict
        }
    }

    /// The session a webhook event is about, fetched from the provider (the
    /// event's word alone is not proof, and may be partial): Mangopay View,
    /// Didit decision; Equals has no such endpoint, so the event's
    /// application (or person) is listed and the row found by id (and
    /// `correlationId`).
    ///
    /// # Errors
    /// `config` for an event naming no session, `not_found`, and the rest.
    pub async fn resolve_webhook(
        &self,
        t: &dyn Transport,
        event: &WebhookEvent,
        options: &CallOptions,
    ) -> Result<Session, IdvError> {
        let provider = event.provider;
        let id = event
            .session_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                IdvError::config(
                    Some(provider),
                    format!("{provider}: the event is about no session (a test, or not a session event)"),
                )
            })?;
        let Some(query) = provider.api().webhook_lookup(event)? else {
            return self.get_session(t, provider, id, options).await;
        };
        let correlation = event
            .extra
            .as_ref()
            .and_then(|e| e.correlation_id.as_deref());
        let list = self
            .list_all(t, provider, &query, options, &mut |_| {})
            .await?;
        list.sessions
            .into_iter()
            .filter(|s| s.id == id)
            .find(|s| {
                correlation.is_none()
                    || s.extra.as_ref().and_then(|e| e.correlation_id.as_deref()) == correlation
            })
            .ok_or_else(|| IdvError {
                http_status: None,
                ..IdvError::new(
                    ErrorCode::NotFound,
                    Some(provider),
                    format!("{provider}: the session of the event is not in its listing"),
                )
            })
    }

    /// The provider's past events (Mangopay's `GET /events`, the last 45
    /// days), oldest first, every page; for catching up on missed webhooks.
    ///
    /// # Errors
    /// `unsupported` for providers without an events API, and the rest.
    pub async fn list_events(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &EventsQuery,
    ) -> Result<Vec<WebhookEvent>, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        api.events_request(cfg, query, 1, None)?;
        let now_ms = t.now_ms() as i64;
        let mut events = Vec::new();
        // Sequential (each page says how many follow); bounded whatever it says.
        for page in 1..=MAX_EVENT_PAGES {
            let (batch, pages) = self
                .call(
                    t,
                    provider,
                    Endpoint::List,
                    "list events",
                    Resend::Always,
                    &|bearer| api.events_request(cfg, query, page, bearer),
                    &|response| {
                        let body = crate::providers::parse_json(provider, &response.body)?;
                        let pages = api::header_u64(response, "x-number-of-pages");
                        Ok((api.decode_events(&body, now_ms)?, pages))
                    },
                )
                .await?;
            let empty = batch.is_empty();
            events.extend(batch);
            if empty || pages.is_none_or(|pages| page >= pages) {
                break;
            }
        }
        Ok(events)
    }

    /// Every configured provider's sessions for one user, concurrently, merged
    /// newest first. A provider's failure is reported in `errors`; the others'
    /// sessions are still returned.
    ///
    /// # Errors
    /// `aborted` when the caller's signal cut a provider's listing short: the
    /// call as a whole was cancelled, not one provider.
    pub async fn list_user_sessions(
        &self,
        t: &dyn Transport,
        refs: &UserRefs,
        options: &CallOptions,
    ) -> Result<UserSessions, IdvError> {
        let results =
            futures_util::future::join_all(refs.0.iter().map(|(provider, query)| async move {
                self.list_all(t, *provider, query, options, &mut |_| {})
                    .await
            }))
            .await;
        let mut out = UserSessions::default();
        for result in results {
            match result {
                Ok(list) => {
                    out.sessions.extend(list.sessions);
                    out.bad_rows.append(list.bad_rows);
                }
                Err(e) => out.errors.push(e),
            }
        }
        if t.is_aborted() {
            if let Some(e) = out.errors.iter().find(|e| e.code == ErrorCode::Aborted) {
                return Err(e.clone());
            }
        }
        paging::sort_newest_first(&mut out.sessions);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn scrubbing_keeps_words_whole_for_short_keys() {
        assert_eq!(
            scrub("network error for k", "k"),
            "network error for [redacted]"
        );
        assert_eq!(scrub("key=k;", "k"), "key=[redacted];");
        assert_eq!(
            scrub("x sk_live_12345678 y sk_live_12345678z", "sk_live_12345678"),
            "x [redacted] y [redacted]z"
        );
    }
}
