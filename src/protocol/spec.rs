//! What a provider declares about its API as data: where it lives and how it
//! authenticates ([`Connection`]), the query it takes and how it pages
//! ([`QuerySpec`]), its documented rate limits ([`RateLimit`]).

/// How a provider authenticates API calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The API key in a header, after a prefix (`Authorization: ApiKey <key>`, `x-api-key: <key>`).
    ApiKeyHeader {
        /// Lower-case header name.
        header: &'static str,
        /// Text before the key (may be empty).
        prefix: &'static str,
    },
    /// OAuth2 client credentials: a bearer token from [`ProviderApi::token_request`],
    /// cached and shared by every call of a client.
    OAuthClientCredentials,
    /// Each request signed with the API key just before it is sent, after
    /// its waits (a timestamp and a signature over it go stale in a queue):
    /// [`ProviderApi::sign`]. No credential header is built with the request.
    Signed,
}

/// A provider-specific config setting besides `apiKey`, `baseUrl` and `headers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Its camelCase name in the JS config.
    pub name: &'static str,
    /// Why it is required (the config error says so); `None` when optional.
    pub required_because: Option<&'static str>,
}

/// One of a provider's regional APIs (the `region` setting chooses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Its name in the JS config (`eu`, `us`).
    pub name: &'static str,
    /// Its base URL (no trailing slash).
    pub base_url: &'static str,
}

/// Where and how to reach a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    /// Production base URL (no trailing slash); the first region's, when
    /// the provider has regions.
    pub base_url: &'static str,
    /// The provider's regional APIs; empty when one API serves every region.
    pub regions: &'static [Region],
    /// The provider's own origins (production and sandbox): a browser page
    /// calling one of these with a secret key exposes it.
    pub hosts: &'static [&'static str],
    /// How calls are authenticated.
    pub auth: Auth,
    /// Provider-specific settings.
    pub settings: &'static [Setting],
}

/// How a provider pages its lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// 1-based page numbers (`page`, `perPage` in the JS query), at most `max` per page.
    Pages {
        /// Largest documented page size.
        max: u64,
    },
    /// Offsets (`offset`, `limit` in the JS query), at most `max` per page.
    Offsets {
        /// Largest documented (or used) page size.
        max: u64,
    },
    /// Page numbers (`page` in the JS query) at the server's own page size,
    /// which no parameter sets and no answer states (Onfido): a page shorter
    /// than the ones before it, or an empty one, ends the walk.
    ServerPages,
    /// A cursor: each page starts after the last row of the one before
    /// (`startingAfter`, `limit` in the JS query; Stripe `starting_after`),
    /// at most `max` per page. No total: the provider says whether more follow.
    Cursor {
        /// Largest documented page size.
        max: u64,
    },
}

impl Paging {
    /// The largest page.
    pub fn max(self) -> u64 {
        match self {
            Paging::Pages { max } | Paging::Offsets { max } | Paging::Cursor { max } => max,
            // Unknown: learnt from the first page.
            Paging::ServerPages => 0,
        }
    }
}

/// The list query a provider accepts (JS names, camelCase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuerySpec {
    /// String filters.
    pub filters: &'static [&'static str],
    /// A filter every query must carry, and why.
    pub required: Option<(&'static str, &'static str)>,
    /// Page numbers or offsets.
    pub paging: Paging,
    /// The provider's own status filter parameter, when it has one; otherwise
    /// `status` is applied after fetching.
    pub status_param: Option<&'static str>,
    /// The values `status_param` is documented to take, when not every
    /// status of the table: a filter that needs another one is applied
    /// after fetching only (`None`: any status of the table).
    pub status_values: Option<&'static [&'static str]>,
    /// The filters naming a user, for `listUserSessions`; the first is what a
    /// plain string there means.
    pub user_keys: &'static [&'static str],
    /// How `dateFrom`/`dateTo` reach the provider.
    pub dates: Dates,
}

/// How a provider takes the `dateFrom`/`dateTo` of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// Passed on as the caller wrote them (Didit's `date_from`/`date_to`), or no such filter.
    AsGiven,
    /// As whole days (Onfido's `created_at_gt/lt`): the caller's date or RFC 3339 time is
    /// widened to the days around it, and the exact instant is checked after fetching.
    WholeDays,
    /// As instants (Stripe's `created[gte|lte]`, Unix seconds): a date is its first (`dateFrom`)
    /// or last (`dateTo`) second; checked after fetching too.
    Instants,
}

/// A provider's documented rate limit for one class of requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests of the same budget share it (Mangopay: all endpoints).
    pub budget: &'static str,
    /// `(requests, window in ms)`: every window applies.
    pub windows: &'static [(u32, f64)],
}
