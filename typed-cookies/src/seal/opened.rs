//! [`Opened`]: an opened value with what its authenticated header said about it — when it was
//! sealed and its session created, when it expires, which key sealed it — and whether it is
//! due for a refresh ([`RefreshReason`]).

use time::OffsetDateTime;

use crate::keys::KeyId;
use crate::seal::{Defences, Meta};
use crate::wire::claims::Claims;
use crate::wire::claims::SessionId;

/// Why an opened value should be sealed again (and sent again) on this response; see the
/// example on [`Opened`] for the idle case.
///
/// ```
/// use typed_cookies::{Key, KeyRing, RefreshReason};
/// let old = Key::generate();
/// let value = KeyRing::new(old.clone()).signed("a").no_expiry().seal(&1u8).unwrap();
/// let rotated = KeyRing::with_fallbacks(Key::generate(), [old]).unwrap();
/// let sealer = rotated.signed("a").no_expiry();
/// let opened = sealer.open_with_metadata::<u8>(&value).unwrap();
/// assert_eq!(opened.refresh_due(), Some(RefreshReason::FallbackKey));
/// let moved = sealer.reseal(&opened).unwrap();
/// assert_eq!(sealer.open_with_metadata::<u8>(&moved).unwrap().refresh_due(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefreshReason {
    /// A fallback key sealed it: resealing moves it to the primary, so the fallback can be
    /// retired once no live value depends on it.
    FallbackKey,
    /// Its idle window is partly used up (by default half of it): resealing starts a new one.
    /// Requests that come sooner do not reseal, so busy pages do not send a `Set-Cookie` each.
    Idle,
}

impl RefreshReason {
    /// `fallback_key` or `idle`, for logs and metrics.
    pub const fn label(self) -> &'static str {
        match self {
            RefreshReason::FallbackKey => "fallback_key",
            RefreshReason::Idle => "idle",
        }
    }
}

/// A value that opened, with what its authenticated header says about it.
///
/// **In a handler** (the adapters' `Opened<T>` extractor, `Guarded::opened()`), it describes
/// the cookie the request *presented*. When the `refresh` or `guarded` middleware reseals the
/// cookie on the way out (a due refresh, a replay renewal), [`Opened::idle_deadline`],
/// [`Opened::issued_at`], [`Opened::key_id`] and [`Opened::refresh_due`] stay the presented
/// value's, not those of the `Set-Cookie` the response carries (that one was issued now, with
/// the primary key, and its idle window starts over). For a `replay` type the guard's renewal
/// already counts as the refresh, so `refresh_due()` is `None` there.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::time::{Duration, OffsetDateTime};
/// use typed_cookies::{Key, KeyRing, ManualClock, RefreshReason, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.opened.v1", max_age = "8h", idle = "30m", encrypt)]
/// struct Session { user_id: u64 }
///
/// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
/// let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
/// let value = Session { user_id: 7 }.seal(&keys).unwrap();
///
/// clock.advance(Duration::minutes(20)); // over half of the idle window
/// let opened = Session::open_with_metadata(&keys, &value).unwrap();
/// assert_eq!(opened.value().user_id, 7);
/// assert_eq!(opened.refresh_due(), Some(RefreshReason::Idle));
/// assert_eq!(opened.idle_deadline(), Some(opened.issued_at() + Duration::minutes(30)));
/// assert_eq!(opened.expires_at(), Some(opened.created_at() + Duration::hours(8)));
///
/// // Resealing keeps the session's creation time: the 8 h still count from sign-in.
/// let again = opened.reseal(&keys).unwrap();
/// let reopened = Session::open_with_metadata(&keys, &again).unwrap();
/// assert_eq!(reopened.created_at(), opened.created_at());
/// assert_eq!(reopened.refresh_due(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened<T> {
    value: T,
    meta: Meta,
}

fn date(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        OffsetDateTime::UNIX_EPOCH
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

impl<T> Opened<T> {
    pub(crate) fn new(value: T, meta: Meta) -> Self {
        Self { value, meta }
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, to change before resealing (the session keeps its creation time).
    pub fn value_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// The value, by move.
    pub fn into_value(self) -> T {
        self.value
    }

    /// When it was sealed (from the authenticated header).
    pub fn issued_at(&self) -> OffsetDateTime {
        date(self.meta.issued_at)
    }

    /// When its session was first sealed; every reseal carries this over, so the absolute
    /// lifetime (`max_age`) counts from here. Equal to [`Opened::issued_at`] for a value never
    /// resealed.
    pub fn created_at(&self) -> OffsetDateTime {
        date(self.meta.created_at)
    }

    /// When it stops opening whatever the user does: creation + `max_age` (`None`: no
    /// absolute lifetime).
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.meta.expires_at.map(date)
    }

    /// When it stops opening unless resealed first: issue + `idle` (`None`: no idle timeout).
    /// The presented value's: a reseal by the refresh middleware on this response moves the
    /// browser's deadline, not this one (see [`Opened`]).
    pub fn idle_deadline(&self) -> Option<OffsetDateTime> {
        self.meta.idle_deadline.map(date)
    }

    /// The id of the key that sealed it.
    pub fn key_id(&self) -> KeyId {
        self.meta.key_id
    }

    /// `false` when a fallback key sealed it: reseal it so it survives that key's retirement.
    pub fn sealed_with_primary(&self) -> bool {
        self.meta.key_index == 0
    }

    /// Why it should be resealed now, if it should: sealed by a fallback key, or past the
    /// refresh point of its idle window. The adapters' refresh middleware reseals exactly
    /// these — after the handler, which still sees the presented value's answer here.
    pub fn refresh_due(&self) -> Option<RefreshReason> {
        self.meta.refresh
    }

    /// The session id of a tracked value (`revocable`, `one_time`, `replay`): the same in
    /// every reseal of one session; what [`Guard::revoke`](crate::guard::Guard::revoke) puts on
    /// the deny list. `None` for other types.
    pub fn session_id(&self) -> Option<SessionId> {
        self.claims().map(|c| c.session_id)
    }

    /// Whose session a tracked value is, as given when it was issued; `None` for anonymous
    /// sessions and other types.
    pub fn subject(&self) -> Option<&str> {
        self.claims().and_then(|c| c.subject.as_deref())
    }

    /// Whether a newer value of this session exists already, so this one can no longer be
    /// written back: the guard opened a `replay` type's *earlier* value, replaced within its
    /// grace window (a request that was in flight while others renewed the session). Reading
    /// it is fine; [`Opened::reseal`] and [`Opened::to_set_cookie`] refuse it
    /// ([`SealError::Superseded`](crate::SealError::Superseded)). Always `false` for other
    /// types and opens.
    pub fn superseded(&self) -> bool {
        self.guarded().is_some_and(|g| g.superseded)
    }

    pub(crate) fn created_at_unix(&self) -> i64 {
        self.meta.created_at
    }

    pub(crate) fn meta(&self) -> &Meta {
        &self.meta
    }

    pub(crate) fn guarded(&self) -> Option<&Defences> {
        self.meta.guarded.as_deref()
    }

    pub(crate) fn claims(&self) -> Option<&Claims> {
        self.guarded().and_then(|g| g.claims.as_ref())
    }

    /// Replaces the replay nonce the next reseal writes (the guard's rotation).
    pub(crate) fn set_nonce(&mut self, nonce: u64) {
        if let Some(claims) = self.meta.guarded.as_mut().and_then(|g| g.claims.as_mut()) {
            claims.nonce = nonce;
        }
    }

    /// No refresh due (the guard's rotation reseals it already).
    pub(crate) fn clear_refresh(&mut self) {
        self.meta.refresh = None;
    }

    /// Marks it [`superseded`](Self::superseded) (the guard's grace answer).
    pub(crate) fn supersede(&mut self) {
        if let Some(guarded) = self.meta.guarded.as_mut() {
            guarded.superseded = true;
        }
    }
}
