//! The client's behaviour over any [`Transport`]: auth, rate budgets, retries,
//! paging passes, de-duplication, merging. Plain async Rust: the wasm binding
//! runs it over `fetch`, native tests over an in-memory transport.

use super::api::{self, ListPage, PageRef, Token};
use super::config::ClientConfig;
use super::http::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportError};
use super::paging::{self, Collector};
use super::query::ListQuery;
use super::rate::{budget_key, Endpoint, RateBudget};
use crate::error::{ErrorCode, IdvError};
use crate::providers::Auth;
use crate::providers::NormalizeOptions;
use crate::session::{Provider, Session};
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;

/// Passes made at most when inserts keep shifting offsets.
const MAX_PASSES: usize = 4;

/// Per-call options.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Keep each provider object in `raw`.
    pub include_raw: bool,
    /// Mangopay: fetch each listed session's View (URL, user, checks).
    pub details: bool,
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
        refs.sort_by_key(|(p, _)| *p);
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
}

#[derive(Default)]
struct State {
    tokens: HashMap<Provider, Token>,
    budgets: HashMap<(Provider, &'static str), RateBudget>,
}

/// The client core. Cheap to share behind an `Rc`.
pub struct Engine {
    /// The validated configuration.
    pub config: ClientConfig,
    state: RefCell<State>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn aborted(provider: Provider) -> IdvError {
    IdvError::new(
        ErrorCode::Aborted,
        Some(provider),
        format!("{provider}: aborted by the caller's signal"),
    )
}

impl Engine {
    /// A client core for a validated configuration.
    pub fn new(config: ClientConfig) -> Self {
        Engine {
            config,
            state: RefCell::new(State::default()),
        }
    }

    /// Scrubs every configured credential from an error message.
    pub fn redact(&self, mut error: IdvError) -> IdvError {
        for secret in self.config.secrets() {
            if error.message.contains(secret) {
                error.message = error.message.replace(secret, "[redacted]");
            }
        }
        error
    }

    /// Waits until the provider's documented budget allows one more request.
    async fn acquire(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
    ) -> Result<(), IdvError> {
        let Some(key) = budget_key(provider, endpoint) else {
            return Ok(());
        };
        loop {
            let wait = {
                let mut state = self.state.borrow_mut();
                let scale = self.config.rate_limit_scale;
                let Some(budget) = (match state.budgets.entry(key) {
                    std::collections::hash_map::Entry::Occupied(e) => Some(e.into_mut()),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        RateBudget::documented(provider, endpoint, scale).map(|b| e.insert(b))
                    }
                }) else {
                    return Ok(());
                };
                match budget.try_acquire(t.now_ms()) {
                    Ok(()) => return Ok(()),
                    Err(ms) => ms,
                }
            };
            t.sleep(wait).await.map_err(|_| aborted(provider))?;
        }
    }

    /// The OAuth bearer token: cached, refreshed before expiry. `None` for
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
            if let Some(token) = self.state.borrow().tokens.get(&provider) {
                if t.now_ms() < token.refresh_at_ms {
                    return Ok(Some(token.access_token.clone()));
                }
            }
            let response = self
                .call(t, provider, Endpoint::Token, "get an OAuth token", &|_| {
                    Ok(request.clone())
                })
                .await?;
            let token =
                api::decode_token(provider, &response, t.now_ms()).map_err(|e| self.redact(e))?;
            let access = token.access_token.clone();
            self.state.borrow_mut().tokens.insert(provider, token);
            Ok(Some(access))
        })
    }

    /// Sends one logical request: rate budget, auth, retries with backoff
    /// (honouring `Retry-After`), and one token refresh after a Mangopay 401.
    async fn call(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
        operation: &str,
        build: &dyn Fn(Option<&str>) -> Result<HttpRequest, IdvError>,
    ) -> Result<HttpResponse, IdvError> {
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
            let request = build(bearer.as_deref())?;
            self.acquire(t, provider, endpoint).await?;
            let error = match t.send(request, self.config.timeout_ms).await {
                Ok(r) if (200..300).contains(&r.status) => return Ok(r),
                Ok(r) if r.status == 401 && bearer.is_some() && !refreshed => {
                    // The token expired early or was revoked: one fresh token, then retry.
                    refreshed = true;
                    self.state.borrow_mut().tokens.remove(&provider);
                    continue;
                }
                Ok(r) => api::error_from_response(provider, operation, &r, t.now_ms()),
                Err(TransportError::Aborted) => return Err(aborted(provider)),
                Err(TransportError::Timeout) => IdvError {
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
                Err(TransportError::Network(reason)) => IdvError {
                    retryable: true,
                    ..IdvError::new(
                        ErrorCode::Network,
                        Some(provider),
                        format!("{provider}: {operation} failed: network error: {reason}"),
                    )
                },
            };
            if !error.retryable || attempt >= self.config.retry.max_retries {
                return Err(self.redact(error));
            }
            self.back_off(t, provider, &mut attempt, error.retry_after_ms)
                .await?;
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

    async fn fetch_page(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        page: PageRef,
        options: &NormalizeOptions,
    ) -> Result<ListPage, IdvError> {
        let cfg = self.config.provider(provider)?;
        self.get_decoded(
            t,
            provider,
            Endpoint::List,
            "list sessions",
            &|bearer| Ok(api::list_request(provider, cfg, query, page, bearer)),
            &|response| api::decode_list(provider, response, page, options),
        )
        .await
    }

    /// A GET and the decoding of its answer. A 2xx body that is not JSON at
    /// all (cut short, or an HTML page from something in between) is retried
    /// like a network error; valid JSON that breaks the documented shape is not.
    async fn get_decoded<T>(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
        operation: &str,
        build: &dyn Fn(Option<&str>) -> Result<HttpRequest, IdvError>,
        decode: &dyn Fn(&HttpResponse) -> Result<T, IdvError>,
    ) -> Result<T, IdvError> {
        let mut attempt: u32 = 0;
        loop {
            let response = self.call(t, provider, endpoint, operation, build).await?;
            let error = match decode(&response) {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            let not_json = serde_json::from_str::<serde::de::IgnoredAny>(&response.body).is_err();
            if !not_json || attempt >= self.config.retry.max_retries {
                return Err(self.redact(IdvError {
                    retryable: not_json,
                    ..error
                }));
            }
            self.back_off(t, provider, &mut attempt, None).await?;
        }
    }

    fn normalize_options(
        provider: Provider,
        query: &ListQuery,
        options: &CallOptions,
    ) -> NormalizeOptions {
        let user_key = provider.api().query().user_keys.first().copied();
        NormalizeOptions {
            include_raw: options.include_raw,
            user_id: user_key.and_then(|k| query.filter(k)).map(str::to_owned),
            now: None,
        }
    }

    /// One page, normalized, with the query of the next page.
    ///
    /// # Errors
    /// Any [`IdvError`]; `config` for a bad query or an unconfigured provider.
    pub async fn list_sessions(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        options: &CallOptions,
    ) -> Result<SessionPage, IdvError> {
        let filter = query.status_filter(provider);
        if filter.matches_nothing {
            return Ok(SessionPage {
                provider,
                sessions: Vec::new(),
                total: Some(0),
                next: None,
            });
        }
        let page_ref = PageRef::of_query(provider, query, api::full_page(provider));
        let page = self
            .fetch_page(
                t,
                provider,
                query,
                page_ref,
                &Self::normalize_options(provider, query, options),
            )
            .await?;
        let next = paging::next_ref(page_ref, &page).map(|r| r.apply(query));
        let mut sessions: Vec<Session> = page
            .sessions
            .into_iter()
            .filter(|s| filter.keeps(s))
            .collect();
        if options.details {
            sessions = self.with_details(t, provider, sessions, options).await?;
        }
        Ok(SessionPage {
            provider,
            sessions,
            total: page.total,
            next,
        })
    }

    /// Every page: the first, then the rest concurrently when the total is
    /// known (in the provider's order), deduplicated by `key`; repeated passes
    /// while inserts shift offsets (see [`paging`]).
    ///
    /// # Errors
    /// The first page's error, or any later page's after its retries.
    pub async fn list_all(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        options: &CallOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<Session>, IdvError> {
        let filter = query.status_filter(provider);
        if filter.matches_nothing {
            return Ok(Vec::new());
        }
        let normalize = Self::normalize_options(provider, query, options);
        let first_ref = paging::first_ref(provider);
        let mut collector = Collector::default();
        let mut pages_done: u64 = 0;
        for _pass in 0..MAX_PASSES {
            let first = self
                .fetch_page(t, provider, query, first_ref, &normalize)
                .await?;
            let first_total = first.total;
            let plan = paging::plan_rest(first_ref, &first);
            let pages_total = plan.as_ref().map(|p| pages_done + 1 + p.len() as u64);
            let mut consistent = true;
            let mut current = (first_ref, first);
            collector.add(std::mem::take(&mut current.1.sessions));
            pages_done += 1;
            progress(Progress {
                provider,
                pages_done,
                pages_total,
                sessions: collector.len(),
            });
            match plan {
                Some(plan) => {
                    let concurrency = self.config.concurrency.max(1);
                    let mut pages = stream::iter(plan)
                        .map(|r| self.fetch_page(t, provider, query, r, &normalize))
                        .buffered(concurrency);
                    while let Some(page) = pages.next().await {
                        let mut page = page?;
                        if page.total != first_total
                            || (page.rows == 0 && first_total.unwrap_or(0) > 0)
                        {
                            consistent = false;
                        }
                        collector.add(std::mem::take(&mut page.sessions));
                        pages_done += 1;
                        progress(Progress {
                            provider,
                            pages_done,
                            pages_total,
                            sessions: collector.len(),
                        });
                    }
                }
                None => {
                    // No total: follow the provider's pages one by one.
                    while let Some(next) = paging::next_ref(current.0, &current.1) {
                        let mut page = self
                            .fetch_page(t, provider, query, next, &normalize)
                            .await?;
                        collector.add(std::mem::take(&mut page.sessions));
                        pages_done += 1;
                        progress(Progress {
                            provider,
                            pages_done,
                            pages_total: None,
                            sessions: collector.len(),
                        });
                        current = (next, page);
                    }
                }
            }
            if consistent {
                break;
            }
        }
        let sessions: Vec<Session> = collector
            .into_sessions()
            .into_iter()
            .filter(|s| filter.keeps(s))
            .collect();
        if options.details {
            return self.with_details(t, provider, sessions, options).await;
        }
        Ok(sessions)
    }

    /// Replaces list rows by the full session (`getSession`: URL, user,
    /// checks), fetched concurrently, where list rows lack them (Mangopay).
    /// Other providers' sessions are returned as they are.
    async fn with_details(
        &self,
        t: &dyn Transport,
        provider: Provider,
        sessions: Vec<Session>,
        options: &CallOptions,
    ) -> Result<Vec<Session>, IdvError> {
        if !provider.api().list_rows_lack_details() {
            return Ok(sessions);
        }
        let concurrency = self.config.concurrency.max(1);
        let results: Vec<Result<Session, IdvError>> = stream::iter(sessions)
            .map(|row| async move {
                let mut detailed = self.get_session(t, provider, &row.id, options).await?;
                if detailed.user_ref.is_none() {
                    detailed.user_ref = row.user_ref;
                }
                Ok(detailed)
            })
            .buffered(concurrency)
            .collect()
            .await;
        results.into_iter().collect()
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
        provider.api().get_request(cfg, id, None)?;
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            ..NormalizeOptions::default()
        };
        self.get_decoded(
            t,
            provider,
            Endpoint::Get,
            "get session",
            &|bearer| provider.api().get_request(cfg, id, bearer),
            &|response| api::decode_session(provider, response, &normalize),
        )
        .await
    }

    /// Creates a session (Mangopay, Didit); Equals is `unsupported`.
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
        let response = self
            .call(t, provider, Endpoint::Create, "create session", &|bearer| {
                api.create_request(cfg, input, bearer)
            })
            .await?;
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
        };
        api::decode_session(provider, &response, &normalize).map_err(|e| self.redact(e))
    }

    /// Every configured provider's sessions for one user, concurrently, merged
    /// newest first. A provider's failure is reported in `errors`; the others'
    /// sessions are still returned.
    pub async fn list_user_sessions(
        &self,
        t: &dyn Transport,
        refs: &UserRefs,
        options: &CallOptions,
    ) -> UserSessions {
        let jobs = &refs.0;
        let results =
            futures_util::future::join_all(jobs.iter().map(|(provider, query)| async move {
                self.list_all(t, *provider, query, options, &mut |_| {})
                    .await
            }))
            .await;
        let mut out = UserSessions::default();
        for result in results {
            match result {
                Ok(sessions) => out.sessions.extend(sessions),
                Err(e) => out.errors.push(e),
            }
        }
        paging::sort_newest_first(&mut out.sessions);
        out
    }
}
