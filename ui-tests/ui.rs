//! Runs the trybuild cases: every `pass/*.rs` must compile, every `fail/*.rs` must fail with
//! exactly the `.stderr` beside it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("pass/*.rs");
    t.compile_fail("fail/*.rs");
}
