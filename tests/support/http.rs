//! A raw HTTP/1.1 client that keeps header values byte for byte (HTTP client libraries trim
//! them, and the ground truth must see TorchServe's trailing spaces).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// `None`: no HTTP response (connection closed or timed out first).
    pub status: Option<u16>,
    /// Lower-cased names, values exactly as sent (ISO-8859-1 decoded).
    pub headers: Vec<(String, String)>,
}

pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> RawResponse {
    request_to_host(
        port,
        &format!("127.0.0.1:{port}"),
        method,
        path,
        headers,
        timeout,
    )
}

/// [`request`] with a chosen `Host` header (for name-based virtual servers).
pub fn request_to_host(
    port: u16,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> RawResponse {
    let none = RawResponse {
        status: None,
        headers: Vec::new(),
    };
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return none;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n"
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return none;
    }
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return none;
    };
    let text: String = data[..end].iter().map(|&b| b as char).collect();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                v.strip_prefix(' ').unwrap_or(v).to_string(),
            )
        })
        .collect();
    RawResponse { status, headers }
}
