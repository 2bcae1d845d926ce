//! How every ground-truth suite compares a model with the real thing: the server's answer
//! byte for byte, the browser's verdict and failing check, and the requests the browser sent
//! over repeated fetches (the preflight cache). One tally, one summary line.

use super::chromium::{BrowserResult, chromium_checks};
use cors_lint::sim::{self, FetchRequest, ServerRequest, ServerResponse, Verdict};
use std::collections::BTreeMap;
use std::time::Instant;

/// Each case's `fetch()` runs this many times in a row in one browser.
pub const REPEAT: u32 = 2;

/// CORS headers as compared: lower-cased names, exact values, sorted.
pub fn cors_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .filter(|(n, _)| n.starts_with("access-control-") || n == "vary")
        .collect();
    h.sort();
    h
}

/// The methods of the requests the browser model sends over [`REPEAT`] fetches in one
/// session, sorted; `None` when a request gets no answer (servers do not log those).
pub fn sent_over_repeats(
    request: &FetchRequest,
    server: impl Fn(&ServerRequest) -> ServerResponse,
) -> Option<Vec<String>> {
    let mut session = sim::Session::default();
    let mut sent = Vec::new();
    let mut answered = true;
    for _ in 0..REPEAT {
        let x = session.fetch(request, &server);
        for (req, resp) in x.preflight.iter().chain(x.actual.iter()) {
            sent.push(req.method.clone());
            answered &= resp.status.is_some();
        }
    }
    sent.sort();
    answered.then_some(sent)
}

/// A server's access log (method, path) grouped by case id (`…gt=ID` ends the path).
pub fn requests_by_case(log: Vec<(String, String)>) -> BTreeMap<usize, Vec<String>> {
    let mut seen: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (method, path) in log {
        if let Some(id) = path.rsplit_once("gt=").and_then(|(_, id)| id.parse().ok()) {
            seen.entry(id).or_default().push(method);
        }
    }
    seen
}

#[derive(Default)]
pub struct Tally {
    pub cases: usize,
    server_checked: usize,
    server_agree: usize,
    browser_checked: usize,
    browser_agree: usize,
    reasons_checked: usize,
    reasons_agree: usize,
    requests_checked: usize,
    requests_agree: usize,
    pub disagreements: Vec<String>,
}

fn show(status: Option<u16>, headers: &[(String, String)]) -> String {
    format!("{status:?} {:?}", cors_headers(headers))
}

impl Tally {
    /// One request: the model's answer against the real server's.
    pub fn server(
        &mut self,
        label: &str,
        req: &ServerRequest,
        model: &ServerResponse,
        real_status: Option<u16>,
        real_headers: &[(String, String)],
    ) {
        self.server_checked += 1;
        if real_status == model.status && cors_headers(real_headers) == cors_headers(&model.headers)
        {
            self.server_agree += 1;
        } else {
            self.disagreements.push(format!(
                "{label}: server, {} {}\n    model: {}\n    real:  {}",
                req.method,
                req.path,
                show(model.status, &model.headers),
                show(real_status, real_headers)
            ));
        }
    }

    /// The browser's verdict, and its failing check where Chromium prints one.
    pub fn browser(&mut self, label: &str, verdict: &Verdict, real: &BrowserResult) {
        self.browser_checked += 1;
        let model = match verdict.check {
            None => "allowed".to_string(),
            Some(c) => format!("blocked: {}", c.name()),
        };
        if real.allowed != verdict.allowed {
            self.disagreements.push(format!(
                "{label}: browser\n    model:    {model} ({})\n    chromium: {} {:?}",
                verdict.detail,
                if real.allowed { "allowed" } else { "blocked" },
                real.message
            ));
            return;
        }
        if !real.consistent {
            self.disagreements.push(format!(
                "{label}: Chromium's {REPEAT} fetches did not all end alike"
            ));
            return;
        }
        self.browser_agree += 1;
        if let (Some(check), Some(message)) = (verdict.check, &real.message) {
            self.reasons_checked += 1;
            if chromium_checks(message).contains(&check) {
                self.reasons_agree += 1;
            } else {
                self.disagreements.push(format!(
                    "{label}: failing check\n    model:    {model} ({})\n    chromium: {message}",
                    verdict.detail
                ));
            }
        }
    }

    /// The requests the browser sent over [`REPEAT`] fetches, against the model's.
    pub fn requests(&mut self, label: &str, want: &[String], mut got: Vec<String>) {
        got.sort();
        self.requests_checked += 1;
        if got == want {
            self.requests_agree += 1;
        } else {
            self.disagreements.push(format!(
                "{label}: requests the browser sent over {REPEAT} fetches (preflight cache)\n    model:    {want:?}\n    chromium: {got:?}"
            ));
        }
    }

    /// The summary line (`head` names the components), also written to `file` under
    /// target/ground-truth for CI logs and closing notes (libtest hides a passing test's
    /// output).
    pub fn summary(&self, head: &str, started: Instant, file: &str) -> String {
        let summary = format!(
            "{head}: {} cases; server responses {}/{} agree; browser verdicts {}/{} agree; \
             failing checks {}/{} agree (where Chromium names one); requests sent over {REPEAT} \
             fetches (preflight cache) {}/{} agree; {:.0} s",
            self.cases,
            self.server_agree,
            self.server_checked,
            self.browser_agree,
            self.browser_checked,
            self.reasons_agree,
            self.reasons_checked,
            self.requests_agree,
            self.requests_checked,
            started.elapsed().as_secs_f64()
        );
        eprintln!("{summary}");
        let _ = std::fs::write(super::work_dir().join(file), format!("{summary}\n"));
        summary
    }
}
