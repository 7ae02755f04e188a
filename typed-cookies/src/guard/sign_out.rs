//! "Sign out everywhere": the subject's epoch, a time that only moves forward.
//!
//! A session of a `revocable` type carries the epoch it was issued under (its *stamp*): the
//! subject's stored epoch or the issuing server's clock, whichever is later. Signing out
//! everywhere at `now` moves the stored epoch to `max(old + 1, now + 1 + skew)`; an open refuses
//! a stamp below the stored epoch. Because the epoch is a time, a store that lost it (a Redis
//! restart without persistence, a snapshot rollback, a failover to a lagging replica, an
//! eviction, a `MemoryStore` in a restarted process) forgets only sign-outs that already
//! happened: the first sign-out everywhere after the loss is again later than every session
//! issued before it, whatever it carries. `skew` (the guard's tolerated clock skew between
//! servers, [`DEFAULT_CLOCK_SKEW`](crate::DEFAULT_CLOCK_SKEW) unless set) keeps that true when
//! the issuing server's clock is ahead of the signing-out server's by up to it.
//!
//! Epochs of earlier versions were counters (1, 2, 3…): a stamp or a stored epoch of that kind
//! is simply a small time, so today's sessions keep opening and the first sign-out after an
//! upgrade ends them.

use time::Duration;

use super::Guard;
use crate::keys::KeyRing;
use crate::store::StoreError;
use crate::wire::claims::MAX_SUBJECT_LEN;

/// Why [`Guard::sign_out_everywhere`] did not sign the subject out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

/// The stamp a session issued at `now` carries, given the subject's stored epoch.
pub(super) fn stamp(stored: u64, now: i64) -> u64 {
    stored.max(u64::try_from(now).unwrap_or(0))
}

/// The least epoch a sign-out everywhere at `now` stores: later than every stamp a server whose
/// clock is at most `skew` ahead of this one can have given until now.
fn sign_out_floor(now: i64, skew: Duration) -> u64 {
    let floor = now.saturating_add(1).saturating_add(skew.whole_seconds());
    u64::try_from(floor).unwrap_or(0)
}

impl Guard {
    /// Ends every session of `subject` issued until now, on every device ("sign out
    /// everywhere", or after a password change), for every `revocable` type: moves the
    /// subject's epoch to the sign-out time (see the module docs), which every open compares
    /// with the stamp its value carries. Returns the new epoch. A session issued after this
    /// call (the user signing in again) carries the new epoch and is not affected.
    ///
    /// `subject` is what [`Guard::issue`] was given: 1 to 255 bytes, else
    /// [`SignOutError::EmptySubject`] / [`SignOutError::SubjectTooLong`] (nothing is written).
    /// The time is `keys`' clock.
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
        let at_least = sign_out_floor(keys.unix_now(), self.clock_skew);
        Ok(self
            .require_store("bump_epoch")?
            .bump_epoch(subject, at_least)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_later_than_any_stamp_of_a_server_within_the_skew() {
        let skew = Duration::seconds(60);
        let now = 1_780_000_000;
        // A server 60 s ahead stamped a session at what is `now` here.
        assert!(stamp(0, now + 60) < sign_out_floor(now, skew));
        // A counter of an earlier version is a small epoch.
        assert_eq!(stamp(3, now), now as u64);
        assert_eq!(stamp(u64::MAX, now), u64::MAX);
        assert_eq!(stamp(0, -5), 0);
        assert_eq!(sign_out_floor(i64::MIN, skew), 0);
        assert_eq!(sign_out_floor(i64::MAX, skew), i64::MAX as u64);
    }
}
