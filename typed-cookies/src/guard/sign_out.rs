//! "Sign out everywhere": the subject's epoch, a time that only moves forward.
//!
//! A session of a `revocable` type carries the subject's epoch when it was issued (its
//! *stamp*); an open refuses a stamp below the subject's current epoch. Signing out everywhere
//! moves the epoch to `max(old + 1, t)`, `t` the sign-out time in microseconds on the store's
//! own clock (Redis's `TIME`; `MemoryStore`: this process's). Because the epoch is a time on
//! one clock, a store that lost it (a Redis restart without persistence, a snapshot rollback, a
//! failover to a lagging replica, an eviction, a `MemoryStore` in a restarted process) forgets
//! only sign-outs that already happened: the first sign-out everywhere after the loss is later
//! than every epoch the store gave before, so it ends every session issued before it, whatever
//! it carries. App servers' clocks play no part, and repeated sign-outs move the epoch by a
//! microsecond each, not into the future.
//!
//! Epochs of earlier versions were counters (1, 2, 3…): a stamp or a stored epoch of that kind
//! is simply a small time, so today's sessions keep opening and the first sign-out after an
//! upgrade ends them; and an earlier version's `INCR` during a rolling upgrade adds one to the
//! epoch, which still ends every session stamped with it.

use super::Guard;
use crate::keys::KeyRing;
use crate::store::StoreError;
use crate::wire::claims::MAX_SUBJECT_LEN;

/// Why [`Guard::sign_out_everywhere`] did not sign the subject out.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignOutError {
    /// The subject is empty: sessions issued without a subject are anonymous, and no sign-out
    /// reaches them ([`Guard::revoke`] does, one session at a time).
    #[error("subject is empty: anonymous sessions have no subject to sign out")]
    EmptySubject,
    /// The subject is longer than a session can carry (255 bytes), so no session has it.
    #[error("subject is {len} bytes, over the 255-byte limit sessions carry")]
    SubjectTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The store could not record the sign-out; nothing changed, or the write may have been
    /// applied (a timeout): retry.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The message, as `Display` writes it: what a `main` returning this error prints.
impl std::fmt::Debug for SignOutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl Guard {
    /// Ends every session of `subject` issued until now, on every device ("sign out
    /// everywhere", or after a password change), for every `revocable` type: moves the
    /// subject's epoch to the sign-out time (see the module docs), which every open compares
    /// with the epoch its value was issued under. Returns the new epoch. A session issued
    /// after this call (the user signing in again) carries the new epoch and is not affected.
    ///
    /// `subject` is what [`Guard::issue`] was given: 1 to 255 bytes, else
    /// [`SignOutError::EmptySubject`] / [`SignOutError::SubjectTooLong`] (nothing is written).
    /// `keys`' clock is the time for a store without a clock of its own (`MemoryStore`).
    pub async fn sign_out_everywhere(
        &self,
        keys: &KeyRing,
        subject: &str,
    ) -> Result<u64, SignOutError> {
        if subject.is_empty() {
            return Err(SignOutError::EmptySubject);
        }
        if subject.len() > MAX_SUBJECT_LEN {
            return Err(SignOutError::SubjectTooLong { len: subject.len() });
        }
        Ok(self
            .require_store("bump_epoch")?
            .bump_epoch(subject, keys.unix_now())
            .await?)
    }
}
