//! # idv-sessions
//!
//! Identity-verification (KYC) sessions from Mangopay, Equals Money and Didit in
//! one unified shape with one unified status.
//!
//! The crate is a pure core — models ([`session`]), everything each provider
//! knows ([`providers`], one folder per provider), timestamps ([`time`]),
//! errors ([`error`]), the client ([`client`]). A thin wasm binding, the crate
//! in `crates/wasm`, turns it into the `idv-sessions` npm package.
//!
//! ```
//! use idv_sessions::{normalize_json, NormalizeOptions, Provider, SessionStatus};
//!
//! let mangopay = Provider::parse("mangopay").unwrap();
//! let row = r#"{"Id":"idnver_1","Status":"VALIDATED","CreationDate":1746449121,"LastUpdate":null}"#;
//! let session = normalize_json(mangopay, row, &NormalizeOptions::default()).unwrap();
//! assert_eq!(session.status, SessionStatus::Approved);
//! assert_eq!(session.created_at, "2025-05-05T12:45:21Z");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod client;
pub mod csv;
pub mod error;
pub mod json;
mod order;
pub mod protocol;
pub mod providers;
pub mod session;
pub mod session_json;
pub mod status;
pub mod summary;
pub mod time;
pub mod token;
pub mod webhook;

pub use csv::to_csv;
pub use error::{ErrorCode, IdvError};
pub use providers::{
    map_status, normalize_list, normalize_session, parse_json, BadRow, BadRows, NormalizeOptions,
    SessionList, MAX_BAD_ROWS,
};
pub use session::{
    Check, CheckKind, CheckStatus, Extra, Person, Provider, Reason, Session, SessionStatus,
};
pub use status::map_check_status;
pub use summary::{summarize, SummaryOptions, UserSummary};

/// Normalizes one provider object given as JSON text.
///
/// # Errors
/// `decode` when the text is not JSON or the object is invalid.
pub fn normalize_json(
    provider: Provider,
    text: &str,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    let json = providers::parse_payload(provider, text, false, options)?;
    providers::normalize_session_json(provider, &json, options)
}

/// Normalizes a whole list response body given as JSON text; a row that is
/// not a session fails it.
///
/// # Errors
/// `decode` when the text is not JSON or the body or a row is invalid.
pub fn normalize_list_json(
    provider: Provider,
    text: &str,
    options: &NormalizeOptions,
) -> Result<Vec<Session>, IdvError> {
    let json = providers::parse_payload(provider, text, true, options)?;
    providers::normalize_list_json(provider, &json, options)
}

/// Normalizes a whole list response body given as JSON text: the sessions,
/// and the rows that were not sessions (no usable id or creation time)
/// reported next to them, unless `options.strict`.
///
/// # Errors
/// `decode` when the text is not JSON or the body is not the documented
/// shape (with `strict`: also for a bad row).
pub fn normalize_list_rows(
    provider: Provider,
    text: &str,
    options: &NormalizeOptions,
) -> Result<SessionList, IdvError> {
    let mut list = SessionList::default();
    providers::stream_list(provider, text, options, &mut |row| {
        match row {
            Ok(session) => list.sessions.push(session),
            Err(bad) => list.bad_rows.push(bad),
        }
        Ok(())
    })?;
    Ok(list)
}
