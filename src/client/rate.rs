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

use crate::protocol::config::ProviderConfig;
use crate::session::Provider;
use std::collections::VecDeque;

pub use crate::protocol::endpoint::Endpoint;

/// Entries kept per window: beyond them the oldest two merge (see [`Window`]).
const MAX_ENTRIES: usize = 1024;

/// One sliding window: the requests sent within its length, as
/// `(time, count)` entries, oldest first. Up to [`MAX_ENTRIES`] it is exact;
/// beyond, the two oldest entries merge into one at the later time, which
/// only ever makes a request count for longer: memory stays bounded (16 KB a
/// window) whatever the limit, and the limit is never exceeded.
#[derive(Debug, Clone)]
struct Window {
    limit: u32,
    length_ms: f64,
    log: VecDeque<(f64, u32)>,
    inside: u64,
}

impl Window {
    fn prune(&mut self, now_ms: f64) {
        while let Some(&(t, n)) = self.log.front() {
            if t + self.length_ms > now_ms {
                break;
            }
            self.inside -= n as u64;
            self.log.pop_front();
        }
    }

    /// How long until one more request fits (0 when it fits now).
    fn wait(&self, now_ms: f64) -> f64 {
        if self.inside < self.limit as u64 {
            return 0.0;
        }
        let mut to_free = self.inside - self.limit as u64 + 1;
        for &(t, n) in &self.log {
            if n as u64 >= to_free {
                return t + self.length_ms - now_ms;
            }
            to_free -= n as u64;
        }
        self.length_ms
    }

    fn record(&mut self, now_ms: f64) {
        self.inside += 1;
        match self.log.back_mut() {
            Some((t, n)) if *t >= now_ms => *n += 1,
            _ => self.log.push_back((now_ms, 1)),
        }
        if self.log.len() > MAX_ENTRIES {
            if let (Some((_, n0)), Some((_, n1))) = (self.log.pop_front(), self.log.front_mut()) {
                *n1 += n0;
            }
        }
    }
}

/// The budget of one provider endpoint class: its sliding windows.
#[derive(Debug, Clone)]
pub struct RateBudget {
    windows: Vec<Window>,
}

/// The budget a request counts against: the provider and its budget name
/// (`None` when the provider documents no limit for it).
pub fn budget_key(cfg: &ProviderConfig, endpoint: Endpoint) -> Option<(Provider, &'static str)> {
    cfg.provider
        .api()
        .rate_limit(cfg, endpoint)
        .map(|limit| (cfg.provider, limit.budget))
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
                    log: VecDeque::new(),
                    inside: 0,
                })
                .collect(),
        }
    }

    /// The documented budget of a provider endpoint; `None` when undocumented.
    pub fn documented(cfg: &ProviderConfig, endpoint: Endpoint, scale: f64) -> Option<Self> {
        let limit = cfg.provider.api().rate_limit(cfg, endpoint)?;
        Some(RateBudget::new(limit.windows, scale))
    }

    /// Takes one request from the budget at `now_ms` (a monotonic clock), or
    /// says how long to wait before asking again.
    pub fn try_acquire(&mut self, now_ms: f64) -> Result<(), u64> {
        let mut wait: f64 = 0.0;
        for w in &mut self.windows {
            w.prune(now_ms);
            wait = wait.max(w.wait(now_ms));
        }
        if wait > 0.0 {
            return Err((wait.ceil() as u64).max(1));
        }
        for w in &mut self.windows {
            w.record(now_ms);
        }
        Ok(())
    }

    /// Requests left in the tightest window at `now_ms`.
    pub fn remaining(&self, now_ms: f64) -> u32 {
        self.windows
            .iter()
            .map(|w| {
                let inside: u64 = w
                    .log
                    .iter()
                    .filter(|(t, _)| t + w.length_ms > now_ms)
                    .map(|(_, n)| *n as u64)
                    .sum();
                (w.limit as u64).saturating_sub(inside) as u32
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
    fn memory_stays_bounded_under_a_huge_limit_and_the_limit_holds() {
        let mut b = RateBudget::new(&[(100_000, 1_000.0)], 1.0);
        let mut sent = 0u64;
        let mut now = 0.0;
        // 300,000 requests over 3 s, 20,000 every 200 ms.
        for _ in 0..15 {
            for _ in 0..20_000 {
                if b.try_acquire(now).is_ok() {
                    sent += 1;
                }
            }
            now += 200.0;
            assert!(b.windows[0].log.len() <= MAX_ENTRIES + 1);
        }
        assert!((200_000..=300_000).contains(&sent), "{sent}");
        // Never more than the limit in the window, even after merging.
        assert!(b.windows[0].inside <= 100_000);
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
        let config = crate::client::ClientConfig::from_json(&serde_json::json!({
            "mangopay": {"clientId": "c", "apiKey": "k"},
            "didit": {"apiKey": "k"},
            "equals": {"apiKey": "k"},
        }))
        .unwrap();
        let cfg = |p| config.provider(p).unwrap();
        let mut mp = RateBudget::documented(cfg(Provider::Mangopay), Endpoint::List, 1.0).unwrap();
        assert_eq!(mp.remaining(0.0), 2_300);
        assert!(mp.try_acquire(0.0).is_ok());
        assert_eq!(mp.remaining(0.0), 2_299);
        let dd = RateBudget::documented(cfg(Provider::Didit), Endpoint::List, 0.01).unwrap();
        assert_eq!(dd.remaining(0.0), 3);
        let tiny = RateBudget::documented(cfg(Provider::Didit), Endpoint::Get, 0.000_1).unwrap();
        assert_eq!(tiny.remaining(0.0), 1);
        assert!(RateBudget::documented(cfg(Provider::Equals), Endpoint::List, 1.0).is_none());
        let bad_scale =
            RateBudget::documented(cfg(Provider::Didit), Endpoint::List, f64::NAN).unwrap();
        assert_eq!(bad_scale.remaining(0.0), 300);
    }

    /// Stripe: 25/s per endpoint live; 25/s overall in test mode, so one budget for all.
    #[test]
    fn stripe_test_mode_shares_one_budget() {
        let config = |key: &str| {
            crate::client::ClientConfig::from_json(&serde_json::json!({"stripe": {"apiKey": key}}))
                .unwrap()
        };
        let (live, test) = (config("sk_live_x"), config("sk_test_x"));
        let key = |c: &crate::client::ClientConfig, e| {
            budget_key(c.provider(Provider::Stripe).unwrap(), e).map(|(_, name)| name)
        };
        assert_ne!(key(&live, Endpoint::List), key(&live, Endpoint::Get));
        assert_eq!(key(&test, Endpoint::List), key(&test, Endpoint::Create));
        assert_eq!(key(&test, Endpoint::Get), key(&test, Endpoint::Create));
        let restricted = config("rk_test_x");
        assert_eq!(key(&restricted, Endpoint::List), key(&test, Endpoint::List));
    }
}
