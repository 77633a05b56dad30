//! The classes of requests a provider's rate limits are documented for.

/// Which of a provider's limits a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// Listing sessions.
    List,
    /// Reading one session (Mangopay View, Didit decision).
    Get,
    /// Creating a session.
    Create,
    /// Mangopay's OAuth token endpoint.
    Token,
}
