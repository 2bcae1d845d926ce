#![no_main]
//! Fuzz target: the whole pipeline — a front end picked by the first byte, its rules and
//! fixes, then every policy through every back end and read back (tests/fuzz/checks.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cors_lint_fuzz::check_pipeline(data, cors_lint_fuzz::fuzz_settings());
});
