//! Everything each provider knows, one folder per provider, and the registry.
//!
//! `src/providers/<provider>/` holds one provider's status and check-kind
//! tables (as data, in the provider's documented spellings), its payload
//! parser and the fields it reads, auth, request builders, page metadata,
//! query keys and page-size caps, documented rate limits and error-body
//! quirks. Each folder exposes one [`ProviderApi`]; [`Provider::api`] is the
//! one place that dispatches on the provider. Nothing outside this folder
//! branches on a particular provider.

pub mod didit;
pub mod equals;
pub mod mangopay;
mod normalize;
mod object;
pub mod onfido;
mod registry;
pub mod stripe;
pub mod table;
#[cfg(feature = "testkit")]
#[doc(hidden)]
pub mod testkit;

pub use normalize::{
    list_rows, normalize_list, normalize_list_json, normalize_rows, normalize_session,
    normalize_session_json, parse_json, parse_payload, stream_list, BadRow, BadRows,
    NormalizeOptions, SessionList, MAX_BAD_ROWS,
};
pub use object::{Obj, Path};
pub use registry::{ProviderApi, DETAIL_ROUNDS};
pub use table::{KindRow, StatusRow};

pub use crate::protocol::spec::{
    Auth, Connection, Dates, Paging, QuerySpec, RateLimit, Region, Setting,
};
pub use crate::session::Provider;
use crate::session::{CheckKind, SessionStatus};

impl Provider {
    /// The registry: everything this provider knows.
    pub fn api(self) -> &'static dyn ProviderApi {
        match self {
            Provider::Mangopay => &mangopay::Mangopay,
            Provider::Equals => &equals::Equals,
            Provider::Didit => &didit::Didit,
            Provider::Onfido => &onfido::Onfido,
            Provider::Stripe => &stripe::Stripe,
            #[cfg(feature = "testkit")]
            Provider::Testkit => &testkit::Testkit,
        }
    }
}

/// The unified status for a provider's status text (and its result, for
/// providers that have one). Never fails: anything unlisted is `unknown`.
pub fn map_status(provider: Provider, status: &str, result: Option<&str>) -> SessionStatus {
    table::lookup_status(provider.api().statuses(), status, result)
}

/// The check kind of a provider's check type, feature or decision block name.
pub fn check_kind(provider: Provider, name: &str) -> CheckKind {
    table::lookup_kind(provider.api().check_kinds(), name)
}
