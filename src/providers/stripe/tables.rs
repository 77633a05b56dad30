//! Stripe Identity's tables as data (`../shared/providers-next.md` section
//! 1.3, SPEC section 9): a VerificationSession `status`, qualified by its
//! `last_error.code`, to the unified status; the report's checks to kinds.

use crate::providers::table::{KindRow, StatusRow};
use crate::session::{CheckKind, SessionStatus::*};

/// `status` (+ `last_error.code`). Anything else is `unknown`.
pub const STATUSES: &[StatusRow] = &[
    StatusRow::new("requires_input", InProgress),
    StatusRow::with_result("requires_input", Some("abandoned"), Abandoned),
    StatusRow::with_result("requires_input", Some("*"), ResubmissionRequested),
    StatusRow::new("processing", InReview),
    StatusRow::new("verified", Approved),
    StatusRow::new("canceled", Canceled),
];

/// The VerificationReport's checks.
pub const CHECK_KINDS: &[KindRow] = &[
    KindRow::new("document", CheckKind::Document),
    KindRow::new("selfie", CheckKind::FaceMatch),
    KindRow::new("id_number", CheckKind::Database),
    KindRow::new("email", CheckKind::Email),
    KindRow::new("phone", CheckKind::Phone),
];
