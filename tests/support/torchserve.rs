//! A real TorchServe 0.12.0 (PyPI wheel, Java from Debian) on loopback ports.
//!
//! Installed once into `target/ground-truth/torchserve-venv`; each [`TorchServe`] gets its own
//! directory (config, model store, `TMPDIR` for the pid file, logs, `key_file.json`) and is
//! stopped by its own pid when dropped. No torch is needed: the Java frontend answers every
//! request the suite sends.

use super::{RealServer, free_port, unavailable, work_dir};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const VERSION: &str = "0.12.0";

fn venv() -> PathBuf {
    work_dir().join("torchserve-venv")
}

/// Create the venv and `pip install torchserve==0.12.0` unless already there.
pub fn install() -> PathBuf {
    let venv = venv();
    let bin = venv.join("bin/torchserve");
    let marker = venv.join(format!("installed-{VERSION}"));
    if bin.exists() && marker.exists() {
        return bin;
    }
    if Command::new("java").arg("-version").output().is_err() {
        unavailable(
            "`java` is not on PATH (TorchServe needs Java 17: apt install openjdk-17-jdk-headless)",
        );
    }
    super::venv::pip_install(&venv, "torchserve", VERSION);
    std::fs::write(&marker, "").expect("marker");
    bin
}

pub struct TorchServe {
    dir: PathBuf,
    ports: [u16; 5],
    launcher: Child,
    pid: Option<u32>,
    keys: Option<serde_json::Value>,
    /// The config file as written (what cors-lint lints).
    pub config: PathBuf,
}

impl TorchServe {
    /// Start with the CORS lines `fragment` (after loopback listener lines) and launcher
    /// `flags` (e.g. `--disable-token-auth`). Blocks until "Model server started".
    ///
    /// Ports are picked free and released before TorchServe binds them, so another process
    /// can take one in between (seen once in CI: the REST listeners bound, then the server
    /// stopped before "Model server started", presumably at a gRPC port). A start that ends
    /// like that is retried with new ports, at most twice; a real failure fails three times.
    pub fn start(
        name: &str,
        fragment: &str,
        flags: &[&str],
        env: &[(String, String)],
    ) -> TorchServe {
        let mut last = String::new();
        for _ in 0..3 {
            match TorchServe::try_start(name, fragment, flags, env) {
                Ok(ts) => return ts,
                Err(log) => last = log,
            }
        }
        panic!("torchserve {name} did not start:\n{last}")
    }

    fn try_start(
        name: &str,
        fragment: &str,
        flags: &[&str],
        env: &[(String, String)],
    ) -> Result<TorchServe, String> {
        let bin = install();
        let dir = work_dir().join("runs").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        for d in ["model_store", "tmp", "logs"] {
            std::fs::create_dir_all(dir.join(d)).expect("run dir");
        }
        let ports = [
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            free_port(),
        ];
        let config = dir.join("config.properties");
        std::fs::write(
            &config,
            format!(
                "inference_address=http://127.0.0.1:{}\nmanagement_address=http://127.0.0.1:{}\n\
                 metrics_address=http://127.0.0.1:{}\ngrpc_inference_address=127.0.0.1\n\
                 grpc_management_address=127.0.0.1\ngrpc_inference_port={}\ngrpc_management_port={}\n\
                 disable_system_metrics=true\n{fragment}\n",
                ports[0], ports[1], ports[2], ports[3], ports[4]
            ),
        )
        .expect("write config");
        let mut launcher = Command::new(&bin)
            .args(["--start", "--ncs", "--model-store"])
            .arg(dir.join("model_store"))
            .arg("--ts-config")
            .arg(&config)
            .args(flags)
            .current_dir(&dir)
            .env("TMPDIR", dir.join("tmp"))
            .env("TEMP", dir.join("tmp"))
            .env("LOG_LOCATION", dir.join("logs"))
            .env("METRICS_LOCATION", dir.join("logs"))
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start torchserve: {e}"));
        // The Java frontend inherits the launcher's stdout and prints "Model server started."
        // when every listener is bound. Keep draining it so Java never blocks on the pipe.
        let stdout = launcher.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("Model server started") {
                    let _ = tx.send(Ok(()));
                }
                lines.push(line);
                if lines.len() > 200 {
                    lines.remove(0);
                }
            }
            let _ = tx.send(Err(lines.join("\n")));
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok(())) => {}
            Ok(Err(log)) => {
                let _ = launcher.kill();
                let _ = launcher.wait();
                return Err(log);
            }
            Err(_) => panic!("torchserve {name} did not start within 120 s"),
        }
        let pid = std::fs::read_to_string(dir.join("tmp/.model_server.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        let keys = std::fs::read_to_string(dir.join("key_file.json"))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok());
        Ok(TorchServe {
            dir,
            ports,
            launcher,
            pid,
            keys,
            config,
        })
    }

    /// Register a do-nothing model from a hand-built `.mar` with 0 workers (needs
    /// `--enable-model-api`; no Python worker ever starts).
    pub fn register_model(&self, name: &str) {
        let mar = self.dir.join(format!("model_store/{name}.mar"));
        let script = format!(
            "import json, zipfile\nwith zipfile.ZipFile({:?}, 'w') as z:\n    z.writestr('MAR-INF/MANIFEST.json', json.dumps({{'runtime': 'python', 'model': {{'modelName': {:?}, 'handler': 'handler.py', 'modelVersion': '1.0'}}, 'archiverVersion': '0.12.0'}}))\n    z.writestr('handler.py', 'def handle(data, context):\\n    return data\\n')\n",
            mar.to_string_lossy(),
            name
        );
        let ok = Command::new("python3")
            .args(["-c", &script])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "build {name}.mar");
        let path = format!("/models?url={name}.mar&initial_workers=0&synchronous=true");
        let mut headers = Vec::new();
        if let Some(t) = self.token("management") {
            headers.push(("Authorization".to_string(), format!("Bearer {t}")));
        }
        let r = super::http::request(
            self.port("management"),
            "POST",
            &path,
            &headers,
            Duration::from_secs(60),
        );
        assert_eq!(r.status, Some(200), "register {name}");
    }

    /// Requests TorchServe logged (`logs/access_log.log`): method and path, in order. The log
    /// is written asynchronously, so this waits until it stops growing.
    pub fn access_log(&self) -> Vec<(String, String)> {
        let read =
            || std::fs::read_to_string(self.dir.join("logs/access_log.log")).unwrap_or_default();
        let mut text = read();
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(150));
            let again = read();
            if again == text {
                break;
            }
            text = again;
        }
        text.lines()
            .filter_map(|l| l.split('"').nth(1))
            .filter_map(|request| {
                let mut parts = request.split(' ');
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            })
            .collect()
    }

    /// The Java frontend's process id (from TorchServe's own pid file).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl RealServer for TorchServe {
    fn port(&self, listener: &str) -> u16 {
        match listener {
            "inference" => self.ports[0],
            "management" => self.ports[1],
            "metrics" => self.ports[2],
            other => panic!("no listener {other}"),
        }
    }

    fn token(&self, listener: &str) -> Option<String> {
        let key = match listener {
            "inference" => "inference",
            "management" => "management",
            _ => return None,
        };
        self.keys
            .as_ref()?
            .get(key)?
            .get("key")?
            .as_str()
            .map(str::to_string)
    }
}

impl Drop for TorchServe {
    /// Stop our own Java process (by the pid TorchServe wrote for this run), then reap the
    /// launcher. `torchserve --stop --foreground` waits ~3 s for shutdown hooks; SIGTERM then
    /// SIGKILL after 10 s is the same signal without the wait.
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while alive(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if alive(pid) {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        }
        let _ = self.launcher.kill();
        let _ = self.launcher.wait();
    }
}

/// Running (not gone, not a zombie waiting for its reparented parent to reap it).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            stat.rsplit(')')
                .next()
                .and_then(|s| s.split_whitespace().next())
                != Some("Z")
        }
        Err(_) => false,
    }
}
