//! Ground-truth harness: real servers and a real browser on 127.0.0.1, started and stopped by
//! the tests themselves. Each real server implements [`RealServer`], so later front ends
//! (nginx, gateways) plug their own process into the same case runner.

#![allow(dead_code)]

pub mod chromium;
pub mod compare;
pub mod corpus;
pub mod http;
pub mod ingress;
pub mod nginx;
pub mod page;
pub mod rng;
pub mod torchserve;
pub mod traefik;
pub mod venv;

use std::path::PathBuf;

/// A running server the suite can send requests to.
pub trait RealServer {
    /// Port of a named listener (`inference`, `management`, …).
    fn port(&self, listener: &str) -> u16;
    /// The credential a listener wants in `Authorization`, if any.
    fn token(&self, listener: &str) -> Option<String>;
}

/// `target/ground-truth/`, shared by runs (venvs are reused).
pub fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ground-truth");
    std::fs::create_dir_all(&dir).expect("create target/ground-truth");
    dir
}

/// A free TCP port on 127.0.0.1 (the socket is closed again; the caller binds it soon).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A component the suite cannot run here: skip loudly, or fail when `CI=true`.
pub fn unavailable(what: &str) -> ! {
    let msg = format!("ground truth unavailable: {what}");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (CI=true: this must not be skipped)");
    }
    eprintln!(
        "\n==================== SKIPPED ====================\n{msg}\nrun tests/run to install what the suite needs\n=================================================\n"
    );
    std::process::exit(0)
}
