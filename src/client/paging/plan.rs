//! Paging plans: the first page of a listing, the pages after it when the
//! total is known, the next page when it is not.

use crate::client::api::ListPage;
use crate::client::query::ListQuery;
use crate::protocol::page::PageRef;
use crate::providers::{Paging, Provider};

impl PageRef {
    /// The page a query asks for (its own page/offset, else the first).
    pub fn of_query(provider: Provider, query: &ListQuery, default_size: u64) -> PageRef {
        let size = query.size.unwrap_or(default_size);
        match provider.api().query().paging {
            Paging::Pages { .. } | Paging::ServerPages => PageRef::Page {
                page: query.from.unwrap_or(1),
                per_page: size,
            },
            Paging::Offsets { .. } => PageRef::Offset {
                offset: query.from.unwrap_or(0),
                limit: size,
            },
            // Where it starts is the query's `after`.
            Paging::Cursor { .. } => PageRef::Cursor { limit: size },
        }
    }
}

/// The pages after `first` in one pass, when the total is known; `None`
/// when it is not (then pages are followed one by one with [`next_ref`]),
/// and for a cursor (each page starts after the last row of the one before).
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
        PageRef::Cursor { .. } => None,
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
        match self.kind {
            PageRef::Page { per_page, .. } => Some(PageRef::Page { page: at, per_page }),
            PageRef::Offset { limit, .. } => Some(PageRef::Offset { offset: at, limit }),
            // Never planned: no cursor is known before its page is read.
            PageRef::Cursor { .. } => None,
        }
    }
}

/// The page after `current`, from what `page` says; `None` at the end.
pub fn next_ref(current: PageRef, page: &ListPage) -> Option<PageRef> {
    if page.rows == 0 {
        // An empty page ends a walk by position. An empty cursor page that
        // says more follow has no last row to go on from: more follow, and
        // [`next_query`] cannot say where (the walk reports it, never short).
        return match current {
            PageRef::Cursor { .. } if page.has_next == Some(true) => Some(current),
            _ => None,
        };
    }
    match current {
        PageRef::Page { page: p, per_page } => {
            let more = match (page.pages, page.has_next) {
                (Some(n), _) => p < n,
                (None, Some(next)) => next,
                (None, None) => page.rows >= per_page,
            };
            // At the server's own page size (unknown: 0), the pages after
            // are as long as the longest so far, or end the walk.
            more.then_some(PageRef::Page {
                page: p + 1,
                per_page: per_page.max(page.rows),
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
        // The provider's word that more follow (where from: [`next_query`]).
        PageRef::Cursor { limit } => page
            .has_next
            .unwrap_or(page.rows >= limit)
            .then_some(current),
    }
}

/// The query of the page after `current` (read with `query`), from what
/// `page` says; `None` at the end. For a cursor, the page starts after the
/// last row of `page`; `None` too when that row has no id or is the row the
/// page started after (a cursor that does not move reads one page forever):
/// then [`next_ref`] may say more follow while this cannot say where.
pub fn next_query(current: PageRef, page: &ListPage, query: &ListQuery) -> Option<ListQuery> {
    let next = next_ref(current, page)?;
    let mut next_query = next.apply(query);
    if let PageRef::Cursor { .. } = next {
        let cursor = page.next_cursor.clone()?;
        if query.after.as_deref() == Some(cursor.as_str()) {
            return None;
        }
        next_query.after = Some(cursor);
    }
    Some(next_query)
}

/// The page size a listing asks for after its first page: what the server
/// used (it may clamp the limit asked for), at least 1.
pub fn page_size(first_ref: PageRef, first: &ListPage) -> u64 {
    first.page_size.unwrap_or(first_ref.size()).max(1)
}

/// The first page of a full listing: the largest page the provider allows.
pub fn first_ref(provider: Provider) -> PageRef {
    let paging = provider.api().query().paging;
    PageRef::of_query(provider, &ListQuery::default(), paging.max())
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
    fn a_cursor_goes_on_from_the_last_row_and_never_in_place() {
        let at = PageRef::Cursor { limit: 3 };
        let with = |has_next, cursor: Option<&str>| ListPage {
            next_cursor: cursor.map(str::to_string),
            ..page(3, None, None, None, has_next)
        };
        let q = ListQuery::with("clientReferenceId", "u1");
        assert_eq!(
            plan_rest(at, &with(Some(true), Some("c3"))),
            None,
            "never planned"
        );
        let next = next_query(at, &with(Some(true), Some("c3")), &q).unwrap();
        assert_eq!(next.after.as_deref(), Some("c3"));
        assert_eq!(next.size, Some(3));
        assert_eq!(next.filter("clientReferenceId"), Some("u1"));
        assert_eq!(
            next_query(at, &with(Some(false), Some("c3")), &q),
            None,
            "has_more false"
        );
        // No has_more: a full page means more.
        assert!(next_query(at, &with(None, Some("c3")), &q).is_some());
        // More said, but nowhere to go on from: next_ref says more, next_query cannot.
        let stuck = with(Some(true), None);
        assert!(next_ref(at, &stuck).is_some());
        assert_eq!(next_query(at, &stuck, &q), None);
        let same = ListQuery {
            after: Some("c3".into()),
            ..q.clone()
        };
        assert_eq!(
            next_query(at, &with(Some(true), Some("c3")), &same),
            None,
            "in place"
        );
        // An empty page ends the walk, unless it says more follow: then
        // there is nowhere to go on from (the walk says incomplete).
        let empty_but_more = page(0, None, None, None, Some(true));
        assert!(next_ref(at, &empty_but_more).is_some());
        assert_eq!(next_query(at, &empty_but_more, &q), None);
        for has_next in [None, Some(false)] {
            assert_eq!(
                next_ref(at, &page(0, None, None, None, has_next)),
                None,
                "empty ends"
            );
        }
    }
}
