//! The one error type (SPEC section 5). In JS it becomes a real `Error` named
//! `IdvError` with these fields.

use crate::session::Provider;
use serde::Serialize;
use std::fmt;

/// What went wrong, as a stable code JS callers can switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Bad configuration or arguments (unknown provider, missing credential).
    Config,
    /// The provider rejected the credentials (401, and 403 where it means that).
    Auth,
    /// The provider refused for a reason other than the credentials (403: a
    /// feature not activated, no credits left, a missing permission).
    Forbidden,
    /// The session or user does not exist (404).
    NotFound,
    /// Too many requests (429).
    RateLimited,
    /// Any other HTTP failure.
    Http,
    /// The request never got an HTTP answer.
    Network,
    /// The per-request timeout elapsed.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The payload is not what the provider documents (not JSON, wrong types, missing `id`).
    Decode,
    /// The provider does not offer this operation.
    Unsupported,
    /// A full listing could not be completed consistently (the provider's
    /// pages kept changing or contradicting its totals); retrying later may work.
    Incomplete,
    /// A webhook's signature is missing, wrong or stale.
    Signature,
}

impl ErrorCode {
    /// Every code, in the order the docs list them.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::Config,
        ErrorCode::Auth,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::Http,
        ErrorCode::Network,
        ErrorCode::Timeout,
        ErrorCode::Aborted,
        ErrorCode::Decode,
        ErrorCode::Unsupported,
        ErrorCode::Incomplete,
        ErrorCode::Signature,
    ];

    /// The snake_case code used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Config => "config",
            ErrorCode::Auth => "auth",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Http => "http",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::Decode => "decode",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Incomplete => "incomplete",
            ErrorCode::Signature => "signature",
        }
    }
}

/// A failure, with everything a caller needs to decide what to do.
///
/// Messages are built by this crate from provider responses and field names;
/// credentials are never put into them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdvError {
    /// Stable code.
    pub code: ErrorCode,
    /// The provider concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// The HTTP status, when the provider answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Whether trying again later may succeed.
    pub retryable: bool,
    /// How long the provider asked to wait (`Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// Human-readable message, including the provider's own message when it sent one.
    pub message: String,
}

impl IdvError {
    /// A new error with no HTTP details.
    pub fn new(code: ErrorCode, provider: Option<Provider>, message: impl Into<String>) -> Self {
        IdvError {
            code,
            provider,
            http_status: None,
            retryable: false,
            retry_after_ms: None,
            message: message.into(),
        }
    }

    /// A payload that does not match what the provider documents.
    pub fn decode(provider: Provider, message: impl Into<String>) -> Self {
        IdvError::new(ErrorCode::Decode, Some(provider), message)
    }

    /// Bad configuration or arguments.
    pub fn config(provider: Option<Provider>, message: impl Into<String>) -> Self {
        IdvError::new(ErrorCode::Config, provider, message)
    }
}

impl fmt::Display for IdvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IdvError {}
