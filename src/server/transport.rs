//! JSON-RPC over standard input and output, framed by `Content-Length` headers.
//!
//! `lsp_server`'s own stdio reader ends the connection on the first malformed frame; this one
//! reads frames itself and keeps serving: a header line it cannot read is skipped, a body
//! that is not JSON is answered with a `-32700` parse error, JSON that is not a JSON-RPC
//! message with `-32600` (invalid request), and the next frame is read as usual. Messages
//! themselves are `lsp_server::Message`s, deserialized with serde.

use lsp_server::{ErrorCode, Message};
use serde_json::{Value, json};
use std::io::{self, BufRead, Read, Write};

/// Bodies larger than this are skipped unread (the largest file cors-lint lints is 64 MiB;
/// JSON escaping can double it).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// What the reader hands the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that was no message: the error to answer (to `id`, or to `null`), if any.
    Malformed {
        id: Value,
        code: i32,
        message: String,
    },
    /// A frame skipped without an answer (a header line that is no header, no
    /// `Content-Length`): said on standard error.
    Skipped(String),
    /// Standard input ended.
    Eof,
}

/// Read frames from `input` until it ends, sending each to `deliver` (which returns false
/// when nobody listens any more).
pub fn read_all(mut input: impl BufRead, mut deliver: impl FnMut(Incoming) -> bool) {
    loop {
        let incoming = match read_frame(&mut input) {
            Ok(Some(Frame::Body(body))) => decode(&body),
            Ok(Some(Frame::Bad(why))) => Incoming::Skipped(why),
            Ok(None) | Err(_) => {
                deliver(Incoming::Eof);
                return;
            }
        };
        if !deliver(incoming) {
            return;
        }
    }
}

enum Frame {
    Body(Vec<u8>),
    Bad(String),
}

/// One frame: headers up to an empty line, then `Content-Length` bytes. `None` at the end
/// of the input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut problems: Vec<String> = Vec::new();
    let mut line = Vec::new();
    let mut any = false;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !any {
                // Blank lines between frames.
                continue;
            }
            break;
        }
        any = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => problems.push(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {} // Content-Type, or another header
            None => problems.push(format!("not a header: {:?}", truncate(text))),
        }
    }
    let Some(n) = length else {
        problems.push("no Content-Length".into());
        return Ok(Some(Frame::Bad(problems.join("; "))));
    };
    if n > MAX_BODY {
        io::copy(&mut input.take(n as u64), &mut io::sink())?;
        return Ok(Some(Frame::Bad(format!(
            "a body of {n} bytes, over the {} MiB limit, was skipped",
            MAX_BODY >> 20
        ))));
    }
    let mut body = vec![0; n];
    input.read_exact(&mut body)?;
    Ok(Some(Frame::Body(body)))
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A body as a message, or what to answer.
fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Malformed {
                id: Value::Null,
                code: ErrorCode::ParseError as i32,
                message: format!("Parse error: {e}"),
            };
        }
    };
    // `Message` is untagged: a request whose id is no integer or string would pass as a
    // notification, and never be answered.
    let bad_id = value
        .get("id")
        .is_some_and(|id| !(id.is_i64() || id.is_string() || id.is_null()));
    if bad_id {
        return Incoming::Malformed {
            id: value["id"].clone(),
            code: ErrorCode::InvalidRequest as i32,
            message: "Invalid request: the id is neither an integer nor a string".into(),
        };
    }
    match serde_json::from_value::<Message>(value.clone()) {
        Ok(m) => Incoming::Message(m),
        Err(e) => {
            let id = value.get("id").cloned().unwrap_or(Value::Null);
            // A notification cannot be answered: it is skipped.
            if id.is_null() && value.get("method").is_some() {
                return Incoming::Skipped(format!("invalid notification: {e}"));
            }
            Incoming::Malformed {
                id,
                code: ErrorCode::InvalidRequest as i32,
                message: format!("Invalid request: {e}"),
            }
        }
    }
}

/// Writes messages to the client, each framed.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Writer { out }
    }

    #[cfg(test)]
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    pub fn send(&mut self, message: Message) {
        // A client that went away is noticed when standard input ends.
        let _ = message.write(&mut self.out);
    }

    /// An error answer to an id `lsp_server` cannot hold (`null`, a float).
    pub fn send_error(&mut self, id: Value, code: i32, message: &str) {
        let text = json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": code, "message": message},
        })
        .to_string();
        let _ = write!(self.out, "Content-Length: {}\r\n\r\n{text}", text.len());
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Incoming> {
        let mut out = Vec::new();
        read_all(input, |i| {
            out.push(i);
            true
        });
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn reads_messages_and_survives_malformed_frames() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = [
            framed(ok),
            framed("{not json"),
            "garbage line\r\n".into(),
            framed(ok),
            "X-Whatever: 1\r\n\r\n".into(),
            framed(r#"{"jsonrpc":"2.0","id":2.5,"method":"x"}"#),
            framed(r#"[1,2]"#),
            "Content-Length: 5\n\n{}   ".into(),
            framed(ok),
        ]
        .concat();
        let got = frames(input.as_bytes());
        let kinds: Vec<String> = got
            .iter()
            .map(|i| match i {
                Incoming::Message(Message::Request(r)) => format!("request {}", r.method),
                Incoming::Message(m) => format!("{m:?}"),
                Incoming::Malformed { code, id, .. } => format!("error {code} {id}"),
                Incoming::Skipped(_) => "skipped".into(),
                Incoming::Eof => "eof".into(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "request shutdown",
                "error -32700 null",
                // The garbage line is skipped with the next frame's headers.
                "request shutdown",
                "skipped",
                "error -32600 2.5",
                "error -32600 null",
                "error -32600 null",
                "request shutdown",
                "eof",
            ]
        );
    }

    #[test]
    fn a_truncated_body_ends_the_input() {
        let got = frames(b"Content-Length: 50\r\n\r\n{\"jsonrpc\"");
        assert!(matches!(got.as_slice(), [Incoming::Eof]));
    }

    #[test]
    fn errors_to_null_ids_are_framed() {
        let mut w = Writer::new(Vec::new());
        w.send_error(Value::Null, -32700, "Parse error");
        let text = String::from_utf8(w.out).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(head, format!("Content-Length: {}", body.len()));
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["id"], Value::Null);
        assert_eq!(v["error"]["code"], -32700);
    }
}
