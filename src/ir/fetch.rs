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

/// The only request header the Fetch standard never lets a `*` in `Access-Control-Allow-Headers` cover.
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

/// CORS-unsafe request-header byte (Fetch): controls other than tab, `"():<>?@[\]{}` and DEL.
fn is_unsafe_header_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&b)
}

/// Fetch "CORS-safelisted request-header": a header a page may send without a preflight.
pub fn is_safelisted_request_header(name: &str, value: &str) -> bool {
    if value.len() > 128 {
        return false;
    }
    let bytes = value.as_bytes();
    match name.to_ascii_lowercase().as_str() {
        "accept" => !bytes.iter().any(|&b| is_unsafe_header_byte(b)),
        "accept-language" | "content-language" => bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        "content-type" => {
            !bytes.iter().any(|&b| is_unsafe_header_byte(b))
                && mime_essence(value).is_some_and(|e| {
                    [
                        "application/x-www-form-urlencoded",
                        "multipart/form-data",
                        "text/plain",
                    ]
                    .contains(&e.as_str())
                })
        }
        "range" => simple_range(value),
        _ => false,
    }
}

/// The lower-cased `type/subtype` of a MIME type, or `None` if it does not parse (WHATWG
/// MIME Sniffing "parse a MIME type", parameters ignored).
pub fn mime_essence(value: &str) -> Option<String> {
    let v = value.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
    let (ty, rest) = v.split_once('/')?;
    let subtype = rest
        .split(';')
        .next()?
        .trim_end_matches([' ', '\t', '\n', '\r']);
    (is_token(ty) && is_token(subtype)).then(|| format!("{}/{}", ty, subtype).to_ascii_lowercase())
}

/// Fetch "parse a single range header value" without whitespace, with a start: the only
/// `Range` values that are safelisted (`bytes=0-` and `bytes=0-99`, not `bytes=-5`).
fn simple_range(value: &str) -> bool {
    let Some(rest) = value
        .get(..6)
        .filter(|u| u.eq_ignore_ascii_case("bytes="))
        .map(|_| &value[6..])
    else {
        return false;
    };
    let Some((start, end)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if start.is_empty() || !digits(start) || !digits(end) {
        return false;
    }
    match (start.parse::<u128>(), end) {
        (Ok(_), "") => true,
        (Ok(a), e) => e.parse::<u128>().is_ok_and(|b| a <= b),
        _ => false,
    }
}

/// Fetch "CORS-unsafe request-header names": the sorted, lower-cased names a preflight must
/// allow (`Access-Control-Request-Headers`). Safelisted values over 1024 bytes in total make
/// every safelisted header unsafe too.
pub fn unsafe_request_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut unsafe_names = Vec::new();
    let mut potentially = Vec::new();
    let mut size = 0;
    for (name, value) in headers {
        if is_safelisted_request_header(name, value) {
            potentially.push(name.to_ascii_lowercase());
            size += value.len();
        } else {
            unsafe_names.push(name.to_ascii_lowercase());
        }
    }
    if size > 1024 {
        unsafe_names.extend(potentially);
    }
    unsafe_names.sort();
    unsafe_names.dedup();
    unsafe_names
}

/// Request headers a page cannot set: `fetch()` silently drops them (Fetch "forbidden
/// request-header").
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const NAMES: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    if NAMES.contains(&n.as_str()) || n.starts_with("proxy-") || n.starts_with("sec-") {
        return true;
    }
    [
        "x-http-method",
        "x-http-method-override",
        "x-method-override",
    ]
    .contains(&n.as_str())
        && value.split(',').any(|m| {
            FORBIDDEN_METHODS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(m.trim()))
        })
}

/// `fetch()`'s method normalization: the six standard methods are upper-cased, any other
/// method is kept as written.
pub fn normalize_method(method: &str) -> String {
    match NORMALIZED_METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
    {
        Some(m) => m.to_string(),
        None => method.to_string(),
    }
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
    fn safelisted_request_headers() {
        assert!(is_safelisted_request_header(
            "Content-Type",
            "text/plain;charset=UTF-8"
        ));
        assert!(!is_safelisted_request_header(
            "content-type",
            "application/json"
        ));
        assert!(!is_safelisted_request_header(
            "content-type",
            "text/plain\""
        ));
        assert!(is_safelisted_request_header("Range", "bytes=0-"));
        assert!(is_safelisted_request_header("Range", "bytes=10-20"));
        assert!(!is_safelisted_request_header("Range", "bytes=-5"));
        assert!(!is_safelisted_request_header("Range", "bytes=20-10"));
        assert!(!is_safelisted_request_header("Range", "bytes=0-1,3-4"));
        assert!(is_safelisted_request_header(
            "Accept-Language",
            "en-US,en;q=0.9"
        ));
        assert!(!is_safelisted_request_header("Accept-Language", "en_US"));
        assert!(!is_safelisted_request_header("X-Token", "1"));
        assert!(!is_safelisted_request_header("Authorization", "Bearer x"));
        let long = "a".repeat(129);
        assert!(!is_safelisted_request_header("Accept", &long));
        let h = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(
            unsafe_request_header_names(&[
                h("X-B", "1"),
                h("Accept", "*/*"),
                h("x-a", "2"),
                h("X-B", "3")
            ]),
            ["x-a", "x-b"]
        );
        assert_eq!(normalize_method("put"), "PUT");
        assert_eq!(normalize_method("patch"), "patch");
        assert!(is_forbidden_request_header("Cookie", "a=b"));
        assert!(is_forbidden_request_header("Sec-Fetch-Mode", "cors"));
        assert!(is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "TRACE"
        ));
        assert!(!is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "PUT"
        ));
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
