//! Retry decisions: which failures to retry, how long to wait (exponential
//! backoff with full jitter, or the provider's `Retry-After`).

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Backoff base: attempt `n` waits up to `base_ms * 2^n`.
    pub base_ms: u64,
    /// Upper bound of one backoff wait (and of an honoured `Retry-After`).
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_ms: 250,
            max_delay_ms: 20_000,
        }
    }
}

/// HTTP statuses worth retrying: 429 and the transient 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): the provider's
    /// `Retry-After` when given (capped), else full jitter
    /// `random * min(max_delay, base * 2^attempt)`.
    pub fn delay_ms(&self, attempt: u32, retry_after_ms: Option<u64>, random: f64) -> u64 {
        if let Some(ms) = retry_after_ms {
            return ms.min(self.max_delay_ms);
        }
        let ceiling = self
            .base_ms
            .saturating_mul(1u64.checked_shl(attempt.min(32)).unwrap_or(u64::MAX))
            .min(self.max_delay_ms);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        (ceiling as f64 * random) as u64
    }
}

/// Parses `Retry-After`: delta seconds (`"120"`, also `"1.5"`) or an HTTP date,
/// relative to `now_ms`. A date in the past is 0. `None` when unparseable.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            return Some((seconds * 1000.0).min(u64::MAX as f64 / 2.0) as u64);
        }
        return None;
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let when_ms = when.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as f64;
    let delta = when_ms - now_ms;
    Some(if delta > 0.0 { delta as u64 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 409, 422, 501, 505] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_is_bounded_full_jitter() {
        let p = RetryPolicy {
            max_retries: 5,
            base_ms: 100,
            max_delay_ms: 1_000,
        };
        assert_eq!(p.delay_ms(0, None, 0.0), 0);
        assert_eq!(p.delay_ms(0, None, 0.999_999), 99);
        assert_eq!(p.delay_ms(1, None, 0.5), 100);
        assert_eq!(p.delay_ms(3, None, 0.5), 400);
        assert_eq!(p.delay_ms(4, None, 1.0), 1_000); // capped
        assert_eq!(p.delay_ms(63, None, 1.0), 1_000);
        assert_eq!(p.delay_ms(u32::MAX, None, 1.0), 1_000);
        assert_eq!(p.delay_ms(2, None, f64::NAN), 0);
        for attempt in 0..10 {
            for r in [0.0, 0.1, 0.5, 0.9, 0.999] {
                let d = p.delay_ms(attempt, None, r);
                assert!(d <= (100u64 << attempt).min(1_000), "{attempt} {r} {d}");
            }
        }
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_ms(0, Some(1_500), 0.0), 1_500);
        assert_eq!(p.delay_ms(0, Some(10_000_000), 0.0), p.max_delay_ms);
    }

    #[test]
    fn retry_after_forms() {
        let now = 1_746_449_121_000.0; // 2025-05-05T12:45:21Z
        assert_eq!(parse_retry_after("0", now), Some(0));
        assert_eq!(parse_retry_after(" 120 ", now), Some(120_000));
        assert_eq!(parse_retry_after("1.5", now), Some(1_500));
        assert_eq!(
            parse_retry_after("Mon, 05 May 2025 12:45:51 GMT", now),
            Some(30_000)
        );
        assert_eq!(
            parse_retry_after("Mon, 05 May 2025 12:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
