//! Runs the trybuild cases: every `pass/*.rs` must compile, every `fail/*.rs` must fail with
//! exactly the `.stderr` beside it. With the `axum` feature, `pass-axum/` and `fail-axum/` too
//! (the adapter's `Stateless` bounds).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("pass/*.rs");
    t.compile_fail("fail/*.rs");
    #[cfg(feature = "axum")]
    {
        t.pass("pass-axum/*.rs");
        t.compile_fail("fail-axum/*.rs");
    }
}
