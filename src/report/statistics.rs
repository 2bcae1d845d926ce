//! `--statistics`: how many findings each code has and how many `--fix` resolves, like ruff:
//! `COUNT\tFIXABLE\tCODE\tname` lines, most frequent first, then by code, and a total line.

use crate::lint::FileReport;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Statistic {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
    /// Of them, those a safe fix resolves.
    pub fixable: usize,
}

pub fn statistics(reports: &[FileReport]) -> Vec<Statistic> {
    let mut counts: BTreeMap<&'static str, Statistic> = BTreeMap::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        let s = counts.entry(f.code).or_insert(Statistic {
            code: f.code,
            name: f.name,
            count: 0,
            fixable: 0,
        });
        s.count += 1;
        s.fixable += usize::from(f.fix_safety() == Some(true));
    }
    let mut out: Vec<Statistic> = counts.into_values().collect();
    // The map is in code order and the sort is stable, so ties stay in code order.
    out.sort_by_key(|s| std::cmp::Reverse(s.count));
    out
}

pub fn render(reports: &[FileReport]) -> String {
    let stats = statistics(reports);
    let mut out: String = stats
        .iter()
        .map(|s| format!("{}\t{}\t{}\t{}\n", s.count, s.fixable, s.code, s.name))
        .collect();
    let count: usize = stats.iter().map(|s| s.count).sum();
    let fixable: usize = stats.iter().map(|s| s.fixable).sum();
    out.push_str(&format!("{count}\t{fixable}\tTOTAL\tall rules\n"));
    out
}

/// The same, as a JSON array of `{code, name, count, fixable}` (with `--format json`).
pub fn render_json(reports: &[FileReport]) -> String {
    let mut s = serde_json::to_string_pretty(&statistics(reports)).expect("statistics serialize");
    s.push('\n');
    s
}
