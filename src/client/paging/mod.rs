//! Paging plans and de-duplication.
//!
//! After the first page the total is usually known (Mangopay
//! `x-number-of-pages`, Equals and Didit `count`), so the rest of the pages
//! are planned up front and fetched concurrently. A *pass* is the first page
//! plus its planned pages. When the pages of a pass report different totals,
//! sessions were inserted (or deleted) while paging and offsets shifted; a
//! new pass is made until one pass sees a single total, which is then a
//! consistent snapshot. De-duplication by `key` merges the passes.

mod chain;
mod collector;
mod plan;

pub use crate::protocol::page::{PageMeta, PageRef};
pub use chain::{Chain, Link, PageKeys};
pub use collector::{sort_newest_first, BadRowId, Collector, Listing, Pass, SlotRef};
pub use plan::{first_ref, next_query, next_ref, page_size, plan_rest, Plan};
