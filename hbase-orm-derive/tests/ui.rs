//! Compile-time checks of `#[derive(HRow)]`: one failing case per rule, each
//! with its expected diagnostics, and programs that must compile.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
