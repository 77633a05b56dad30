//! Tolerant status matching shared by the providers' status tables.
//!
//! Each provider's own table lives in `providers/<provider>.rs` (`map_status`).
//! Here: the token form every table matches on, and the check-status table that
//! all providers share (SPEC section 3).

use crate::session::{CheckStatus, Provider, SessionStatus};

/// The form statuses are compared in: trimmed, ASCII lower case, runs of spaces,
/// dashes and underscores turned into one `_`. So `Kyc Expired`,
/// `KYC_EXPIRED` and `kyc expired` are all `kyc_expired`.
pub fn token(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_sep = false;
    for c in text.trim().chars() {
        if c == ' ' || c == '_' || c == '-' || c == '\t' {
            pending_sep = !out.is_empty();
        } else {
            if pending_sep {
                out.push('_');
                pending_sep = false;
            }
            // Statuses are ASCII; ASCII folding keeps Unicode case tables out of the wasm.
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The unified status for a provider's status text (and, for Equals, its `result`).
///
/// Never fails: anything not in the provider's table is [`SessionStatus::Unknown`].
pub fn map_status(provider: Provider, status: &str, result: Option<&str>) -> SessionStatus {
    match provider {
        Provider::Mangopay => crate::providers::mangopay::map_status(status),
        Provider::Equals => crate::providers::equals::map_status(status, result),
        Provider::Didit => crate::providers::didit::map_status(status),
    }
}

/// Check status, the same for every provider:
///
/// | provider check status | unified |
/// |---|---|
/// | `VALIDATED`, `Approved` | `approved` |
/// | `REFUSED`, `Declined` | `declined` |
/// | `REVIEW`, `In Review` | `in_review` |
/// | `Not Finished` | `not_finished` |
/// | anything else | `unknown` |
pub fn map_check_status(status: &str) -> CheckStatus {
    match token(status).as_str() {
        "validated" | "approved" => CheckStatus::Approved,
        "refused" | "declined" => CheckStatus::Declined,
        "review" | "in_review" => CheckStatus::InReview,
        "not_finished" => CheckStatus::NotFinished,
        _ => CheckStatus::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_folds_case_spaces_and_underscores() {
        assert_eq!(token("Kyc Expired"), "kyc_expired");
        assert_eq!(token("KYC_EXPIRED"), "kyc_expired");
        assert_eq!(token("  in   review "), "in_review");
        assert_eq!(token("OUT-OF-DATE"), "out_of_date");
        assert_eq!(token("_x_"), "x");
        assert_eq!(token(""), "");
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
