//! The ingress-nginx controller's reading of the seven CORS annotations, exact to its source
//! (`internal/ingress/annotations/cors/main.go`, `parser/main.go`, `parser/validators.go`
//! at controller-v1.15.1; older behaviour per `../shared/facts/ingress-nginx.md` §1.5).
//!
//! For each string annotation the controller (1) looks the key up, (2) when the raw value is
//! not empty runs the annotation's validator on it — for regex validators after
//! `strings.ReplaceAll(s, " ", "")`, so only spaces are removed and a line break or a tab
//! stays and fails — and on failure logs a warning and uses the default, then (3) reads the
//! value with `normalizeString` (every line `strings.TrimSpace`d) and treats an empty result
//! as absent. `cors.Parse` never fails, so every invalid value silently becomes the default.
//!
//! Go's regexp `\d` and `\s` are ASCII (`[0-9]`, `[\t\n\f\r ]`); the patterns below spell
//! them out because Rust's are Unicode.

use regex::Regex;
use std::sync::LazyLock;

/// A controller release (`controller-vX.Y.Z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// The newest release (2026-03-20); the project is retired, so also the last.
    pub const NEWEST: Version = Version(1, 15, 1);
    /// Annotation validation (#9673) arrived in 1.9.0; older releases are not modelled.
    pub const OLDEST: Version = Version(1, 9, 0);

    /// `1.12`, `1.12.3`, `v1.12.3`, `controller-v1.12.3`.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix("controller-").unwrap_or(s);
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = s.split('.').map(|p| p.parse::<u32>().ok());
        let v = Version(
            parts.next()??,
            parts.next()??,
            parts.next().unwrap_or(Some(0))?,
        );
        parts.next().is_none().then_some(v)
    }

    /// `null` is an accepted origin entry (#12402, controller-v1.13.0).
    pub fn accepts_null_origin(self) -> bool {
        self >= Version(1, 13, 0)
    }

    /// Any lower-case scheme, not only http/https (#11153, controller-v1.12.0).
    pub fn any_scheme(self) -> bool {
        self >= Version(1, 12, 0)
    }

    /// Empty origin entries (a trailing comma) are skipped (#10616, controller-v1.9.5).
    pub fn skips_empty_origins(self) -> bool {
        self >= Version(1, 9, 5)
    }

    /// `annotations-risk-level` defaults to High, rejecting Critical annotations such as the
    /// snippets (#11819, controller-v1.12.0); before, `Critical`.
    pub fn rejects_critical_annotations(self) -> bool {
        self >= Version(1, 12, 0)
    }
}

pub const PREFIX: &str = "nginx.ingress.kubernetes.io/";

pub const ENABLE: &str = "enable-cors";
pub const ORIGIN: &str = "cors-allow-origin";
pub const METHODS: &str = "cors-allow-methods";
pub const HEADERS: &str = "cors-allow-headers";
pub const EXPOSE: &str = "cors-expose-headers";
pub const CREDENTIALS: &str = "cors-allow-credentials";
pub const MAX_AGE: &str = "cors-max-age";

/// The seven CORS annotations (cors/main.go constants).
pub const CORS_KEYS: [&str; 7] = [
    ENABLE,
    ORIGIN,
    METHODS,
    HEADERS,
    EXPOSE,
    CREDENTIALS,
    MAX_AGE,
];

/// cors/main.go `defaultCorsMethods`.
pub const DEFAULT_METHODS: &str = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
/// cors/main.go `defaultCorsHeaders` (since controller-v1.2.1).
pub const DEFAULT_HEADERS: &str = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
/// cors/main.go `defaultCorsMaxAge` (20 days).
pub const DEFAULT_MAX_AGE: i64 = 1_728_000;

/// `corsOriginRegexValidator` as written in the source (quoted in messages).
pub fn origin_validator_source(v: Version) -> &'static str {
    if v.accepts_null_origin() {
        r"^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$"
    } else if v.any_scheme() {
        r"^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?))+)|\*)?$"
    } else {
        r"^((((https?://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)+)|\*)?$"
    }
}

/// `corsOriginRegex`, checked on each entry in `Parse`.
pub fn origin_entry_source(v: Version) -> &'static str {
    if v.accepts_null_origin() {
        r"^([a-z]+://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*|null)?$"
    } else if v.any_scheme() {
        r"^([a-z]+://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*)?$"
    } else {
        r"^(https?://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*)?$"
    }
}

/// `corsMethodsRegex`.
pub const METHODS_SOURCE: &str = r"^([A-Za-z]+,?\s?)+$";
/// `parser.HeadersVariable` (validators.go).
pub const HEADERS_SOURCE: &str = r"^[A-Za-z0-9-_, ]*$";
/// `corsExposeHeadersRegex`.
pub const EXPOSE_SOURCE: &str = r"^(([A-Za-z0-9\-\_]+|\*),?\s?)+$";

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid regex")
}

const S: &str = r"[\t\n\x0C\r ]";

static ORIGIN_VALIDATOR: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    // `|null` adds nothing to the validator: `null` is already a host.
    [
        re(r"^(?:(?:(?:(?:[a-z]+://)?(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]+)?,?))+|\*)?$"),
        re(r"^(?:(?:(?:(?:https?://)?(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]+)?,?))+|\*)?$"),
    ]
});

/// Prefixes of values the origin validator accepts (for "where does it fail").
static ORIGIN_VIABLE: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    let build = |scheme: &str| {
        let item = format!(r"(?:{scheme}://)?(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]+)?,?");
        let part = format!(
            r"(?:{scheme}:/{{1,2}}|(?:{scheme}://)?\*|(?:{scheme}://)?(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]*)?,?)"
        );
        re(&format!(r"^(?:\*|(?:{item})*{part}?)$"))
    };
    [build("[a-z]+"), build("https?")]
});

static ORIGIN_ENTRY: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        re(r"^(?:[a-z]+://(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]+)?|\*|null)?$"),
        re(r"^(?:[a-z]+://(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]+)?|\*)?$"),
        re(r"^(?:https?://(?:\*\.)?[A-Za-z0-9\-.]*(?::[0-9]+)?|\*)?$"),
    ]
});

static METHODS_RE: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"^(?:[A-Za-z]+,?{S}?)+$")));
static METHODS_VIABLE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"^(?:[A-Za-z]+,?{S}?)*[A-Za-z]*$")));
static HEADERS_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9\-_, ]*$"));
static EXPOSE_RE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"^(?:(?:[A-Za-z0-9\-_]+|\*),?{S}?)+$")));
static EXPOSE_VIABLE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(?:(?:[A-Za-z0-9\-_]+|\*),?{S}?)*[A-Za-z0-9\-_]*$"
    ))
});

fn scheme_index(v: Version) -> usize {
    if v.any_scheme() { 0 } else { 1 }
}

/// `ValidateRegex(re, true)`: spaces (only U+0020) removed, then matched.
fn despaced(raw: &str) -> (String, Vec<usize>) {
    let mut s = String::new();
    let mut at = Vec::new();
    for (i, c) in raw.char_indices() {
        if c != ' ' {
            s.push(c);
            at.push(i);
        }
    }
    (s, at)
}

/// Where a regex validator fails: the byte range (in `raw`) of the first character after
/// the longest prefix that could still be accepted, or the whole value.
fn failure(raw: &str, viable: Option<&Regex>) -> std::ops::Range<usize> {
    let (s, at) = despaced(raw);
    let Some(viable) = viable else {
        return 0..raw.len();
    };
    // Viability is prefix-closed: binary search the longest viable prefix (in chars).
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let (mut lo, mut hi) = (0, bounds.len() - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if viable.is_match(&s[..bounds[mid]]) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo + 1 >= bounds.len() {
        // The whole value is a viable prefix but not accepted (e.g. ends in `https:/`).
        return 0..raw.len();
    }
    let start = at[bounds[lo]];
    let c = raw[start..].chars().next().map_or(1, char::len_utf8);
    start..start + c
}

/// A validator's verdict on a raw value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Byte range in the raw value of the part that fails.
    pub at: std::ops::Range<usize>,
    /// The regex or Go function that fails, as written in the controller's source.
    pub check: &'static str,
    /// In words.
    pub why: String,
}

fn describe(c: &str, what: &str) -> String {
    match c.chars().next() {
        Some('\n') | Some('\r') => format!(
            "a line break (a YAML block scalar `|` or `>` keeps it, even after the last line) is not allowed in {what}"
        ),
        Some('\t') => format!("a tab is not allowed in {what}"),
        Some(ch) if !ch.is_ascii() => format!(
            "`{ch}` is not ASCII, and {what} may only hold ASCII letters, digits, `-` and `.` (write an \
             internationalized host in its `xn--` form)"
        ),
        Some(ch) => format!("`{ch}` is not allowed here in {what}"),
        None => format!("the value is not {what}"),
    }
}

/// `cors-allow-origin`'s validator.
pub fn validate_origin(raw: &str, v: Version) -> Result<(), Invalid> {
    let (s, _) = despaced(raw);
    let i = scheme_index(v);
    if ORIGIN_VALIDATOR[i].is_match(&s) {
        return Ok(());
    }
    let at = failure(raw, Some(&ORIGIN_VIABLE[i]));
    // `HTTPS://` or `chrome-extension://` read as a host, a `:` and a port that never comes:
    // the `/` fails, but the scheme is at fault.
    if raw[at.clone()] == *"/" && raw[..at.start].ends_with(':') {
        let entry_start = raw[..at.start].rfind(',').map_or(0, |c| c + 1);
        let scheme_end = at.start - 1;
        let scheme_start = entry_start
            + (raw[entry_start..scheme_end].len()
                - raw[entry_start..scheme_end].trim_start().len());
        let scheme = &raw[scheme_start..scheme_end];
        if !scheme.is_empty() && !scheme.bytes().all(|b| b.is_ascii_lowercase()) {
            let why = if scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
                format!("the scheme `{scheme}` must be lower case")
            } else {
                format!("the scheme `{scheme}` may contain only lower-case letters")
            };
            return Err(Invalid {
                at: scheme_start..scheme_end,
                check: origin_validator_source(v),
                why,
            });
        }
    }
    let part = &raw[at.clone()];
    let why = if at.len() == raw.len() && raw.chars().count() > 1 {
        "the value is not a comma-separated list of origins the controller accepts".to_string()
    } else {
        match part {
            "/" => "a `/` after the host: an origin has no path and no trailing slash".to_string(),
            "_" => "`_` is not allowed in a host name here".to_string(),
            "*" => "`*` may only stand alone or as the first label (`https://*.example.com`)"
                .to_string(),
            ":" if !v.any_scheme() => {
                "only `http://` and `https://` schemes are accepted before 1.12.0".to_string()
            }
            c => describe(c, "an origin list"),
        }
    };
    Err(Invalid {
        at,
        check: origin_validator_source(v),
        why,
    })
}

/// `corsOriginRegex` on one trimmed entry.
pub fn origin_entry_ok(entry: &str, v: Version) -> bool {
    let i = if v.accepts_null_origin() {
        0
    } else if v.any_scheme() {
        1
    } else {
        2
    };
    ORIGIN_ENTRY[i].is_match(entry)
}

pub fn validate_methods(raw: &str) -> Result<(), Invalid> {
    let (s, _) = despaced(raw);
    if METHODS_RE.is_match(&s) {
        return Ok(());
    }
    let at = failure(raw, Some(&METHODS_VIABLE));
    let why = describe(
        &raw[at.clone()],
        "a method list (letters separated by commas)",
    );
    Err(Invalid {
        at,
        check: METHODS_SOURCE,
        why,
    })
}

pub fn validate_headers(raw: &str) -> Result<(), Invalid> {
    let (s, _) = despaced(raw);
    if HEADERS_RE.is_match(&s) {
        return Ok(());
    }
    let bad = raw
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || "-_, ".contains(*c)))
        .map_or(0..raw.len(), |(i, c)| i..i + c.len_utf8());
    let why = describe(
        &raw[bad.clone()],
        "a header list (letters, digits, `-`, `_`, `,` and spaces)",
    );
    Err(Invalid {
        at: bad,
        check: HEADERS_SOURCE,
        why,
    })
}

pub fn validate_expose(raw: &str) -> Result<(), Invalid> {
    let (s, _) = despaced(raw);
    if EXPOSE_RE.is_match(&s) {
        return Ok(());
    }
    let at = failure(raw, Some(&EXPOSE_VIABLE));
    let why = describe(&raw[at.clone()], "an expose-headers list");
    Err(Invalid {
        at,
        check: EXPOSE_SOURCE,
        why,
    })
}

/// The re-check `Parse` applies to the normalized value (spaces kept).
pub fn recheck(key: &str, normalized: &str) -> bool {
    match key {
        METHODS => METHODS_RE.is_match(normalized),
        HEADERS => HEADERS_RE.is_match(normalized),
        EXPOSE => EXPOSE_RE.is_match(normalized),
        _ => true,
    }
}

/// Go `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go `strconv.Atoi` (64-bit `int`).
pub fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse::<i64>().ok()
}

/// Go `strings.TrimSpace`'s notion of white space (`unicode.IsSpace`).
pub fn go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// `buildOriginRegex` (template.go): the entry, `regexp.QuoteMeta`d, with the first `\*`
/// replaced by one DNS label.
pub fn origin_regex(entry: &str) -> String {
    let quoted = regex::escape(entry);
    format!("({})", quoted.replacen(r"\*", r"[A-Za-z0-9\-]+", 1))
}

/// Whether `buildCorsOriginRegex` for a non-`*` list, as the template renders it, gives a
/// `~*` regex that matches every origin: an empty alternative, which a trailing comma
/// produced before 1.9.5. Each non-empty entry is a quoted literal (its `*` one or more
/// label characters), which never matches the empty string, and a `|` follows every
/// non-empty entry but the last element — so the regex has an empty alternative exactly when
/// the last element is blank (or there is none). The rendered regex itself is checked
/// against this in the tests.
pub fn matches_everything(entries: &[String]) -> bool {
    entries.last().is_none_or(|e| e.trim().is_empty())
}

/// The regex the template renders for a non-`*` list.
#[cfg(test)]
fn rendered_list_regex(entries: &[String]) -> String {
    let mut r = String::from("(");
    for (i, e) in entries.iter().enumerate() {
        let t = e.trim();
        if !t.is_empty() {
            r.push_str(&origin_regex(t));
            if i != entries.len() - 1 {
                r.push('|');
            }
        }
    }
    r.push_str(")$");
    format!("(?i){r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Version = Version::NEWEST;

    #[test]
    fn origin_validator_cases_from_the_controller_tests() {
        // cors/main_test.go `TestCorsOriginRegexValidator` (v1.13+).
        for ok in [
            "https://*.foo.bar",
            "http://*.bar.foo:8080",
            "myprotocol://*.abc.bar.foo:9000",
            "https://origin1.com,http://origin2.com:8080,null",
            "https://*.foo.bar,http://*.baz.qux:443",
            "https://origin.test.com:4443",
            "*",
            "null",
            "",
            "origin123.test.com:4443",
            ":8080",
            "https://a.com, https://b.com",
        ] {
            assert!(validate_origin(ok, V).is_ok(), "{ok}");
        }
        assert!(validate_origin("https://$upstream", V).is_err());
    }

    #[test]
    fn origin_validator_names_the_failing_byte() {
        let e = validate_origin("https://a.example.com/", V).unwrap_err();
        assert_eq!(e.at, 21..22);
        assert!(e.why.contains("trailing slash"), "{}", e.why);
        let e = validate_origin("https://a.com, HTTPS://B.com", V).unwrap_err();
        assert_eq!(e.at, 15..20);
        assert!(e.why.contains("`HTTPS` must be lower case"), "{}", e.why);
        let e = validate_origin("https://a.com,\nhttps://b.com\n", V).unwrap_err();
        assert_eq!(e.at, 14..15);
        assert!(e.why.contains("line break"));
        let e = validate_origin("https://a_b.com", V).unwrap_err();
        assert_eq!(e.at, 9..10);
        // Before 1.12 only http(s) schemes.
        assert!(validate_origin("app://x", Version(1, 11, 0)).is_err());
        assert!(validate_origin("app://x", Version(1, 12, 0)).is_ok());
    }

    #[test]
    fn entries() {
        assert!(origin_entry_ok("https://*.a.com:8443", V));
        assert!(!origin_entry_ok("a.com", V));
        assert!(origin_entry_ok("null", V));
        assert!(!origin_entry_ok("null", Version(1, 12, 0)));
        assert!(origin_entry_ok("", V));
    }

    #[test]
    fn methods_headers_expose() {
        assert!(validate_methods("GET, POST,PUT").is_ok());
        assert_eq!(validate_methods("GET, *").unwrap_err().at, 5..6);
        assert!(
            !recheck(METHODS, "GET,  POST"),
            "two spaces pass the despaced validator only"
        );
        assert!(validate_methods("GET,  POST").is_ok());
        assert!(validate_headers("X-Token, Content-Type").is_ok());
        assert_eq!(validate_headers("X-Token, *").unwrap_err().at, 9..10);
        assert!(validate_expose("*, X-Id").is_ok());
        assert!(validate_expose("X.Id").is_err());
    }

    #[test]
    fn go_parsers() {
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_bool("true "), None);
        assert_eq!(atoi("+600"), Some(600));
        assert_eq!(atoi("-1"), Some(-1));
        assert_eq!(atoi("6e2"), None);
        assert_eq!(atoi(" 600"), None);
    }

    #[test]
    fn origin_regexes_as_the_template_renders_them() {
        assert_eq!(
            origin_regex("https://*.example.org"),
            r"(https://[A-Za-z0-9\-]+\.example\.org)"
        );
        assert!(!matches_everything(&["https://a.com".into()]));
        assert!(matches_everything(&["https://a.com".into(), "".into()]));
        assert!(!matches_everything(&["".into(), "https://a.com".into()]));
        // The closed form agrees with the rendered regex.
        for list in [
            vec![],
            vec![""],
            vec!["https://a.com"],
            vec!["https://a.com", ""],
            vec!["", "https://a.com"],
            vec!["https://*.a.com", " ", ""],
            vec!["*", "x"],
            vec!["https://a.com", "", "https://b.com"],
        ] {
            let entries: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            let re = Regex::new(&rendered_list_regex(&entries)).unwrap();
            assert_eq!(matches_everything(&entries), re.is_match(""), "{list:?}");
        }
    }
}
