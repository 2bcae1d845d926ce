//! The server driven in-process, message by message (the end-to-end test with a real client
//! is tests/lsp.rs).

use super::*;
use serde_json::json;
use std::path::Path;

const NGINX: &str = "map $http_origin $cors {\n    default \"\";\n    \"https://app.example.com\" $http_origin;\n}\nserver {\n    set $note \"é😀\"; add_header Access-Control-Allow-Origin $cors always;\n}\n";

fn server() -> Server<Vec<u8>> {
    Server::new(Writer::new(Vec::new()))
}

/// Every message the server wrote so far.
fn written(s: &Server<Vec<u8>>) -> Vec<Value> {
    let text = String::from_utf8_lossy(s.out.get_ref()).into_owned();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some((head, body)) = rest.split_once("\r\n\r\n") {
        let n: usize = head.trim_start_matches("Content-Length: ").parse().unwrap();
        out.push(serde_json::from_str(&body[..n]).unwrap());
        rest = &body[n..];
    }
    out
}

fn request(s: &mut Server<Vec<u8>>, id: i32, method: &str, params: Value) {
    let r = Request::new(RequestId::from(id), method.into(), params);
    assert_eq!(s.handle(Incoming::Message(Message::Request(r))), None);
}

fn notify(s: &mut Server<Vec<u8>>, method: &str, params: Value) {
    let n = Notification::new(method.into(), params);
    assert_eq!(s.handle(Incoming::Message(Message::Notification(n))), None);
    s.flush();
}

fn init(s: &mut Server<Vec<u8>>, encodings: &[&str]) -> Value {
    request(
        s,
        1,
        "initialize",
        json!({"capabilities": {"general": {"positionEncodings": encodings}}}),
    );
    notify(s, "initialized", json!({}));
    written(s).remove(0)
}

fn open(s: &mut Server<Vec<u8>>, uri: &str, text: &str) {
    notify(
        s,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "nginx", "version": 1, "text": text}}),
    );
}

fn last_diagnostics(s: &Server<Vec<u8>>, uri: &str) -> Vec<Value> {
    written(s)
        .into_iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .map(|m| m["params"]["diagnostics"].as_array().unwrap().clone())
        .expect("diagnostics published")
}

#[test]
fn utf16_columns_by_default_utf8_when_offered() {
    for (offered, encoding, column) in [
        (&[][..], "utf-16", 21),
        (&["utf-8", "utf-16"][..], "utf-8", 24),
    ] {
        let mut s = server();
        let init = init(&mut s, offered);
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], encoding);
        // `é` and `😀` come before the finding on its line: 20 characters, 21 UTF-16 code
        // units, 24 bytes.
        open(&mut s, "untitled:nginx.conf", NGINX);
        let d = last_diagnostics(&s, "untitled:nginx.conf");
        let vary = d.iter().find(|d| d["code"] == "CORS020").expect("CORS020");
        assert_eq!(
            vary["range"]["start"],
            json!({"line": 5, "character": column})
        );
        assert_eq!(
            vary["codeDescription"]["href"],
            crate::finding::rule_url("CORS020")
        );
        assert_eq!(vary["severity"], 2);
        assert_eq!(vary["source"], "cors-lint");
    }
}

#[test]
fn a_panic_is_one_diagnostic_and_the_server_goes_on() {
    let mut s = server();
    init(&mut s, &[]);
    // The guard: any panic in the lint becomes one diagnostic.
    let a = diagnostics::analyse(Path::new("x.conf"), "x.conf", NGINX, s.configs.defaults());
    assert!(a.crashed.is_none());
    let crashed = Analysis {
        crashed: Some("boom".into()),
        ..a
    };
    let uri: lsp::Uri = "untitled:x".parse().unwrap();
    let d = diagnostics::diagnostics(&uri, &Text::new(NGINX.into(), 1), &crashed, Encoding::Utf16);
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("boom"), "{}", d[0].message);
    request(&mut s, 2, "cors-lint/nothing", json!({}));
    let answer = written(&s).pop().unwrap();
    assert_eq!(answer["error"]["code"], -32601);
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut s = server();
    request(&mut s, 7, "textDocument/hover", json!({}));
    assert_eq!(written(&s)[0]["error"]["code"], -32002);
}

#[test]
fn code_actions_offer_the_fix_the_suppression_and_fix_all() {
    let mut s = server();
    init(&mut s, &[]);
    open(&mut s, "untitled:nginx.conf", NGINX);
    request(
        &mut s,
        3,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": "untitled:nginx.conf"},
            "range": {"start": {"line": 5, "character": 30}, "end": {"line": 5, "character": 30}},
            "context": {"diagnostics": []}
        }),
    );
    let answer = written(&s).pop().unwrap();
    let titles: Vec<&str> = answer["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("CORS020: ")),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"CORS020: suppress on this line, with a reason to fill in"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"cors-lint: fix all safe fixes"),
        "{titles:?}"
    );
}
