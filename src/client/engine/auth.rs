//! Auth: the OAuth bearer token, cached per client and fetched by one call
//! at a time while the others wait and share it; one refresh after a 401.

use super::*;

impl Engine {
    /// The OAuth bearer token: cached, refreshed before expiry, fetched by one
    /// call at a time while the others wait and share its result. `None` for
    /// API-key providers and when a proxy holds the credentials.
    pub(super) fn bearer<'a>(
        &'a self,
        t: &'a dyn Transport,
        provider: Provider,
    ) -> LocalFuture<'a, Result<Option<String>, IdvError>> {
        Box::pin(async move {
            if provider.api().connection().auth != Auth::OAuthClientCredentials {
                return Ok(None);
            }
            let cfg = self.config.provider(provider)?;
            let Some(request) = api::token_request(cfg) else {
                return Ok(None);
            };
            loop {
                let generation = self.token_changes.generation();
                let waiting_for = {
                    let mut state = self.state.borrow_mut();
                    let slot = state.tokens.entry(provider).or_default();
                    if let Some((until, error)) = &slot.refused {
                        if t.now_ms() < *until {
                            return Err(error.clone());
                        }
                    }
                    if let Some(token) = &slot.token {
                        if t.now_ms() < token.refresh_at_ms {
                            return Ok(Some(token.access_token.clone()));
                        }
                    }
                    match slot.fetching {
                        Some(fetch) => Some(fetch),
                        None => {
                            slot.fetches += 1;
                            slot.fetching = Some(slot.fetches);
                            None
                        }
                    }
                };
                if let Some(fetch) = waiting_for {
                    self.or_abort(t, provider, self.token_changes.changed(generation))
                        .await?;
                    let state = self.state.borrow();
                    let failure = state.tokens.get(&provider).and_then(|s| s.failure.as_ref());
                    if let Some((failed, error)) = failure {
                        if *failed == fetch {
                            return Err(error.clone());
                        }
                    }
                    continue;
                }
                let guard = FetchingToken {
                    engine: self,
                    provider,
                };
                let result = self
                    .call(
                        t,
                        provider,
                        Endpoint::Token,
                        "get an OAuth token",
                        Resend::Always,
                        &|_| Ok(request.clone()),
                        &|response| api::decode_token(provider, response, t.now_ms()),
                    )
                    .await;
                let still_valid = {
                    let mut state = self.state.borrow_mut();
                    let slot = state.tokens.entry(provider).or_default();
                    let now = t.now_ms();
                    match &result {
                        Ok(token) => {
                            slot.token = Some(token.clone());
                            slot.failure = None;
                            slot.refused = None;
                            None
                        }
                        // An aborted fetch is not a failure to share: a waiter fetches instead.
                        Err(e) if e.code == ErrorCode::Aborted => None,
                        // A refresh that failed while the token in hand is still valid:
                        // keep using it, and try again later (half its remaining life,
                        // at most 15 s), not on every call.
                        Err(_) if slot.token.as_ref().is_some_and(|t| now < t.expires_at_ms) => {
                            slot.failure = None;
                            slot.token.as_mut().map(|token| {
                                token.refresh_at_ms =
                                    now + ((token.expires_at_ms - now) / 2.0).min(15_000.0);
                                token.access_token.clone()
                            })
                        }
                        Err(e) => {
                            slot.failure = Some((slot.fetches, e.clone()));
                            if matches!(e.code, ErrorCode::Auth | ErrorCode::Config) {
                                let refused = IdvError {
                                    message: format!(
                                        "{} (not asked again for {} s: credentials that keep \
                                         failing get locked out)",
                                        e.message, REFUSED_CREDENTIALS_S
                                    ),
                                    ..e.clone()
                                };
                                let until = now + f64::from(REFUSED_CREDENTIALS_S) * 1000.0;
                                slot.refused = Some((until, refused));
                            }
                            None
                        }
                    }
                };
                drop(guard);
                if let Some(token) = still_valid {
                    return Ok(Some(token));
                }
                return result.map(|token| Some(token.access_token));
            }
        })
    }

    /// Forgets `used` after the provider refused it (401), unless another
    /// call already replaced it: one refresh for every call that saw the 401.
    pub(super) fn drop_token(&self, provider: Provider, used: &str) {
        let mut state = self.state.borrow_mut();
        let retired = state.tokens.get_mut(&provider).and_then(|slot| {
            if slot.token.as_ref().is_some_and(|t| t.access_token == used) {
                slot.token.take()
            } else {
                None
            }
        });
        if let Some(token) = retired {
            if state.retired_tokens.len() >= 8 {
                state.retired_tokens.remove(0);
            }
            state.retired_tokens.push(token.access_token);
        }
    }
}
