//! Which `add_header` / `more_set_headers` directives reach a response: the inheritance
//! rules of `ngx_http_headers_filter_module` and of headers-more, and the statuses each
//! applies to. Values are kept as tokens (with their spans); evaluating variables is the
//! caller's job.

use super::syntax::{Statement, Token};

/// nginx behaviour that changed between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// The newest release the facts describe (nginx sources up to release-1.31.4).
    pub const NEWEST: Version = Version(1, 31, 4);

    /// `1.22`, `1.22.1`.
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next()??;
        let minor = parts.next()??;
        let patch = parts.next().unwrap_or(Some(0))?;
        parts
            .next()
            .is_none()
            .then_some(Version(major, minor, patch))
    }

    /// `add_header_inherit` exists from 1.29.3.
    pub fn has_add_header_inherit(self) -> bool {
        self >= Version(1, 29, 3)
    }
}

/// Statuses `add_header` adds to without `always` (`ngx_http_headers_filter`).
pub const ADD_HEADER_STATUSES: [u16; 10] = [200, 201, 204, 206, 301, 302, 303, 304, 307, 308];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    AddHeader {
        always: bool,
    },
    /// headers-more `more_set_headers`, with its `-s` status list (empty: every status).
    MoreSetHeaders,
}

/// One header a response may carry, and the directive that adds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderDirective<'a> {
    pub name: String,
    /// For `add_header`, the value token; for `more_set_headers`, the `Name: value` token.
    pub value: &'a Token,
    /// The value as written after `Name:` (`more_set_headers`) or the token's value.
    pub text: String,
    pub source: Source,
    /// `more_set_headers -s`: the statuses it is limited to (empty: all).
    pub statuses: Vec<u16>,
    pub directive: &'a Statement,
}

impl HeaderDirective<'_> {
    pub fn applies_to(&self, status: u16) -> bool {
        match self.source {
            Source::AddHeader { always } => always || ADD_HEADER_STATUSES.contains(&status),
            Source::MoreSetHeaders => self.statuses.is_empty() || self.statuses.contains(&status),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inherit {
    Off,
    On,
    Merge,
}

fn add_headers(level: &[Statement]) -> Vec<HeaderDirective<'_>> {
    level
        .iter()
        .filter(|s| s.name.value == "add_header" && s.args.len() >= 2)
        .map(|s| HeaderDirective {
            name: s.args[0].value.clone(),
            value: &s.args[1],
            text: s.args[1].value.clone(),
            source: Source::AddHeader {
                always: s.args.get(2).is_some_and(|a| a.value == "always"),
            },
            statuses: Vec::new(),
            directive: s,
        })
        .collect()
}

/// `more_set_headers [-s 'codes'] [-t 'types'] 'Name: value'…` (headers-more 0.34).
fn more_set_headers(level: &[Statement]) -> Vec<HeaderDirective<'_>> {
    let mut out = Vec::new();
    for s in level.iter().filter(|s| s.name.value == "more_set_headers") {
        let mut statuses = Vec::new();
        let mut args = s.args.iter();
        let mut headers = Vec::new();
        while let Some(a) = args.next() {
            match a.value.as_str() {
                "-s" => {
                    if let Some(codes) = args.next() {
                        statuses.extend(
                            codes
                                .value
                                .split_whitespace()
                                .filter_map(|c| c.parse::<u16>().ok()),
                        );
                    }
                }
                "-t" => {
                    args.next();
                }
                _ => headers.push(a),
            }
        }
        for h in headers {
            let Some((name, value)) = h.value.split_once(':') else {
                continue;
            };
            out.push(HeaderDirective {
                name: name.trim().to_string(),
                value: h,
                text: value.trim_start().to_string(),
                source: Source::MoreSetHeaders,
                statuses: statuses.clone(),
                directive: s,
            });
        }
    }
    out
}

fn inherit_mode(level: &[Statement], version: Version) -> Inherit {
    if !version.has_add_header_inherit() {
        return Inherit::On;
    }
    match level
        .iter()
        .rev()
        .find(|s| s.name.value == "add_header_inherit")
        .and_then(|s| s.args.first())
    {
        Some(a) if a.value == "off" => Inherit::Off,
        Some(a) if a.value == "merge" => Inherit::Merge,
        _ => Inherit::On,
    }
}

/// The header directives in effect for a request handled at the innermost of `levels`
/// (outermost first: `http`, `server`, `location`, `if`…), in the order nginx applies them:
/// headers-more first (its filter runs before the headers filter), then `add_header`.
pub fn effective<'a>(levels: &[&'a [Statement]], version: Version) -> Vec<HeaderDirective<'a>> {
    // add_header: a level with its own add_header replaces what it would inherit
    // (`ngx_http_headers_merge_conf`), unless add_header_inherit says otherwise.
    let mut added: Vec<HeaderDirective> = Vec::new();
    for level in levels {
        let own = add_headers(level);
        let mode = inherit_mode(level, version);
        added = match mode {
            Inherit::Off => own,
            Inherit::On if own.is_empty() => added,
            Inherit::On => own,
            Inherit::Merge => added.into_iter().chain(own).collect(),
        };
    }
    // more_set_headers: a level with commands runs its parent's first, then its own.
    let mut more: Vec<HeaderDirective> = Vec::new();
    for level in levels {
        more.extend(more_set_headers(level));
    }
    more.into_iter().chain(added).collect()
}

/// The header lines a response with `status` carries: `more_set_headers` sets (replaces),
/// `add_header` appends, an empty value sends nothing.
pub fn response_headers(directives: &[HeaderDirective], status: u16) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for d in directives.iter().filter(|d| d.applies_to(status)) {
        match d.source {
            Source::MoreSetHeaders => {
                out.retain(|(n, _)| !n.eq_ignore_ascii_case(&d.name));
                if !d.text.is_empty() {
                    out.push((d.name.clone(), d.text.clone()));
                }
            }
            Source::AddHeader { .. } => {
                if !d.text.is_empty() {
                    out.push((d.name.clone(), d.text.clone()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::nginx::syntax::parse;

    const V122: Version = Version(1, 22, 1);

    fn headers(src: &str, path: &[usize], status: u16, version: Version) -> Vec<(String, String)> {
        let c = parse(src.as_bytes()).unwrap();
        let mut levels: Vec<&[Statement]> = vec![&c.statements];
        let mut cur: &[Statement] = &c.statements;
        for &i in path {
            cur = cur[i].children();
            levels.push(cur);
        }
        response_headers(&effective(&levels, version), status)
    }

    fn names(h: Vec<(String, String)>) -> Vec<String> {
        h.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn a_level_with_add_header_loses_the_inherited_ones() {
        let src = "add_header A 1 always; location / { add_header B 2; }";
        assert_eq!(names(headers(src, &[1], 200, V122)), ["B"]);
        assert_eq!(names(headers(src, &[1], 404, V122)), Vec::<String>::new());
        assert_eq!(names(headers(src, &[], 404, V122)), ["A"]);
        let merged = "add_header A 1; location / { add_header_inherit merge; add_header B 2; }";
        assert_eq!(
            names(headers(merged, &[1], 200, V122)),
            ["B"],
            "1.22 has no add_header_inherit"
        );
        assert_eq!(
            names(headers(merged, &[1], 200, Version(1, 29, 3))),
            ["A", "B"]
        );
    }

    #[test]
    fn versions_parse() {
        assert_eq!(Version::parse("1.22"), Some(Version(1, 22, 0)));
        assert_eq!(Version::parse("1.29.3"), Some(Version(1, 29, 3)));
        assert_eq!(Version::parse("1.x"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert!(
            Version(1, 29, 3).has_add_header_inherit()
                && !Version(1, 29, 2).has_add_header_inherit()
        );
    }

    #[test]
    fn more_set_headers_merge_and_cover_every_status() {
        let src = "more_set_headers 'A: 1'; location / { more_set_headers -s '404' 'B: 2'; add_header C 3; }";
        assert_eq!(names(headers(src, &[1], 404, V122)), ["A", "B"]);
        assert_eq!(names(headers(src, &[1], 200, V122)), ["A", "C"]);
    }
}
