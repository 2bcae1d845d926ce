//! What browsers do with CORS headers: the Fetch standard (`whatwg/fetch` fetch.bs) and
//! Chromium's `services/network/cors/preflight_result.cc`.

use std::ops::Range;

/// CORS-safelisted methods: a request with one of these never needs a preflight for its
/// method. `fetch()` upper-cases `get`/`head`/`post`, so the comparison ignores case.
pub fn is_safelisted_method(method: &str) -> bool {
    ["GET", "HEAD", "POST"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// Methods `fetch()` upper-cases before sending (Fetch "normalize").
pub const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Methods a page can never send (`fetch()` throws).
pub const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Methods of the IANA HTTP method registry that servers commonly route.
pub const KNOWN_METHODS: [&str; 22] = [
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "OPTIONS",
    "PATCH",
    "CONNECT",
    "TRACE",
    "QUERY",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "REPORT",
    "MKCALENDAR",
    "ACL",
    "MERGE",
];

/// Request headers that are CORS-safelisted for the values pages usually send. Even these
/// need a preflight for unusual values (Fetch "CORS-safelisted request-header"), and
/// `Content-Type` and `Range` are left out: they are usually listed precisely because the
/// page sends a non-safelisted value (`application/json`, a suffix range).
pub fn is_always_safelisted_header(name: &str) -> bool {
    ["accept", "accept-language", "content-language"]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// The only request header a `*` in `Access-Control-Allow-Headers` never covers.
pub const NON_WILDCARD_REQUEST_HEADER: &str = "Authorization";

/// Browser caps on `Access-Control-Max-Age`, in seconds.
pub const MAX_AGE_CAP_CHROMIUM: u64 = 7_200;
pub const MAX_AGE_CAP_FIREFOX: u64 = 86_400;

/// HTTP `token` (RFC 9110 §5.6.2): what each entry of `Access-Control-Allow-Methods` and
/// `-Headers` must be, or Chromium rejects the whole preflight.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// HTTP optional whitespace around list entries.
fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Byte ranges of the entries of a comma-separated header value, trimmed, empty entries
/// skipped (Chromium `net::HttpUtil::ValuesIterator` with `ignore_empty_values`).
pub fn split_list(value: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ',')))
    {
        if c != ',' {
            continue;
        }
        let item = &value[start..i];
        let lead = item.len() - item.trim_start_matches(is_ows).len();
        let trimmed = item.trim_matches(is_ows);
        if !trimmed.is_empty() {
            out.push(start + lead..start + lead + trimmed.len());
        }
        start = i + 1;
    }
    out
}

/// Control characters HTTP field values may not contain (RFC 9110 §5.5: CR, LF and NUL are
/// invalid; other CTLs except HTAB are not `field-vchar`).
pub fn is_invalid_field_char(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7f}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_like_chromium() {
        let v = " GET,, POST ,\tPUT ";
        let items: Vec<&str> = split_list(v).into_iter().map(|r| &v[r]).collect();
        assert_eq!(items, ["GET", "POST", "PUT"]);
        assert!(split_list("  ").is_empty());
    }

    #[test]
    fn tokens() {
        assert!(is_token("X-Custom-Token"));
        assert!(is_token("*"));
        assert!(!is_token("GET POST"));
        assert!(!is_token("GET;POST"));
        assert!(!is_token(""));
    }
}
