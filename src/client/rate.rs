//! Client-side rate-limit budgets: never send more than a provider documents.
//! Each provider states its limits ([`RateLimit`](crate::providers::RateLimit):
//! which budget a request class counts against, and its windows); a provider
//! that documents none gets no budget (429 + `Retry-After` are handled by retries).
//!
//! Each window is a fixed window opened by its first request: when its count
//! is spent, requests wait for the window to end. A 429 still happens if other
//! clients share the key; retries handle it.

use crate::providers::Provider;

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

#[derive(Debug, Clone)]
struct Window {
    limit: u32,
    length_ms: f64,
    start_ms: f64,
    used: u32,
}

/// The budget of one provider endpoint class.
#[derive(Debug, Clone)]
pub struct RateBudget {
    windows: Vec<Window>,
}

/// The budget a request counts against: the provider and its budget name
/// (`None` when the provider documents no limit for it).
pub fn budget_key(provider: Provider, endpoint: Endpoint) -> Option<(Provider, &'static str)> {
    provider
        .api()
        .rate_limit(endpoint)
        .map(|limit| (provider, limit.budget))
}

impl RateBudget {
    /// A budget with `(limit, window length in ms)` windows, scaled by `scale`
    /// (a limit scaled below 1 stays 1).
    pub fn new(limits: &[(u32, f64)], scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        RateBudget {
            windows: limits
                .iter()
                .map(|&(limit, length_ms)| Window {
                    limit: ((limit as f64 * scale).floor() as u32).max(1),
                    length_ms,
                    start_ms: f64::NEG_INFINITY,
                    used: 0,
                })
                .collect(),
        }
    }

    /// The documented budget of a provider endpoint; `None` when undocumented.
    pub fn documented(provider: Provider, endpoint: Endpoint, scale: f64) -> Option<Self> {
        let limit = provider.api().rate_limit(endpoint)?;
        Some(RateBudget::new(limit.windows, scale))
    }

    /// Takes one request from the budget at `now_ms`, or says how long to wait
    /// before asking again.
    pub fn try_acquire(&mut self, now_ms: f64) -> Result<(), u64> {
        let mut wait: f64 = 0.0;
        for w in &mut self.windows {
            if now_ms >= w.start_ms + w.length_ms {
                w.start_ms = now_ms;
                w.used = 0;
            }
            if w.used >= w.limit {
                wait = wait.max(w.start_ms + w.length_ms - now_ms);
            }
        }
        if wait > 0.0 {
            return Err(wait.ceil() as u64);
        }
        for w in &mut self.windows {
            w.used += 1;
        }
        Ok(())
    }

    /// Requests left in the tightest window at `now_ms`.
    pub fn remaining(&self, now_ms: f64) -> u32 {
        self.windows
            .iter()
            .map(|w| {
                if now_ms >= w.start_ms + w.length_ms {
                    w.limit
                } else {
                    w.limit.saturating_sub(w.used)
                }
            })
            .min()
            .unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spends_then_waits_for_the_window() {
        let mut b = RateBudget::new(&[(3, 1_000.0)], 1.0);
        assert_eq!(b.remaining(0.0), 3);
        assert!(b.try_acquire(0.0).is_ok());
        assert!(b.try_acquire(10.0).is_ok());
        assert!(b.try_acquire(20.0).is_ok());
        assert_eq!(b.remaining(20.0), 0);
        assert_eq!(b.try_acquire(400.0), Err(600));
        assert!(b.try_acquire(1_000.0).is_ok());
        assert_eq!(b.remaining(1_000.0), 2);
    }

    #[test]
    fn the_tightest_window_decides_and_a_refusal_spends_nothing() {
        let mut b = RateBudget::new(&[(2, 100.0), (3, 1_000.0)], 1.0);
        assert!(b.try_acquire(0.0).is_ok());
        assert!(b.try_acquire(0.0).is_ok());
        assert_eq!(b.try_acquire(50.0), Err(50));
        assert!(b.try_acquire(100.0).is_ok());
        // The long window is now spent: wait for it, not the short one.
        assert_eq!(b.try_acquire(200.0), Err(800));
        assert_eq!(b.remaining(200.0), 0);
    }

    #[test]
    fn documented_budgets_and_scale() {
        let mut mp = RateBudget::documented(Provider::Mangopay, Endpoint::List, 1.0).unwrap();
        assert_eq!(mp.remaining(0.0), 2_300);
        assert!(mp.try_acquire(0.0).is_ok());
        assert_eq!(mp.remaining(0.0), 2_299);
        let dd = RateBudget::documented(Provider::Didit, Endpoint::List, 0.01).unwrap();
        assert_eq!(dd.remaining(0.0), 3);
        let tiny = RateBudget::documented(Provider::Didit, Endpoint::Get, 0.000_1).unwrap();
        assert_eq!(tiny.remaining(0.0), 1);
        assert!(RateBudget::documented(Provider::Equals, Endpoint::List, 1.0).is_none());
        let bad_scale = RateBudget::documented(Provider::Didit, Endpoint::List, f64::NAN).unwrap();
        assert_eq!(bad_scale.remaining(0.0), 300);
    }
}
