//! Status and check-kind tables as data, and everything derived from them:
//! lookups (tolerant of case, spaces, dashes and underscores), the provider
//! spellings of a unified status (server-side filters), and the README and
//! test rows. Each provider writes its tables once, in its documented spellings.

use crate::session::{CheckKind, SessionStatus};
use crate::status::{matches, matches_prefix, token};

/// One row of a provider's status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRow {
    /// The provider's status, as documented.
    pub status: &'static str,
    /// The result that must come with it (Equals `result`, Stripe
    /// `last_error.code`); `None`: no result; `"*"`: any result no other row
    /// of the status names. A status listed only with `None` ignores any result.
    pub result: Option<&'static str>,
    /// The unified status.
    pub unified: SessionStatus,
}

impl StatusRow {
    /// A row whose status alone decides.
    pub const fn new(status: &'static str, unified: SessionStatus) -> Self {
        StatusRow {
            status,
            result: None,
            unified,
        }
    }

    /// A row for a status with a result.
    pub const fn with_result(
        status: &'static str,
        result: Option<&'static str>,
        unified: SessionStatus,
    ) -> Self {
        StatusRow {
            status,
            result,
            unified,
        }
    }
}

/// One row of a provider's check-kind table. A name ending in `*` matches
/// every name that starts with the rest (`PSC_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindRow {
    /// The provider's check type, feature or decision block name, as documented.
    pub name: &'static str,
    /// The unified kind.
    pub kind: CheckKind,
}

impl KindRow {
    /// A row.
    pub const fn new(name: &'static str, kind: CheckKind) -> Self {
        KindRow { name, kind }
    }
}

/// The result of a row that takes any result no other row of its status names.
pub const ANY_RESULT: &str = "*";

/// The unified status of `status` (and `result`) in `table`; `unknown` when unlisted.
///
/// A status listed with results must come with one of them (a missing or
/// empty result matches the row without one); a status listed only without
/// a result ignores any result.
pub fn lookup_status(table: &[StatusRow], status: &str, result: Option<&str>) -> SessionStatus {
    let status = token(status);
    let mut rows = table
        .iter()
        .filter(|r| matches(r.status, &status))
        .peekable();
    let Some(first) = rows.peek().copied() else {
        return SessionStatus::Unknown;
    };
    let uses_result = table
        .iter()
        .any(|r| r.result.is_some() && matches(r.status, &status));
    if !uses_result {
        return first.unified;
    }
    let result = result.map(token).filter(|r| !r.as_str().is_empty());
    let named = rows.find(|r| match (r.result, &result) {
        (None, None) => true,
        (Some(want), Some(got)) => want != ANY_RESULT && matches(want, got),
        _ => false,
    });
    let any = || {
        result.as_ref()?;
        table
            .iter()
            .find(|r| r.result == Some(ANY_RESULT) && matches(r.status, &status))
    };
    named
        .or_else(any)
        .map_or(SessionStatus::Unknown, |r| r.unified)
}

/// The table row spelled like `text` (tolerantly), when there is one.
pub fn find_status<'t>(table: &'t [StatusRow], text: &str) -> Option<&'t StatusRow> {
    let t = token(text);
    table.iter().find(|r| matches(r.status, &t))
}

/// The provider's spellings of a unified status (each once, in table order).
pub fn spellings(table: &[StatusRow], unified: SessionStatus) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for row in table.iter().filter(|r| r.unified == unified) {
        if !out.contains(&row.status) {
            out.push(row.status);
        }
    }
    out
}

/// The kind of a check type, feature or block name in `table`; `other` when unlisted.
pub fn lookup_kind(table: &[KindRow], name: &str) -> CheckKind {
    let t = token(name);
    table
        .iter()
        .find(|row| match row.name.strip_suffix('*') {
            Some(prefix) => matches_prefix(prefix, &t),
            None => matches(row.name, &t),
        })
        .map_or(CheckKind::Other, |row| row.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Provider;

    #[test]
    fn every_spelling_folds_to_its_own_token() {
        for p in Provider::ALL {
            for row in p.api().statuses() {
                assert!(matches(row.status, &token(row.status)), "{p} {row:?}");
                if let Some(r) = row.result {
                    assert!(matches(r, &token(r)), "{p} {row:?}");
                }
            }
            for row in p.api().check_kinds() {
                match row.name.strip_suffix('*') {
                    Some(prefix) => assert!(
                        matches_prefix(prefix, &token(&format!("{prefix}X"))),
                        "{p} {row:?}"
                    ),
                    None => assert!(matches(row.name, &token(row.name)), "{p} {row:?}"),
                }
            }
        }
    }

    /// Every row of every provider's table, as documented, in UPPER_SNAKE,
    /// lower case with spaces and lower_snake.
    #[test]
    fn every_row_maps_in_every_spelling() {
        for p in Provider::ALL {
            for row in p.api().statuses() {
                let doc = row.status;
                for spelling in [
                    doc.to_string(),
                    doc.replace(' ', "_").to_uppercase(),
                    doc.replace('_', " ").to_lowercase(),
                    doc.replace(' ', "_").to_lowercase(),
                ] {
                    let result = row.result.map(str::to_uppercase);
                    assert_eq!(
                        crate::providers::map_status(p, &spelling, result.as_deref()),
                        row.unified,
                        "{p} {spelling} {result:?}"
                    );
                }
                // The inverse names this spelling for its unified status.
                assert!(spellings(p.api().statuses(), row.unified).contains(&doc));
            }
            assert_eq!(
                crate::providers::map_status(p, "surely not a status", None),
                SessionStatus::Unknown
            );
            for row in p.api().check_kinds() {
                let name = row.name.replace('*', "ANY_CHECK");
                assert_eq!(
                    crate::providers::check_kind(p, &name),
                    row.kind,
                    "{p} {name}"
                );
                assert_eq!(
                    crate::providers::check_kind(p, &name.to_lowercase()),
                    row.kind,
                    "{p} {name}"
                );
            }
        }
    }

    #[test]
    fn results_only_matter_for_statuses_listed_with_results() {
        use SessionStatus::*;
        const T: &[StatusRow] = &[
            StatusRow::new("open", InProgress),
            StatusRow::with_result("done", None, InReview),
            StatusRow::with_result("done", Some("ok"), Approved),
        ];
        assert_eq!(lookup_status(T, "OPEN", Some("ok")), InProgress);
        assert_eq!(lookup_status(T, "done", None), InReview);
        assert_eq!(lookup_status(T, "done", Some("")), InReview);
        assert_eq!(lookup_status(T, "done", Some("OK")), Approved);
        assert_eq!(lookup_status(T, "done", Some("maybe")), Unknown);
        assert_eq!(lookup_status(T, "other", None), Unknown);
        assert_eq!(spellings(T, InReview), vec!["done"]);
        assert!(spellings(T, Error).is_empty());
        assert_eq!(find_status(T, "DONE").map(|r| r.status), Some("done"));
    }

    #[test]
    fn kind_prefix_rows() {
        const K: &[KindRow] = &[
            KindRow::new("BUSINESS_VERIFICATION", CheckKind::Business),
            KindRow::new("PSC_*", CheckKind::Business),
        ];
        assert_eq!(lookup_kind(K, "psc_role_check"), CheckKind::Business);
        assert_eq!(lookup_kind(K, "PSC"), CheckKind::Other);
        assert_eq!(lookup_kind(K, "business verification"), CheckKind::Business);
        assert_eq!(lookup_kind(K, "x"), CheckKind::Other);
    }

    #[test]
    fn a_row_for_any_result_takes_what_no_other_row_names() {
        use SessionStatus::*;
        const T: &[StatusRow] = &[
            StatusRow::new("requires_input", InProgress),
            StatusRow::with_result("requires_input", Some("*"), ResubmissionRequested),
            StatusRow::with_result("requires_input", Some("abandoned"), Abandoned),
        ];
        assert_eq!(lookup_status(T, "requires_input", None), InProgress);
        assert_eq!(lookup_status(T, "requires_input", Some(" ")), InProgress);
        assert_eq!(
            lookup_status(T, "requires_input", Some("ABANDONED")),
            Abandoned
        );
        assert_eq!(
            lookup_status(T, "requires_input", Some("document_expired")),
            ResubmissionRequested
        );
        assert_eq!(
            lookup_status(T, "requires_input", Some("é")),
            ResubmissionRequested
        );
        assert_eq!(lookup_status(T, "verified", Some("x")), Unknown);
    }
}
