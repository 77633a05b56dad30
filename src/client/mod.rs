//! The client: list, read and create sessions at the providers.
//!
//! Pure parts, each tested natively: [`config`], [`query`] (status filters),
//! [`api`] (request builders and response decoders), [`paging`] (plans and
//! de-duplication), [`retry`] (backoff, `Retry-After`), [`rate`] (documented
//! rate-limit budgets). [`engine`] runs them over a [`http::Transport`]; the
//! wasm binding supplies one built on `fetch` and `setTimeout`.

pub mod api;
pub mod config;
mod cursor;
pub mod engine;
pub mod http;
mod listing;
pub mod paging;
pub mod query;
pub mod rate;
pub mod retry;
pub mod slices;
pub mod sync;

pub use config::ClientConfig;
pub use cursor::SessionCursor;
pub use engine::{CallOptions, Engine, Progress, SessionPage, UserRefs, UserSessions};
pub use listing::DEFAULT_MAX_SESSIONS;
pub use query::ListQuery;
