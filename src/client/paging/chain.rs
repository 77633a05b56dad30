//! A walk over offsets on an account that changes while it is walked:
//! which pages provably follow the walk, and the gaps to bridge.

use super::plan::next_ref;
use crate::client::api::ListPage;
use crate::protocol::page::PageRef;

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
            PageRef::Cursor { .. } => 0,
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
