//! Mangopay's tables as data, in its documented spellings: statuses to the
//! unified status, check names to check kinds.

use crate::providers::table::{KindRow, StatusRow};
use crate::session::{CheckKind, SessionStatus::*};

/// Mangopay `Status` to the unified status. `PENDING`: not yet submitted
/// (Mangopay does not say whether the user began); `OUTDATED` is the spelling
/// before 2025-05-23; `EXPIRED`, `TIMEOUT`, `ERROR` come from newer docs and
/// the SDKs. Anything else is `unknown`.
pub const STATUSES: &[StatusRow] = &[
    StatusRow::new("PENDING", InProgress),
    StatusRow::new("REVIEW", InReview),
    StatusRow::new("VALIDATED", Approved),
    StatusRow::new("REFUSED", Declined),
    StatusRow::new("EXPIRED", Expired),
    StatusRow::new("TIMEOUT", Abandoned),
    StatusRow::new("OUT_OF_DATE", Outdated),
    StatusRow::new("OUTDATED", Outdated),
    StatusRow::new("ERROR", Error),
];

/// Mangopay check `Type` to a check kind; anything else is `other`.
pub const CHECK_KINDS: &[KindRow] = &[
    KindRow::new("IDENTITY_DOCUMENT_VERIFICATION", CheckKind::Document),
    KindRow::new("IDV_AGE_CHECK", CheckKind::Age),
    KindRow::new("IDV_NAME_MATCH_CHECK", CheckKind::NameMatch),
    KindRow::new("BUSINESS_VERIFICATION", CheckKind::Business),
    KindRow::new("BUSINESS_NAME_MATCH", CheckKind::Business),
    KindRow::new("BUSINESS_INSIGHTS_MATCH", CheckKind::Business),
    KindRow::new("PSC_*", CheckKind::Business),
];
