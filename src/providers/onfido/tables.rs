//! Onfido's tables as data, in its documented spellings: workflow run
//! statuses to the unified status, report names to check kinds
//! (`../shared/providers-next.md` section 2.3, SPEC section 9).

use crate::providers::table::{KindRow, StatusRow};
use crate::session::{CheckKind, SessionStatus::*};

/// Workflow run `status` (spec `workflow_run_status`). Anything else is `unknown`.
pub const STATUSES: &[StatusRow] = &[
    StatusRow::new("awaiting_input", InProgress),
    StatusRow::new("processing", InReview),
    StatusRow::new("awaiting_client_input", InReview),
    StatusRow::new("review", InReview),
    StatusRow::new("approved", Approved),
    StatusRow::new("declined", Declined),
    StatusRow::new("abandoned", Abandoned),
    StatusRow::new("error", Error),
];

/// Report `name`s to check kinds; anything else is `other`.
pub const CHECK_KINDS: &[KindRow] = &[
    KindRow::new("document*", CheckKind::Document),
    KindRow::new("facial_similarity_photo*", CheckKind::FaceMatch),
    KindRow::new("facial_similarity_video", CheckKind::Liveness),
    KindRow::new("facial_similarity_motion", CheckKind::Liveness),
    KindRow::new("watchlist_*", CheckKind::Aml),
    KindRow::new("proof_of_address", CheckKind::ProofOfAddress),
    KindRow::new("identity_enhanced", CheckKind::Database),
    KindRow::new("us_driving_licence", CheckKind::Database),
    KindRow::new("india_pan", CheckKind::Database),
    KindRow::new("device_intelligence", CheckKind::IpAnalysis),
];
