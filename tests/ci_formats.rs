//! Output formats for CI: `--format sarif|github|junit`, `-o FILE`, `--statistics`, `--quiet`.
//!
//! `tests/sarif-schema-2.1.0.json` is `src/schema.json` of the crate `serde-sarif` 0.8.0
//! (crates.io; repository psastras/sarif-rs, commit c1a2c247), itself a copy of the OASIS
//! SARIF 2.1.0 schema as published in `oasis-tcs/sarif-spec` (`Schemata/sarif-schema-2.1.0.json`,
//! the errata-01 text); `schema_is_sarif_2_1_0` checks its `$id` and title.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("cors-lint").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

/// stdout and exit code of a run.
fn run(args: &[&str]) -> (String, i32) {
    let out = cmd().args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

/// Files of several dialects that each produce findings.
const FIXTURES: &[&str] = &[
    "corpus/torchserve/docs-example.properties",
    "corpus/ingress/trailing-slash-fail-open.yaml",
    "corpus/nginx/null-origin-and-http.conf",
    "corpus/gateway-api/wildcard-credentials-echo.yaml",
    "corpus/istio/regex-unescaped-dot.yaml",
    "corpus/traefik",
    "corpus/kong/kong.yml",
    "corpus",
];

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The published schema's `language` patterns (of `run` and `toolComponent`) have a stray `]`,
/// which `jsonschema` (checking that every `pattern` is a valid regex) refuses; they only
/// constrain `language`, which cors-lint never writes, so their intended form replaces them in
/// memory. The file stays as shipped.
fn compilable_schema() -> Value {
    let mut s = schema();
    let mut patched = 0;
    for def in ["run", "toolComponent"] {
        let pattern = &mut s["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *pattern = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
        patched += 1;
    }
    assert_eq!(patched, 2);
    s
}

fn assert_valid_sarif(log: &Value) {
    let validator = jsonschema::validator_for(&compilable_schema()).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

/// Lines without their ends; `\n`, `\r\n` and a lone `\r` end a line, as cors-lint counts.
fn lines(text: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let (mut at, mut i) = (0, 0);
    while i < text.len() {
        if text[i] == b'\n' || text[i] == b'\r' {
            out.push(&text[at..i]);
            if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            at = i + 1;
        }
        i += 1;
    }
    out.push(&text[at..]);
    out
}

fn json_findings(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run(&all).0).unwrap()
}

#[test]
fn schema_is_sarif_2_1_0() {
    let s = schema();
    assert_eq!(
        s["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    assert!(
        s["$id"]
            .as_str()
            .unwrap()
            .ends_with("/sarif-schema-2.1.0.json")
    );
}

#[test]
fn sarif_validates_and_regions_point_at_the_flagged_bytes() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("missing/config.properties");
    let missing = missing.to_str().unwrap();
    let mut args = vec!["--format", "sarif"];
    args.extend_from_slice(FIXTURES);
    args.push(missing);
    let (out, code) = run(&args);
    assert_eq!(code, 2, "the unreadable file makes it exit 2");
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");

    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(run0["tool"]["driver"]["name"], "cors-lint");
    assert!(rules.len() > 60, "every rule of the registry is listed");
    let results = run0["results"].as_array().unwrap();

    let mut json_args: Vec<&str> = FIXTURES.to_vec();
    json_args.push(missing);
    let findings = json_findings(&json_args);
    assert_eq!(results.len(), findings.len());
    let dialects: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap().split('/').nth(1).unwrap_or(""))
        .collect();
    assert!(dialects.len() >= 6, "several dialects report: {dialects:?}");

    let mut checked = 0;
    for (r, f) in results.iter().zip(&findings) {
        let code = f["code"].as_str().unwrap();
        assert_eq!(r["ruleId"], code);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], code);
        let want_level = match f["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(r["level"], want_level);
        assert!(
            r["partialFingerprints"]["corsLint/v1"]
                .as_str()
                .is_some_and(|h| h.len() > 17 && h.as_bytes()[16] == b':')
        );
        let loc = &r["locations"][0]["physicalLocation"];
        let region = &loc["region"];
        let span = &f["span"];
        assert_eq!(region["startLine"], span["line"], "{code}");
        let path = f["path"].as_str().unwrap();
        if code == "CL000" && path == missing {
            assert_eq!(loc["artifactLocation"]["uri"], format!("file://{missing}"));
            continue;
        }
        assert_eq!(loc["artifactLocation"]["uri"], path);
        assert_eq!(region["endLine"], span["end_line"], "{code}");
        let text = std::fs::read(path).unwrap();
        let (start, end) = (
            region["byteOffset"].as_u64().unwrap() as usize,
            (region["byteOffset"].as_u64().unwrap() + region["byteLength"].as_u64().unwrap())
                as usize,
        );
        assert_eq!(
            (start, end),
            (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize
            )
        );
        let line_no = region["startLine"].as_u64().unwrap() as usize;
        let line = lines(&text)[line_no - 1];
        if region["startLine"] != region["endLine"] || !line.is_ascii() {
            continue;
        }
        // On an ASCII line UTF-16 columns equal the character columns of `json`, and the
        // region's line and columns select the bytes the finding flags.
        checked += 1;
        assert_eq!(region["startColumn"], span["column"], "{code}");
        assert_eq!(region["endColumn"], span["end_column"], "{code}");
        let (c0, c1) = (
            region["startColumn"].as_u64().unwrap() as usize,
            region["endColumn"].as_u64().unwrap() as usize,
        );
        assert_eq!(line[c0 - 1..c1 - 1], text[start..end], "{code} in {path}");
    }
    assert!(checked > 100, "only {checked} regions checked");
    // The schema also checked fixes and related locations.
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
    assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));
    // A known one: the placeholder header on line 6 of the TorchServe docs example.
    assert!(results.iter().any(|r| {
        r["ruleId"] == "CORS012"
            && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
            && r["locations"][0]["physicalLocation"]["region"]["startColumn"] == 22
    }));
}

#[test]
fn sarif_columns_count_utf16_units_and_fingerprints_survive_line_moves() {
    let d = tempfile::tempdir().unwrap();
    let body = "server {\n  location / {\n    add_header X-Emoji \"😀\"; add_header Access-Control-Allow-Origin $http_origin; add_header Access-Control-Allow-Credentials true;\n  }\n}\n";
    let f = write(d.path(), "nginx.conf", body.as_bytes());
    let (out, _) = run(&["--format", "sarif", &f]);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_valid_sarif(&log);
    let findings = json_findings(&[&f]);
    let results = log["runs"][0]["results"].as_array().unwrap().clone();
    assert!(!results.is_empty());
    let star = findings
        .iter()
        .position(|f| f["span"]["line"] == 3 && f["span"]["column"].as_u64().unwrap() > 30)
        .expect("a finding after the emoji on line 3");
    let region = &results[star]["locations"][0]["physicalLocation"]["region"];
    // One character, two UTF-16 code units.
    assert_eq!(
        region["startColumn"].as_u64().unwrap(),
        findings[star]["span"]["column"].as_u64().unwrap() + 1
    );

    let moved = write(
        d.path(),
        "nginx.conf",
        format!("# moved down\n\n{body}").as_bytes(),
    );
    let (out2, _) = run(&["--format", "sarif", &moved]);
    let log2: Value = serde_json::from_str(&out2).unwrap();
    let results2 = log2["runs"][0]["results"].as_array().unwrap();
    let prints = |rs: &[Value]| -> Vec<Value> {
        rs.iter()
            .map(|r| r["partialFingerprints"]["corsLint/v1"].clone())
            .collect()
    };
    assert_eq!(prints(&results), prints(results2));
    assert_ne!(
        results[star]["locations"][0]["physicalLocation"]["region"]["startLine"],
        results2[star]["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
}

#[test]
fn sarif_of_a_clean_run_is_valid_and_empty() {
    let d = tempfile::tempdir().unwrap();
    let clean = write(
        d.path(),
        "config.properties",
        b"disable_token_authorization=true\ncors_allowed_origin=https://a.example\n",
    );
    let (out, code) = run(&["--format", "sarif", &clean]);
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
/// The message, then (after an encoded line break) its note.
fn github_prints_one_workflow_command_per_finding() {
    let (out, code) = run(&[
        "--format",
        "github",
        "corpus/torchserve/docs-example.properties",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=corpus/torchserve/docs-example.properties,line=2,col=1,endLine=2,endColumn=20,title=CORS004 preflight-rejected::every preflight to the inference and management APIs gets 400, so browsers block every preflighted call%0Abrowsers preflight calls"
        ),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "::warning file=corpus/torchserve/docs-example.properties,line=6,col=22,endLine=6,endColumn=37,title=CORS012 placeholder-header::`X-Custom-Header` is a documentation placeholder, and the headers real calls send are not allowed%0Ano real client sends `X-Custom-Header`; a JSON POST's preflight asks for `content-type`"
    );
}

#[test]
fn github_escapes_paths_and_messages() {
    let d = tempfile::tempdir().unwrap();
    // A path with `,`, `:` and `%`; the message quotes a value with `%` and `,`.
    let f = write(
        d.path(),
        "a,b:c%/config.properties",
        b"cors_allowed_origin=https://a.example/%41, https://b.example\n",
    );
    let (out, code) = run(&["--format", "github", &f]);
    assert_eq!(code, 1);
    let escaped_path = f
        .replace('%', "%25")
        .replace(':', "%3A")
        .replace(',', "%2C");
    for line in out.lines() {
        assert!(
            line.starts_with(&format!("::error file={escaped_path},line=1,")),
            "{line}"
        );
        let (_, message) = line.split_once("::").unwrap().1.split_once("::").unwrap();
        assert!(!message.contains('\n'));
        if message.contains("%2541") {
            assert!(
                message.contains("%2541, "),
                "`,` stays as is in the message"
            );
        }
    }
    assert!(
        out.contains("%2541"),
        "`%` in the message is encoded:\n{out}"
    );
    // The message part encodes `%`, CR and LF, as @actions/core's escapeData does.
    assert_eq!(
        cors_lint::report::github_escape_data("50%: a,b\r\nc"),
        "50%25: a,b%0D%0Ac"
    );
}

#[test]
fn junit_is_well_formed_with_a_testcase_per_file_and_a_failure_per_finding() {
    let d = tempfile::tempdir().unwrap();
    let odd = write(
        d.path(),
        "q&<\"x'>/config.properties",
        b"cors_allowed_origin=https://a.example/\n",
    );
    let clean = write(
        d.path(),
        "clean/config.properties",
        b"disable_token_authorization=true\ncors_allowed_origin=https://a.example\n",
    );
    let missing = d.path().join("gone/config.properties");
    let missing = missing.to_str().unwrap();
    let files = [
        "corpus/torchserve/docs-example.properties",
        "corpus/ingress/trailing-slash-fail-open.yaml",
        &odd,
        &clean,
        missing,
    ];
    let mut args = vec!["--format", "junit"];
    args.extend_from_slice(&files);
    let (out, code) = run(&args);
    assert_eq!(code, 2);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), files.len());
    let findings = json_findings(&files);
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), findings.len());
    assert_eq!(
        suites[0].attribute("failures"),
        Some(findings.len().to_string().as_str())
    );
    for file in files {
        let case = cases
            .iter()
            .find(|c| c.attribute("name") == Some(file))
            .unwrap_or_else(|| panic!("a testcase named {file}"));
        assert_eq!(case.attribute("classname"), Some("cors-lint"));
        let want = findings.iter().filter(|f| f["path"] == file).count();
        let got = case
            .children()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(got, want, "{file}");
    }
    for (node, f) in failures.iter().zip(&findings) {
        let code = f["code"].as_str().unwrap();
        assert_eq!(node.attribute("type"), Some(code));
        assert_eq!(
            node.attribute("message").unwrap(),
            format!("{code}: {}", f["message"].as_str().unwrap())
        );
        assert_eq!(
            node.text().unwrap(),
            format!(
                "{}:{}:{}",
                f["path"].as_str().unwrap(),
                f["span"]["line"],
                f["span"]["column"]
            )
        );
    }
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("report.sarif");
    let fixture = "corpus/torchserve/docs-example.properties";
    for format in ["full", "concise", "json", "sarif", "github", "junit"] {
        let (expected, code) = run(&["--format", format, fixture]);
        assert_eq!(code, 1);
        let (out, code) = run(&["--format", format, "-o", target.to_str().unwrap(), fixture]);
        assert_eq!((out.as_str(), code), ("", 1), "{format}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            expected,
            "{format}"
        );
    }
    let (out, code) = run(&[
        "--output-file",
        target.to_str().unwrap(),
        "--statistics",
        fixture,
    ]);
    assert_eq!((out.as_str(), code), ("", 1));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "1\t0\tCORS004\tpreflight-rejected\n1\t0\tCORS012\tplaceholder-header\n2\t0\tTOTAL\tall rules\n"
    );
    // A report that cannot be written is an error (exit 2), said on stderr.
    let out = cmd()
        .args([
            "-o",
            d.path().join("no/such/dir/r.json").to_str().unwrap(),
            fixture,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the report"));
}

#[test]
fn statistics_count_the_findings_per_code() {
    let (out, code) = run(&["--statistics", "corpus"]);
    let findings = json_findings(&["corpus"]);
    assert_eq!(code, run(&["--format", "json", "corpus"]).1);
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for f in &findings {
        *want
            .entry(f["code"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let fixable = |code: &str| {
        findings
            .iter()
            .filter(|f| {
                (code == "TOTAL" || f["code"] == code) && f["fix"]["applicability"] == "safe"
            })
            .count()
    };
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    let mut previous: Option<(usize, String)> = None;
    let (total, rows) = out
        .trim_end()
        .rsplit_once('\n')
        .map(|(r, t)| (t, r))
        .unwrap();
    for line in rows.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "{line}");
        let n: usize = cols[0].parse().unwrap();
        assert_eq!(
            cols[1].parse::<usize>().unwrap(),
            fixable(cols[2]),
            "{line}"
        );
        let name = findings.iter().find(|f| f["code"] == cols[2]).unwrap()["name"].clone();
        assert_eq!(name, cols[3]);
        if let Some((pn, pc)) = &previous {
            assert!(
                n < *pn || (n == *pn && cols[2] > pc.as_str()),
                "order: {line}"
            );
        }
        previous = Some((n, cols[2].to_string()));
        got.insert(cols[2].to_string(), n);
    }
    assert_eq!(got, want);
    assert_eq!(
        total,
        format!("{}\t{}\tTOTAL\tall rules", findings.len(), fixable("TOTAL"))
    );
    let as_json: Vec<Value> =
        serde_json::from_str(&run(&["--statistics", "--format", "json", "corpus"]).0).unwrap();
    assert_eq!(as_json.len(), want.len());
    assert_eq!(
        as_json[0]["count"].as_u64().unwrap() as usize,
        *want.values().max().unwrap()
    );
}

#[test]
fn quiet_prints_nothing_and_keeps_the_exit_code() {
    let d = tempfile::tempdir().unwrap();
    let clean = write(
        d.path(),
        "config.properties",
        b"disable_token_authorization=true\ncors_allowed_origin=https://a.example\n",
    );
    for (args, want) in [
        (
            vec!["--quiet", "corpus/torchserve/docs-example.properties"],
            1,
        ),
        (
            vec![
                "-q",
                "--format",
                "sarif",
                "corpus/ingress/trailing-slash-fail-open.yaml",
            ],
            1,
        ),
        (vec!["-q", &clean], 0),
        (
            vec![
                "-q",
                "--exit-zero",
                "corpus/torchserve/docs-example.properties",
            ],
            0,
        ),
    ] {
        let out = cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(want), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}");
    }
    // An unreadable file is still said (on stderr), and exits 2.
    let missing = d.path().join("gone.properties");
    let out = cmd()
        .args(["-q", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CL000"));
}

#[test]
fn input_errors_appear_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("gone/config.properties");
    let missing = missing.to_str().unwrap();
    // Bytes the server refuses: a malformed `\uXXXX` escape, with controls around it.
    let broken = write(
        d.path(),
        "broken/config.properties",
        b"cors_allowed_origin=\x01\\uZZZZ\x1b\r\n",
    );
    for format in ["full", "concise", "json", "sarif", "github", "junit"] {
        let (out, code) = run(&["--format", format, missing, &broken]);
        assert_eq!(code, 2, "{format}");
        assert!(out.matches("CL000").count() >= 2, "{format}:\n{out}");
        match format {
            "sarif" => assert_valid_sarif(&serde_json::from_str(&out).unwrap()),
            "junit" => {
                roxmltree::Document::parse(&out).expect("well-formed");
            }
            "github" => assert_eq!(out.lines().count(), 2, "{out}"),
            _ => {}
        }
    }
}

#[test]
fn new_formats_carry_every_finding_with_url_fix_and_severity() {
    let findings = json_findings(&["corpus"]);
    for f in &findings {
        let url = f["url"].as_str().unwrap();
        assert!(
            url.ends_with(&format!("/docs/rules/{}.md", f["code"].as_str().unwrap())),
            "{url}"
        );
        assert!(
            f["fix"].is_null()
                || ["safe", "unsafe"].contains(&f["fix"]["applicability"].as_str().unwrap())
        );
    }
    // json-lines: the same objects, one per line.
    let lines = run(&["--format", "json-lines", "corpus"]).0;
    let parsed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed, findings);
    // GitLab Code Quality: the fields GitLab requires, unique fingerprints.
    let gitlab: Vec<Value> =
        serde_json::from_str(&run(&["--format", "gitlab", "corpus"]).0).unwrap();
    assert_eq!(gitlab.len(), findings.len());
    let prints: std::collections::HashSet<&str> = gitlab
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), gitlab.len());
    for i in &gitlab {
        assert!(["info", "minor", "major"].contains(&i["severity"].as_str().unwrap()));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(i["description"].is_string() && i["check_name"].is_string());
    }
    // rdjson: one diagnostic per finding, reviewdog's severities.
    let rd: Value = serde_json::from_str(&run(&["--format", "rdjson", "corpus"]).0).unwrap();
    let diags = rd["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), findings.len());
    for (d, f) in diags.iter().zip(&findings) {
        assert_eq!(
            d["severity"],
            f["severity"].as_str().unwrap().to_uppercase()
        );
        assert_eq!(d["location"]["range"]["start"]["line"], f["span"]["line"]);
    }
    // rdjson counts columns in UTF-8 bytes; JSON in characters.
    let d = tempfile::tempdir().unwrap();
    let one_line = write(
        d.path(),
        "site.conf",
        "location /café { add_header Access-Control-Allow-Origin $http_origin always; add_header Access-Control-Allow-Credentials true always; }\n".as_bytes(),
    );
    let rd: Value = serde_json::from_str(&run(&["--format", "rdjson", &one_line]).0).unwrap();
    let json = json_findings(&[&one_line]);
    let echo = |f: &Value| f["code"] == "CORS015";
    let chars = json.iter().find(|f| echo(f)).unwrap()["span"]["column"]
        .as_u64()
        .unwrap();
    let d = rd["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"]["value"] == "CORS015")
        .unwrap();
    assert_eq!(
        d["location"]["range"]["start"]["column"].as_u64().unwrap(),
        chars + 1
    );
    // checkstyle: one <error> per finding, well-formed attribute quoting.
    let xml = run(&["--format", "checkstyle", "corpus"]).0;
    assert!(xml.starts_with("<?xml") && xml.trim_end().ends_with("</checkstyle>"));
    assert_eq!(xml.matches("<error ").count(), findings.len());
    assert!(!xml.contains("message=\"\""));
}

#[test]
fn min_severity_hides_lower_findings() {
    let all = json_findings(&["corpus"]);
    let errors: Vec<Value> =
        serde_json::from_str(&run(&["--format", "json", "--min-severity", "error", "corpus"]).0)
            .unwrap();
    let want = all.iter().filter(|f| f["severity"] == "error").count();
    assert!(want > 0 && want < all.len());
    assert_eq!(errors.len(), want);
}

/// Messages are headlines (ruff's length): over the whole shipped corpus the median is at most
/// 15 words and none has more than 30; the why is in `note`, the remedy in `help`.
#[test]
fn messages_over_the_corpus_are_headlines() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let findings = json_findings(&["--select", "ALL", corpus]);
    assert!(findings.len() > 150, "the corpus has findings to measure");
    let mut words: Vec<usize> = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap().split_whitespace().count())
        .collect();
    words.sort_unstable();
    let median = words[words.len() / 2];
    let longest = findings
        .iter()
        .max_by_key(|f| f["message"].as_str().unwrap().split_whitespace().count())
        .unwrap();
    assert!(median <= 15, "median message is {median} words");
    assert!(
        *words.last().unwrap() <= 30,
        "longest message: {} {}",
        longest["code"],
        longest["message"]
    );
    assert!(
        findings.iter().filter(|f| f["note"].is_string()).count() * 2 > findings.len(),
        "most findings keep their why in a note"
    );
}
