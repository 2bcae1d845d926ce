//! Ground truth for `frontend::nginx::map`: generated `map $http_origin $oN { … }` blocks
//! (exact keys in mixed case, anchored / unanchored / case-insensitive regexes with
//! captures, `$http_origin` values, missing `default`) in a real nginx 1.22, each reported
//! back by `add_header X-ON "[$oN]" always;`, requested with origins that do and do not
//! match (case variants, suffix and prefix attacks, ports, `null`, no Origin at all).

mod support;

use cors_lint::frontend::nginx::map::{Map, expand};
use cors_lint::frontend::nginx::syntax;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const KEYS: &[&str] = &[
    "\"https://app.example.com\"",
    "\"HTTPS://App.Example.COM:8443\"",
    "null",
    "\"http://app.example.com\"",
    "\"~^https://app\\.example\\.com$\"",
    "\"~https://app.example.com\"",
    "\"~*^https://.*\\.example\\.com$\"",
    "\"~^https?://(www\\.)?app\\.example\\.com$\"",
    "\"~^https://([a-z]+)\\.example\\.com$\"",
    "\"~*APP\"",
    "\"~\\.evil\\.net$\"",
];

const VALUES: &[&str] = &[
    "ok",
    "$http_origin",
    "\"$1\"",
    "\"\"",
    "\"v-$1-$http_origin\"",
];

const ORIGINS: &[Option<&str>] = &[
    Some("https://app.example.com"),
    Some("HTTPS://APP.EXAMPLE.COM"),
    Some("https://App.Example.com"),
    Some("https://app.example.com.evil.net"),
    Some("https://evil.net/https://app.example.com"),
    Some("https://appxexample.com"),
    Some("https://x.example.com"),
    Some("https://a.b.example.com"),
    Some("http://app.example.com"),
    Some("http://www.app.example.com"),
    Some("https://app.example.com:8443"),
    Some("null"),
    None,
];

#[test]
fn map_lookups_agree_with_real_nginx() {
    if Command::new("nginx").arg("-v").output().is_err() {
        support::unavailable("`nginx` is not on PATH (apt install nginx)");
    }
    let mut rng = Rng(0x1357_9bdf_2468_ace0);
    let dir = support::work_dir().join("nginx-map");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let port = support::free_port();
    const MAPS: usize = 30;
    let mut conf = format!(
        "error_log {0}/logs/error.log;\npid {0}/nginx.pid;\nevents {{}}\nhttp {{\naccess_log off;\n",
        dir.display()
    );
    for m in 0..MAPS {
        conf.push_str(&format!("map $http_origin $o{m} {{\n"));
        if rng.below(3) > 0 {
            conf.push_str(&format!("    default d{m};\n"));
        }
        let mut used = Vec::new();
        for _ in 0..1 + rng.below(5) {
            let key = KEYS[rng.below(KEYS.len())];
            if used.contains(&key.to_ascii_lowercase()) {
                continue;
            }
            used.push(key.to_ascii_lowercase());
            conf.push_str(&format!("    {key} {};\n", VALUES[rng.below(VALUES.len())]));
        }
        conf.push_str("}\n");
    }
    conf.push_str(&format!(
        "server {{\nlisten 127.0.0.1:{port};\nlocation / {{\n"
    ));
    for m in 0..MAPS {
        conf.push_str(&format!("    add_header X-O{m} \"[$o{m}]\" always;\n"));
    }
    conf.push_str("    return 200 ok;\n}\n}\n}\n");
    let path = dir.join("nginx.conf");
    std::fs::write(&path, &conf).unwrap();
    let config = syntax::parse(conf.as_bytes()).expect("parses");
    let http = config
        .statements
        .iter()
        .find(|s| s.name.value == "http")
        .unwrap();
    let maps: Vec<Map> = http.children().iter().filter_map(Map::read).collect();
    assert_eq!(maps.len(), MAPS);

    let mut nginx = Command::new("nginx")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&path)
        .args(["-e", "stderr", "-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nginx");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline || nginx.try_wait().ok().flatten().is_some() {
            let _ = Command::new("kill").arg(nginx.id().to_string()).status();
            let out = nginx.wait_with_output().unwrap();
            panic!(
                "nginx did not start: {}\n{conf}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    let (mut cases, mut agree) = (0, 0);
    let mut failures = Vec::new();
    for origin in ORIGINS {
        let headers: Vec<(String, String)> = origin
            .iter()
            .map(|o| ("Origin".to_string(), o.to_string()))
            .collect();
        let real = support::http::request(port, "GET", "/", &headers, Duration::from_secs(3));
        let input = origin.unwrap_or("");
        for (m, map) in maps.iter().enumerate() {
            let lookup = map.lookup(input);
            assert!(
                !lookup.uncertain,
                "every generated regex compiles with the regex crate"
            );
            let vars = |name: &str| (name == "http_origin").then(|| input.to_string());
            let value = match lookup.value {
                Some(v) => expand(&v.value, &vars, &lookup.captures).expect("known variables"),
                None => String::new(),
            };
            let model = format!("[{value}]");
            let name = format!("x-o{m}");
            let got = real
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone());
            cases += 1;
            if got.as_deref() == Some(model.as_str()) {
                agree += 1;
            } else {
                failures.push(format!(
                    "map {m} Origin {origin:?}: nginx {got:?}, model {model:?}"
                ));
            }
        }
    }
    let _ = Command::new("kill").arg(nginx.id().to_string()).status();
    let _ = nginx.wait();
    eprintln!("nginx map lookups: {agree}/{cases} agree with nginx 1.22");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}\n{conf}",
        failures.len(),
        failures.join("\n")
    );
}
