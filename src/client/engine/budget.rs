//! Budgets and pauses: the provider's documented rate windows, the pause a
//! 429 imposes on every call, and the per-provider in-flight limit.

use super::*;

impl Engine {
    /// The error of a call that will not wait `ms` for the provider's window.
    pub(super) fn closed_window(provider: Provider, ms: u64) -> IdvError {
        IdvError {
            retryable: true,
            retry_after_ms: Some(ms),
            ..IdvError::new(
                ErrorCode::RateLimited,
                Some(provider),
                format!(
                    "{provider}: rate limited for {} s, longer than the client's longest \
                     back-off (retryMaxDelayMs): not retried; try again after retryAfterMs",
                    ms.div_ceil(1000)
                ),
            )
        }
    }

    /// Pauses every call to `provider` for `ms` (after a 429, or when the
    /// provider's own rate headers say a window is spent).
    pub(super) fn pause(&self, t: &dyn Transport, provider: Provider, ms: u64) {
        let until = t.monotonic_ms() + ms as f64;
        let mut state = self.state.borrow_mut();
        let paused = state.paused_until.entry(provider).or_insert(until);
        *paused = paused.max(until);
    }

    /// Waits until the provider is not paused and its documented budget allows
    /// one more request. A pause longer than the longest back-off fails at once.
    pub(super) async fn acquire(
        &self,
        t: &dyn Transport,
        provider: Provider,
        endpoint: Endpoint,
    ) -> Result<(), IdvError> {
        let cfg = self.config.provider(provider).ok();
        let key = cfg.and_then(|cfg| budget_key(cfg, endpoint));
        loop {
            let now = t.monotonic_ms();
            let wait = {
                let mut state = self.state.borrow_mut();
                let paused = state
                    .paused_until
                    .get(&provider)
                    .map_or(0, |until| (until - now).max(0.0).ceil() as u64);
                if paused > self.config.retry.max_delay_ms {
                    return Err(Self::closed_window(provider, paused));
                }
                if paused > 0 {
                    paused
                } else {
                    let scale = self.config.rate_limit_scale;
                    let budget =
                        key.zip(cfg)
                            .and_then(|(key, cfg)| match state.budgets.entry(key) {
                                Entry::Occupied(e) => Some(e.into_mut()),
                                Entry::Vacant(e) => RateBudget::documented(cfg, endpoint, scale)
                                    .map(|b| e.insert(b)),
                            });
                    match budget.map(|b| b.try_acquire(now)) {
                        None | Some(Ok(())) => return Ok(()),
                        Some(Err(ms)) => ms,
                    }
                }
            };
            t.sleep(wait).await.map_err(|_| aborted(provider))?;
        }
    }
}
