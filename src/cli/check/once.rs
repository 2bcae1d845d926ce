//! Rules whose cause lies outside any one file (`once_per_run` in their metadata) are
//! reported on their first occurrence in the run, with a note counting the rest.

use crate::finding::Finding;
use crate::lint::FileReport;

fn is_once_per_run(f: &Finding) -> bool {
    crate::rules::find_meta(f.code).is_some_and(|m| m.once_per_run)
}

/// Whether the report holds such a finding (it must then stay whole until the run ends).
pub fn holds_any(r: &FileReport) -> bool {
    r.findings.iter().any(is_once_per_run)
}

/// Keep each such rule's first finding, in report order; note on it how many it stands for.
pub fn keep_first(reports: &mut [&mut FileReport]) {
    let mut first: Vec<(&'static str, usize, usize)> = Vec::new(); // code, report, count
    for (i, r) in reports.iter_mut().enumerate() {
        r.findings.retain(|f| {
            if !is_once_per_run(f) {
                return true;
            }
            match first.iter_mut().find(|(code, _, _)| *code == f.code) {
                Some((_, _, count)) => {
                    *count += 1;
                    false
                }
                None => {
                    first.push((f.code, i, 1));
                    true
                }
            }
        });
    }
    for (code, i, count) in first {
        if count < 2 {
            continue;
        }
        if let Some(f) = reports[i].findings.iter_mut().find(|f| f.code == code) {
            let more = format!(
                "{} more files in this run have the same cause; {code} is reported once per run",
                count - 1
            );
            f.note = Some(match f.note.take() {
                Some(n) => format!("{n}; {more}"),
                None => more,
            });
        }
    }
}
