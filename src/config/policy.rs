//! `[policy]`: the organisation's CORS rules, which CORS032 checks every policy against —
//! trusted origins, who may send credentials, the longest preflight cache, no `*`, HTTPS only.

use crate::source::Span;
use serde::Deserialize;
use toml::Spanned;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawPolicy {
    trusted_origins: Option<Spanned<Vec<Spanned<String>>>>,
    allow_credentials_for: Option<Spanned<Vec<Spanned<String>>>>,
    max_age_limit: Option<Spanned<i64>>,
    forbid_wildcard_origin: Option<Spanned<bool>>,
    require_https: Option<Spanned<bool>>,
}

/// An origin pattern: `scheme://host[:port]`, where a host `*.example.com` stands for one or
/// more labels before `example.com` (never `example.com` itself). Hosts compare
/// case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    host: String,
    any_subdomain: bool,
    port: Option<u16>,
    pub text: String,
}

impl OriginPattern {
    fn parse(text: &str) -> Result<OriginPattern, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("`{text}`: expected `scheme://host[:port]`"))?;
        if !matches!(scheme, "http" | "https") {
            return Err(format!("`{text}`: the scheme must be `http` or `https`"));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                Some(
                    p.parse::<u16>()
                        .map_err(|_| format!("`{text}`: `{p}` is no port"))?,
                ),
            ),
            None => (rest, None),
        };
        let (any_subdomain, host) = match host.strip_prefix("*.") {
            Some(base) => (true, base),
            None => (false, host),
        };
        let ok = !host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !ok {
            return Err(format!(
                "`{text}`: expected a host name (`app.example.com`, or `*.example.com` for its subdomains), no path"
            ));
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        Ok(OriginPattern {
            scheme: scheme.to_string(),
            host: host.to_ascii_lowercase(),
            any_subdomain,
            port: port.filter(|p| *p != default_port),
            text: text.to_string(),
        })
    }

    /// Whether a serialized origin (as a browser sends it) matches.
    pub fn matches(&self, origin: &str) -> bool {
        let Some((scheme, rest)) = origin.split_once("://") else {
            return false;
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, p.parse::<u16>().ok()),
            _ => (rest, None),
        };
        let host = host.to_ascii_lowercase();
        let host_ok = if self.any_subdomain {
            host.strip_suffix(&self.host)
                .and_then(|l| l.strip_suffix('.'))
                .is_some_and(|l| !l.is_empty())
        } else {
            host == self.host
        };
        scheme == self.scheme && host_ok && port == self.port
    }
}

/// A setting with where it is written (`cors-lint.toml:4`), for the finding's message.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub value: T,
    pub at: String,
}

#[derive(Clone, Debug, Default)]
pub struct OrgPolicy {
    pub trusted_origins: Option<Located<Vec<OriginPattern>>>,
    pub allow_credentials_for: Option<Located<Vec<OriginPattern>>>,
    pub max_age_limit: Option<Located<i64>>,
    pub forbid_wildcard_origin: Option<Located<()>>,
    pub require_https: Option<Located<()>>,
}

impl OrgPolicy {
    /// Check the raw table; `Err` is every mistake, at its bytes and why. `at` turns a byte
    /// offset of the file into `file:line`.
    pub fn from_raw(
        raw: &RawPolicy,
        at: &dyn Fn(usize) -> String,
    ) -> Result<OrgPolicy, Vec<(Span, String)>> {
        let mut problems = Vec::new();
        let mut patterns = |list: &Option<Spanned<Vec<Spanned<String>>>>| {
            let list = list.as_ref()?;
            let mut out = Vec::new();
            for s in list.get_ref() {
                match OriginPattern::parse(s.get_ref()) {
                    Ok(p) => out.push(p),
                    Err(e) => problems.push((Span::new(s.span().start, s.span().end), e)),
                }
            }
            Some(Located {
                value: out,
                at: at(list.span().start),
            })
        };
        let trusted_origins = patterns(&raw.trusted_origins);
        let allow_credentials_for = patterns(&raw.allow_credentials_for);
        let flag = |f: &Option<Spanned<bool>>| {
            f.as_ref().filter(|f| *f.get_ref()).map(|f| Located {
                value: (),
                at: at(f.span().start),
            })
        };
        let max_age_limit = match &raw.max_age_limit {
            Some(m) if *m.get_ref() < 0 => {
                problems.push((
                    Span::new(m.span().start, m.span().end),
                    "max-age-limit is a number of seconds, 0 or more".into(),
                ));
                None
            }
            Some(m) => Some(Located {
                value: *m.get_ref(),
                at: at(m.span().start),
            }),
            None => None,
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(OrgPolicy {
            trusted_origins,
            allow_credentials_for,
            max_age_limit,
            forbid_wildcard_origin: flag(&raw.forbid_wildcard_origin),
            require_https: flag(&raw.require_https),
        })
    }
}

/// The keys `[policy]` takes, for "did you mean".
pub const KEYS: &[&str] = &[
    "trusted-origins",
    "allow-credentials-for",
    "max-age-limit",
    "forbid-wildcard-origin",
    "require-https",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_patterns_match_subdomains_at_any_depth_but_not_the_bare_domain() {
        let p = OriginPattern::parse("https://*.corp.example").unwrap();
        assert!(p.matches("https://a.corp.example"));
        assert!(p.matches("https://a.b.corp.example"));
        assert!(p.matches("https://A.Corp.Example"));
        assert!(!p.matches("https://corp.example"));
        assert!(!p.matches("https://evilcorp.example"));
        assert!(!p.matches("http://a.corp.example"));
        assert!(!p.matches("https://a.corp.example:8443"));
        let exact = OriginPattern::parse("https://app.example.com:443").unwrap();
        assert!(exact.matches("https://app.example.com"));
        assert!(!exact.matches("https://app.example.com.evil.example"));
        assert!(!exact.matches("null"));
    }

    #[test]
    fn bad_patterns_say_why() {
        for bad in [
            "app.example.com",
            "ftp://x.example",
            "https://x.example/path",
            "https://*.",
        ] {
            assert!(OriginPattern::parse(bad).is_err(), "{bad}");
        }
    }
}
