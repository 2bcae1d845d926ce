//! A real nginx (Debian package, with headers-more) on a loopback port, in its own prefix
//! under target/ground-truth, stopped (master and workers) when dropped.

use super::{free_port, unavailable, work_dir};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const HEADERS_MORE: &str = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so";

pub struct Nginx {
    pub port: u16,
    pub dir: PathBuf,
    /// The configuration as written (what cors-lint reads).
    pub config: PathBuf,
    child: Child,
}

impl Nginx {
    /// Start nginx with `http_body` (text inside `http { }`; `__PORT__` is the port), with
    /// headers-more loaded and an access log.
    pub fn start(name: &str, http_body: &str) -> Nginx {
        Nginx::start_config(
            name,
            &format!(
                "events {{}}\nhttp {{\naccess_log __DIR__/logs/access.log;\n{http_body}\n}}\n"
            ),
        )
    }

    /// Start nginx with a whole configuration after the `load_module`, `error_log` and `pid`
    /// lines this adds; `__PORT__` is the port and `__DIR__` the prefix directory.
    pub fn start_config(name: &str, text: &str) -> Nginx {
        if Command::new("nginx").arg("-v").output().is_err()
            || !std::path::Path::new(HEADERS_MORE).exists()
        {
            unavailable(
                "nginx with headers-more (apt install nginx libnginx-mod-http-headers-more-filter)",
            );
        }
        let dir = work_dir().join("nginx-runs").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("logs")).expect("nginx dir");
        let port = free_port();
        let config = dir.join("nginx.conf");
        let text = format!(
            "load_module {HEADERS_MORE};\nerror_log {0}/logs/error.log;\npid {0}/nginx.pid;\n{1}",
            dir.display(),
            text.replace("__PORT__", &port.to_string())
                .replace("__DIR__", &dir.display().to_string())
        );
        std::fs::write(&config, text).expect("write nginx.conf");
        let mut child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&config)
            .args(["-e", "stderr", "-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
                let log = std::fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default();
                let _ = Command::new("kill").arg(child.id().to_string()).status();
                panic!("nginx {name} did not start:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx {
            port,
            dir,
            config,
            child,
        }
    }

    /// The configuration as written, for the model to read.
    pub fn config_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.config).expect("read nginx.conf")
    }

    /// Requests nginx logged: method and path, in order.
    pub fn access_log(&self) -> Vec<(String, String)> {
        // nginx writes the log line when the request ends; give the last one a moment.
        std::thread::sleep(Duration::from_millis(200));
        std::fs::read_to_string(self.dir.join("logs/access.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split('"').nth(1))
            .filter_map(|r| {
                let mut p = r.split(' ');
                Some((p.next()?.to_string(), p.next()?.to_string()))
            })
            .collect()
    }
}

impl Drop for Nginx {
    /// SIGTERM: the master stops its workers too.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
