//! Listing by cursor: one walk, page after page, or slices of creation
//! time walked concurrently (see [`slices`]) and placed in the provider's
//! order.

use super::{Problem, Walk};
use crate::client::api::ListPage;
use crate::client::engine::Engine;
use crate::client::http::Transport;
use crate::client::paging::{self, Pass};
use crate::client::query::ListQuery;
use crate::client::slices::{self, created_range};
use crate::error::IdvError;
use crate::protocol::page::PageRef;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::VecDeque;

/// A cursor page that says more follow without saying where from.
const STUCK_CURSOR: &str = "a page said more follow, but its last row gave no new id to go on from";

impl Engine {
    /// A pass over a cursor: page after page, each starting after the last
    /// row of the one before. The walk is anchored to rows, not positions:
    /// sessions arriving at the head of a newest-first list shift nothing.
    /// Complete when the provider says no page follows; a page that brings
    /// no row not already listed means the provider ignored the cursor.
    /// `more` and `next`: what the page before said (more follow, from where).
    pub(super) async fn cursor_pass(
        &self,
        t: &dyn Transport,
        walk: &mut Walk<'_>,
        pass: &mut Pass,
        page_ref: PageRef,
        mut more: bool,
        mut next: Option<ListQuery>,
    ) -> Result<Problem, IdvError> {
        loop {
            let Some(query) = next else {
                return Ok(more.then_some(STUCK_CURSOR));
            };
            let mut page = self
                .fetch_page(t, walk.provider, &query, page_ref, walk.normalize)
                .await?;
            more = paging::next_ref(page_ref, &page).is_some();
            next = paging::next_query(page_ref, &page, &query);
            let rows = page.rows;
            if walk.add(pass, &mut page)? == 0 && rows > 0 {
                return Ok(Some("a page brought no row not already listed"));
            }
        }
    }

    /// A pass over a cursor in slices of creation time (see [`slices`]):
    /// up to `concurrency` slices walked at once, each by its own cursor; the
    /// open tail, when its turn comes, is cut again at the density its first
    /// page shows. Every session below the first page lies in exactly one
    /// slice; sessions arriving meanwhile are newer than every slice. Slices
    /// are numbered newest first, and a slice's pages are placed only once
    /// every newer slice is placed: the listing keeps the provider's order.
    pub(super) async fn sliced_pass(
        &self,
        t: &dyn Transport,
        walk: &mut Walk<'_>,
        pass: &mut Pass,
        page_ref: PageRef,
        slices: Vec<slices::Slice>,
    ) -> Result<Problem, IdvError> {
        /// A slice (its rank: newest first), and where its walk stands.
        struct Job {
            slice: slices::Slice,
            rank: usize,
            after: Option<String>,
            first: bool,
        }
        let (provider, base, normalize) = (walk.provider, walk.query, walk.normalize);
        let width = self.config.concurrency.max(1);
        let mut queue: VecDeque<Job> = VecDeque::new();
        // Per rank: the pages not placed yet (with whether each is its slice's
        // first), and whether the slice's walk has ended.
        let mut held: Vec<(VecDeque<(ListPage, bool)>, bool)> = Vec::new();
        let add_slices = |queue: &mut VecDeque<Job>, held: &mut Vec<_>, cut: Vec<slices::Slice>| {
            for slice in cut {
                queue.push_back(Job {
                    slice,
                    rank: held.len(),
                    after: None,
                    first: true,
                });
                held.push((VecDeque::new(), false));
            }
        };
        add_slices(&mut queue, &mut held, slices);
        let mut placing = 0;
        let mut running = FuturesUnordered::new();
        loop {
            while running.len() < width {
                let Some(job) = queue.pop_front() else { break };
                let query = job.slice.query(base, job.after.clone());
                running.push(async move {
                    let page = self
                        .fetch_page(t, provider, &query, page_ref, normalize)
                        .await;
                    (job, query, page)
                });
            }
            let Some((job, query, page)) = running.next().await else {
                return Ok(None);
            };
            let page = page?;
            let more = paging::next_ref(page_ref, &page).is_some();
            let next = paging::next_query(page_ref, &page, &query);
            let range = created_range(&page.sessions);
            let rank = job.rank;
            if let Some(slot) = held.get_mut(rank) {
                slot.0.push_back((page, job.first));
            }
            match next {
                None if more => return Ok(Some(STUCK_CURSOR)),
                None => {
                    if let Some(slot) = held.get_mut(rank) {
                        slot.1 = true;
                    }
                }
                Some(next) => {
                    let idle = width.saturating_sub(running.len() + queue.len());
                    match range {
                        // The tail, with hands free: cut what is left below this page.
                        Some((top, last)) if job.slice.tail && idle > 0 => {
                            if let Some(slot) = held.get_mut(rank) {
                                slot.1 = true;
                            }
                            let cut = slices::cut(last, job.slice.from, top - last, idle);
                            add_slices(&mut queue, &mut held, cut);
                        }
                        _ => queue.push_back(Job {
                            after: next.after,
                            first: false,
                            ..job
                        }),
                    }
                }
            }
            // Place what the provider's order allows.
            while let Some((pages, ended)) = held.get_mut(placing) {
                match pages.pop_front() {
                    Some((mut page, first)) => {
                        let rows = page.rows;
                        // A slice's first page may repeat rows of its upper bound's second.
                        if walk.add(pass, &mut page)? == 0 && rows > 0 && !first {
                            return Ok(Some("a page brought no row not already listed"));
                        }
                    }
                    None if *ended => placing += 1,
                    None => break,
                }
            }
        }
    }
}
