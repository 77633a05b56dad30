//! "Is this user verified right now?": one user's sessions, from any
//! providers, summarized. Didit's user features map and history-driven rules,
//! generalised to all providers.
//!
//! - current status: the newest session's (by `createdAt`; ties broken by `key`);
//! - latest status per check kind: from the newest session that has a check of
//!   that kind with a known status (a check whose status is `unknown` only
//!   counts when no session has a known one);
//! - last approved time: the newest approved session's `updatedAt`, else its `createdAt`;
//! - counts per status and per provider;
//! - flags: an approved liveness check within N days of `now`; the newest
//!   session declined; more than K sessions created in the last W days.

use crate::session::{CheckKind, CheckStatus, Provider, Session, SessionStatus};
use crate::time::{to_unix_exact, to_unix_millis};
use serde::Serialize;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

/// Options of [`summarize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryOptions {
    /// "Now", in ms since the epoch.
    pub now_ms: i64,
    /// The window of the approved-liveness flag (default 90 days).
    pub liveness_within_days: u32,
    /// The window of the session-spike flag (default 30 days).
    pub spike_window_days: u32,
    /// More than this many sessions in the window is a spike (default 3).
    pub spike_threshold: u32,
}

impl SummaryOptions {
    /// The defaults, at `now_ms`.
    pub fn at(now_ms: i64) -> Self {
        SummaryOptions {
            now_ms,
            liveness_within_days: 90,
            spike_window_days: 30,
            spike_threshold: 3,
        }
    }
}

/// The latest known status of one check kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckSummary {
    /// Unified check status.
    pub status: CheckStatus,
    /// When: the session's `updatedAt`, else its `createdAt`.
    pub at: String,
    /// The session it comes from.
    pub session_key: String,
}

/// The history-driven flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryFlags {
    /// An approved liveness check within `livenessWithinDays` of now.
    pub approved_liveness_within_days: bool,
    /// The newest session was declined.
    pub newest_declined: bool,
    /// More than `spikeThreshold` sessions created within the last `spikeWindowDays`.
    pub session_spike: bool,
}

/// One user's verification state across sessions and providers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    /// Sessions summarized.
    pub session_count: usize,
    /// The newest session's status; absent when there are no sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<SessionStatus>,
    /// The newest session's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_session_key: Option<String>,
    /// The newest session is approved.
    pub verified: bool,
    /// When the newest approved session was approved (its `updatedAt`, else `createdAt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_approved_at: Option<String>,
    /// Latest status per check kind.
    pub checks: BTreeMap<CheckKind, CheckSummary>,
    /// Sessions per unified status (every status present).
    pub counts: BTreeMap<SessionStatus, usize>,
    /// Sessions per provider (every provider present).
    pub by_provider: BTreeMap<Provider, usize>,
    /// Sessions created within the last `spikeWindowDays`.
    pub sessions_in_window: usize,
    /// The history flags.
    pub flags: SummaryFlags,
}

/// When a session last changed: `updatedAt`, else `createdAt`.
fn changed_at(s: &Session) -> &str {
    s.updated_at.as_deref().unwrap_or(&s.created_at)
}

/// Summarizes one user's sessions (any providers, any order).
pub fn summarize(sessions: &[Session], options: &SummaryOptions) -> UserSummary {
    let mut order: Vec<((i64, u32), &Session)> = sessions
        .iter()
        .map(|s| (to_unix_exact(&s.created_at).unwrap_or((i64::MIN, 0)), s))
        .collect();
    // Newest first; equal times by key, so the result does not depend on input order.
    crate::order::sort_by(&mut order, |a, b| {
        b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key))
    });

    let current = order.first().map(|(_, s)| *s);
    let newest_approved = order
        .iter()
        .map(|(_, s)| *s)
        .find(|s| s.status == SessionStatus::Approved);

    let mut checks: BTreeMap<CheckKind, CheckSummary> = BTreeMap::new();
    for (_, s) in &order {
        for c in &s.checks {
            let replace = match checks.get(&c.kind) {
                None => true,
                Some(have) => {
                    have.status == CheckStatus::Unknown && c.status != CheckStatus::Unknown
                }
            };
            if replace {
                checks.insert(
                    c.kind,
                    CheckSummary {
                        status: c.status,
                        at: changed_at(s).to_string(),
                        session_key: s.key.clone(),
                    },
                );
            }
        }
    }

    let mut counts = BTreeMap::new();
    for status in SessionStatus::ALL {
        counts.insert(status, 0);
    }
    let mut by_provider = BTreeMap::new();
    for provider in Provider::ALL {
        by_provider.insert(provider, 0);
    }
    for s in sessions {
        *counts.entry(s.status).or_insert(0) += 1;
        *by_provider.entry(s.provider).or_insert(0) += 1;
    }

    let now = options.now_ms;
    let liveness_from =
        now.saturating_sub(i64::from(options.liveness_within_days).saturating_mul(DAY_MS));
    let approved_liveness = sessions.iter().any(|s| {
        s.checks
            .iter()
            .any(|c| c.kind == CheckKind::Liveness && c.status == CheckStatus::Approved)
            && to_unix_millis(changed_at(s)).is_some_and(|t| t >= liveness_from && t <= now)
    });
    let window_from =
        now.saturating_sub(i64::from(options.spike_window_days).saturating_mul(DAY_MS));
    let sessions_in_window = order
        .iter()
        .map(|((seconds, nanos), _)| seconds.saturating_mul(1000) + i64::from(nanos / 1_000_000))
        .filter(|t| *t >= window_from && *t <= now)
        .count();

    UserSummary {
        session_count: sessions.len(),
        current_status: current.map(|s| s.status),
        current_session_key: current.map(|s| s.key.clone()),
        verified: current.is_some_and(|s| s.status == SessionStatus::Approved),
        last_approved_at: newest_approved.map(|s| changed_at(s).to_string()),
        checks,
        counts,
        by_provider,
        sessions_in_window,
        flags: SummaryFlags {
            approved_liveness_within_days: approved_liveness,
            newest_declined: current.is_some_and(|s| s.status == SessionStatus::Declined),
            session_spike: sessions_in_window > options.spike_threshold as usize,
        },
    }
}
