//! Equals's tables as data, in its documented spellings: statuses to the
//! unified status.

use crate::providers::table::StatusRow;
use crate::session::SessionStatus::*;

/// Equals `status` (+ `result`, present only when `completed`) to the unified
/// status; a `completed` row with an unlisted result, and any other status,
/// are `unknown`.
pub const STATUSES: &[StatusRow] = &[
    StatusRow::new("to_be_completed", NotStarted),
    StatusRow::new("in_progress", InProgress),
    StatusRow::with_result("completed", None, InReview),
    StatusRow::with_result("completed", Some("approved"), Approved),
    StatusRow::with_result("completed", Some("declined"), Declined),
    StatusRow::with_result(
        "completed",
        Some("resubmission_requested"),
        ResubmissionRequested,
    ),
    StatusRow::new("expired", Expired),
];
