//! Differential test of the nginx grammar (`grammar/nginx.pest`) against the real thing:
//!
//! * **nginx 1.22** (`nginx -t`, Debian package) decides what is accepted. Generated files put
//!   random token sequences inside `types { … }`, whose entries take any words, so only the
//!   syntax decides; nginx's verdict and the line of its error must equal ours.
//! * **crossplane** (nginxinc's Python parser, pip) gives the token values nginx would pass to
//!   directives; ours must equal them, except where crossplane departs from nginx. Each such
//!   case is classified, and for each class nginx's own verdict is checked to be ours.
//!
//! Needs `nginx` (apt) and Python 3 with venv (tests/run installs them); skips loudly without
//! them, or fails when CI=true.

mod support;

use support::rng::Rng;

use cors_lint::frontend::nginx::syntax::{self, Quote, Statement};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Pieces of words: plain text, characters nginx treats specially inside words or quotes,
/// escapes, variables, non-ASCII bytes.
const WORD_PIECES: &[&[u8]] = &[
    b"a",
    b"text",
    b"x-y",
    b"/path",
    b"80",
    b".",
    b"*",
    b"}",
    b"#",
    b"\"",
    b"'",
    b")",
    b"(",
    b"$v",
    b"${v}",
    b"$",
    b"${",
    b"\\\"",
    b"\\'",
    b"\\\\",
    b"\\t",
    b"\\n",
    b"\\;",
    b"\\ ",
    b"\\.",
    b"\\{",
    b"\xc3\xa9",
    b"\xe9",
    b"\\r",
];

const QUOTED_PIECES: &[&[u8]] = &[
    b"a",
    b" ",
    b";",
    b"{",
    b"}",
    b"#",
    b"\n",
    b"\r\n",
    b"\t",
    b"$v",
    b"${v}",
    b"\\\"",
    b"\\'",
    b"\\\\",
    b"\\n",
    b"\\x",
    b"'",
    b"\"",
    b"\xc3\xa9",
];

/// Between statements (comments too); between the tokens of one statement only the first
/// five (crossplane turns a comment inside a statement into a directive of its own).
const SPACES: &[&[u8]] = &[
    b" ",
    b"  ",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b" # comment\n",
    b"\n#c;{}\"\n",
];

fn word(rng: &mut Rng) -> Vec<u8> {
    let mut w = Vec::new();
    // A word cannot start with these (they mean something else at a token start).
    while w.is_empty() || matches!(w[0], b'}' | b'#' | b'"' | b'\'') {
        w.clear();
        for _ in 0..1 + rng.below(3) {
            w.extend_from_slice(rng.pick(WORD_PIECES));
        }
    }
    w
}

fn quoted(rng: &mut Rng) -> Vec<u8> {
    let q = if rng.below(2) == 0 { b'"' } else { b'\'' };
    let mut t = vec![q];
    for _ in 0..rng.below(4) {
        let piece = rng.pick(QUOTED_PIECES);
        if piece != [q] {
            t.extend_from_slice(piece);
        }
    }
    t.push(q);
    t
}

fn token(rng: &mut Rng) -> Vec<u8> {
    if rng.below(3) == 0 {
        quoted(rng)
    } else {
        word(rng)
    }
}

/// A `types { … }` body: entries of 2–4 tokens; sometimes one syntax mistake.
fn generated(rng: &mut Rng) -> Vec<u8> {
    let mut body = Vec::new();
    for _ in 0..1 + rng.below(5) {
        body.extend_from_slice(rng.pick(SPACES));
        for i in 0..2 + rng.below(3) {
            if i > 0 {
                body.extend_from_slice(rng.pick(&SPACES[..6]));
            }
            body.extend_from_slice(&token(rng));
        }
        body.extend_from_slice(if rng.below(4) == 0 { b" ;" } else { b";" });
    }
    match rng.below(10) {
        0 => body.extend_from_slice(b"\nstray }"),
        1 => body.extend_from_slice(b"\n\"unterminated"),
        2 => body.extend_from_slice(b"\nmissing semicolon"),
        3 => body.extend_from_slice(b"\n;"),
        4 => body.extend_from_slice(b"\n\"a\"b c;"),
        _ => {}
    }
    let mut file = b"events {}\nhttp {\n    types {".to_vec();
    file.extend_from_slice(&body);
    // Sometimes the end is wrong: the file ends inside the blocks (after a newline, or right
    // after a word nginx would drop at the top level), or a `}` closes nothing.
    file.extend_from_slice(match rng.below(12) {
        0 => b"\n",
        1 => b"\n    }\ncut",
        2 => b"\n    }\n\"cut",
        3 => b"\n    }\n}\n}\n",
        _ => b"\n    }\n}\n",
    });
    file
}

/// The `types` entries as token texts the way crossplane writes them: the bytes between the
/// quotes with only `\"` (or `\'`) resolved — crossplane keeps every other escape as written,
/// where nginx resolves `\\`, `\t`, `\r`, `\n` too. Comparing these checks where tokens start
/// and end; the escape values are nginx's (`syntax::unescape`, unit-tested).
fn types_entries(bytes: &[u8], statements: &[Statement]) -> Vec<Vec<String>> {
    let http = statements
        .iter()
        .find(|s| s.name.value == "http")
        .expect("http");
    let types = http
        .children()
        .iter()
        .find(|s| s.name.value == "types")
        .expect("types");
    let view = |t: &syntax::Token| {
        let raw = String::from_utf8_lossy(&bytes[t.text.range()]).into_owned();
        match t.quote {
            Quote::Double => raw.replace("\\\"", "\""),
            Quote::Single => raw.replace("\\'", "'"),
            Quote::None => raw,
        }
    };
    types
        .children()
        .iter()
        .map(|s| std::iter::once(&s.name).chain(&s.args).map(view).collect())
        .collect()
}

/// The venv's python with crossplane, installed once per test process (the tests of this
/// file run in parallel threads and must not race to create the venv).
fn crossplane() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(install_crossplane).clone()
}

fn install_crossplane() -> PathBuf {
    let venv = support::work_dir().join("crossplane-venv");
    let python = venv.join("bin/python");
    if python.exists()
        && Command::new(&python)
            .args(["-c", "import crossplane"])
            .status()
            .is_ok_and(|s| s.success())
    {
        return python;
    }
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "-q",
                "--disable-pip-version-check",
                "crossplane==0.5.8",
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        support::unavailable("pip could not install crossplane==0.5.8 into a venv");
    }
    python
}

const DUMP: &str = r#"
import crossplane, json, sys
def conv(block):
    return [[d["directive"]] + d["args"] for d in block]
out = {}
for path in sys.argv[1:]:
    try:
        r = crossplane.parse(path, single=True, check_ctx=False, check_args=False, catch_errors=False)
        cfg = r["config"][0]
        types = cfg["parsed"][1]["block"][0]["block"]
        out[path] = {"entries": conv(types)}
    except Exception as e:
        out[path] = {"error": str(e)}
print(json.dumps(out))
"#;

/// nginx -t: `None` when accepted, else the line nginx names.
fn nginx_verdict(dir: &Path, conf: &Path) -> Option<usize> {
    let err = nginx_test(dir, conf).err()?;
    let line = err
        .lines()
        .find(|l| l.contains("[emerg]"))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|n| n.trim().parse().ok());
    Some(line.unwrap_or_else(|| panic!("nginx failed without a located error: {err}")))
}

/// `nginx -t` in the prefix `dir`: `Err` holds what nginx printed.
fn nginx_test(dir: &Path, conf: &Path) -> Result<(), String> {
    let out = Command::new("nginx")
        .args(["-t", "-q", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(conf)
        .args([
            "-e",
            "stderr",
            "-g",
            &format!("pid {}/nginx.pid;", dir.display()),
        ])
        .output()
        .expect("run nginx");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// nginx's line numbers count LF only.
fn nginx_line(bytes: &[u8], at: usize) -> usize {
    1 + bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[test]
fn grammar_agrees_with_nginx_and_crossplane() {
    if Command::new("nginx").arg("-v").output().is_err() {
        support::unavailable("`nginx` is not on PATH (apt install nginx)");
    }
    let python = crossplane();
    let dir = support::work_dir().join("nginx-syntax");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let files: Vec<(PathBuf, Vec<u8>)> = (0..400)
        .map(|i| {
            let bytes = generated(&mut rng);
            let path = dir.join(format!("case{i:03}.conf"));
            std::fs::write(&path, &bytes).unwrap();
            (path, bytes)
        })
        .collect();
    let out = Command::new(&python)
        .args(["-c", DUMP])
        .args(files.iter().map(|(p, _)| p))
        .output()
        .expect("run crossplane");
    let crossplane: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| {
            panic!(
                "crossplane output: {e}: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });

    let mut nginx_agree = 0;
    let mut accepted = 0;
    let mut crossplane_equal = 0;
    let mut deviations: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut examples: BTreeMap<&str, String> = BTreeMap::new();
    for (path, bytes) in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ours = syntax::parse(bytes);
        let nginx = nginx_verdict(&dir, path);
        // nginx names the line where it stops reading; for a quote that is never closed
        // that is the end of the file, while we point at the quote.
        let ours_line = ours.as_ref().err().map(|e| {
            let at = if e.message.contains("never closed") {
                bytes.len()
            } else {
                e.span.start
            };
            nginx_line(bytes, at)
        });
        if nginx == ours_line {
            nginx_agree += 1;
        } else {
            failures.push(format!("{name}: nginx {nginx:?}, ours {ours:?}"));
            continue;
        }
        let Ok(config) = ours else { continue };
        accepted += 1;
        let entries = types_entries(bytes, &config.statements);
        let theirs = &crossplane[&path.to_string_lossy().into_owned()];
        let theirs_entries: Option<Vec<Vec<String>>> = theirs
            .get("entries")
            .and_then(|e| serde_json::from_value(e.clone()).ok());
        if theirs_entries.as_ref() == Some(&entries) {
            crossplane_equal += 1;
            continue;
        }
        // crossplane departs from nginx here; nginx (checked above) agrees with us.
        let text = String::from_utf8_lossy(bytes);
        let theirs_entries = theirs_entries.unwrap_or_default();
        let class = if theirs.get("error").is_some() {
            "crossplane rejects a file nginx accepts"
        } else if theirs_entries
            .iter()
            .any(|e| e.first().is_some_and(|d| d == "#"))
        {
            "crossplane turns a comment inside a statement into a directive"
        } else if entries.iter().flatten().any(|t| t.contains("${")) {
            "crossplane reads on after `${` across whitespace (nginx ends the word)"
        } else if entries.iter().flatten().any(|t| t.contains("\r\n")) {
            "CR LF inside quotes (crossplane reads it as LF)"
        } else if text.contains('\r') && !text.contains("\r\n") {
            "lone CR"
        } else if bytes.iter().any(|&b| b >= 0x80) {
            "non-ASCII bytes"
        } else {
            "other"
        };
        if class == "other" {
            failures.push(format!("{name}: crossplane {theirs}, ours {entries:?}"));
        }
        *deviations.entry(class).or_default() += 1;
        examples
            .entry(class)
            .or_insert_with(|| format!("{name}: crossplane {theirs}, ours {entries:?}"));
    }
    let summary = format!(
        "nginx grammar: {} generated files; nginx 1.22 accept/reject and error line agree on {nginx_agree}; \
         of {accepted} accepted, crossplane 0.5.8 gives the same tokens for {crossplane_equal}; deviations (nginx sides with us): {deviations:?}",
        files.len()
    );
    eprintln!("{summary}");
    for (class, example) in &examples {
        eprintln!("  e.g. {class}: {example}");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}\n{summary}",
        failures.len(),
        failures.join("\n")
    );
}

/// Reads `GET path`'s body from 127.0.0.1:port (the server closes the connection).
fn body(port: u16, path: &str) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut all = Vec::new();
    s.read_to_end(&mut all).ok()?;
    let end = all.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some(all[end + 4..].to_vec())
}

/// The values nginx itself hands a directive: `return 200 TOKEN;` sends the token's value as
/// the body, so every generated token (no `$`: `return` would expand variables) is read back
/// from a real nginx and compared with `Token::value`.
#[test]
fn token_values_are_what_nginx_sends() {
    if Command::new("nginx").arg("-v").output().is_err() {
        support::unavailable("`nginx` is not on PATH (apt install nginx)");
    }
    let dir = support::work_dir().join("nginx-values");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let port = support::free_port();
    let mut conf = format!(
        "error_log {0}/logs/error.log;\npid {0}/nginx.pid;\nevents {{}}\nhttp {{\n access_log off;\n server {{\n  listen 127.0.0.1:{port};\n",
        dir.display()
    )
    .into_bytes();
    let mut tokens = Vec::new();
    while tokens.len() < 300 {
        let t = token(&mut rng);
        if t.contains(&b'$') {
            continue;
        }
        conf.extend_from_slice(
            format!("  location = /t{} {{ return 200 ", tokens.len()).as_bytes(),
        );
        conf.extend_from_slice(&t);
        conf.extend_from_slice(b"; }\n");
        tokens.push(t);
    }
    conf.extend_from_slice(b" }\n}\n");
    let path = dir.join("nginx.conf");
    std::fs::write(&path, &conf).unwrap();
    let config = syntax::parse(&conf).expect("we accept what nginx accepts");
    let http = config
        .statements
        .iter()
        .find(|s| s.name.value == "http")
        .expect("http");
    let server = http
        .children()
        .iter()
        .find(|s| s.name.value == "server")
        .expect("server");
    let values: Vec<&str> = server
        .children()
        .iter()
        .filter(|s| s.name.value == "location")
        .map(|loc| loc.children()[0].args[1].value.as_str())
        .collect();
    assert_eq!(values.len(), tokens.len());

    let mut child = Command::new("nginx")
        .args(["-p"])
        .arg(&dir)
        .arg("-c")
        .arg(&path)
        .args(["-e", "stderr", "-g", "daemon off;"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start nginx");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if std::time::Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            panic!(
                "nginx did not start (see {})",
                dir.join("logs/error.log").display()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut failures = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let got = body(port, &format!("/t{i}")).map(|b| String::from_utf8_lossy(&b).into_owned());
        if got.as_deref() != Some(*value) {
            failures.push(format!(
                "/t{i} {:?}: nginx sent {got:?}, we read {value:?}",
                String::from_utf8_lossy(&tokens[i])
            ));
        }
    }
    // SIGTERM: the master stops its workers too (SIGKILL would orphan them).
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    eprintln!(
        "nginx token values: {}/{} equal to what nginx 1.22 sends",
        values.len() - failures.len(),
        values.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// crossplane's largest deviation class, settled by nginx itself: after `${uri}` a newline
/// ends the word (crossplane reads on). `return` takes two arguments, so nginx rejecting
/// this file proves it saw three.
#[test]
fn nginx_ends_a_word_after_a_braced_variable() {
    if Command::new("nginx").arg("-v").output().is_err() {
        support::unavailable("`nginx` is not on PATH (apt install nginx)");
    }
    let dir = support::work_dir().join("nginx-braced-variable");
    std::fs::create_dir_all(&dir).unwrap();
    let conf = b"events {}\nhttp {\n server {\n  location = /a { return 200 ${uri}\nx; }\n }\n}\n";
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let err = nginx_test(&dir, &path).expect_err("nginx rejects three arguments to return");
    assert!(
        err.contains("invalid number of arguments in \"return\""),
        "{err}"
    );
    let config = syntax::parse(conf).unwrap();
    let location = &config.statements[1].children()[0].children()[0];
    let ret = &location.children()[0];
    assert_eq!(
        ret.args
            .iter()
            .map(|a| a.value.as_str())
            .collect::<Vec<_>>(),
        ["200", "${uri}", "x"]
    );
}

const TREE: &str = r#"
import crossplane, json, sys
def conv(block):
    return [[d["directive"]] + d["args"] + ([conv(d["block"])] if "block" in d else []) for d in block]
out = {}
for path in sys.argv[1:]:
    try:
        r = crossplane.parse(path, single=True, check_ctx=False, check_args=False, catch_errors=False)
        out[path] = conv(r["config"][0]["parsed"])
    except Exception as e:
        out[path] = {"error": str(e)}
print(json.dumps(out))
"#;

/// Our statements in crossplane's shape: `[name, args…, [children…]]`, token texts as
/// crossplane writes them (see [`types_entries`]).
fn tree(bytes: &[u8], statements: &[Statement]) -> serde_json::Value {
    let view = |t: &syntax::Token| {
        let raw = String::from_utf8_lossy(&bytes[t.text.range()]).into_owned();
        serde_json::Value::String(match t.quote {
            Quote::Double => raw.replace("\\\"", "\""),
            Quote::Single => raw.replace("\\'", "'"),
            Quote::None => raw,
        })
    };
    serde_json::Value::Array(
        statements
            .iter()
            .map(|s| {
                let mut args: Vec<serde_json::Value> = s.args.iter().map(view).collect();
                if s.name.value == "if" {
                    if_args_as_crossplane(&mut args);
                }
                let mut v = vec![view(&s.name)];
                v.extend(args);
                if let Some(syntax::Body::Block { statements, .. }) = &s.body {
                    v.push(tree(bytes, statements));
                }
                serde_json::Value::Array(v)
            })
            .collect(),
    )
}

/// crossplane hands `if` arguments over without the condition's parentheses (and drops
/// arguments left empty), where nginx leaves that to the directive.
fn if_args_as_crossplane(args: &mut Vec<serde_json::Value>) {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    if args.first().is_some_and(|a| text(a).starts_with('('))
        && args.last().is_some_and(|a| text(a).ends_with(')'))
    {
        let first = text(&args[0]);
        args[0] = serde_json::Value::String(first[1..].trim_start().to_string());
        let n = args.len() - 1;
        let last = text(&args[n]);
        args[n] = serde_json::Value::String(last[..last.len() - 1].trim_end().to_string());
        args.retain(|a| !text(a).is_empty());
    }
}

/// Every nginx file of the shipped corpus parses into the same statements, arguments and
/// blocks as crossplane reads them.
#[test]
fn corpus_parses_like_crossplane() {
    let python = crossplane();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let files: Vec<PathBuf> = ignore::Walk::new(&root)
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    assert!(files.len() >= 10, "the corpus has nginx files");
    let out = Command::new(&python)
        .args(["-c", TREE])
        .args(&files)
        .output()
        .expect("run crossplane");
    let theirs: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("crossplane output");
    let mut differ = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let ours = syntax::parse(&bytes).expect("corpus files parse");
        let ours = tree(&bytes, &ours.statements);
        let theirs = &theirs[&path.to_string_lossy().into_owned()];
        if &ours != theirs {
            differ.push(format!(
                "{}:\n  crossplane {theirs}\n  ours       {ours}",
                path.display()
            ));
        }
    }
    eprintln!(
        "corpus: {} nginx files, {} parsed exactly as crossplane 0.5.8 parses them",
        files.len(),
        files.len() - differ.len()
    );
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// Argument counts and `add_header`'s `always`: each case is refused (with nginx's message,
/// on nginx's line) or accepted by both `nginx -t` and cors-lint.
/// Each file through `nginx -t` (in the prefix `target/ground-truth/{name}`) and through
/// cors-lint's `check_syntax`: the verdict must be the same, and for a refusal nginx's message
/// must contain `said(cors-lint's message)` and name the line of cors-lint's error (at the
/// span's end, where nginx stops reading a directive, when `at_end`). Returns each file's
/// verdict (`true`: refused).
fn verdicts_agree(
    name: &str,
    files: &[(String, Vec<u8>)],
    said: impl Fn(&str) -> &str,
    at_end: bool,
) -> Vec<bool> {
    if Command::new("nginx").arg("-v").output().is_err() {
        support::unavailable("`nginx` is not on PATH (apt install nginx)");
    }
    let dir = support::work_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let mut verdicts = Vec::new();
    for (i, (case, bytes)) in files.iter().enumerate() {
        let path = dir.join(format!("case{i}.conf"));
        std::fs::write(&path, bytes).unwrap();
        let file = cors_lint::source::SourceFile::new(
            path.to_string_lossy(),
            bytes.clone(),
            cors_lint::source::Encoding::Utf8,
        );
        let ours = cors_lint::frontend::nginx::check_syntax(&file);
        match (nginx_test(&dir, &path), ours) {
            (Ok(()), Ok(_)) => verdicts.push(false),
            (Err(theirs), Err(e)) => {
                verdicts.push(true);
                let message = said(&e.message);
                assert!(
                    theirs.contains(message),
                    "{case:?}: nginx says {theirs:?}, cors-lint {message:?}"
                );
                let span = e.span.unwrap();
                let line = nginx_line(bytes, if at_end { span.end } else { span.start });
                assert!(
                    theirs.contains(&format!(":{line}")),
                    "{case:?}: nginx says {theirs:?}, cors-lint line {line}"
                );
            }
            (theirs, ours) => panic!(
                "{case:?}: nginx {:?}, cors-lint {:?}",
                theirs.err(),
                ours.err().map(|e| e.message)
            ),
        }
    }
    verdicts
}

/// Directives wrapped in a server of an http block, as nginx files.
fn in_server(directives: &[&str]) -> Vec<(String, Vec<u8>)> {
    directives
        .iter()
        .map(|d| {
            let text = format!(
                "events {{}}\nhttp {{\n    map $http_origin $o {{ default 1; }}\n    server {{\n        {d}\n    }}\n}}\n"
            );
            (d.to_string(), text.into_bytes())
        })
        .collect()
}

#[test]
fn directive_arity_agrees_with_nginx() {
    let cases = [
        "add_header A b always;",
        "add_header A \"b, c\" always;",
        "add_header A b, c always;",
        "add_header A b, c;",
        "add_header A;",
        "add_header A b\n        always;",
        "set $a;",
        "set $a 1;",
        "return;",
        "return 200 a b;",
        "return 204;",
        "proxy_hide_header;",
        "proxy_pass_header A B;",
        "if ($http_origin) { return 204; }",
        "location = /x { }",
        "location = /x y { }",
        "location = /x;",
        "add_header A b { }",
        "add_header A b\n        {\n        }",
        "set $a 1 { return 204; }",
        "if ($http_origin) return 204;",
    ];
    let verdicts = verdicts_agree(
        "nginx-arity",
        &in_server(&cases),
        |m| m.split(';').next().unwrap(),
        true,
    );
    let refused = verdicts.iter().filter(|r| **r).count();
    assert!(refused >= 8, "{refused}");
}

/// Directives outside their context and `if` conditions nginx does not take (issue 18 §5:
/// `if (1)` and `server "name";` in a location were accepted): nginx's verdict, and for a
/// refusal its message and line, are cors-lint's.
#[test]
fn contexts_and_conditions_agree_with_nginx() {
    let cases = [
        "location / { server \"name\"; }",
        "location / { if (1) { return 204; } }",
        "location / { if ($http_origin) { if ($a) { } } }",
        "location / { if ($http_origin ~* x) { add_header A b; } }",
        "if ($http_origin) { add_header A b; }",
        "if ($http_origin) { set $a 1; return 204; }",
        "location / { location /x { proxy_pass http://127.0.0.1:9; } }",
        "proxy_pass http://127.0.0.1:9;",
        "location / { map $a $b { } }",
        "if (!-f $request_filename) { return 404; }",
        "if ( $http_origin ) { return 204; }",
        "if (\"x\") { return 204; }",
        "location / { if ($a) { location /y { } } }",
        "location / { proxy_hide_header A; }",
        "if ($a) { proxy_hide_header A; }",
    ];
    let verdicts = verdicts_agree(
        "nginx-contexts",
        &in_server(&cases),
        |m| m.split(';').next().unwrap(),
        true,
    );
    let refused = verdicts.iter().filter(|r| **r).count();
    assert!(refused >= 7, "{refused}");
    // An unquoted `{` in a `map` line: nginx stops there, not at the end of the file.
    let maps: Vec<(String, Vec<u8>)> = [
        "~^https://a{1,5}\\.example\\.com$ $http_origin;",
        "\"~^https://a{1,5}\\.example\\.com$\" $http_origin;",
        "default ${http_origin};",
        "~^x { }",
    ]
    .iter()
    .map(|entry| {
        let text = format!(
            "events {{}}\nhttp {{\n    map $http_origin $o {{\n        {entry}\n    }}\n}}\n"
        );
        (entry.to_string(), text.into_bytes())
    })
    .collect();
    let verdicts = verdicts_agree(
        "nginx-map-braces",
        &maps,
        |m| m.split(';').next().unwrap(),
        true,
    );
    assert_eq!(verdicts, [true, false, false, true]);
}

/// Byte-order marks, UTF-16, NUL and Latin-1 bytes, lone CRs and a name outside ASCII:
/// nginx's verdict, and for a refusal its line, are cors-lint's.
#[test]
fn encodings_agree_with_nginx() {
    let good = "events {}\nhttp {\n    server {\n        add_header A b;\n    }\n}\n";
    let utf16 = |le: bool| -> Vec<u8> {
        let units = good.encode_utf16();
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        out.extend(units.flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }));
        out
    };
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("plain", good.into(), false),
        (
            "UTF-8 BOM",
            [b"\xEF\xBB\xBF".as_slice(), good.as_bytes()].concat(),
            true,
        ),
        ("UTF-16LE", utf16(true), true),
        ("UTF-16BE", utf16(false), true),
        (
            "NUL in a comment",
            good.replace("http {", "http { # a\0b").into(),
            false,
        ),
        (
            "NUL in a value",
            good.replace("A b", "A b\0c").into(),
            false,
        ),
        (
            "Latin-1 comment",
            [good.as_bytes(), b"# caf\xE9\n"].concat(),
            false,
        ),
        (
            "Latin-1 value",
            good.replace("A b", "A caf\u{e9}").into(),
            false,
        ),
        ("lone CRs", good.replace('\n', "\r").into(), false),
        ("CRLF", good.replace('\n', "\r\n").into(), false),
        (
            "name outside ASCII",
            good.replace("add_header", "add_h\u{eb}ader").into(),
            true,
        ),
        (
            "map entry outside ASCII",
            good.replace(
                "    server",
                "    map $http_origin $b { caf\u{e9} 1; }\n    server",
            )
            .into(),
            false,
        ),
    ];
    let files: Vec<(String, Vec<u8>)> = cases
        .iter()
        .map(|(case, bytes, _)| (case.to_string(), bytes.clone()))
        .collect();
    // nginx prints the name's raw bytes, cors-lint escapes them: compare the reason only.
    let verdicts = verdicts_agree("nginx-encodings", &files, |_| "unknown directive", false);
    for ((case, _, refused), verdict) in cases.iter().zip(verdicts) {
        assert_eq!(verdict, *refused, "{case}");
    }
}

/// Regexes in `location`, `map` keys and `if`: where nginx's PCRE refuses one, cors-lint
/// refuses it with PCRE's reason and line; where nginx takes it, so does cors-lint.
#[test]
fn invalid_regexes_agree_with_nginx() {
    let cases = [
        "location ~ ^/(api { }",
        "location ~ ^/api) { }",
        "location ~* [z-a] { }",
        "location ~[abc { }",
        "location ~ *x { }",
        "location ~ \"a{3,1}\" { }",
        "location ~ ^/(?<=a)b { }",
        "location ~ ^/(a|b)$ { }",
        "location ^~ /(x { }",
        "location /(x { }",
        "if ($http_origin ~ ^https://(a) { return 204; }",
        "if ($http_origin ~* \"^https://a$\") { return 204; }",
        "if ($http_origin !~ [b-a]) { return 204; }",
    ];
    let maps = [
        "~^https://(a|b 1;",
        "~*+x 1;",
        "~^https://a\\.example$ 1;",
        "\"~^https://(x\" 1;",
    ];
    let files: Vec<(String, Vec<u8>)> = in_server(&cases)
        .into_iter()
        .chain(maps.iter().map(|m| {
            let text = format!(
                "events {{}}\nhttp {{\n    map $http_origin $o {{\n        {m}\n    }}\n}}\n"
            );
            (m.to_string(), text.into_bytes())
        }))
        .collect();
    let verdicts = verdicts_agree(
        "nginx-pcre",
        &files,
        |m| m.split(" in \"").next().unwrap(),
        true,
    );
    let refused = verdicts.iter().filter(|r| **r).count();
    assert!(refused >= 8, "{refused}");
}

/// Variables nothing defines (issue 18 §5: nginx refuses them, cors-lint read the file): for
/// whole configurations, `nginx -t` refuses exactly the files cors-lint reports as CL000, for
/// the same variable. nginx names no line for this error, so only the name is compared.
#[test]
fn unknown_variables_agree_with_nginx() {
    let cases = [
        "add_header A $cors_origin;",
        "add_header A \"$Request_Method $HTTP_ORIGIN $cookie_a $arg_b $sent_http_x $1\";",
        "add_header A $upstream_http_y$ssl_protocol$upstream_cache_status$request_id;",
        "add_header A $realip_remote_addr$proxy_add_x_forwarded_for$o;",
        "add_header A $later; set $later 1;",
        "if ($request_uri ~ ^/(?<rest>.*)$) { return 200 $rest; }",
        "return 200 ${undefined_thing}x;",
        "if ($undefined_a = $http_origin) { return 204; }",
        "if ($http_origin = $undefined_b) { return 204; }",
        "if ($http_origin ~ ^https://a$) { return 204; }",
        "location ~ \\.php$ { add_header A $uri; }",
        "rewrite ^/(.*)$ /$1 break;",
        "rewrite ^/(.*)$ /$nope break;",
        "add_header A '$host $Binary_Remote_Addr';",
    ];
    let mut files = in_server(&cases);
    for map in [
        "map $http_origin $m { default $nope_in_map; }",
        "map $nope_source $m { default 1; }",
        "geo $g { default 0; }",
        "map $http_origin $m { ~^https://(?<sub>[a-z]+)\\.a$ $sub; default \"\"; }",
    ] {
        let text = format!(
            "events {{}}\nhttp {{\n    {map}\n    server {{\n        add_header A $http_origin;\n    }}\n}}\n"
        );
        files.push((map.to_string(), text.into_bytes()));
    }
    let dir = support::work_dir().join("nginx-variables");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    if Command::new("nginx").arg("-v").output().is_err() {
        support::unavailable("`nginx` is not on PATH (apt install nginx)");
    }
    let mut refused = 0;
    for (i, (case, bytes)) in files.iter().enumerate() {
        let path = dir.join(format!("case{i}.conf"));
        std::fs::write(&path, bytes).unwrap();
        let file = cors_lint::source::SourceFile::new(
            path.to_string_lossy(),
            bytes.clone(),
            cors_lint::source::Encoding::Utf8,
        );
        let ours = cors_lint::frontend::lower(
            cors_lint::frontend::Dialect::Nginx,
            &file,
            &cors_lint::frontend::Options::default(),
        );
        let theirs = nginx_test(&dir, &path);
        let nginx_unknown = theirs.as_ref().err().and_then(|e| {
            let at = e.find("unknown \"")? + "unknown \"".len();
            Some(e[at..].split('"').next()?.to_string())
        });
        let ours_unknown = ours.as_ref().err().and_then(|e| {
            let at = e.message.find("unknown \"")? + "unknown \"".len();
            Some(e.message[at..].split('"').next()?.to_string())
        });
        assert_eq!(nginx_unknown, ours_unknown, "{case:?}: nginx {theirs:?}");
        if let Some(name) = &ours_unknown {
            refused += 1;
            let e = ours.err().unwrap();
            let at = &bytes[e.span.unwrap().range()];
            assert!(
                String::from_utf8_lossy(at).contains(name.as_str()),
                "{case:?}: the span shows {at:?}"
            );
        } else {
            assert!(theirs.is_ok(), "{case:?}: nginx {theirs:?}");
        }
    }
    assert_eq!(refused, 7);
}
