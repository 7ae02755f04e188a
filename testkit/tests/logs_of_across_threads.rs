//! `logs_of` sees a call site that a thread not capturing reached first. Alone in its test
//! binary on purpose: with `tracing::subscriber::with_default` as the capture (how `logs_of`
//! was written before), this test fails whenever no other capture is alive at the time, which
//! a binary of its own makes certain.

use typed_cookies_testkit::logs_of;

fn shared_call_site() {
    tracing::warn!("shared call site");
}

#[test]
fn a_call_site_first_reached_by_a_thread_not_capturing_is_still_captured() {
    let ((), logs) = logs_of(|| {
        std::thread::spawn(shared_call_site).join().unwrap();
        shared_call_site();
    });
    // Once: the other thread's event is not this capture's.
    assert_eq!(
        logs,
        [(
            tracing::Level::WARN,
            "message=shared call site ".to_string()
        )]
    );
}
