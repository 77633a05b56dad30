//! A list query as data: the provider's filters by their JS names, where the
//! page starts, its size, the statuses asked for. Parsing the JS object is the
//! client's (it checks the keys against the provider's `QuerySpec`).

/// A list query for one provider.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListQuery {
    /// Filters by their JS names (`userId`, `vendorData`...), as the
    /// provider's `QuerySpec` declares them.
    pub filters: Vec<(&'static str, String)>,
    /// Where the page starts: the 1-based page (`page`) or the offset (`offset`).
    pub from: Option<u64>,
    /// Where a cursor page starts: after the row with this id (`startingAfter`).
    pub after: Option<String>,
    /// Page size: `perPage` or `limit`.
    pub size: Option<u64>,
    /// Requested statuses, as given.
    pub status: Vec<String>,
}

impl ListQuery {
    /// A query with one filter (e.g. `ListQuery::with("userId", "user_m_1")`).
    pub fn with(name: &'static str, value: impl Into<String>) -> Self {
        ListQuery::default().and(name, value)
    }

    /// The same query with one more filter (replacing one of the same name).
    pub fn and(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.filters.retain(|(n, _)| *n != name);
        self.filters.push((name, value.into()));
        self
    }

    /// A filter's value.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}
