//! [`logs_of`]: what a closure logs through `tracing`, to check what the adapters log and at
//! which level (a missing cookie at `debug`, a configuration mistake at `error`, a secret
//! never).
//!
//! The capture is one global subscriber, installed by the first call, that records an event
//! only on a thread inside `logs_of`. Not `tracing::subscriber::with_default`: with a single
//! scoped subscriber alive, `tracing` computes a call site's interest from the default of
//! whichever thread reaches it first and caches it for every thread, so a test running in
//! parallel without a subscriber could switch off, for good, the very call site another test
//! was capturing (a CI run lost a development-mode warning that way).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::Once;

use tracing::span::{Attributes, Id, Record};

/// One logged event: its level and its fields rendered `name=value ` (values with `Debug`).
pub type Event = (tracing::Level, String);

thread_local! {
    /// The events of this thread's `logs_of` in progress, `None` outside one.
    static CAPTURED: RefCell<Option<Vec<Event>>> = const { RefCell::new(None) };
}

/// Runs `f` while recording every event logged on this thread, and returns `f`'s result and
/// the events in order. Only this thread's events are seen: run an async adapter on a
/// current-thread runtime (or `block_on`) inside `f`. A `logs_of` inside `f` takes the events
/// of its own closure; the outer one sees those logged before and after it.
///
/// Panics if the test binary installed another global `tracing` subscriber before the first
/// call.
///
/// ```
/// let (answer, logs) = typed_cookies_testkit::logs_of(|| {
///     tracing::warn!(cookie = "sid", "refused");
///     42
/// });
/// assert_eq!(answer, 42);
/// assert_eq!(logs, [(tracing::Level::WARN, "message=refused cookie=\"sid\" ".to_string())]);
/// ```
pub fn logs_of<R>(f: impl FnOnce() -> R) -> (R, Vec<Event>) {
    install();
    let outer = CAPTURED.with(|captured| captured.replace(Some(Vec::new())));
    let restore = Restore(Some(outer));
    let result = f();
    let events = CAPTURED.with(|captured| captured.replace(restore.take()));
    (result, events.unwrap_or_default())
}

/// Puts the outer capture back if `f` panics.
struct Restore(Option<Option<Vec<Event>>>);

impl Restore {
    fn take(mut self) -> Option<Vec<Event>> {
        self.0.take().flatten()
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(outer) = self.0.take() {
            let _ = CAPTURED.try_with(|captured| captured.replace(outer));
        }
    }
}

/// Installs [`Capture`] as the global subscriber, once per process. Every call then rebuilds
/// the interest cache, so a call site another thread registered while the subscriber was
/// being installed is not left switched off.
fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(Capture)
            .expect("typed_cookies_testkit::logs_of needs to be the global tracing subscriber");
    });
    tracing::callsite::rebuild_interest_cache();
}

/// The recording subscriber: no spans, every event enabled, kept only on a capturing thread.
struct Capture;

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let capturing = CAPTURED
            .try_with(|captured| captured.try_borrow().is_ok_and(|c| c.is_some()))
            .unwrap_or(false);
        if !capturing {
            return;
        }
        let mut text = String::new();
        event.record(
            &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                let _ = write!(text, "{}={:?} ", field.name(), value);
            },
        );
        let level = *event.metadata().level();
        let _ = CAPTURED.try_with(|captured| {
            if let Ok(mut captured) = captured.try_borrow_mut() {
                if let Some(events) = captured.as_mut() {
                    events.push((level, text));
                }
            }
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inner_capture_takes_its_own_events_and_the_outer_the_rest() {
        let ((), outer) = logs_of(|| {
            tracing::info!("before");
            let ((), inner) = logs_of(|| tracing::info!("inside"));
            assert_eq!(inner.len(), 1);
            assert!(inner[0].1.contains("inside"));
            tracing::info!("after");
        });
        let texts: Vec<&str> = outer.iter().map(|(_, text)| text.as_str()).collect();
        assert_eq!(texts, ["message=before ", "message=after "]);
    }
}
