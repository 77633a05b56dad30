//! Attempts and retries: one logical request with one retry budget, and
//! the decisions about what may be sent again.

use super::*;

impl Engine {
    /// One logical request: rate budget and pauses, auth, the in-flight
    /// limit, and one retry budget (`maxRetries + 1` attempts, whatever
    /// failed: the network, a retryable status, or a 2xx body that is not JSON
    /// at all); one token refresh after a 401. `decode` reads the 2xx answer.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::client) async fn call<T>(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
        operation: &str,
        resend: Resend,
        build: &dyn Fn(Option<&str>) -> Result<HttpRequest, IdvError>,
        decode: &dyn Fn(&HttpResponse) -> Result<T, IdvError>,
    ) -> Result<T, IdvError> {
        let mut decoded = None;
        let mut keep = |response: &HttpResponse| decode(response).map(|v| decoded = Some(v));
        self.attempts(t, provider, endpoint, operation, resend, build, &mut keep)
            .await?;
        decoded.ok_or_else(|| {
            IdvError::new(
                ErrorCode::Decode,
                Some(provider),
                format!("{provider}: {operation}: no answer was read"),
            )
        })
    }

    /// [`Engine::call`]'s loop, one copy for every answer type: `decode`
    /// keeps what it reads.
    #[allow(clippy::too_many_arguments)]
    async fn attempts(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
        operation: &str,
        resend: Resend,
        build: &dyn Fn(Option<&str>) -> Result<HttpRequest, IdvError>,
        decode: &mut dyn FnMut(&HttpResponse) -> Result<(), IdvError>,
    ) -> Result<(), IdvError> {
        // Checked before anything waits or is sent.
        if api::has_dot_segment(&build(None)?.url) {
            return Err(IdvError::config(
                Some(provider),
                format!(
                    "{provider}: {operation}: an id of `.` or `..` would send the request to \
                     another path; it is refused"
                ),
            ));
        }
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        loop {
            if t.is_aborted() {
                return Err(aborted(provider));
            }
            let bearer = if endpoint == Endpoint::Token {
                None
            } else {
                self.bearer(t, provider).await?
            };
            // The in-flight slot first, then the rate budget, then the request
            // itself: the budget counts a request when it is sent, not when it
            // starts to queue (a queued one would otherwise be counted in a
            // window it is not sent in).
            let permit = match self.in_flight.get(&provider) {
                Some(slots) => Some(self.or_abort(t, provider, slots.acquire()).await?),
                None => None,
            };
            self.acquire(t, provider, endpoint).await?;
            let mut request = build(bearer.as_deref())?;
            // Signed after every wait, so the signature's time is the send's.
            provider
                .api()
                .sign(self.config.provider(provider)?, &mut request, t.now_ms())?;
            let sent = t.send(request, self.config.timeout_ms).await;
            drop(permit);
            let failure = match sent {
                Ok(response) => {
                    if let Some(ms) = provider.api().rate_pause(&response, t.now_ms()) {
                        self.pause(t, provider, ms);
                    }
                    if (200..300).contains(&response.status) {
                        match decode(&response) {
                            Ok(value) => return Ok(value),
                            // Valid JSON in the wrong shape will not improve on a retry.
                            Err(e) if crate::json::is_json(&response.body) => {
                                return Err(self.redact(e))
                            }
                            // Cut short, or an HTML page from something in between.
                            Err(e) => Failure {
                                error: IdvError {
                                    retryable: true,
                                    ..e
                                },
                                received: true,
                            },
                        }
                    } else if response.status == 401 && !refreshed {
                        if let Some(used) = &bearer {
                            // The token expired early or was revoked: one fresh token, then retry.
                            refreshed = true;
                            self.drop_token(provider, used);
                            continue;
                        }
                        Failure {
                            error: api::error_from_response(
                                provider,
                                operation,
                                &response,
                                t.now_ms(),
                            ),
                            received: true,
                        }
                    } else {
                        let error =
                            api::error_from_response(provider, operation, &response, t.now_ms());
                        if response.status == 429 {
                            // Every call to the provider waits, not only this
                            // one: its `Retry-After`, else this attempt's
                            // longest back-off (one pause for every call: a
                            // jittered one would only be shorter; each call's
                            // own retry adds its jitter after it).
                            let ms = error
                                .retry_after_ms
                                .unwrap_or_else(|| self.config.retry.delay_ms(attempt, None, 1.0));
                            self.pause(t, provider, ms);
                        }
                        // A 429 was refused before being processed.
                        Failure {
                            received: response.status != 429,
                            error,
                        }
                    }
                }
                Err(TransportError::Aborted) => return Err(aborted(provider)),
                Err(TransportError::Timeout) => Failure {
                    error: IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Timeout,
                            Some(provider),
                            format!(
                                "{provider}: {operation} timed out after {} ms",
                                self.config.timeout_ms
                            ),
                        )
                    },
                    received: true,
                },
                Err(TransportError::Network(reason)) => Failure {
                    error: IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Network,
                            Some(provider),
                            format!("{provider}: {operation} failed: network error: {reason}"),
                        )
                    },
                    received: true,
                },
                Err(TransportError::NotSent(reason)) => Failure {
                    error: IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Network,
                            Some(provider),
                            format!("{provider}: {operation} failed: network error: {reason}"),
                        )
                    },
                    received: false,
                },
            };
            let Failure { error, received } = failure;
            if resend == Resend::OnlyIfNotReceived && received {
                return Err(self.redact(Self::maybe_created(provider, error)));
            }
            if !error.retryable || attempt >= self.config.retry.max_retries {
                return Err(self.redact(error));
            }
            if let Some(ms) = error.retry_after_ms {
                if ms > self.config.retry.max_delay_ms {
                    // No retry into a closed window.
                    return Err(self.redact(IdvError {
                        message: format!(
                            "{} (rate limited for {} s, longer than retryMaxDelayMs: not retried)",
                            error.message,
                            ms.div_ceil(1000)
                        ),
                        ..error
                    }));
                }
            }
            self.back_off(t, provider, &mut attempt, error.retry_after_ms)
                .await?;
        }
    }

    /// The error of a create that failed after it may have reached the
    /// provider: it is not sent again, and the caller is told why.
    pub(super) fn maybe_created(provider: Provider, error: IdvError) -> IdvError {
        if !error.retryable {
            return error;
        }
        IdvError {
            retryable: false,
            message: format!(
                "{}. The request may have reached {provider}, so it was not sent again: a \
                 session may have been created; list the user's sessions before creating another",
                error.message
            ),
            ..error
        }
    }

    /// Waits before retry number `attempt` (then counts it): the provider's
    /// `Retry-After` when given, else backoff with full jitter.
    pub(super) async fn back_off(
        &self,
        t: &dyn Transport,
        provider: Provider,
        attempt: &mut u32,
        retry_after_ms: Option<u64>,
    ) -> Result<(), IdvError> {
        let delay = self
            .config
            .retry
            .delay_ms(*attempt, retry_after_ms, t.random());
        *attempt += 1;
        t.sleep(delay).await.map_err(|_| aborted(provider))
    }
}
