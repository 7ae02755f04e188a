//! Helpers for the stolen-cookie defences' tests and benchmarks: [`poll_ready`] runs a future
//! that never waits (the memory store answers at once), and [`SwitchableStore`] is a
//! `MemoryStore` a test can take down and bring back, for outage scenarios without Redis.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use typed_cookies::store::{
    MemoryStore, RevocationStore, Rotation, SessionId, Status, StoreError, StoreFuture,
};

/// Polls `future` once and returns its output.
///
/// # Panics
///
/// If it is not ready at the first poll: only for futures that never wait (the guard over a
/// `MemoryStore` or a [`SwitchableStore`]).
pub fn poll_ready<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("poll_ready: the future waited"),
    }
}

/// A [`MemoryStore`] that answers every operation with a [`StoreError`] while it is down.
#[derive(Default)]
pub struct SwitchableStore {
    down: AtomicBool,
    inner: MemoryStore,
}

impl SwitchableStore {
    /// Takes the store down (`true`) or brings it back (`false`).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// `call`'s answer while up; while down, an error, and `call` is not made at all (the
    /// memory store acts when the future is made, so a refused call must not be made).
    fn gate<'a, T: Send + 'a>(
        &'a self,
        operation: &'static str,
        call: impl FnOnce() -> StoreFuture<'a, T>,
    ) -> StoreFuture<'a, T> {
        if self.down.load(Ordering::SeqCst) {
            Box::pin(std::future::ready(Err(StoreError {
                operation,
                reason: "connection refused".into(),
            })))
        } else {
            call()
        }
    }
}

impl RevocationStore for SwitchableStore {
    fn status<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status> {
        self.gate("status", || self.inner.status(ns, id, subject, now))
    }

    fn revoke<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.gate("revoke", || self.inner.revoke(ns, id, until, now))
    }

    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64> {
        self.gate("bump_epoch", || self.inner.bump_epoch(subject, now))
    }

    fn claim<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, bool> {
        self.gate("claim", || self.inner.claim(ns, id, until, now))
    }

    fn start_nonce<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        nonce: u64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.gate("start_nonce", || {
            self.inner.start_nonce(ns, id, nonce, until, now)
        })
    }

    fn rotate_nonce<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        presented: u64,
        next: u64,
        grace: i64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, Rotation> {
        self.gate("rotate_nonce", || {
            self.inner
                .rotate_nonce(ns, id, presented, next, grace, until, now)
        })
    }
}
