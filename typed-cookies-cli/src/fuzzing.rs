//! What must hold of the `Set-Cookie` checker for any line, asserted in one place for the
//! `check_set_cookie` fuzz target (`fuzz/`), its seed corpus check (`tests/fuzz_corpus.rs`)
//! and the property tests (`typed-cookies-cli/tests/no_panic.rs`).

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::escape;
use crate::set_cookie::{check, Report};

/// Checks `line` at `now` and asserts what holds of every line: no panic (the call returns),
/// both renderings (text and JSON) carry no control or bidi character raw, the JSON parses
/// and agrees with the report, and a stored cookie expires between `now` and 400 days later.
/// Panics (for the fuzzer to report) when any of that fails.
pub fn check_set_cookie(line: &str, now: OffsetDateTime) -> Report {
    let report = check(line, now);
    for json in [false, true] {
        let printed = report.render(json);
        let raw = printed
            .split('\n')
            .flat_map(str::chars)
            .find(|&c| escape::is_unsafe(c));
        assert_eq!(raw, None, "{line:?} printed {raw:?} raw: {printed:?}");
    }
    let json: Value = serde_json::from_str(&report.render(true))
        .unwrap_or_else(|e| panic!("{line:?}: the JSON rendering does not parse: {e}"));
    assert_eq!(json["accepted"], !report.rejected(), "{line:?}");
    assert_eq!(json["name"], report.name.as_str(), "{line:?}");
    if let Some(at) = report.expires {
        let cap = now.saturating_add(Duration::days(400));
        assert!(at >= now && at <= cap, "{line:?}: expires {at}");
    }
    report
}
