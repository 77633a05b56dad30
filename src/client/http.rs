//! Library-agnostic HTTP request and response data, and the transport trait
//! the engine sends them through. The wasm binding implements the transport
//! with the platform `fetch` and timers; tests implement it in memory.

use std::future::Future;
use std::pin::Pin;

/// A boxed, non-`Send` future (wasm futures are single-threaded).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request, built by the pure request builders.
///
/// `Debug` omits header values: they carry credentials.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Request body, when any.
    pub body: Option<String>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish()
    }
}

impl HttpRequest {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The response headers the engine reads (transports fetch only these).
pub const RESPONSE_HEADERS: [&str; 8] = [
    "content-type",
    "retry-after",
    "x-number-of-pages",
    "x-number-of-items",
    "link",
    "x-ratelimit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// One response.
///
/// `Debug` shows the status, header names and the body's length: a body may
/// carry a token (the OAuth answer) or personal data.
#[derive(Clone, PartialEq, Default)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Lower-case header names and values (at least [`RESPONSE_HEADERS`] when present).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

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
