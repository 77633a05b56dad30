//! An in-memory provider for the engine tests: answers with a handler,
//! records every request with the virtual clock at its send; `sleep`
//! advances the clock.
#![allow(dead_code, clippy::unwrap_used)]

use idv_sessions::client::http::{
    HttpRequest, HttpResponse, LocalFuture, Transport, TransportError,
};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

type Handler = Box<dyn FnMut(&HttpRequest, f64) -> HttpResponse>;

/// Answers with `handler`, records every request with the clock at its
/// send; `sleep` advances the clock.
pub struct Server {
    handler: RefCell<Handler>,
    pub clock: Cell<f64>,
    pub sent: RefCell<Vec<(HttpRequest, f64)>>,
}

impl Server {
    pub fn new(handler: impl FnMut(&HttpRequest, f64) -> HttpResponse + 'static) -> Self {
        Server {
            handler: RefCell::new(Box::new(handler)),
            clock: Cell::new(1_767_225_600_000.0), // 2026-01-01T00:00:00Z
            sent: RefCell::new(Vec::new()),
        }
    }
    pub fn queries(&self) -> Vec<HashMap<String, String>> {
        self.sent
            .borrow()
            .iter()
            .map(|(r, _)| query_of(&r.url))
            .collect()
    }
}

impl Transport for Server {
    fn send(
        &self,
        request: HttpRequest,
        _timeout_ms: u64,
    ) -> LocalFuture<'_, Result<HttpResponse, TransportError>> {
        let now = self.clock.get();
        self.sent.borrow_mut().push((request.clone(), now));
        let response = (self.handler.borrow_mut())(&request, now);
        self.clock.set(now + 5.0);
        Box::pin(async move { Ok(response) })
    }
    fn sleep(&self, ms: u64) -> LocalFuture<'_, Result<(), TransportError>> {
        self.clock.set(self.clock.get() + ms as f64);
        Box::pin(async { Ok(()) })
    }
    fn now_ms(&self) -> f64 {
        self.clock.get()
    }
    fn random(&self) -> f64 {
        0.5
    }
    fn is_aborted(&self) -> bool {
        false
    }
}

pub fn query_of(url: &str) -> HashMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

pub fn json(status: u16, body: Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}
