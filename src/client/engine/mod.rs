//! The client's behaviour over any [`Transport`]: auth (one shared token
//! request), rate budgets and pauses, the per-provider in-flight limit,
//! retries (one budget per logical request, creates never duplicated), paging
//! passes, de-duplication, merging. Plain async Rust: the wasm binding runs it
//! over `fetch`, native tests over in-memory transports.

mod attempts;
mod auth;
mod budget;
mod creates;
mod reads;

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

/// A provider's past events, oldest first, each once, and the rows of its
/// answers that were not events.
#[derive(Debug, Default)]
pub struct EventList {
    /// The events.
    pub events: Vec<WebhookEvent>,
    /// Rows that were not events.
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
    /// Credentials the token endpoint refused, until when (wall clock, ms):
    /// calls fail with its error without asking again (Mangopay locks out
    /// credentials that keep failing).
    refused: Option<(f64, IdvError)>,
}

/// How long refused credentials are not sent again, in seconds.
const REFUSED_CREDENTIALS_S: u32 = 60;

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
    // ASCII letters and digits only: beside any other character the secret is
    // scrubbed (more scrubbing is the safe side; no Unicode tables in the wasm).
    let word =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
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
