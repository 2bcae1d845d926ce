//! Which rules run and at what severity: `--select`, `--ignore`, `--warn` (ruff semantics:
//! a selector is a full code, a prefix of codes, or `ALL`; the more specific selector wins,
//! and `--ignore` wins a tie). Without `--select`, the default set runs: every rule whose
//! metadata does not say `default = false` (ruff keeps its default set small for the same
//! reason: what runs by default is what users act on).

/// The selector of the default set (what runs without `select`).
pub const DEFAULT: &str = "DEFAULT";

use crate::finding::Severity;
use crate::rules::all_meta;

#[derive(Clone, Debug)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
    warn: Vec<String>,
    /// `[severity]` of cors-lint.toml: selector and severity (`--warn` wins over it).
    severity: Vec<(String, Severity)>,
    /// `--min-severity`: findings below it are not reported.
    min_severity: Option<Severity>,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            select: vec![DEFAULT.into()],
            ignore: Vec::new(),
            warn: Vec::new(),
            severity: Vec::new(),
            min_severity: None,
        }
    }
}

impl Selection {
    /// Validate and normalise selectors; an unknown one is a usage error.
    pub fn new(select: &[String], ignore: &[String], warn: &[String]) -> Result<Selection, String> {
        let norm = |list: &[String]| -> Result<Vec<String>, String> {
            list.iter()
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .map(|s| {
                    if s == "ALL"
                        || s == DEFAULT
                        || all_meta().iter().any(|m| m.code.starts_with(&s))
                    {
                        Ok(s)
                    } else {
                        Err(unknown_selector(&s))
                    }
                })
                .collect()
        };
        let select = norm(select)?;
        Ok(Selection {
            select: if select.is_empty() {
                vec![DEFAULT.into()]
            } else {
                select
            },
            ignore: norm(ignore)?,
            warn: norm(warn)?,
            severity: Vec::new(),
            min_severity: None,
        })
    }

    /// Severities by selector (`[severity]`); the most specific matching selector wins.
    pub fn with_severity(mut self, severity: Vec<(String, Severity)>) -> Selection {
        self.severity = severity;
        self
    }

    /// Length of the most specific selector in `list` matching `code` (`ALL` and the
    /// default set = 0).
    fn best(list: &[String], code: &str) -> Option<usize> {
        list.iter()
            .filter_map(|s| match s.as_str() {
                "ALL" => Some(0),
                DEFAULT => crate::rules::find_meta(code)
                    .is_none_or(|m| m.default)
                    .then_some(0),
                s if code.starts_with(s) => Some(s.len()),
                _ => None,
            })
            .max()
    }

    pub fn enabled(&self, code: &str) -> bool {
        match (
            Self::best(&self.select, code),
            Self::best(&self.ignore, code),
        ) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// Hide findings below `min` (ShellCheck's `-S`).
    pub fn with_min_severity(mut self, min: Option<Severity>) -> Selection {
        self.min_severity = min;
        self
    }

    /// Whether a finding of this (final) severity is reported.
    /// The lowest severity shown (`--min-severity`), if any.
    pub fn min_severity(&self) -> Option<Severity> {
        self.min_severity
    }

    pub fn shown(&self, severity: Severity) -> bool {
        self.min_severity.is_none_or(|min| severity >= min)
    }

    pub fn severity(&self, code: &str, default: Severity) -> Severity {
        if Self::best(&self.warn, code).is_some() {
            return Severity::Warning;
        }
        self.severity
            .iter()
            .filter_map(|(s, level)| {
                Self::best(std::slice::from_ref(s), code).map(|len| (len, *level))
            })
            .max_by_key(|(len, _)| *len)
            .map_or(default, |(_, level)| level)
    }
}

/// "unknown rule selector", with the closest code when one is near.
fn unknown_selector(s: &str) -> String {
    let codes = all_meta();
    match crate::spelling::closest(s, codes.iter().map(|m| m.code.as_str()), 2) {
        Some((_, code)) => format!("unknown rule selector `{s}`; did you mean `{code}`?"),
        None => format!("unknown rule selector `{s}` (see `cors-lint rule --all`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &[&str], i: &[&str]) -> Selection {
        let v = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Selection::new(&v(s), &v(i), &[]).unwrap()
    }

    #[test]
    fn specific_selector_wins() {
        let s = sel(&["CORS"], &["CORS002"]);
        assert!(s.enabled("CORS001"));
        assert!(!s.enabled("CORS002"));
        assert!(!s.enabled("TS001"));
        let s = sel(&["CORS002"], &["CORS"]);
        assert!(s.enabled("CORS002"));
        assert!(!s.enabled("CORS001"));
        let s = sel(&[], &["TS"]);
        assert!(s.enabled("CORS001"));
        assert!(!s.enabled("TS003"));
    }

    #[test]
    fn the_default_set_leaves_out_opt_in_rules_until_selected() {
        let opt_in = crate::rules::all_meta()
            .into_iter()
            .find(|m| !m.default)
            .expect("an opt-in rule");
        let code = opt_in.code.as_str();
        assert!(!sel(&[], &[]).enabled(code));
        assert!(sel(&[], &[]).enabled("CORS001"));
        assert!(sel(&["ALL"], &[]).enabled(code));
        assert!(sel(&[code], &[]).enabled(code));
        assert!(sel(&[&code[..code.len() - 1]], &[]).enabled(code));
        // `--extend-select` adds to the default set.
        assert!(sel(&[DEFAULT, code], &[]).enabled(code));
        assert!(sel(&[DEFAULT, code], &[]).enabled("CORS001"));
    }

    #[test]
    fn unknown_selectors_are_errors() {
        assert!(Selection::new(&["NOPE1".into()], &[], &[]).is_err());
        assert!(Selection::new(&["cors0".into()], &[], &[]).is_ok());
    }
}
