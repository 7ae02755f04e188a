//! [`Clock`]: where every seal and open reads the time. A [`KeyRing`](crate::KeyRing) carries
//! one (the system clock unless told otherwise), so the derive path, the runtime sealers and
//! the framework adapters, which all get the ring, honour the same time: tests move a
//! [`ManualClock`] instead of sleeping, through the extractors too.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

/// The source of "now" for sealing (the issue time written into a value) and opening (the
/// expiry checks). Whole seconds: the wire format records unix seconds.
///
/// ```
/// use typed_cookies::time::{Duration, OffsetDateTime};
/// use typed_cookies::{Clock, ManualClock};
///
/// let start = OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap();
/// let manual = ManualClock::new(start);
/// let clock = Clock::from(manual.clone());
/// manual.advance(Duration::minutes(61));
/// assert_eq!(clock.now(), start + Duration::minutes(61));
/// assert_eq!(Clock::fixed(start).now(), start);
/// ```
#[derive(Clone, Default)]
pub struct Clock(Source);

#[derive(Clone, Default)]
enum Source {
    #[default]
    System,
    Fixed(i64),
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// The operating system's clock (the default of every ring). On Linux it is read
    /// coarsely (`CLOCK_REALTIME_COARSE`: the time at the kernel's last tick, at most one
    /// tick, 1–10 ms, behind), which costs a fifth of a precise read; a value records whole
    /// seconds, and opening allows a minute of skew, so nothing it decides changes.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// Always `at` (rounded down to the second).
    pub fn fixed(at: OffsetDateTime) -> Self {
        Self(Source::Fixed(at.unix_timestamp()))
    }

    /// The current time (rounded down to the second).
    pub fn now(&self) -> OffsetDateTime {
        let secs = self.unix_now();
        OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
            OffsetDateTime::UNIX_EPOCH
        } else {
            time::PrimitiveDateTime::MAX.assume_utc()
        })
    }

    /// The current time in unix seconds: what the engine works in, read without a calendar
    /// conversion on the hot path.
    pub(crate) fn unix_now(&self) -> i64 {
        match &self.0 {
            Source::System => system_unix_now(),
            Source::Fixed(secs) => *secs,
            Source::Manual(secs) => secs.load(Ordering::Relaxed),
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock::System"),
            Source::Fixed(_) => write!(f, "Clock::Fixed({})", self.now()),
            Source::Manual(_) => write!(f, "Clock::Manual({})", self.now()),
        }
    }
}

/// A clock that moves only when told: give it to a ring with
/// [`KeyRing::with_clock`](crate::KeyRing::with_clock) and keep a clone to set or advance it.
/// Clones share the time. Meant for tests and simulations; a production ring keeps the system
/// clock.
///
/// ```
/// use typed_cookies::time::{Duration, OffsetDateTime};
/// use typed_cookies::{Key, KeyRing, ManualClock, OpenError};
///
/// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
/// let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
/// let link = keys.signed("accounts.password-reset").max_age(Duration::hours(1));
/// let token = link.seal(&7u64).unwrap();
/// clock.advance(Duration::minutes(61));
/// assert!(matches!(link.open::<u64>(&token), Err(OpenError::Expired { .. })));
/// clock.set(keys.now() - Duration::minutes(2));
/// assert_eq!(link.open::<u64>(&token), Ok(7));
/// ```
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock standing at `start` (rounded down to the second).
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(AtomicI64::new(start.unix_timestamp())))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        self.0.store(at.unix_timestamp(), Ordering::Relaxed);
    }

    /// Moves the clock by `by` (whole seconds; negative goes back).
    pub fn advance(&self, by: Duration) {
        let by = by.whole_seconds();
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |secs| {
                Some(secs.saturating_add(by))
            });
    }

    /// Where the clock stands.
    pub fn now(&self) -> OffsetDateTime {
        Clock::from(self.clone()).now()
    }
}

impl From<ManualClock> for Clock {
    fn from(clock: ManualClock) -> Self {
        Self(Source::Manual(clock.0))
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ManualClock({})", self.now())
    }
}

/// The system time in unix seconds (rounded down), without `OffsetDateTime::now_utc`'s
/// calendar conversion there and back. Linux: the coarse clock (see [`Clock::system`]).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn system_unix_now() -> i64 {
    rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse).tv_sec
}

/// The system time in unix seconds (rounded down), without `OffsetDateTime::now_utc`'s
/// calendar conversion there and back.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn system_unix_now() -> i64 {
    use std::time::SystemTime;
    match SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -secs - i64::from(before.subsec_nanos() > 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_reads_the_time_in_seconds() {
        // The coarse clock may lag a precise read by one kernel tick (at most 10 ms).
        let before = (OffsetDateTime::now_utc() - Duration::milliseconds(50)).unix_timestamp();
        let now = Clock::system().unix_now();
        let after = OffsetDateTime::now_utc().unix_timestamp();
        assert!(before <= now && now <= after, "{before} {now} {after}");
    }

    #[test]
    fn manual_clock_moves_for_every_clone() {
        let start = OffsetDateTime::from_unix_timestamp(1_000).unwrap();
        let manual = ManualClock::new(start);
        let clock = Clock::from(manual.clone());
        manual.advance(Duration::seconds(90));
        assert_eq!(clock.unix_now(), 1_090);
        manual.set(start);
        assert_eq!(clock.now(), start);
        assert_eq!(Clock::fixed(start).unix_now(), 1_000);
    }

    #[test]
    fn out_of_range_times_do_not_panic() {
        let manual = ManualClock::new(OffsetDateTime::UNIX_EPOCH);
        manual.advance(Duration::MAX);
        let _ = manual.now();
        manual.set(OffsetDateTime::UNIX_EPOCH);
        manual.advance(Duration::MIN);
        assert_eq!(manual.now(), OffsetDateTime::UNIX_EPOCH);
    }
}
