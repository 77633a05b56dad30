//! Where a full listing's sessions go: one slot per session key, the
//! status filter, the rows that were not sessions, newest-first order.

use crate::client::query::StatusFilter;
use crate::providers::BadRows;
use crate::session::Session;
use std::collections::{HashMap, HashSet};

/// Where a full listing's sessions go as pages arrive: one slot per session
/// `key`, numbered in order of first arrival. The listing itself holds no
/// session past its page, so its memory is bounded by the pages in flight
/// (the wasm binding hands each session to JS at once).
pub trait Listing {
    /// The session for slot `at` (a new slot is the next number; a later
    /// copy of a session replaces the earlier one in its slot); `None` when
    /// the session's latest copy does not pass the status filter.
    fn place(&mut self, at: usize, session: Option<Session>);
}

/// Slots in memory; [`Listing::place`] past the end grows it.
impl Listing for Vec<Option<Session>> {
    fn place(&mut self, at: usize, session: Option<Session>) {
        if at >= self.len() {
            self.resize_with(at + 1, || None);
        }
        self[at] = session;
    }
}

/// The bookkeeping of a full listing: each session `key`'s slot and whether
/// its latest copy passes the status filter (with the reference a detail
/// read needs), and the rows that were not sessions. Per session a key and
/// a few words, never the session.
#[derive(Debug, Default)]
pub struct Collector {
    filter: StatusFilter,
    positions: HashMap<Box<str>, usize>,
    /// Per slot: the latest copy passes the filter.
    kept: Vec<bool>,
    /// Per slot, when `keep_ids`: the latest copy's `id` and `userRef`.
    refs: Vec<SlotRef>,
    keep_ids: bool,
    /// Rows that were not sessions, each (page, index, id) once across passes.
    bad_rows: BadRows,
    seen_bad_rows: HashSet<BadRowId>,
}

/// A kept slot: what a detail read of its session needs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SlotRef {
    /// The provider's session id (empty unless the collector keeps ids).
    pub id: String,
    /// The list row's user, for a detail that has none.
    pub user_ref: Option<String>,
}

impl Collector {
    /// A collector for sessions that pass `filter`, remembering each kept
    /// session's id and user (`keep_ids`, for detail reads) or not.
    pub fn new(filter: StatusFilter, keep_ids: bool) -> Self {
        Collector {
            filter,
            keep_ids,
            ..Collector::default()
        }
    }

    /// Places a page's sessions in `listing`, each in its key's slot (a new
    /// key gets the next slot), `None` for a session the filter rejects;
    /// returns how many `pass` had not seen yet.
    pub fn add(
        &mut self,
        pass: &mut Pass,
        sessions: Vec<Session>,
        listing: &mut dyn Listing,
    ) -> usize {
        let mut new = 0;
        for s in sessions {
            let at = match self.positions.get(s.key.as_str()) {
                Some(&at) => at,
                None => {
                    let at = self.kept.len();
                    self.positions.insert(s.key.as_str().into(), at);
                    self.kept.push(false);
                    if self.keep_ids {
                        self.refs.push(SlotRef::default());
                    }
                    at
                }
            };
            if pass.see(at) {
                new += 1;
            }
            let kept = self.filter.keeps(&s);
            if let Some(slot) = self.kept.get_mut(at) {
                *slot = kept;
            }
            if let Some(slot) = self.refs.get_mut(at) {
                *slot = SlotRef {
                    id: s.id.clone(),
                    user_ref: s.user_ref.clone(),
                };
            }
            listing.place(at, kept.then_some(s));
        }
        new
    }

    /// Adds rows that were not sessions, each once across passes (by the
    /// provider's id when it has one, else by where it was), and returns how
    /// many `pass` had not seen: a page of only such rows is progress too.
    /// Rows a page only counted (past the ones it describes) are counted again.
    pub fn add_bad_rows(&mut self, pass: &mut Pass, rows: BadRows) -> usize {
        let undescribed = rows.count() - rows.len();
        let mut fresh_to_pass = 0;
        let mut fresh = BadRows::default();
        for row in rows.iter() {
            let id = BadRowId::of(row);
            if pass.bad.insert(id.clone()) {
                fresh_to_pass += 1;
            }
            if self.seen_bad_rows.insert(id) {
                fresh.push(row.clone());
            }
        }
        fresh.add_undescribed(undescribed);
        self.bad_rows.append(fresh);
        fresh_to_pass
    }

    /// The rows that were not sessions.
    pub fn take_bad_rows(&mut self) -> BadRows {
        std::mem::take(&mut self.bad_rows)
    }

    /// Slots so far (sessions seen, whether they pass the filter or not).
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The slots whose latest copy passes the filter, in slot order, with
    /// their references (empty unless the collector keeps ids).
    pub fn into_kept(self) -> impl Iterator<Item = (usize, SlotRef)> {
        let mut refs = self.refs.into_iter();
        self.kept
            .into_iter()
            .enumerate()
            .filter_map(move |(at, kept)| {
                let slot = refs.next().unwrap_or_default();
                kept.then_some((at, slot))
            })
    }
}

/// A row that was not a session: its provider id when it has one (the same
/// row read at another offset, the listing having shifted), else where it was.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BadRowId {
    /// The provider's id of the row.
    Id(String),
    /// Where the page started and the row's index in it.
    At(Option<u64>, usize),
}

impl BadRowId {
    fn of(row: &crate::providers::BadRow) -> Self {
        match &row.id {
            Some(id) => BadRowId::Id(id.clone()),
            None => BadRowId::At(row.page, row.index),
        }
    }
}

/// The slots (and rows that were not sessions) seen in one pass, to tell
/// when a page brings nothing new.
#[derive(Debug, Default)]
pub struct Pass {
    seen: Vec<bool>,
    bad: HashSet<BadRowId>,
}

impl Pass {
    /// Marks slot `at` seen; true when this pass had not seen it yet.
    fn see(&mut self, at: usize) -> bool {
        if at >= self.seen.len() {
            self.seen.resize(at + 1, false);
        }
        !std::mem::replace(&mut self.seen[at], true)
    }
}

/// Newest first (by `createdAt`, then `key` for a stable order).
pub fn sort_newest_first(sessions: &mut [Session]) {
    let times: Vec<(i64, u32)> = sessions
        .iter()
        .map(|s| crate::time::to_unix_exact(&s.created_at).unwrap_or((i64::MIN, 0)))
        .collect();
    let order = crate::order::positions(sessions.len(), &|a, b| {
        times[b]
            .cmp(&times[a])
            .then_with(|| sessions[a].key.cmp(&sessions[b].key))
    });
    crate::order::permute(sessions, order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Provider;

    #[test]
    fn collector_keeps_first_position_and_latest_copy() {
        let s = |key: &str, status: &str| {
            let mut s = crate::normalize_json(
                Provider::Didit,
                &format!(
                    r#"{{"session_id":"id-{key}","status":"{status}","created_at":"2026-01-01T00:00:00Z"}}"#
                ),
                &Default::default(),
            )
            .unwrap();
            s.key = key.into();
            s
        };
        let approved_only = StatusFilter {
            after: vec![crate::client::query::Wanted::Provider("Approved".into())],
            ..StatusFilter::default()
        };
        let mut c = Collector::new(approved_only, true);
        let mut listing: Vec<Option<Session>> = Vec::new();
        let mut pass = Pass::default();
        let added = c.add(
            &mut pass,
            vec![s("a", "Approved"), s("b", "Approved"), s("d", "Declined")],
            &mut listing,
        );
        assert_eq!(added, 3);
        assert!(
            listing[2].is_none(),
            "a filtered session keeps its slot, empty"
        );
        let added = c.add(
            &mut pass,
            vec![
                s("b", "Declined"),
                s("c", "Approved"),
                s("a", "Approved"),
                s("d", "Approved"),
            ],
            &mut listing,
        );
        assert_eq!(added, 1, "only c is new to this pass");
        let keys: Vec<_> = listing
            .iter()
            .map(|s| s.as_ref().map(|s| s.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![Some("a"), None, Some("d"), Some("c")],
            "the later copy wins its first slot: b now filtered out, d now kept"
        );
        let mut next_pass = Pass::default();
        assert_eq!(
            c.add(&mut next_pass, vec![s("c", "Approved")], &mut listing),
            1,
            "a new pass sees every slot afresh"
        );
        let kept: Vec<_> = c.into_kept().map(|(at, r)| (at, r.id)).collect();
        assert_eq!(
            kept,
            vec![
                (0, "id-a".to_string()),
                (2, "id-d".into()),
                (3, "id-c".into())
            ]
        );
    }

    #[test]
    fn newest_first_compares_instants_not_strings() {
        let mk = |key: &str, at: &str| {
            let mut s = crate::normalize_json(
                Provider::Didit,
                &format!(r#"{{"session_id":"{key}","status":"Approved","created_at":"{at}"}}"#),
                &Default::default(),
            )
            .unwrap();
            s.key = key.into();
            s
        };
        let mut v = vec![
            mk("a", "2026-01-01T00:00:00Z"),
            mk("b", "2026-01-01T00:00:00.500Z"),
            mk("c", "2025-01-01T00:00:00Z"),
            mk("d", "2026-01-01T00:00:00Z"),
            // Less than a millisecond apart: not a tie.
            mk("e", "2026-01-01T00:00:00.000300Z"),
            mk("f", "2026-01-01T00:00:00.000700Z"),
        ];
        sort_newest_first(&mut v);
        let keys: Vec<_> = v.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, vec!["b", "f", "e", "a", "d", "c"]);
    }
}
