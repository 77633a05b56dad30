//! Reads: one session, the session of a webhook event, past events, and one
//! user's sessions across providers.

use super::*;
use crate::json::Json;
use crate::protocol::page::PageRef;
use futures_util::stream::{self, StreamExt};

impl Engine {
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
        let session = self
            .call(
                t,
                provider,
                Endpoint::Get,
                "get session",
                Resend::Always,
                &|bearer| api.get_request(cfg, id, bearer),
                &|response| api::decode_session(provider, response, &normalize),
            )
            .await?;
        if options.details {
            return self.add_details(t, provider, session).await;
        }
        Ok(session)
    }

    /// `session` completed by the provider's detail requests (none for most
    /// providers), round after round, each round's requests concurrently.
    async fn add_details(
        &self,
        t: &dyn Transport,
        provider: Provider,
        mut session: Session,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        let mut answers: Vec<Value> = Vec::new();
        for _ in 0..crate::providers::DETAIL_ROUNDS {
            let count = api.detail_requests(cfg, &session, &answers, None)?.len();
            if count == 0 {
                break;
            }
            let known = &answers;
            let session = &session;
            let round: Vec<Result<Value, IdvError>> = stream::iter(0..count)
                .map(|i| async move {
                    self.call(
                        t,
                        provider,
                        Endpoint::Get,
                        "get session details",
                        Resend::Always,
                        &|bearer| {
                            api.detail_requests(cfg, session, known, bearer)?
                                .into_iter()
                                .nth(i)
                                .ok_or_else(|| IdvError::decode(provider, "detail request gone"))
                        },
                        &|response| {
                            crate::json::parse_value(&response.body).map_err(|_| {
                                IdvError::decode(
                                    provider,
                                    format!("{provider}: get session details: not JSON"),
                                )
                            })
                        },
                    )
                    .await
                })
                .buffered(self.config.concurrency.max(1))
                .collect()
                .await;
            for answer in round {
                answers.push(answer?);
            }
        }
        api.add_details(&mut session, &answers)?;
        Ok(session)
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
        options: &CallOptions,
    ) -> Result<EventList, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        api.events_request(cfg, query, 1, None)?;
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            strict: options.strict,
            ..NormalizeOptions::default()
        };
        let mut events = Vec::new();
        let mut bad_rows = BadRows::default();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        // Pages by number, as session lists are read: the page count or
        // `link` header says what follows (a browser hides headers a proxy
        // does not expose); without either, a full page may have more.
        let per_page = api::full_page(provider);
        // Sequential (each page says how many follow); bounded whatever it says.
        for page in 1..=MAX_EVENT_PAGES {
            let at = PageRef::Page { page, per_page };
            let ((batch, mut bad), listed) = self
                .call(
                    t,
                    provider,
                    Endpoint::List,
                    "list events",
                    Resend::Always,
                    &|bearer| api.events_request(cfg, query, page, bearer),
                    &|response| {
                        let body = crate::providers::parse_json(provider, &response.body)?;
                        let meta = api.page_meta(response, &body, at);
                        let listed = api::ListPage {
                            // Rows as the provider sent them, before those that
                            // are not events are left out.
                            rows: match &body {
                                Json::Array(rows) => rows.len() as u64,
                                _ => 0,
                            },
                            total: meta.total,
                            pages: meta.pages,
                            page_size: meta.page_size,
                            has_next: meta.has_next,
                            ..api::ListPage::default()
                        };
                        Ok((api.decode_events(&body, &normalize)?, listed))
                    },
                )
                .await?;
            bad.set_page(page);
            bad_rows.append(bad);
            // Each event once; a full page that brings none not already listed
            // means the provider ignored the page asked for.
            let before = events.len();
            for event in batch {
                if seen.insert(event.id.clone()) {
                    events.push(event);
                }
            }
            // A full page: a short last page of repeats is what a newest-first
            // list gives when events arrive during the walk.
            if page > 1 && listed.rows >= per_page && events.len() == before {
                return Err(IdvError::new(
                    ErrorCode::Incomplete,
                    Some(provider),
                    format!(
                        "{provider}: list events: page {page} brought no event not already \
                         listed (the provider ignored the page asked for); {} events read",
                        events.len()
                    ),
                ));
            }
            if paging::next_ref(at, &listed).is_none() {
                return Ok(EventList { events, bad_rows });
            }
        }
        Err(IdvError::new(
            ErrorCode::Incomplete,
            Some(provider),
            format!("{provider}: list events: more than {MAX_EVENT_PAGES} pages; narrow the dates"),
        ))
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
