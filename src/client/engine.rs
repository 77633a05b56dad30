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

/// Whose sessions to list at each provider.
#[derive(Debug, Clone, Default)]
pub struct UserRefs {
    /// Mangopay `UserId`.
    pub mangopay: Option<String>,
    /// Equals query (`associatedPersonId` or `applicationId`).
    pub equals: Option<ListQuery>,
    /// Didit `vendor_data`.
    pub didit: Option<String>,
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
    token: Option<Token>,
    budgets: HashMap<(Provider, Endpoint), Option<RateBudget>>,
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
        loop {
            let wait = {
                let mut state = self.state.borrow_mut();
                let scale = self.config.rate_limit_scale;
                let budget = state
                    .budgets
                    .entry(budget_key(provider, endpoint))
                    .or_insert_with(|| RateBudget::documented(provider, endpoint, scale));
                match budget {
                    None => return Ok(()),
                    Some(b) => match b.try_acquire(t.now_ms()) {
                        Ok(()) => return Ok(()),
                        Err(ms) => ms,
                    },
                }
            };
            t.sleep(wait).await.map_err(|_| aborted(provider))?;
        }
    }

    /// Mangopay's bearer token: cached, refreshed before expiry. `None` for the
    /// other providers and when a proxy holds the credentials.
    fn bearer<'a>(
        &'a self,
        t: &'a dyn Transport,
        provider: Provider,
    ) -> LocalFuture<'a, Result<Option<String>, IdvError>> {
        Box::pin(async move {
            if provider != Provider::Mangopay {
                return Ok(None);
            }
            let cfg = self.config.provider(provider)?;
            let Some(request) = api::token_request(cfg) else {
                return Ok(None);
            };
            if let Some(token) = &self.state.borrow().token {
                if t.now_ms() < token.refresh_at_ms {
                    return Ok(Some(token.access_token.clone()));
                }
            }
            let response = self
                .call(t, provider, Endpoint::Token, "get an OAuth token", &|_| {
                    Ok(request.clone())
                })
                .await?;
            let token = api::decode_token(&response, t.now_ms()).map_err(|e| self.redact(e))?;
            let access = token.access_token.clone();
            self.state.borrow_mut().token = Some(token);
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
                    self.state.borrow_mut().token = None;
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

    fn normalize_options(query: &ListQuery, options: &CallOptions) -> NormalizeOptions {
        NormalizeOptions {
            include_raw: options.include_raw,
            user_id: query.user_id.clone(),
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
        let page_ref = PageRef::of_query(provider, query, super::query::max_page_size(provider));
        let page = self
            .fetch_page(
                t,
                provider,
                query,
                page_ref,
                &Self::normalize_options(query, options),
            )
            .await?;
        let next = paging::next_ref(page_ref, &page).map(|r| match r {
            PageRef::Page { page, per_page } => ListQuery {
                page: Some(page),
                per_page: Some(per_page),
                ..query.clone()
            },
            PageRef::Offset { offset, limit } => ListQuery {
                offset: Some(offset),
                limit: Some(limit),
                ..query.clone()
            },
        });
        let filter = query.status_filter(provider);
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
        let normalize = Self::normalize_options(query, options);
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
        let filter = query.status_filter(provider);
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

    /// Replaces Mangopay list rows by their View (with URL, user and checks),
    /// fetched concurrently. Other providers' sessions are returned as they are.
    async fn with_details(
        &self,
        t: &dyn Transport,
        provider: Provider,
        sessions: Vec<Session>,
        options: &CallOptions,
    ) -> Result<Vec<Session>, IdvError> {
        if provider != Provider::Mangopay {
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
        api::get_request(provider, cfg, id, None)?;
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            ..NormalizeOptions::default()
        };
        self.get_decoded(
            t,
            provider,
            Endpoint::Get,
            "get session",
            &|bearer| api::get_request(provider, cfg, id, bearer),
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
        api::create_request(provider, cfg, input, None)?;
        let response = self
            .call(t, provider, Endpoint::Create, "create session", &|bearer| {
                api::create_request(provider, cfg, input, bearer)
            })
            .await?;
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            // Mangopay's create response has no UserId: it is the one asked for.
            user_id: input
                .get("userId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            // Didit's create response has no creation time: it is now.
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
        let mut jobs: Vec<(Provider, ListQuery)> = Vec::new();
        if let Some(user_id) = &refs.mangopay {
            jobs.push((
                Provider::Mangopay,
                ListQuery {
                    user_id: Some(user_id.clone()),
                    ..ListQuery::default()
                },
            ));
        }
        if let Some(query) = &refs.equals {
            jobs.push((Provider::Equals, query.clone()));
        }
        if let Some(vendor_data) = &refs.didit {
            jobs.push((
                Provider::Didit,
                ListQuery {
                    vendor_data: Some(vendor_data.clone()),
                    ..ListQuery::default()
                },
            ));
        }
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
