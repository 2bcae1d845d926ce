//! Headless Chromium (Debian package `chromium`) running a batch of `fetch()` calls.
//!
//! The page (or, for `null`-origin cases, its CSP-sandboxed twin) runs every case and posts
//! the outcomes back to the page server; `--dump-dom` ends the browser when the page has
//! loaded, which the page server holds back until the outcomes are in (see `page.rs`). No
//! WebDriver is needed: a few flags and a page do what a driver session would (see docs/CONTRIBUTING.md). Chromium's own
//! CORS error messages, printed with `--enable-logging=stderr`, give the failing check.

use super::page::PageServer;
use super::unavailable;
use cors_lint::sim::Check;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

#[derive(Serialize, Debug, Clone)]
pub struct BrowserCase {
    pub id: usize,
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// `include` or `same-origin` (fetch's default).
    pub credentials: &'static str,
    /// Run inside a sandboxed iframe, whose origin is `null`.
    pub null_origin: bool,
    /// Fetch this many times in a row (the later ones may use the preflight cache).
    pub repeat: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserResult {
    /// The page could read the response.
    pub allowed: bool,
    pub status: Option<u16>,
    /// Every repeated fetch had the same outcome.
    pub consistent: bool,
    /// Chromium's console message for this request, if it printed one.
    pub message: Option<String>,
}

pub fn binary() -> String {
    for candidate in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate.to_string();
        }
    }
    unavailable("no Chromium on PATH (apt install chromium)")
}

pub fn version() -> String {
    Command::new(binary())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Every case runs at once (each has its own URL, so no preflight cache is shared between
/// cases), its `repeat` fetches one after another; each fetch is aborted after 5 s of real
/// time. The outcome is the last fetch's, and whether every fetch agreed. The outcomes go back to the page server, which then lets
/// the `/hold` image — and so the page's `load` event — finish.
const RUNNER: &str = r#"
async function once(c) {
  try {
    const r = await fetch(c.url, {method: c.method, headers: c.headers, credentials: c.credentials, mode: 'cors', signal: AbortSignal.timeout(5000)});
    await r.text();
    return {ok: true, status: r.status};
  } catch (e) {
    return {ok: false};
  }
}
async function one(c) {
  const outcomes = [];
  for (let i = 0; i < c.repeat; i++) outcomes.push(await once(c));
  return [c.id, {...outcomes[outcomes.length - 1], all: outcomes.map(o => o.ok)}];
}
async function run(cases, report) {
  const out = Object.fromEntries(await Promise.all(cases.map(one)));
  await fetch(report, {method: 'POST', mode: 'no-cors', body: JSON.stringify(out)});
}
"#;

fn page(cases: &[&BrowserCase], report: &str) -> String {
    format!(
        r#"<!doctype html><html><body><img src="/hold" alt=""><script>
{RUNNER}
run({cases}, {report:?});
</script></body></html>"#,
        cases = serde_json::to_string(cases).expect("json"),
    )
}

/// Run `cases` from pages served by `page_server` (the `null`-origin ones from its sandboxed
/// page); results by case id.
/// Chromium's stderr is kept in `log_prefix`-plain.log / -sandboxed.log.
pub fn run(
    page_server: &PageServer,
    cases: &[BrowserCase],
    log_prefix: &Path,
) -> BTreeMap<usize, BrowserResult> {
    let mut out = BTreeMap::new();
    for sandboxed in [false, true] {
        let batch: Vec<&BrowserCase> = cases
            .iter()
            .filter(|c| c.null_origin == sandboxed)
            .collect();
        if !batch.is_empty() {
            let log = log_prefix.with_extension(if sandboxed {
                "sandboxed.log"
            } else {
                "plain.log"
            });
            out.extend(run_page(page_server, &batch, sandboxed, &log));
        }
    }
    out
}

fn run_page(
    page_server: &PageServer,
    cases: &[&BrowserCase],
    sandboxed: bool,
    log: &Path,
) -> BTreeMap<usize, BrowserResult> {
    page_server.set(page(cases, &format!("{}/result", page_server.origin())));
    let user_data = tempfile::tempdir().expect("profile dir");
    let url = format!(
        "{}/{}",
        page_server.origin(),
        if sandboxed { "sandboxed" } else { "" }
    );
    let output = Command::new(binary())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            // A safety net only: the page's load event normally ends the run.
            "--timeout=90000",
        ])
        .arg(format!("--user-data-dir={}", user_data.path().display()))
        .arg(url)
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let _ = std::fs::write(log, stderr.as_bytes());
    let json = page_server.take_result().unwrap_or_default();
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|_| {
        let console: Vec<&str> = stderr.lines().filter(|l| l.contains("CONSOLE")).collect();
        panic!(
            "Chromium did not finish the page (result `{json}`); console:\n{}",
            console.join("\n")
        )
    });
    let messages = console_messages(&stderr);
    cases
        .iter()
        .map(|c| {
            let r = &parsed[c.id.to_string()];
            let result = BrowserResult {
                allowed: r["ok"].as_bool().unwrap_or(false),
                status: r["status"].as_u64().map(|s| s as u16),
                consistent: r["all"]
                    .as_array()
                    .is_some_and(|all| all.iter().all(|o| o == &r["ok"])),
                message: messages.get(&c.id).cloned(),
            };
            (c.id, result)
        })
        .collect()
}

/// Chromium's console lines per case id (`…?gt=ID`): the CORS message if there is one, else a
/// network error.
fn console_messages(stderr: &str) -> BTreeMap<usize, String> {
    let id_of = |url: &str| {
        url.split("gt=")
            .nth(1)
            .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
    };
    let mut out = BTreeMap::new();
    for line in stderr.lines().filter(|l| l.contains("CONSOLE")) {
        if let Some(rest) = line.split("Access to fetch at '").nth(1) {
            let url = rest.split('\'').next().unwrap_or("");
            let msg = rest
                .split("has been blocked by CORS policy: ")
                .nth(1)
                .unwrap_or(rest);
            if let Some(id) = id_of(url) {
                out.insert(id, msg.trim_end_matches(|c| c != '.').to_string());
            }
        } else if let Some(msg) = line.split("\"Failed to load resource: ").nth(1) {
            let source = line.split("source: ").nth(1).unwrap_or("");
            if let Some(id) = id_of(source)
                && !msg.starts_with("net::ERR_FAILED")
            {
                out.entry(id)
                    .or_insert_with(|| msg.trim_end_matches(['"', ',']).to_string());
            }
        }
    }
    out
}

/// Chromium's console message → the simulator's check names it corresponds to.
pub fn chromium_checks(message: &str) -> &'static [Check] {
    use Check::*;
    let preflight = message.contains("Response to preflight request");
    let pick = |p: &'static [Check], a: &'static [Check]| if preflight { p } else { a };
    if message.contains("does not have HTTP ok status") {
        &[PreflightStatus]
    } else if message.contains("No 'Access-Control-Allow-Origin' header is present") {
        pick(&[PreflightMissingAllowOrigin], &[MissingAllowOrigin])
    } else if message.contains("must not be the wildcard '*'") {
        pick(
            &[PreflightWildcardWithCredentials],
            &[WildcardWithCredentials],
        )
    } else if message.contains("'Access-Control-Allow-Origin' header") {
        pick(&[PreflightOriginMismatch], &[OriginMismatch])
    } else if message.contains("Access-Control-Allow-Credentials") {
        pick(&[PreflightCredentialsNotAllowed], &[CredentialsNotAllowed])
    } else if message.contains("Cannot parse Access-Control-Allow-Methods") {
        &[PreflightInvalidAllowMethods]
    } else if message.contains("Cannot parse Access-Control-Allow-Headers") {
        &[PreflightInvalidAllowHeaders]
    } else if message.contains("not allowed by Access-Control-Allow-Methods") {
        &[MethodNotAllowed]
    } else if message.contains("not allowed by Access-Control-Allow-Headers") {
        &[HeaderNotAllowed]
    } else if message.starts_with("net::ERR_") {
        &[NoResponse, PreflightNoResponse]
    } else {
        &[]
    }
}
