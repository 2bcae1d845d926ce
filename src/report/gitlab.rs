//! `--format gitlab`: a GitLab Code Quality report (a JSON array in the Code Climate issue
//! format GitLab reads: `description`, `check_name`, `fingerprint`, `severity`,
//! `location.path` and `location.lines.begin`).

use super::positions;
use crate::finding::Severity;
use crate::lint::FileReport;
use serde_json::json;
use std::collections::HashMap;

pub fn render(reports: &[FileReport]) -> String {
    let mut issues = Vec::new();
    // Same code and message twice in a file: the occurrence number keeps fingerprints apart.
    let mut seen: HashMap<(String, &str, &str), usize> = HashMap::new();
    for r in reports {
        for f in &r.findings {
            let (start, end) = positions(r, f);
            let n = seen
                .entry((r.path.clone(), f.code, f.message.as_str()))
                .or_default();
            *n += 1;
            issues.push(json!({
                "type": "issue",
                "check_name": f.code,
                "description": format!("{} {}", f.code, f.message),
                "categories": ["Security"],
                "severity": severity(f.severity),
                "fingerprint": fingerprint(&r.path, f.code, &f.message, *n),
                "location": {
                    "path": r.path,
                    "lines": { "begin": start.line, "end": end.line },
                },
            }));
        }
    }
    let mut s = serde_json::to_string_pretty(&issues).expect("issues serialize");
    s.push('\n');
    s
}

/// Code Climate's severities: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// Stable across runs, releases and line moves (GitLab compares the reports of two pipelines
/// by it): FNV-1a over the path, code, message and occurrence, not std's unspecified hasher.
fn fingerprint(path: &str, code: &str, message: &str, occurrence: usize) -> String {
    let text = format!("{path}\0{code}\0{message}\0{occurrence}");
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}
