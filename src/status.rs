//! Tolerant status matching shared by every status table.
//!
//! Each provider's own tables live in `providers/<provider>/`. Here: the check-status table that all providers
//! share (SPEC section 3). Nothing here knows a provider.

use crate::session::CheckStatus;
pub use crate::token::{matches, matches_prefix, token, Token};

/// Check status, the same for every provider (SPEC section 3), in the
/// providers' spellings; anything else is `unknown`.
pub const CHECK_STATUSES: &[(&str, CheckStatus)] = &[
    ("VALIDATED", CheckStatus::Approved),
    ("Approved", CheckStatus::Approved),
    ("REFUSED", CheckStatus::Declined),
    ("Declined", CheckStatus::Declined),
    ("REVIEW", CheckStatus::InReview),
    ("In Review", CheckStatus::InReview),
    ("Not Finished", CheckStatus::NotFinished),
];

/// The unified status of a check, from [`CHECK_STATUSES`].
pub fn map_check_status(status: &str) -> CheckStatus {
    let t = token(status);
    CHECK_STATUSES
        .iter()
        .find(|(documented, _)| matches(documented, &t))
        .map_or(CheckStatus::Unknown, |(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_status_spellings_fold_to_their_token() {
        for (documented, _) in CHECK_STATUSES {
            assert!(matches(documented, &token(documented)), "{documented}");
        }
    }

    #[test]
    fn check_statuses() {
        for (raw, want) in [
            ("VALIDATED", CheckStatus::Approved),
            ("Approved", CheckStatus::Approved),
            ("APPROVED", CheckStatus::Approved),
            ("REFUSED", CheckStatus::Declined),
            ("Declined", CheckStatus::Declined),
            ("REVIEW", CheckStatus::InReview),
            ("In Review", CheckStatus::InReview),
            ("IN_REVIEW", CheckStatus::InReview),
            ("Not Finished", CheckStatus::NotFinished),
            ("NOT_FINISHED", CheckStatus::NotFinished),
            ("RESUB_REQUESTED", CheckStatus::Unknown),
            ("", CheckStatus::Unknown),
        ] {
            assert_eq!(map_check_status(raw), want, "{raw}");
        }
    }
}
