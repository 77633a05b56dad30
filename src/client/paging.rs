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
use super::query::ListQuery;
use crate::providers::{BadRows, Paging, Provider};
use crate::session::Session;
use std::collections::{HashMap, HashSet};

/// Which page of a list to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRef {
    /// 1-based page number and page size.
    Page {
        /// 1-based page.
        page: u64,
        /// Items per page.
        per_page: u64,
    },
    /// Offset and limit.
    Offset {
        /// Rows to skip.
        offset: u64,
        /// Rows to return.
        limit: u64,
    },
}

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

    /// This page as a query (the page's own keys replaced).
    pub fn apply(self, query: &ListQuery) -> ListQuery {
        let (from, size) = match self {
            PageRef::Page { page, per_page } => (page, per_page),
            PageRef::Offset { offset, limit } => (offset, limit),
        };
        ListQuery {
            from: Some(from),
            size: Some(size),
            ..query.clone()
        }
    }
}

/// What a list answer says about paging, read by each provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageMeta {
    /// Total rows matching the query, when the provider says.
    pub total: Option<u64>,
    /// Total pages (Mangopay `x-number-of-pages`).
    pub pages: Option<u64>,
    /// The page size the provider used, when it says.
    pub page_size: Option<u64>,
    /// Whether the provider says another page follows.
    pub has_next: Option<bool>,
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

/// Sessions in order of first arrival, each `key` once; a later copy of a
/// session (from a later page or pass) replaces the earlier one.
#[derive(Debug, Default)]
pub struct Collector {
    positions: HashMap<String, usize>,
    sessions: Vec<Session>,
    /// Rows that were not sessions, each (page, index, id) once across passes.
    bad_rows: BadRows,
    seen_bad_rows: HashSet<(Option<u64>, usize, Option<String>)>,
}

impl Collector {
    /// Adds the sessions; returns how many were not seen before.
    pub fn add(&mut self, sessions: Vec<Session>) -> usize {
        let before = self.sessions.len();
        for s in sessions {
            match self.positions.get(&s.key) {
                Some(&at) => self.sessions[at] = s,
                None => {
                    self.positions.insert(s.key.clone(), self.sessions.len());
                    self.sessions.push(s);
                }
            }
        }
        self.sessions.len() - before
    }

    /// Adds rows that were not sessions (a row seen again in a later pass
    /// once; rows a page only counted are counted again).
    pub fn add_bad_rows(&mut self, rows: BadRows) {
        let undescribed = rows.count() - rows.len();
        let mut fresh: BadRows = rows
            .iter()
            .filter(|b| self.seen_bad_rows.insert((b.page, b.index, b.id.clone())))
            .cloned()
            .collect();
        fresh.add_undescribed(undescribed);
        self.bad_rows.append(fresh);
    }

    /// The rows that were not sessions.
    pub fn take_bad_rows(&mut self) -> BadRows {
        std::mem::take(&mut self.bad_rows)
    }

    /// Sessions collected so far.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The collected sessions.
    pub fn into_sessions(self) -> Vec<Session> {
        self.sessions
    }
}

/// The keys seen in one pass, to tell when a page brings nothing new.
#[derive(Debug, Default)]
pub struct Pass {
    seen: HashSet<String>,
}

impl Pass {
    /// Adds a page's sessions to `collector`; returns how many this pass had
    /// not seen yet.
    pub fn add(&mut self, collector: &mut Collector, sessions: Vec<Session>) -> usize {
        let new = sessions
            .iter()
            .filter(|s| self.seen.insert(s.key.clone()))
            .count();
        collector.add(sessions);
        new
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
        let s = |key: &str| {
            let mut s = crate::normalize_json(
                Provider::Didit,
                r#"{"session_id":"x","status":"Approved","created_at":"2026-01-01T00:00:00Z"}"#,
                &Default::default(),
            )
            .unwrap();
            s.key = key.into();
            s
        };
        let mut c = Collector::default();
        assert_eq!(c.add(vec![s("a"), s("b")]), 2);
        let mut fresher = s("b");
        fresher.provider_status = "Declined".into();
        assert_eq!(c.add(vec![fresher, s("c"), s("a")]), 1);
        let sessions = c.into_sessions();
        let keys: Vec<_> = sessions.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, vec!["a", "b", "c"]);
        assert_eq!(
            sessions[1].provider_status, "Declined",
            "the later copy wins"
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
