//! Slices of a cursor listing: a provider that pages by cursor and filters
//! by creation time (Stripe: `starting_after`, `created[gte|lte]`) is
//! walked faster as several ranges of creation times, each by its own
//! cursor, concurrently. The account's oldest session is unknown (no total,
//! no ascending order), so the range below the first page is an open tail:
//! it is cut into bounded slices sized from the density the pages show, and
//! an open tail below them, cut again when its turn comes.

use crate::protocol::query::ListQuery;
use crate::session::Session;

/// Pages of the density seen that one slice is sized for.
pub const PAGES_PER_SLICE: i64 = 4;

/// A range of creation times to walk by cursor, in Unix seconds, both
/// bounds included; the tail has the listing's lower bound (or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// Created at or after (`None`: no bound).
    pub from: Option<i64>,
    /// Created at or before.
    pub to: i64,
    /// The open tail: everything from `from` to `to` not yet cut into slices.
    pub tail: bool,
}

impl Slice {
    /// The query of this slice: `base` with its creation bounds (`dateFrom`,
    /// `dateTo` as RFC 3339 instants) and a cursor.
    pub fn query(&self, base: &ListQuery, after: Option<String>) -> ListQuery {
        let instant = |s: i64| crate::time::from_unix_int(s).unwrap_or_default();
        let mut query = ListQuery {
            after,
            ..base.clone()
        };
        query = query.and("dateTo", instant(self.to));
        match self.from {
            Some(from) => query.and("dateFrom", instant(from)),
            None => {
                query.filters.retain(|(n, _)| *n != "dateFrom");
                query
            }
        }
    }
}

/// The range `[floor, to]` cut into at most `parts` bounded slices of
/// `span` seconds times [`PAGES_PER_SLICE`] each, newest first, then the
/// open tail below them (none once `floor` is reached).
pub fn cut(to: i64, floor: Option<i64>, span: i64, parts: usize) -> Vec<Slice> {
    let width = span.max(1).saturating_mul(PAGES_PER_SLICE);
    let mut out = Vec::new();
    let mut top = to;
    for _ in 0..parts.max(1) {
        let bottom = top.saturating_sub(width).saturating_add(1);
        if floor.is_some_and(|f| bottom <= f) {
            out.push(Slice {
                from: floor,
                to: top,
                tail: false,
            });
            return out;
        }
        out.push(Slice {
            from: Some(bottom),
            to: top,
            tail: false,
        });
        top = bottom.saturating_sub(1);
    }
    out.push(Slice {
        from: floor,
        to: top,
        tail: true,
    });
    out
}

/// The newest and oldest creation times of `sessions`, in Unix seconds.
pub fn created_range(sessions: &[Session]) -> Option<(i64, i64)> {
    let secs =
        |s: &Session| crate::time::to_unix_millis(&s.created_at).map(|ms| ms.div_euclid(1000));
    Some((secs(sessions.first()?)?, secs(sessions.last()?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_tile_the_range_newest_first_then_the_tail() {
        let slices = cut(1000, None, 10, 3);
        assert_eq!(
            slices,
            vec![
                Slice {
                    from: Some(961),
                    to: 1000,
                    tail: false
                },
                Slice {
                    from: Some(921),
                    to: 960,
                    tail: false
                },
                Slice {
                    from: Some(881),
                    to: 920,
                    tail: false
                },
                Slice {
                    from: None,
                    to: 880,
                    tail: true
                },
            ]
        );
        // A floor ends the cutting: no tail below it.
        assert_eq!(
            cut(1000, Some(950), 10, 3),
            vec![
                Slice {
                    from: Some(961),
                    to: 1000,
                    tail: false
                },
                Slice {
                    from: Some(950),
                    to: 960,
                    tail: false
                }
            ]
        );
        // No span (every row in one second): one-second-wide steps, still progress.
        assert_eq!(
            cut(5, None, 0, 1)[0],
            Slice {
                from: Some(2),
                to: 5,
                tail: false
            }
        );
    }

    #[test]
    fn a_slice_is_the_base_query_with_its_bounds() {
        let base = ListQuery::with("clientReferenceId", "u1").and("dateFrom", "2020-01-01");
        let q = Slice {
            from: Some(0),
            to: 60,
            tail: false,
        }
        .query(&base, Some("vs_1".into()));
        assert_eq!(q.filter("dateFrom"), Some("1970-01-01T00:00:00Z"));
        assert_eq!(q.filter("dateTo"), Some("1970-01-01T00:01:00Z"));
        assert_eq!(q.filter("clientReferenceId"), Some("u1"));
        assert_eq!(q.after.as_deref(), Some("vs_1"));
        let q = Slice {
            from: None,
            to: 60,
            tail: true,
        }
        .query(&base, None);
        assert_eq!(q.filter("dateFrom"), None);
    }
}
