//! Paging plans and de-duplication.
//!
//! After the first page the total is usually known (Mangopay
//! `x-number-of-pages`, Equals and Didit `count`), so the rest of the pages
//! are planned up front and fetched concurrently. A *pass* is the first page
//! plus its planned pages. When the pages of a pass report different totals,
//! sessions were inserted (or deleted) while paging and offsets shifted; a
//! new pass is made until one pass sees a single total, which is then a
//! consistent snapshot. De-duplication by `key` merges the passes.

use super::api::ListPage;
use super::query::{ListQuery, StatusFilter};
use crate::providers::{BadRows, Paging, Provider};
use crate::session::Session;
use std::collections::{HashMap, HashSet};

pub use crate::protocol::page::{PageMeta, PageRef};

impl PageRef {
    /// The page a query asks for (its own page/offset, else the first).
    pub fn of_query(provider: Provider, query: &ListQuery, default_size: u64) -> PageRef {
        let size = query.size.unwrap_or(default_size);
        match provider.api().query().paging {
            Paging::Pages { .. } => PageRef::Page {
                page: query.from.unwrap_or(1),
                per_page: size,
            },
            Paging::Offsets { .. } => PageRef::Offset {
                offset: query.from.unwrap_or(0),
                limit: size,
            },
        }
    }
}

/// The pages after `first` in one pass, when the total is known; `None`
/// when it is not (then pages are followed one by one with [`next_ref`]).
/// Lazy: a huge total from the server sizes nothing.
pub fn plan_rest(first_ref: PageRef, first: &ListPage) -> Option<Plan> {
    match first_ref {
        PageRef::Page { page, per_page } => {
            let pages = first
                .pages
                .or_else(|| first.total.map(|t| t.div_ceil(per_page.max(1))))?;
            Some(Plan {
                next: page + 1,
                end: pages.saturating_add(1),
                step: 1,
                kind: first_ref,
            })
        }
        PageRef::Offset { offset, limit } => {
            let total = first.total?;
            let size = first.page_size.unwrap_or(limit).max(1);
            Some(Plan {
                next: offset.saturating_add(size),
                end: total,
                step: size,
                kind: PageRef::Offset {
                    offset,
                    limit: size,
                },
            })
        }
    }
}

/// The planned pages of a pass, produced one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    next: u64,
    end: u64,
    step: u64,
    kind: PageRef,
}

impl Plan {
    /// Pages left.
    pub fn len(&self) -> u64 {
        self.end
            .saturating_sub(self.next)
            .div_ceil(self.step.max(1))
    }

    /// True when no page is left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Iterator for Plan {
    type Item = PageRef;

    fn next(&mut self) -> Option<PageRef> {
        if self.next >= self.end {
            return None;
        }
        let at = self.next;
        self.next = self.next.saturating_add(self.step.max(1));
        Some(match self.kind {
            PageRef::Page { per_page, .. } => PageRef::Page { page: at, per_page },
            PageRef::Offset { limit, .. } => PageRef::Offset { offset: at, limit },
        })
    }
}

/// The page after `current`, from what `page` says; `None` at the end.
pub fn next_ref(current: PageRef, page: &ListPage) -> Option<PageRef> {
    if page.rows == 0 {
        return None;
    }
    match current {
        PageRef::Page { page: p, per_page } => {
            let more = match (page.pages, page.has_next) {
                (Some(n), _) => p < n,
                (None, Some(next)) => next,
                (None, None) => page.rows >= per_page,
            };
            more.then_some(PageRef::Page {
                page: p + 1,
                per_page,
            })
        }
        PageRef::Offset { offset, limit } => {
            let next = offset + page.rows;
            let more = match (page.total, page.has_next) {
                (_, Some(next_link)) => next_link,
                (Some(total), None) => next < total,
                (None, None) => page.rows >= limit,
            };
            more.then_some(PageRef::Offset {
                offset: next,
                limit,
            })
        }
    }
}

/// The page size a listing asks for after its first page: what the server
/// used (it may clamp the limit asked for), at least 1.
pub fn page_size(first_ref: PageRef, first: &ListPage) -> u64 {
    let asked = match first_ref {
        PageRef::Page { per_page, .. } => per_page,
        PageRef::Offset { limit, .. } => limit,
    };
    first.page_size.unwrap_or(asked).max(1)
}

/// What a walk over offsets keeps of a page to tell whether the next one
/// follows it: where it starts, its rows and total, its sessions' keys with
/// their rows, and whether it ends the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageKeys {
    /// Rows skipped before the page.
    pub offset: u64,
    /// Rows in the page (sessions and rows that were not).
    pub rows: u64,
    /// The total the provider reported with it.
    pub total: Option<u64>,
    /// Each session's row in the page and its key, in order.
    pub keys: Vec<(u64, Box<str>)>,
    /// True when the page ends the list (short, empty, or the last by its total).
    pub is_end: bool,
}

impl PageKeys {
    /// The keys of `page`, fetched as `at`.
    pub fn of(at: PageRef, page: &ListPage) -> Self {
        let offset = match at {
            PageRef::Offset { offset, .. } => offset,
            PageRef::Page { page, per_page } => page.saturating_sub(1).saturating_mul(per_page),
        };
        PageKeys {
            offset,
            rows: page.rows,
            total: page.total,
            keys: page
                .sessions
                .iter()
                .zip(&page.session_rows)
                .map(|(s, &row)| (row, s.key.as_str().into()))
                .collect(),
            // The provider's word that no page follows, unless its total
            // says more rows exist (then the pages after tell).
            is_end: page.rows == 0
                || (next_ref(at, page).is_none()
                    && page
                        .total
                        .is_none_or(|total| offset.saturating_add(page.rows) >= total)),
        }
    }

    fn row_of(&self, key: &str) -> Option<u64> {
        self.keys
            .iter()
            .find(|(_, k)| &**k == key)
            .map(|(row, _)| *row)
    }
}

/// The end of a walk so far: its last session (key and position when it was
/// read), where its last page ended and the total then.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    last: Option<(Box<str>, u64)>,
    end: u64,
    total: Option<u64>,
}

impl Link {
    /// True when `page` provably continues the walk: nothing changed between
    /// (it starts where the walk's last page ended, under the same total), or
    /// it holds the walk's last session with more rows after it (or ends the
    /// list there). Arrivals before the walk's last session only push it down
    /// the page; a removal or a reordering makes a page that does not follow.
    pub fn followed_by(&self, page: &PageKeys) -> bool {
        self.unchanged(page)
            || self
                .last
                .as_ref()
                .and_then(|(key, _)| page.row_of(key))
                .is_some_and(|row| row + 1 < page.rows || page.is_end)
    }

    /// How many of the sessions in `page` (which follows the walk) come
    /// after the walk's end: all of them when nothing changed between, else
    /// those after the walk's last session. They are new to a walk that
    /// reads each row once; a page repeating rows already listed there (a
    /// server ignoring the offset) cannot be the walk's next page.
    pub fn sessions_beyond(&self, page: &PageKeys) -> usize {
        let last = self.last.as_ref().and_then(|(key, _)| page.row_of(key));
        match last {
            Some(last) if !self.unchanged(page) => {
                page.keys.iter().filter(|(row, _)| *row > last).count()
            }
            _ => page.keys.len(),
        }
    }

    /// True when `page` starts where the walk's last page ended, under the
    /// same total.
    fn unchanged(&self, page: &PageKeys) -> bool {
        page.offset == self.end && page.total.is_some() && page.total == self.total
    }

    /// The walk now ends with `page`.
    pub fn advance(&mut self, page: &PageKeys) {
        if let Some((row, key)) = page.keys.last() {
            self.last = Some((key.clone(), page.offset.saturating_add(*row)));
        }
        self.end = page.offset.saturating_add(page.rows);
        self.total = page.total;
    }

    /// Where to read the page after the walk: the next offset when the total
    /// has not changed since; else where the walk's last session is now,
    /// pushed down by as many rows as the total grew (it begins the page, so
    /// the page shows whether it follows).
    pub fn next_offset(&self, latest_total: Option<u64>) -> u64 {
        match (&self.last, self.total, latest_total) {
            (_, Some(then), Some(now)) if then == now => self.end,
            (Some((_, at)), Some(then), Some(now)) => at.saturating_add(now.saturating_sub(then)),
            (Some((_, at)), _, _) => *at,
            (None, _, _) => self.end,
        }
    }
}

/// A pass over offsets as its planned pages arrive: the walk's end so far,
/// the gaps to bridge (a page that did not provably follow, with the walk's
/// end before it), whether the list has ended.
#[derive(Debug, Default)]
pub struct Chain {
    /// The walk's end.
    pub link: Link,
    /// Pages that did not follow the walk, each with the walk's end before it.
    pub gaps: Vec<(Link, PageKeys)>,
    /// The newest total seen.
    pub latest_total: Option<u64>,
    /// A page ended the list.
    pub ended: bool,
}

impl Chain {
    /// A chain starting with the first page.
    pub fn start(first: &PageKeys) -> Self {
        let mut link = Link::default();
        link.advance(first);
        Chain {
            link,
            gaps: Vec::new(),
            latest_total: first.total,
            ended: first.is_end,
        }
    }

    /// The next planned page, with the number of its rows the pass had not
    /// seen: it extends the walk, or leaves a gap to bridge. Returns whether
    /// the planned pages after it are worth reading: not once a page ended
    /// the list (a total from the server may plan millions of empty pages),
    /// nor after a page that brought nothing new (a server ignoring the
    /// offset repeats one page); the walk then goes on from its end, page by
    /// page, where each page must follow.
    pub fn take(&mut self, page: PageKeys, new: usize) -> bool {
        self.latest_total = page.total.or(self.latest_total);
        if self.ended {
            return false;
        }
        if new == 0 && page.rows > 0 {
            return false;
        }
        if !self.link.followed_by(&page) {
            self.gaps.push((self.link.clone(), page.clone()));
        }
        self.link.advance(&page);
        self.ended = page.is_end;
        !self.ended
    }
}

/// Where a full listing's sessions go as pages arrive: one slot per session
/// `key`, numbered in order of first arrival. The listing itself holds no
/// session past its page, so its memory is bounded by the pages in flight
/// (the wasm binding hands each session to JS at once).
pub trait Listing {
    /// The session for slot `at` (a new slot is the next number; a later
    /// copy of a session replaces the earlier one in its slot); `None` when
    /// the session's latest copy does not pass the status filter.
    fn place(&mut self, at: usize, session: Option<Session>);
}

/// Slots in memory; [`Listing::place`] past the end grows it.
impl Listing for Vec<Option<Session>> {
    fn place(&mut self, at: usize, session: Option<Session>) {
        if at >= self.len() {
            self.resize_with(at + 1, || None);
        }
        self[at] = session;
    }
}

/// The bookkeeping of a full listing: each session `key`'s slot and whether
/// its latest copy passes the status filter (with the reference a detail
/// read needs), and the rows that were not sessions. Per session a key and
/// a few words, never the session.
#[derive(Debug, Default)]
pub struct Collector {
    filter: StatusFilter,
    positions: HashMap<Box<str>, usize>,
    /// Per slot: the latest copy passes the filter.
    kept: Vec<bool>,
    /// Per slot, when `keep_ids`: the latest copy's `id` and `userRef`.
    refs: Vec<SlotRef>,
    keep_ids: bool,
    /// Rows that were not sessions, each (page, index, id) once across passes.
    bad_rows: BadRows,
    seen_bad_rows: HashSet<BadRowId>,
}

/// A kept slot: what a detail read of its session needs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SlotRef {
    /// The provider's session id (empty unless the collector keeps ids).
    pub id: String,
    /// The list row's user, for a detail that has none.
    pub user_ref: Option<String>,
}

impl Collector {
    /// A collector for sessions that pass `filter`, remembering each kept
    /// session's id and user (`keep_ids`, for detail reads) or not.
    pub fn new(filter: StatusFilter, keep_ids: bool) -> Self {
        Collector {
            filter,
            keep_ids,
            ..Collector::default()
        }
    }

    /// Places a page's sessions in `listing`, each in its key's slot (a new
    /// key gets the next slot), `None` for a session the filter rejects;
    /// returns how many `pass` had not seen yet.
    pub fn add(
        &mut self,
        pass: &mut Pass,
        sessions: Vec<Session>,
        listing: &mut dyn Listing,
    ) -> usize {
        let mut new = 0;
        for s in sessions {
            let at = match self.positions.get(s.key.as_str()) {
                Some(&at) => at,
                None => {
                    let at = self.kept.len();
                    self.positions.insert(s.key.as_str().into(), at);
                    self.kept.push(false);
                    if self.keep_ids {
                        self.refs.push(SlotRef::default());
                    }
                    at
                }
            };
            if pass.see(at) {
                new += 1;
            }
            let kept = self.filter.keeps(&s);
            if let Some(slot) = self.kept.get_mut(at) {
                *slot = kept;
            }
            if let Some(slot) = self.refs.get_mut(at) {
                *slot = SlotRef {
                    id: s.id.clone(),
                    user_ref: s.user_ref.clone(),
                };
            }
            listing.place(at, kept.then_some(s));
        }
        new
    }

    /// Adds rows that were not sessions, each once across passes (by the
    /// provider's id when it has one, else by where it was), and returns how
    /// many `pass` had not seen: a page of only such rows is progress too.
    /// Rows a page only counted (past the ones it describes) are counted again.
    pub fn add_bad_rows(&mut self, pass: &mut Pass, rows: BadRows) -> usize {
        let undescribed = rows.count() - rows.len();
        let mut fresh_to_pass = 0;
        let mut fresh = BadRows::default();
        for row in rows.iter() {
            let id = BadRowId::of(row);
            if pass.bad.insert(id.clone()) {
                fresh_to_pass += 1;
            }
            if self.seen_bad_rows.insert(id) {
                fresh.push(row.clone());
            }
        }
        fresh.add_undescribed(undescribed);
        self.bad_rows.append(fresh);
        fresh_to_pass
    }

    /// The rows that were not sessions.
    pub fn take_bad_rows(&mut self) -> BadRows {
        std::mem::take(&mut self.bad_rows)
    }

    /// Slots so far (sessions seen, whether they pass the filter or not).
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The slots whose latest copy passes the filter, in slot order, with
    /// their references (empty unless the collector keeps ids).
    pub fn into_kept(self) -> impl Iterator<Item = (usize, SlotRef)> {
        let mut refs = self.refs.into_iter();
        self.kept
            .into_iter()
            .enumerate()
            .filter_map(move |(at, kept)| {
                let slot = refs.next().unwrap_or_default();
                kept.then_some((at, slot))
            })
    }
}

/// A row that was not a session: its provider id when it has one (the same
/// row read at another offset, the listing having shifted), else where it was.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BadRowId {
    /// The provider's id of the row.
    Id(String),
    /// Where the page started and the row's index in it.
    At(Option<u64>, usize),
}

impl BadRowId {
    fn of(row: &crate::providers::BadRow) -> Self {
        match &row.id {
            Some(id) => BadRowId::Id(id.clone()),
            None => BadRowId::At(row.page, row.index),
        }
    }
}

/// The slots (and rows that were not sessions) seen in one pass, to tell
/// when a page brings nothing new.
#[derive(Debug, Default)]
pub struct Pass {
    seen: Vec<bool>,
    bad: HashSet<BadRowId>,
}

impl Pass {
    /// Marks slot `at` seen; true when this pass had not seen it yet.
    fn see(&mut self, at: usize) -> bool {
        if at >= self.seen.len() {
            self.seen.resize(at + 1, false);
        }
        !std::mem::replace(&mut self.seen[at], true)
    }
}

/// The first page of a full listing: the largest page the provider allows.
pub fn first_ref(provider: Provider) -> PageRef {
    let paging = provider.api().query().paging;
    PageRef::of_query(provider, &ListQuery::default(), paging.max())
}

/// Newest first (by `createdAt`, then `key` for a stable order).
pub fn sort_newest_first(sessions: &mut [Session]) {
    let times: Vec<i64> = sessions
        .iter()
        .map(|s| crate::time::to_unix_millis(&s.created_at).unwrap_or(i64::MIN))
        .collect();
    let order = crate::order::positions(sessions.len(), &|a, b| {
        times[b]
            .cmp(&times[a])
            .then_with(|| sessions[a].key.cmp(&sessions[b].key))
    });
    crate::order::permute(sessions, &order);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(
        rows: u64,
        total: Option<u64>,
        pages: Option<u64>,
        size: Option<u64>,
        has_next: Option<bool>,
    ) -> ListPage {
        ListPage {
            rows,
            total,
            pages,
            page_size: size,
            has_next,
            ..ListPage::default()
        }
    }

    #[test]
    fn mangopay_plans_the_remaining_pages() {
        let first = PageRef::Page {
            page: 1,
            per_page: 100,
        };
        let plan = plan_rest(first, &page(100, Some(250), Some(3), Some(100), Some(true)))
            .unwrap()
            .collect::<Vec<_>>();
        assert_eq!(
            plan,
            vec![
                PageRef::Page {
                    page: 2,
                    per_page: 100
                },
                PageRef::Page {
                    page: 3,
                    per_page: 100
                }
            ]
        );
        // Pages from the item count when the pages header is missing.
        let plan: Vec<PageRef> = plan_rest(first, &page(100, Some(201), None, Some(100), None))
            .unwrap()
            .collect();
        assert_eq!(plan.len(), 2);
        assert_eq!(
            plan_rest(first, &page(3, Some(3), Some(1), Some(100), None)).map(|p| p.len()),
            Some(0)
        );
        assert_eq!(
            plan_rest(first, &page(100, None, None, Some(100), None)),
            None
        );
    }

    #[test]
    fn offset_plans_use_the_page_size_the_server_used() {
        let first = PageRef::Offset {
            offset: 0,
            limit: 1000,
        };
        let plan = plan_rest(first, &page(1000, Some(2500), None, Some(1000), None))
            .unwrap()
            .collect::<Vec<_>>();
        assert_eq!(
            plan,
            vec![
                PageRef::Offset {
                    offset: 1000,
                    limit: 1000
                },
                PageRef::Offset {
                    offset: 2000,
                    limit: 1000
                }
            ]
        );
        // Didit clamped limit=100 to 50: plan in 50s.
        let first = PageRef::Offset {
            offset: 0,
            limit: 100,
        };
        let plan = plan_rest(first, &page(50, Some(120), None, Some(50), Some(true)))
            .unwrap()
            .collect::<Vec<_>>();
        assert_eq!(
            plan,
            vec![
                PageRef::Offset {
                    offset: 50,
                    limit: 50
                },
                PageRef::Offset {
                    offset: 100,
                    limit: 50
                }
            ]
        );
        assert_eq!(
            plan_rest(first, &page(0, Some(0), None, Some(100), Some(false))).map(|p| p.len()),
            Some(0)
        );
        assert_eq!(
            plan_rest(first, &page(100, None, None, None, Some(true))),
            None
        );
    }

    #[test]
    fn a_huge_total_plans_lazily() {
        let first = PageRef::Page {
            page: 1,
            per_page: 100,
        };
        let mut plan = plan_rest(
            first,
            &page(100, None, Some(4_000_000_000), Some(100), None),
        )
        .unwrap();
        assert_eq!(plan.len(), 3_999_999_999);
        assert_eq!(
            plan.next(),
            Some(PageRef::Page {
                page: 2,
                per_page: 100
            })
        );
        let offsets = PageRef::Offset {
            offset: 0,
            limit: 100,
        };
        let plan = plan_rest(offsets, &page(100, Some(u64::MAX), None, None, None)).unwrap();
        assert_eq!(plan.len(), u64::MAX.div_ceil(100) - 1);
        assert_eq!(plan.take(2).count(), 2);
    }

    #[test]
    fn next_ref_follows_each_provider_signal() {
        let p1 = PageRef::Page {
            page: 1,
            per_page: 10,
        };
        assert_eq!(
            next_ref(p1, &page(10, None, Some(2), None, None)),
            Some(PageRef::Page {
                page: 2,
                per_page: 10
            })
        );
        assert_eq!(
            next_ref(
                PageRef::Page {
                    page: 2,
                    per_page: 10
                },
                &page(5, None, Some(2), None, None)
            ),
            None
        );
        assert_eq!(
            next_ref(p1, &page(10, None, None, None, None)),
            Some(PageRef::Page {
                page: 2,
                per_page: 10
            })
        );
        assert_eq!(next_ref(p1, &page(9, None, None, None, None)), None);
        let o = PageRef::Offset {
            offset: 0,
            limit: 50,
        };
        assert_eq!(
            next_ref(o, &page(50, Some(60), None, None, Some(true))),
            Some(PageRef::Offset {
                offset: 50,
                limit: 50
            })
        );
        assert_eq!(
            next_ref(o, &page(50, Some(60), None, None, Some(false))),
            None
        );
        assert_eq!(
            next_ref(o, &page(50, Some(60), None, None, None)),
            Some(PageRef::Offset {
                offset: 50,
                limit: 50
            })
        );
        assert_eq!(
            next_ref(
                PageRef::Offset {
                    offset: 50,
                    limit: 50
                },
                &page(10, Some(60), None, None, None)
            ),
            None
        );
        assert_eq!(
            next_ref(o, &page(0, Some(60), None, None, Some(true))),
            None,
            "an empty page ends the walk"
        );
    }

    #[test]
    fn collector_keeps_first_position_and_latest_copy() {
        let s = |key: &str, status: &str| {
            let mut s = crate::normalize_json(
                Provider::Didit,
                &format!(
                    r#"{{"session_id":"id-{key}","status":"{status}","created_at":"2026-01-01T00:00:00Z"}}"#
                ),
                &Default::default(),
            )
            .unwrap();
            s.key = key.into();
            s
        };
        let approved_only = StatusFilter {
            after: vec![crate::client::query::Wanted::Provider("Approved".into())],
            ..StatusFilter::default()
        };
        let mut c = Collector::new(approved_only, true);
        let mut listing: Vec<Option<Session>> = Vec::new();
        let mut pass = Pass::default();
        let added = c.add(
            &mut pass,
            vec![s("a", "Approved"), s("b", "Approved"), s("d", "Declined")],
            &mut listing,
        );
        assert_eq!(added, 3);
        assert!(
            listing[2].is_none(),
            "a filtered session keeps its slot, empty"
        );
        let added = c.add(
            &mut pass,
            vec![
                s("b", "Declined"),
                s("c", "Approved"),
                s("a", "Approved"),
                s("d", "Approved"),
            ],
            &mut listing,
        );
        assert_eq!(added, 1, "only c is new to this pass");
        let keys: Vec<_> = listing
            .iter()
            .map(|s| s.as_ref().map(|s| s.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![Some("a"), None, Some("d"), Some("c")],
            "the later copy wins its first slot: b now filtered out, d now kept"
        );
        let mut next_pass = Pass::default();
        assert_eq!(
            c.add(&mut next_pass, vec![s("c", "Approved")], &mut listing),
            1,
            "a new pass sees every slot afresh"
        );
        let kept: Vec<_> = c.into_kept().map(|(at, r)| (at, r.id)).collect();
        assert_eq!(
            kept,
            vec![
                (0, "id-a".to_string()),
                (2, "id-d".into()),
                (3, "id-c".into())
            ]
        );
    }

    #[test]
    fn newest_first_compares_instants_not_strings() {
        let mk = |key: &str, at: &str| {
            let mut s = crate::normalize_json(
                Provider::Didit,
                &format!(r#"{{"session_id":"{key}","status":"Approved","created_at":"{at}"}}"#),
                &Default::default(),
            )
            .unwrap();
            s.key = key.into();
            s
        };
        let mut v = vec![
            mk("a", "2026-01-01T00:00:00Z"),
            mk("b", "2026-01-01T00:00:00.500Z"),
            mk("c", "2025-01-01T00:00:00Z"),
            mk("d", "2026-01-01T00:00:00Z"),
        ];
        sort_newest_first(&mut v);
        let keys: Vec<_> = v.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, vec!["b", "a", "d", "c"]);
    }
}
