//! Didit's tables as data, in its documented spellings: statuses to the
//! unified status, check names to check kinds.

use crate::providers::table::{KindRow, StatusRow};
use crate::session::{CheckKind, SessionStatus::*};

/// Didit `status` to the unified status (docs spell them with spaces; KYB
/// pages in UPPER_SNAKE: matching is tolerant). Anything else is `unknown`.
pub const STATUSES: &[StatusRow] = &[
    StatusRow::new("Not Started", NotStarted),
    StatusRow::new("In Progress", InProgress),
    StatusRow::new("Awaiting User", InProgress),
    StatusRow::new("In Review", InReview),
    StatusRow::new("Approved", Approved),
    StatusRow::new("Declined", Declined),
    StatusRow::new("Resubmitted", ResubmissionRequested),
    StatusRow::new("Expired", Expired),
    StatusRow::new("Abandoned", Abandoned),
    StatusRow::new("Kyc Expired", Outdated),
];

/// Didit feature names (list `features[].feature`, decision `features`) and
/// decision block names to check kinds; anything else is `other`.
pub const CHECK_KINDS: &[KindRow] = &[
    KindRow::new("ID_VERIFICATION", CheckKind::Document),
    KindRow::new("id_verifications", CheckKind::Document),
    KindRow::new("LIVENESS", CheckKind::Liveness),
    KindRow::new("liveness_checks", CheckKind::Liveness),
    KindRow::new("FACE_MATCH", CheckKind::FaceMatch),
    KindRow::new("face_matches", CheckKind::FaceMatch),
    KindRow::new("AGE_ESTIMATION", CheckKind::Age),
    KindRow::new("AML", CheckKind::Aml),
    KindRow::new("aml_screenings", CheckKind::Aml),
    KindRow::new("POA", CheckKind::ProofOfAddress),
    KindRow::new("poa_verifications", CheckKind::ProofOfAddress),
    KindRow::new("NFC", CheckKind::Nfc),
    KindRow::new("nfc_verifications", CheckKind::Nfc),
    KindRow::new("PHONE", CheckKind::Phone),
    KindRow::new("phone_verifications", CheckKind::Phone),
    KindRow::new("EMAIL", CheckKind::Email),
    // The console's webhook sample spells the feature this way.
    KindRow::new("EMAIL_VERIFICATION", CheckKind::Email),
    KindRow::new("email_verifications", CheckKind::Email),
    KindRow::new("IP_ANALYSIS", CheckKind::IpAnalysis),
    KindRow::new("ip_analyses", CheckKind::IpAnalysis),
    KindRow::new("DATABASE_VALIDATION", CheckKind::Database),
    KindRow::new("database_validations", CheckKind::Database),
];
