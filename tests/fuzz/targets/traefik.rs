#![no_main]
//! Fuzz target: the traefik front end and the whole pipeline behind it (tests/fuzz/checks.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cors_lint_fuzz::check(
        cors_lint_fuzz::target("traefik"),
        data,
        cors_lint_fuzz::fuzz_settings(),
    );
});
