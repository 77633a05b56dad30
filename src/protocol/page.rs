//! Which page of a list to ask for, and what a list answer says about paging.

use super::query::ListQuery;

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
    /// The rows after the query's cursor (`ListQuery::after`; none: the
    /// first page), and how many.
    Cursor {
        /// Rows to return.
        limit: u64,
    },
}

impl PageRef {
    /// This page as a query (the page's own keys replaced).
    pub fn apply(self, query: &ListQuery) -> ListQuery {
        let (from, size) = match self {
            PageRef::Page { page, per_page } => (Some(page), per_page),
            PageRef::Offset { offset, limit } => (Some(offset), limit),
            PageRef::Cursor { limit } => (None, limit),
        };
        ListQuery {
            from,
            size: Some(size),
            ..query.clone()
        }
    }

    /// The page size asked for.
    pub fn size(self) -> u64 {
        match self {
            PageRef::Page { per_page, .. } => per_page,
            PageRef::Offset { limit, .. } | PageRef::Cursor { limit } => limit,
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
