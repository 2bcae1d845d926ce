//! `--statistics`: how many findings each code has, like ruff: `COUNT\tCODE\tname` lines,
//! most frequent first, then by code.

use crate::lint::FileReport;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Statistic {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
}

pub fn statistics(reports: &[FileReport]) -> Vec<Statistic> {
    let mut counts: BTreeMap<&'static str, (&'static str, usize)> = BTreeMap::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        counts.entry(f.code).or_insert((f.name, 0)).1 += 1;
    }
    let mut out: Vec<Statistic> = counts
        .into_iter()
        .map(|(code, (name, count))| Statistic { code, name, count })
        .collect();
    // The map is in code order and the sort is stable, so ties stay in code order.
    out.sort_by_key(|s| std::cmp::Reverse(s.count));
    out
}

pub fn render(reports: &[FileReport]) -> String {
    statistics(reports)
        .iter()
        .map(|s| format!("{}\t{}\t{}\n", s.count, s.code, s.name))
        .collect()
}

/// The same, as a JSON array of `{code, name, count}` (with `--format json`).
pub fn render_json(reports: &[FileReport]) -> String {
    let mut s = serde_json::to_string_pretty(&statistics(reports)).expect("statistics serialize");
    s.push('\n');
    s
}
