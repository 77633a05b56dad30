//! Library-agnostic HTTP request and response data, and the transport trait
//! the engine sends them through. The wasm binding implements the transport
//! with the platform `fetch` and timers; tests implement it in memory.

use std::future::Future;
use std::pin::Pin;

pub use crate::protocol::http::{HttpRequest, HttpResponse, Method, RESPONSE_HEADERS};

/// A boxed, non-`Send` future (wasm futures are single-threaded).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A request that got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The request may have reached the server: a reset connection, a CORS
    /// refusal, a browser's opaque "Failed to fetch"...
    Network(String),
    /// The request provably never reached the server: the connection was
    /// refused, or the host was not found.
    NotSent(String),
    /// The per-request timeout elapsed (the fetch was aborted).
    Timeout,
    /// The caller's signal fired.
    Aborted,
}

/// Sends requests and keeps time. Implemented over `fetch` and `setTimeout` in
/// wasm, and in memory for native tests.
pub trait Transport {
    /// Sends one request; aborts it after `timeout_ms`.
    fn send(
        &self,
        request: HttpRequest,
        timeout_ms: u64,
    ) -> LocalFuture<'_, Result<HttpResponse, TransportError>>;
    /// Waits `ms` milliseconds; `Err(Aborted)` when the caller's signal fires first.
    fn sleep(&self, ms: u64) -> LocalFuture<'_, Result<(), TransportError>>;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// Milliseconds on a monotonic clock (rate windows, pauses); the wall
    /// clock by default.
    fn monotonic_ms(&self) -> f64 {
        self.now_ms()
    }
    /// A uniform random number in `[0, 1)` (for backoff jitter).
    fn random(&self) -> f64;
    /// 32 random bits (idempotency keys); from [`Transport::random`] by default.
    fn random_u32(&self) -> u32 {
        (self.random().clamp(0.0, 1.0) * 4_294_967_295.0) as u32
    }
    /// True once the caller's signal has fired.
    fn is_aborted(&self) -> bool;
    /// Resolves when the caller's signal fires (never, by default), so that a
    /// call waiting on shared work (a token, a free slot) stops at once.
    fn until_aborted(&self) -> LocalFuture<'_, ()> {
        Box::pin(std::future::pending())
    }
}
