//! Single-threaded async coordination for the engine (wasm has one thread;
//! nothing here is `Send`): a FIFO semaphore for the per-provider in-flight
//! limit and the iterator's queue, and a change signal for shared work such as
//! the one token request every call waits on.
//!
//! Every waiter that is dropped (its call aborted or abandoned) leaves the
//! queue, and a dropped permit is returned: nothing is ever held by a call
//! that no longer exists.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A FIFO semaphore.
#[derive(Debug)]
pub struct Semaphore {
    state: RefCell<SemState>,
}

#[derive(Debug)]
struct SemState {
    permits: usize,
    next_id: u64,
    /// Waiters in arrival order, with their latest waker.
    queue: VecDeque<(u64, Option<Waker>)>,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            state: RefCell::new(SemState {
                permits,
                next_id: 0,
                queue: VecDeque::new(),
            }),
        }
    }

    /// Waits for a permit, in arrival order; the permit is returned when dropped.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            sem: self,
            id: None,
        }
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.state.borrow().permits
    }

    fn wake_front(state: &mut SemState) {
        if state.permits > 0 {
            if let Some((_, Some(waker))) = state.queue.front_mut() {
                waker.wake_by_ref();
            }
        }
    }
}

/// The future of [`Semaphore::acquire`].
#[derive(Debug)]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    id: Option<u64>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let sem = self.sem;
        let mut state = sem.state.borrow_mut();
        let first_in_line = match self.id {
            None => state.queue.is_empty(),
            Some(id) => state.queue.front().is_some_and(|(front, _)| *front == id),
        };
        if state.permits > 0 && first_in_line {
            state.permits -= 1;
            if let Some(id) = self.id.take() {
                state.queue.retain(|(i, _)| *i != id);
            }
            // The next in line may find a permit too.
            Semaphore::wake_front(&mut state);
            return Poll::Ready(Permit { sem });
        }
        match self.id {
            Some(id) => {
                if let Some(entry) = state.queue.iter_mut().find(|(i, _)| *i == id) {
                    entry.1 = Some(cx.waker().clone());
                }
            }
            None => {
                let id = state.next_id;
                state.next_id += 1;
                state.queue.push_back((id, Some(cx.waker().clone())));
                drop(state);
                self.id = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            let mut state = self.sem.state.borrow_mut();
            state.queue.retain(|(i, _)| *i != id);
            Semaphore::wake_front(&mut state);
        }
    }
}

/// A permit of a [`Semaphore`], returned on drop.
#[derive(Debug)]
pub struct Permit<'a> {
    sem: &'a Semaphore,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.sem.state.borrow_mut();
        state.permits += 1;
        Semaphore::wake_front(&mut state);
    }
}

/// A generation counter that tasks can wait on: [`Changes::bump`] wakes
/// every task waiting in [`Changes::changed`].
#[derive(Debug, Default)]
pub struct Changes {
    state: RefCell<(u64, Vec<Waker>)>,
}

impl Changes {
    /// The current generation.
    pub fn generation(&self) -> u64 {
        self.state.borrow().0
    }

    /// A new generation: every waiter wakes up.
    pub fn bump(&self) {
        let wakers = {
            let mut state = self.state.borrow_mut();
            state.0 += 1;
            std::mem::take(&mut state.1)
        };
        for w in wakers {
            w.wake();
        }
    }

    /// Resolves once the generation is no longer `seen`.
    pub fn changed(&self, seen: u64) -> Changed<'_> {
        Changed {
            changes: self,
            seen,
        }
    }
}

/// The future of [`Changes::changed`].
#[derive(Debug)]
pub struct Changed<'a> {
    changes: &'a Changes,
    seen: u64,
}

impl Future for Changed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.changes.state.borrow_mut();
        if state.0 != self.seen {
            return Poll::Ready(());
        }
        if !state.1.iter().any(|w| w.will_wake(cx.waker())) {
            state.1.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::task::noop_waker;

    fn poll<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        let waker = noop_waker();
        Pin::new(f).poll(&mut Context::from_waker(&waker))
    }

    #[test]
    fn permits_are_granted_in_order_and_returned_on_drop() {
        let sem = Semaphore::new(1);
        let mut a = sem.acquire();
        let mut b = sem.acquire();
        let mut c = sem.acquire();
        let Poll::Ready(pa) = poll(&mut a) else {
            panic!("a first")
        };
        assert!(poll(&mut b).is_pending());
        assert!(poll(&mut c).is_pending());
        drop(pa);
        // c cannot jump the queue.
        assert!(poll(&mut c).is_pending());
        let Poll::Ready(pb) = poll(&mut b) else {
            panic!("b second")
        };
        drop(pb);
        assert!(poll(&mut c).is_ready());
    }

    #[test]
    fn a_dropped_waiter_leaves_the_queue() {
        let sem = Semaphore::new(1);
        let mut a = sem.acquire();
        let Poll::Ready(pa) = poll(&mut a) else {
            panic!()
        };
        let mut b = sem.acquire();
        let mut c = sem.acquire();
        assert!(poll(&mut b).is_pending());
        assert!(poll(&mut c).is_pending());
        drop(b);
        drop(pa);
        assert!(poll(&mut c).is_ready());
        assert_eq!(sem.available(), 1, "c's permit was returned when c dropped");
    }

    #[test]
    fn changes_wake_waiters() {
        let changes = Changes::default();
        let seen = changes.generation();
        let mut waiting = changes.changed(seen);
        assert!(poll(&mut waiting).is_pending());
        changes.bump();
        assert!(poll(&mut waiting).is_ready());
        assert!(poll(&mut changes.changed(seen)).is_ready());
    }
}
