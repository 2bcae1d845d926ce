//! The IR's executable meaning: what a configured server answers to a request, and what a
//! browser then lets the page do. `cors-lint simulate` prints this exchange; the ground-truth
//! suite (`tests/ground_truth.rs`) checks it against a real server and a real Chromium.

mod browser;
mod server;

pub use browser::{
    Check, Exchange, PreflightCache, Session, Verdict, actual_request, asks_for_credentials, fetch,
};
pub use server::{ServerRequest, ServerResponse, respond};

use crate::ir::{CorsPolicy, Listener, fetch as rules};

/// A `fetch()` call as a page writes it.
#[derive(Clone, Debug)]
pub struct PageFetch {
    /// The page's serialized origin (`https://app.example`) or `null`.
    pub origin: String,
    /// As passed to `fetch()`.
    pub method: String,
    /// As passed to `fetch()`, in order.
    pub headers: Vec<(String, String)>,
    /// `credentials: "include"`.
    pub credentials: bool,
    /// Path and query on the server.
    pub path: String,
}

/// The request `fetch()` makes of a [`PageFetch`], or why it refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    pub origin: String,
    /// Normalized: `put` → `PUT`; others as written.
    pub method: String,
    /// Lower-cased names, values trimmed; repeated names combined with `, `.
    pub headers: Vec<(String, String)>,
    pub credentials: bool,
    pub path: String,
    /// Headers `fetch()` silently dropped (forbidden request headers).
    pub dropped: Vec<String>,
}

/// `fetch()`'s own checks and normalization (before any network traffic). `Err` is the
/// TypeError it throws.
pub fn prepare(page: &PageFetch) -> Result<FetchRequest, String> {
    if !rules::is_token(&page.method) {
        return Err(format!(
            "`{}` is not a valid method name (fetch() throws a TypeError)",
            page.method
        ));
    }
    if rules::FORBIDDEN_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&page.method))
    {
        return Err(format!(
            "fetch() refuses the method `{}` (TypeError)",
            page.method
        ));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut dropped = Vec::new();
    for (name, value) in &page.headers {
        if !rules::is_token(name) {
            return Err(format!(
                "`{name}` is not a valid header name (fetch() throws a TypeError)"
            ));
        }
        let value = value.trim_matches([' ', '\t', '\r', '\n']);
        if value.contains(['\0', '\r', '\n']) {
            return Err(format!(
                "the value of `{name}` contains NUL, CR or LF (fetch() throws a TypeError)"
            ));
        }
        if rules::is_forbidden_request_header(name, value) {
            dropped.push(name.clone());
            continue;
        }
        let lower = name.to_ascii_lowercase();
        match headers.iter_mut().find(|(n, _)| *n == lower) {
            Some((_, v)) => {
                v.push_str(", ");
                v.push_str(value);
            }
            None => headers.push((lower, value.to_string())),
        }
    }
    Ok(FetchRequest {
        origin: page.origin.clone(),
        method: rules::normalize_method(&page.method),
        headers,
        credentials: page.credentials,
        path: page.path.clone(),
        dropped,
    })
}

/// Simulate `page` against `listener` under `policy`, with these models registered.
pub fn simulate(
    policy: &CorsPolicy,
    listener: &Listener,
    page: &PageFetch,
    registered: &[String],
) -> Result<Exchange, String> {
    let request = prepare(page)?;
    Ok(fetch(&request, |req| {
        respond(policy, listener, req, registered)
    }))
}
