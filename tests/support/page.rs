//! The calling page: a tiny HTTP server on its own loopback port (its origin is the page's
//! origin).
//!
//! * `GET /` serves the current page; `GET /sandboxed` serves it with
//!   `Content-Security-Policy: sandbox allow-scripts`, which gives the document the opaque
//!   origin `null` (so its fetches send `Origin: null`).
//! * `POST /result` takes the page's outcomes (a JSON body).
//! * `GET /hold` answers only once `/result` has arrived (or after a deadline). The page embeds
//!   it as an `<img>`, so its `load` event — when `chromium --dump-dom` ends — waits for the
//!   page's own fetches in real time, however long a server takes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Default)]
struct State {
    html: String,
    result: Option<String>,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

pub struct PageServer {
    pub port: u16,
    shared: Shared,
}

/// How long `/hold` waits for the page's results before letting the page finish anyway.
const HOLD_DEADLINE: Duration = Duration::from_secs(60);

impl PageServer {
    pub fn start() -> PageServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind page server");
        let port = listener.local_addr().expect("addr").port();
        let shared: Shared = Arc::default();
        let state = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let state = state.clone();
                // `/hold` blocks, so every connection gets its own thread.
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        PageServer { port, shared }
    }

    /// The page's serialized origin (of `/`; `/sandboxed` has the origin `null`).
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Serve `html` from now on and forget the previous result.
    pub fn set(&self, html: String) {
        let mut state = self.shared.0.lock().expect("page state");
        state.html = html;
        state.result = None;
    }

    /// The body the page posted to `/result`, if it did.
    pub fn take_result(&self) -> Option<String> {
        self.shared.0.lock().expect("page state").result.take()
    }
}

fn serve(stream: TcpStream, shared: &Shared) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let (lock, ready) = &**shared;
    let (status, extra, content) = if request_line.starts_with("POST /result") {
        lock.lock().expect("page state").result = Some(String::from_utf8_lossy(&body).into_owned());
        ready.notify_all();
        ("204 No Content", "", String::new())
    } else if path == "/hold" {
        let state = lock.lock().expect("page state");
        let _ = ready.wait_timeout_while(state, HOLD_DEADLINE, |s| s.result.is_none());
        ("404 Not Found", "", String::new())
    } else {
        let html = lock.lock().expect("page state").html.clone();
        let csp = if path == "/sandboxed" {
            "Content-Security-Policy: sandbox allow-scripts\r\n"
        } else {
            ""
        };
        ("200 OK", csp, html)
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(content.as_bytes());
}
