//! Listing: one page, and every page of a query (`listAll`) placed as pages
//! arrive, with the proof that the walk missed nothing.
//!
//! A listing over offsets (Equals, Didit) is a chain: each page must provably
//! follow the one before it, either unchanged since (the next offset, the
//! same total) or containing the last session seen before it with more rows
//! after it. Pages are fetched concurrently in the provider's order; where
//! one does not follow (sessions arrived at the head of a newest-first list
//! between two fetches, shifting the offsets), the gap is bridged afterwards
//! from the last session before it. Arrivals are harmless: only rows removed
//! or reordered under the walk, which a bridge cannot find its way through,
//! make another pass. A listing over page numbers (Mangopay) cannot be
//! bridged, so a pass must see one total throughout (see [`paging`]).

use super::api::{self, ListPage, PageRef};
use super::engine::{aborted, CallOptions, Engine, Progress, Resend, SessionPage};
use super::http::Transport;
use super::paging::{self, Chain, Collector, Link, Listing, PageKeys, Pass, SlotRef};
use super::query::ListQuery;
use super::rate::Endpoint;
use super::slices;
use super::sync::Changes;
use crate::error::{ErrorCode, IdvError};
use crate::protocol::spec::Dates;
use crate::providers::{BadRows, NormalizeOptions, SessionList};
use crate::session::{Provider, Session};
use futures_util::future::{select, Either};
use futures_util::stream::{self, StreamExt};
use std::cell::RefCell;
use std::collections::HashSet;

mod cursor;

/// Passes made at most when the pages keep contradicting each other.
const MAX_PASSES: usize = 4;

/// The sessions a full listing holds at most unless the caller says
/// otherwise (`maxSessions`): a proxy minting ids forever must not list forever.
pub const DEFAULT_MAX_SESSIONS: usize = 1_000_000;

/// Why a pass did not prove itself complete.
type Problem = Option<&'static str>;

/// What a pass does after one of its planned pages.
enum Step {
    /// Read the next planned page.
    Next,
    /// Read no more of them (with what went wrong, if anything).
    Stop(Problem),
}

/// One walk's shared state: the collector, where sessions go, progress.
struct Walk<'a> {
    provider: Provider,
    query: &'a ListQuery,
    normalize: &'a NormalizeOptions,
    collector: &'a mut Collector,
    listing: &'a mut dyn Listing,
    pages_done: &'a mut u64,
    progress: &'a mut dyn FnMut(Progress),
    pages_total: Option<u64>,
    max_sessions: usize,
}

impl Walk<'_> {
    /// Places a page's sessions; returns how many rows this pass had not seen
    /// (new sessions and new rows that were not sessions: a page of only bad
    /// rows is progress too).
    fn add(&mut self, pass: &mut Pass, page: &mut ListPage) -> Result<usize, IdvError> {
        let fresh_bad = self
            .collector
            .add_bad_rows(pass, std::mem::take(&mut page.bad_rows));
        let sessions = std::mem::take(&mut page.sessions);
        let new = self.collector.add(pass, sessions, &mut *self.listing);
        *self.pages_done += 1;
        (self.progress)(Progress {
            provider: self.provider,
            pages_done: *self.pages_done,
            pages_total: self.pages_total,
            sessions: self.collector.len(),
        });
        if self.collector.len() > self.max_sessions {
            return Err(IdvError::new(
                ErrorCode::Incomplete,
                Some(self.provider),
                format!(
                    "{}: list sessions: more than {} sessions (maxSessions): narrow the query \
                     or raise maxSessions",
                    self.provider, self.max_sessions
                ),
            ));
        }
        Ok(new + fresh_bad)
    }
}

impl Engine {
    pub(super) async fn fetch_page(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        page: PageRef,
        options: &NormalizeOptions,
    ) -> Result<ListPage, IdvError> {
        let cfg = self.config.provider(provider)?;
        self.call(
            t,
            provider,
            Endpoint::List,
            "list sessions",
            Resend::Always,
            &|bearer| Ok(api::list_request(provider, cfg, query, page, bearer)),
            &|response| api::decode_list(provider, response, page, options),
        )
        .await
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
            strict: options.strict,
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
        Ok(self.read_page(t, provider, query, options, None).await?.0)
    }

    /// [`Engine::list_sessions`]; with `seen`, only the sessions whose key
    /// it did not hold yet (it then holds them), and how many those were
    /// before any status filter.
    pub(super) async fn read_page(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        options: &CallOptions,
        seen: Option<&mut HashSet<Box<str>>>,
    ) -> Result<(SessionPage, usize), IdvError> {
        let filter = query.status_filter(provider);
        if filter.matches_nothing {
            let page = SessionPage {
                provider,
                sessions: Vec::new(),
                total: Some(0),
                next: None,
                bad_rows: BadRows::default(),
                rows: 0,
            };
            return Ok((page, 0));
        }
        let page_ref = PageRef::of_query(provider, query, api::full_page(provider));
        let mut page = self
            .fetch_page(
                t,
                provider,
                query,
                page_ref,
                &Self::normalize_options(provider, query, options),
            )
            .await?;
        let next = paging::next_query(page_ref, &page, query);
        let mut fresh = page.sessions.len();
        if let Some(seen) = seen {
            page.sessions.retain(|s| seen.insert(s.key.as_str().into()));
            fresh = page.sessions.len();
        }
        let mut sessions: Vec<Session> = page
            .sessions
            .into_iter()
            .filter(|s| filter.keeps(s))
            .collect();
        if options.details && provider.api().list_rows_lack_details() {
            let rows: Vec<_> = sessions
                .iter()
                .map(|s| SlotRef {
                    id: s.id.clone(),
                    user_ref: s.user_ref.clone(),
                })
                .enumerate()
                .collect();
            let mut slots: Vec<Option<Session>> = sessions.into_iter().map(Some).collect();
            self.place_details(t, provider, rows, options, &mut slots)
                .await?;
            sessions = slots.into_iter().flatten().collect();
        }
        let page = SessionPage {
            provider,
            sessions,
            total: page.total,
            next,
            bad_rows: page.bad_rows,
            rows: page.rows,
        };
        Ok((page, fresh))
    }

    /// Every page: the first, then the rest concurrently when the total is
    /// known (in the provider's order), deduplicated by `key` (a later copy
    /// wins). The sessions in memory, for callers that want them whole; see
    /// [`Engine::list_all_into`].
    ///
    /// # Errors
    /// As [`Engine::list_all_into`].
    pub async fn list_all(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        options: &CallOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SessionList, IdvError> {
        let mut slots: Vec<Option<Session>> = Vec::new();
        let bad_rows = self
            .list_all_into(t, provider, query, options, progress, &mut slots)
            .await?;
        Ok(SessionList {
            sessions: slots.into_iter().flatten().collect(),
            bad_rows,
        })
    }

    /// [`Engine::list_all`], each page's sessions placed in `listing` as the
    /// page arrives (slots in order of first arrival, a later copy replacing
    /// the earlier one, `None` where the latest copy fails the status
    /// filter), so no session outlives its page here. With `details` the
    /// kept slots are then replaced by full sessions. Pages are planned
    /// lazily: a total from the server never sizes memory. Returns the rows
    /// that were not sessions.
    ///
    /// # Errors
    /// Any page's error after its retries; `incomplete` when no pass could
    /// prove itself complete, or past `maxSessions`. `listing` then holds a
    /// part of the sessions.
    pub async fn list_all_into(
        &self,
        t: &dyn Transport,
        provider: Provider,
        query: &ListQuery,
        options: &CallOptions,
        progress: &mut dyn FnMut(Progress),
        listing: &mut dyn Listing,
    ) -> Result<BadRows, IdvError> {
        let filter = query.status_filter(provider);
        if filter.matches_nothing {
            return Ok(BadRows::default());
        }
        let normalize = Self::normalize_options(provider, query, options);
        let details = options.details && provider.api().list_rows_lack_details();
        let mut collector = Collector::new(filter, details);
        let mut pages_done: u64 = 0;
        let mut problem = None;
        for _pass in 0..MAX_PASSES {
            let mut walk = Walk {
                provider,
                query,
                normalize: &normalize,
                collector: &mut collector,
                listing: &mut *listing,
                pages_done: &mut pages_done,
                progress: &mut *progress,
                pages_total: None,
                max_sessions: options.max_sessions.unwrap_or(DEFAULT_MAX_SESSIONS),
            };
            problem = self.list_pass(t, &mut walk).await?;
            if problem.is_none() {
                break;
            }
        }
        if let Some(problem) = problem {
            return Err(IdvError {
                retryable: true,
                ..IdvError::new(
                    ErrorCode::Incomplete,
                    Some(provider),
                    format!(
                        "{provider}: list sessions: the provider's pages never agreed in \
                         {MAX_PASSES} passes ({problem}); {} sessions seen, more may exist",
                        collector.len()
                    ),
                )
            });
        }
        let bad_rows = collector.take_bad_rows();
        if details {
            let rows = collector.into_kept().collect();
            self.place_details(t, provider, rows, options, listing)
                .await?;
        }
        Ok(bad_rows)
    }

    /// One pass: the first page, then the planned pages concurrently (or the
    /// provider's pages one by one when it gives no total). `Ok(None)` when
    /// the pass proved itself complete; otherwise what went wrong.
    async fn list_pass(&self, t: &dyn Transport, walk: &mut Walk<'_>) -> Result<Problem, IdvError> {
        let provider = walk.provider;
        let first_ref = paging::first_ref(provider);
        let start = ListQuery {
            after: None,
            ..walk.query.clone()
        };
        let mut first = self
            .fetch_page(t, provider, &start, first_ref, walk.normalize)
            .await?;
        let after_first = paging::next_query(first_ref, &first, &start);
        let plan = paging::plan_rest(first_ref, &first);
        walk.pages_total = plan.as_ref().map(|p| *walk.pages_done + 1 + p.len());
        let mut pass = Pass::default();
        let first_keys = PageKeys::of(first_ref, &first);
        let more = paging::next_ref(first_ref, &first);
        let size = paging::page_size(first_ref, &first);
        // A cursor over creation times: the first page's newest and oldest
        // creation (Unix seconds) size the slices the rest is walked in.
        let sliceable = (provider.api().query().dates == Dates::Instants)
            .then(|| slices::created_range(&first.sessions))
            .flatten();
        walk.add(&mut pass, &mut first)?;
        match first_ref {
            PageRef::Offset { .. } => {
                self.offsets_pass(t, walk, &mut pass, first_keys, size, plan)
                    .await
            }
            PageRef::Page { .. } => {
                self.pages_pass(t, walk, &mut pass, &first_keys, more, plan)
                    .await
            }
            PageRef::Cursor { .. } => match (sliceable, after_first) {
                (Some((top, last)), Some(_)) if self.config.concurrency > 1 => {
                    let floor = walk
                        .query
                        .filter("dateFrom")
                        .and_then(|t| crate::time::instant(t, false))
                        .map(|ms| ms.div_euclid(1000));
                    let slices = slices::cut(last, floor, top - last, self.config.concurrency);
                    self.sliced_pass(t, walk, &mut pass, first_ref, slices)
                        .await
                }
                (_, after_first) => {
                    self.cursor_pass(t, walk, &mut pass, first_ref, more.is_some(), after_first)
                        .await
                }
            },
        }
    }

    /// The planned pages of a pass, fetched concurrently and handed to
    /// `on_page` in the provider's order until it says stop (what it stops
    /// with is returned).
    /// The first failure ends the pass at once (not when the pages before it
    /// arrive), and dropping the stream aborts the pages still in flight.
    async fn planned_pages(
        &self,
        t: &dyn Transport,
        walk: (Provider, &ListQuery, &NormalizeOptions),
        plan: paging::Plan,
        on_page: &mut dyn FnMut(PageRef, ListPage) -> Result<Step, IdvError>,
    ) -> Result<Problem, IdvError> {
        let (provider, query, normalize) = walk;
        let failure: RefCell<Option<IdvError>> = RefCell::new(None);
        let failed = Changes::default();
        let mut pages = stream::iter(plan)
            .map(|r| {
                let (failure, failed) = (&failure, &failed);
                async move {
                    let page = self.fetch_page(t, provider, query, r, normalize).await;
                    if let Err(e) = &page {
                        failure.borrow_mut().get_or_insert_with(|| e.clone());
                        failed.bump();
                    }
                    page.map(|p| (r, p))
                }
            })
            .buffered(self.config.concurrency.max(1));
        loop {
            let (r, page) = match select(pages.next(), failed.changed(0)).await {
                Either::Left((Some(page), _)) => page?,
                Either::Left((None, _)) => return Ok(None),
                Either::Right(_) => {
                    let error = failure.borrow_mut().take();
                    return Err(error.unwrap_or_else(|| aborted(provider)));
                }
            };
            if let Step::Stop(problem) = on_page(r, page)? {
                return Ok(problem);
            }
        }
    }

    /// A pass over page numbers: consistent when every page reports the
    /// first page's total, brings rows not seen before, and the rows reach
    /// the total.
    async fn pages_pass(
        &self,
        t: &dyn Transport,
        walk: &mut Walk<'_>,
        pass: &mut Pass,
        first: &PageKeys,
        mut more: Option<PageRef>,
        plan: Option<paging::Plan>,
    ) -> Result<Problem, IdvError> {
        let request = (walk.provider, walk.query, walk.normalize);
        if let Some(plan) = plan {
            let total = first.total;
            let mut rows = first.rows;
            let mut on_page = |_: PageRef, mut page: ListPage| {
                rows += page.rows;
                let new = walk.add(pass, &mut page)?;
                Ok(if page.total != total {
                    Step::Stop(Some("the total changed while paging"))
                } else if new == 0 {
                    Step::Stop(Some("a page brought no row not already listed"))
                } else {
                    Step::Next
                })
            };
            let problem = self.planned_pages(t, request, plan, &mut on_page).await?;
            if problem.is_some() {
                return Ok(problem);
            }
            return Ok(total
                .is_some_and(|total| rows < total)
                .then_some("the pages ended before the reported total"));
        }
        // No total: follow the provider's pages one by one.
        let (provider, query, normalize) = request;
        while let Some(next) = more {
            let mut page = self.fetch_page(t, provider, query, next, normalize).await?;
            more = paging::next_ref(next, &page);
            let rows = page.rows;
            if walk.add(pass, &mut page)? == 0 && rows > 0 {
                return Ok(Some("a page brought no row not already listed"));
            }
        }
        Ok(None)
    }

    /// A pass over offsets, as a chain (see the module's documentation): the
    /// planned pages concurrently, noting each page that does not provably
    /// follow the walk; then each such gap bridged, and the walk followed to
    /// the list's end.
    async fn offsets_pass(
        &self,
        t: &dyn Transport,
        walk: &mut Walk<'_>,
        pass: &mut Pass,
        first: PageKeys,
        size: u64,
        plan: Option<paging::Plan>,
    ) -> Result<Problem, IdvError> {
        let request = (walk.provider, walk.query, walk.normalize);
        let mut chain = Chain::start(&first);
        if let Some(plan) = plan {
            let mut on_page = |r: PageRef, mut page: ListPage| {
                let keys = PageKeys::of(r, &page);
                let new = walk.add(pass, &mut page)?;
                Ok(if chain.take(keys, new) {
                    Step::Next
                } else {
                    Step::Stop(None)
                })
            };
            self.planned_pages(t, request, plan, &mut on_page).await?;
        }
        let mut latest_total = chain.latest_total;
        for (from, to) in std::mem::take(&mut chain.gaps) {
            let problem = self
                .bridge(t, walk, pass, &mut latest_total, from, Some(&to), size)
                .await?;
            if problem.is_some() {
                return Ok(problem);
            }
        }
        if chain.ended {
            return Ok(None);
        }
        self.bridge(t, walk, pass, &mut latest_total, chain.link, None, size)
            .await
    }

    /// Walks on from `from`, page by page, each page provably following the
    /// one before, until one shares a session with `to` (the gap before `to`
    /// is closed) or the list ends. A page that does not follow means rows
    /// were removed or reordered under the walk (or the provider ignored the
    /// offset): another pass.
    #[allow(clippy::too_many_arguments)]
    async fn bridge(
        &self,
        t: &dyn Transport,
        walk: &mut Walk<'_>,
        pass: &mut Pass,
        latest_total: &mut Option<u64>,
        mut from: Link,
        to: Option<&PageKeys>,
        size: u64,
    ) -> Result<Problem, IdvError> {
        let target: HashSet<&str> = to
            .iter()
            .flat_map(|p| p.keys.iter().map(|(_, k)| &**k))
            .collect();
        loop {
            let r = PageRef::Offset {
                offset: from.next_offset(*latest_total),
                limit: size,
            };
            let mut page = self
                .fetch_page(t, walk.provider, walk.query, r, walk.normalize)
                .await?;
            let keys = PageKeys::of(r, &page);
            *latest_total = keys.total.or(*latest_total);
            let new = walk.add(pass, &mut page)?;
            if !from.followed_by(&keys) {
                return Ok(Some(
                    "rows were removed or reordered while paging, or the provider ignored the offset",
                ));
            }
            if keys.keys.iter().any(|(_, k)| target.contains(&**k)) {
                return Ok(None);
            }
            if new == 0 && from.sessions_beyond(&keys) > 0 {
                // Rows listed before where the walk has not been: a server
                // ignoring the offset repeats a page (under a total that may
                // promise billions more pages, or one that says it ends).
                return Ok(Some("a page brought no row not already listed"));
            }
            if keys.is_end {
                return Ok(None);
            }
            from.advance(&keys);
        }
    }

    /// Replaces each row's slot by the full session (`getSession`: URL,
    /// user, checks), fetched concurrently; for providers whose list rows
    /// lack them (Mangopay). The first failure ends the call (and drops the reads
    /// still in flight).
    async fn place_details(
        &self,
        t: &dyn Transport,
        provider: Provider,
        rows: Vec<(usize, SlotRef)>,
        options: &CallOptions,
        listing: &mut dyn Listing,
    ) -> Result<(), IdvError> {
        let mut details = stream::iter(rows)
            .map(|(at, row)| async move {
                let mut detailed = self.get_session(t, provider, &row.id, options).await?;
                if detailed.user_ref.is_none() {
                    detailed.user_ref = row.user_ref;
                }
                Ok::<_, IdvError>((at, detailed))
            })
            .buffered(self.config.concurrency.max(1));
        while let Some(detailed) = details.next().await {
            let (at, session) = detailed?;
            listing.place(at, Some(session));
        }
        Ok(())
    }
}
