fn main() {
    quiet_on_broken_pipe();
    std::process::exit(cors_lint::cli::main());
}

/// `cors-lint … | head` ends like `cat` does when the reader goes away: killed by SIGPIPE,
/// quietly, instead of Rust's default of ignoring it and panicking on the next `println!`.
#[cfg(unix)]
fn quiet_on_broken_pipe() {
    // SAFETY: called first in `main`, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_broken_pipe() {}
