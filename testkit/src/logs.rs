//! [`logs_of`]: what a closure logs through `tracing`, to check what the adapters log and at
//! which level (a missing cookie at `debug`, a configuration mistake at `error`, a secret
//! never).

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::span::{Attributes, Id, Record};

/// One logged event: its level and its fields rendered `name=value ` (values with `Debug`).
pub type Event = (tracing::Level, String);

/// Runs `f` with a subscriber that records every event logged on this thread, and returns
/// `f`'s result and the events in order. Only this thread's events are seen: run an async
/// adapter on a current-thread runtime (or `block_on`) inside `f`.
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
    let events = Arc::new(Mutex::new(Vec::new()));
    let result = tracing::subscriber::with_default(Capture(events.clone()), f);
    let events = events.lock().unwrap().clone();
    (result, events)
}

/// The recording subscriber: no spans, every event enabled.
struct Capture(Arc<Mutex<Vec<Event>>>);

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
        let mut text = String::new();
        event.record(
            &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                let _ = write!(text, "{}={:?} ", field.name(), value);
            },
        );
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), text));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
