//! Client-side rate-limit budgets: never send more than a provider documents.
//! Each provider states its limits ([`RateLimit`](crate::providers::RateLimit):
//! which budget a request class counts against, and its windows); a provider
//! that documents none gets no budget (429 + `Retry-After` are handled by retries).
//!
//! Windows slide: at any instant, the requests sent in the last window length
//! number at most the limit (a fixed window opened by its first request lets
//! twice the limit through across its edge). Times come from a monotonic
//! clock. A 429 still happens if other clients share the key: it pauses the
//! provider (see the engine).

use crate::providers::Provider;
use std::collections::VecDeque;

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

/// The budget of one provider endpoint class: a sliding log of the requests
/// sent within its longest window (bounded by that window's limit).
#[derive(Debug, Clone)]
pub struct RateBudget {
    /// `(limit, window length in ms)`.
    windows: Vec<(u32, f64)>,
    /// When each request within the longest window was sent, oldest first.
    log: VecDeque<f64>,
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
                .map(|&(limit, length_ms)| {
                    (((limit as f64 * scale).floor() as u32).max(1), length_ms)
                })
                .collect(),
            log: VecDeque::new(),
        }
    }

    /// The documented budget of a provider endpoint; `None` when undocumented.
    pub fn documented(provider: Provider, endpoint: Endpoint, scale: f64) -> Option<Self> {
        let limit = provider.api().rate_limit(endpoint)?;
        Some(RateBudget::new(limit.windows, scale))
    }

    /// Takes one request from the budget at `now_ms` (a monotonic clock), or
    /// says how long to wait before asking again.
    pub fn try_acquire(&mut self, now_ms: f64) -> Result<(), u64> {
        let longest = self.windows.iter().map(|w| w.1).fold(0.0, f64::max);
        while self.log.front().is_some_and(|&t| t <= now_ms - longest) {
            self.log.pop_front();
        }
        let mut wait: f64 = 0.0;
        for &(limit, length_ms) in &self.windows {
            let first_inside = self.log.partition_point(|&t| t <= now_ms - length_ms);
            let inside = self.log.len() - first_inside;
            if inside >= limit as usize {
                // Wait until enough of the window's requests have left it.
                let leaving = self.log[first_inside + inside - limit as usize];
                wait = wait.max(leaving + length_ms - now_ms);
            }
        }
        if wait > 0.0 {
            return Err((wait.ceil() as u64).max(1));
        }
        self.log.push_back(now_ms);
        Ok(())
    }

    /// Requests left in the tightest window at `now_ms`.
    pub fn remaining(&self, now_ms: f64) -> u32 {
        self.windows
            .iter()
            .map(|&(limit, length_ms)| {
                let inside =
                    self.log.len() - self.log.partition_point(|&t| t <= now_ms - length_ms);
                limit.saturating_sub(inside as u32)
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
        // The window slides: the request at 0 has left it, those at 10 and 20 have not.
        assert!(b.try_acquire(1_000.0).is_ok());
        assert_eq!(b.remaining(1_000.0), 0);
        assert_eq!(b.try_acquire(1_005.0), Err(5));
        assert!(b.try_acquire(1_010.0).is_ok());
    }

    #[test]
    fn never_more_than_the_limit_in_any_window() {
        // A fixed window opened at 0 would allow 3 at 999 and 3 more at 1000.
        let mut b = RateBudget::new(&[(3, 1_000.0)], 1.0);
        let mut sent = Vec::new();
        let mut now = 0.0;
        while sent.len() < 12 {
            match b.try_acquire(now) {
                Ok(()) => sent.push(now),
                Err(wait) => now += wait as f64,
            }
            if sent.len() % 2 == 0 {
                now += 333.0;
            }
        }
        for (i, &t) in sent.iter().enumerate() {
            let inside = sent[i..].iter().filter(|&&u| u < t + 1_000.0).count();
            assert!(inside <= 3, "{sent:?}");
        }
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
