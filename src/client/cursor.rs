//! `sessions()`: a listing read lazily, one page when the sessions before
//! it are used up, each session once. A page that brings no session not
//! already read ends the walk with `incomplete` (a server that ignores the
//! offset but always names a next page would otherwise be read forever).

use super::engine::{CallOptions, Engine};
use super::http::Transport;
use super::query::ListQuery;
use crate::error::{ErrorCode, IdvError};
use crate::providers::BadRows;
use crate::session::{Provider, Session};
use std::collections::{HashSet, VecDeque};

/// Pages in a row made only of rows that are not sessions that are read on
/// before the walk gives up (they cannot show whether the offset moved).
const MAX_PAGES_WITHOUT_SESSIONS: u32 = 100;

/// Where a lazy listing stands: the next page's query, the sessions of the
/// current page not yet handed out, the keys already handed out.
#[derive(Debug)]
pub struct SessionCursor {
    provider: Provider,
    options: CallOptions,
    /// The query of the next page; kept when fetching it fails, so that the
    /// next call tries it again.
    next: Option<ListQuery>,
    buffer: VecDeque<Session>,
    seen: HashSet<Box<str>>,
    pages_without_sessions: u32,
    /// The rows of the pages read that were not sessions, not yet taken.
    bad_rows: BadRows,
}

impl SessionCursor {
    /// A cursor at the page `query` names.
    pub fn new(provider: Provider, query: ListQuery, options: CallOptions) -> Self {
        SessionCursor {
            provider,
            options,
            next: Some(query),
            buffer: VecDeque::new(),
            seen: HashSet::new(),
            pages_without_sessions: 0,
            bad_rows: BadRows::default(),
        }
    }

    /// The rows that were not sessions in the pages read since the last
    /// call (described up to the usual limit, all counted).
    pub fn take_bad_rows(&mut self) -> BadRows {
        std::mem::take(&mut self.bad_rows)
    }

    /// The provider listed.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The next session, reading pages as needed; `None` after the last.
    ///
    /// # Errors
    /// A page's error (the same page is read again by the next call), or
    /// `incomplete` when a page brings nothing new.
    pub async fn next(
        &mut self,
        engine: &Engine,
        t: &dyn Transport,
    ) -> Result<Option<Session>, IdvError> {
        loop {
            if let Some(session) = self.buffer.pop_front() {
                return Ok(Some(session));
            }
            let Some(query) = &self.next else {
                return Ok(None);
            };
            let (page, fresh) = engine
                .read_page(t, self.provider, query, &self.options, Some(&mut self.seen))
                .await?;
            let sessions_in_page = page.rows.saturating_sub(page.bad_rows.count() as u64);
            if fresh == 0 && page.rows > 0 {
                self.pages_without_sessions += 1;
                if sessions_in_page > 0 || self.pages_without_sessions > MAX_PAGES_WITHOUT_SESSIONS
                {
                    self.next = None;
                    return Err(IdvError {
                        retryable: true,
                        ..IdvError::new(
                            ErrorCode::Incomplete,
                            Some(self.provider),
                            format!(
                                "{}: sessions: a page brought no session not already read (the \
                                 provider repeated a page or ignored the offset); {} sessions read",
                                self.provider,
                                self.seen.len()
                            ),
                        )
                    });
                }
            } else {
                self.pages_without_sessions = 0;
            }
            self.next = page.next;
            self.buffer.extend(page.sessions);
            self.bad_rows.append(page.bad_rows);
        }
    }
}
