//! gixy's `origins` plugin cases (yandex/gixy @ 2ff6ac1f, e0739aac and d66c5e1f,
//! `tests/plugins/simply/origins/`), re-expressed as cors-lint inputs: each `$http_origin`
//! pattern becomes the check of an nginx location that echoes the origin, and cors-lint's
//! findings are compared with gixy's verdict (a `*_fp.conf` file is one gixy must not flag).
//! Where the two differ the case says why; `agreement` counts them for docs/upstream.md.
//! No gixy code is copied; the patterns are the test inputs.

use cors_lint::frontend::Dialect;
use cors_lint::lint::{Settings, lint_bytes};

struct Case {
    /// The upstream file (each holds one `if ($http_origin !~ '…')` on line 1 or 3).
    file: &'static str,
    pattern: &'static str,
    /// gixy flags it (`origins`, severity HIGH).
    gixy_flags: bool,
    /// What cors-lint reports about the check.
    ours: &'static [&'static str],
    /// Why the verdicts differ, when they do.
    differs: Option<&'static str>,
}

const PATH_NEVER_IN_ORIGIN: &str = "the pattern requires a `/` after the host, which no \
    browser's `Origin` has: the check allows nothing (CORS033); gixy reads it as a Referer-style \
    URL and judges the host part";

const CASES: &[Case] = &[
    Case {
        file: "origin.conf:1",
        pattern: r"^https?:\/\/yandex.ru\/",
        gixy_flags: true,
        ours: &["CORS033"],
        differs: Some(PATH_NEVER_IN_ORIGIN),
    },
    Case {
        file: "origin_fp.conf:1",
        pattern: r"^https?:\/\/yandex\.ru\/",
        gixy_flags: false,
        ours: &["CORS033"],
        differs: Some(PATH_NEVER_IN_ORIGIN),
    },
    Case {
        file: "origin_wo_slash.conf:1",
        pattern: r"^https?:\/\/yandex\.ru",
        gixy_flags: true,
        ours: &["CORS016"],
        differs: None,
    },
    Case {
        file: "origin_w_slash_fp.conf:1",
        pattern: r"^https?:\/\/yandex\.ru/",
        gixy_flags: false,
        ours: &["CORS033"],
        differs: Some(PATH_NEVER_IN_ORIGIN),
    },
    Case {
        file: "origin_w_slash_anchored_fp.conf:1",
        pattern: r"^https?:\/\/yandex\.ru/$",
        gixy_flags: false,
        ours: &["CORS033"],
        differs: Some(PATH_NEVER_IN_ORIGIN),
    },
    // The same patterns without the path, as an origin check is written: the verdicts agree.
    Case {
        file: "origin.conf:1 (without the `\\/`)",
        pattern: r"^https?:\/\/yandex.ru$",
        gixy_flags: true,
        ours: &[],
        differs: Some(
            "the unescaped dot admits only `yandex?ru`; any other character than `.` makes a \
             single-label host under no public suffix, which nobody can register, so no \
             origin someone else owns gets through (gixy flags `yandexxru`)",
        ),
    },
    Case {
        file: "origin_fp.conf:1 (without the `\\/`)",
        pattern: r"^https?:\/\/yandex\.ru$",
        gixy_flags: false,
        ours: &[],
        differs: None,
    },
];

/// The CORS0xx codes cors-lint reports for a location that echoes `$http_origin` when the
/// origin matches `pattern` (`Vary` and `always` written, so only the check is judged).
fn findings(pattern: &str) -> Vec<&'static str> {
    let conf = format!(
        "server {{\n    location / {{\n        if ($http_origin ~ '{pattern}') {{\n            \
         add_header Access-Control-Allow-Origin $http_origin always;\n            \
         add_header Vary Origin always;\n        }}\n    }}\n}}\n"
    );
    let report = lint_bytes(
        "cors.conf".into(),
        conf.into_bytes(),
        Dialect::Nginx,
        String::new(),
        &Settings::default(),
    );
    let mut codes: Vec<&'static str> = report.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn gixy_origins_cases() {
    let mut agree = 0;
    for c in CASES {
        let ours = findings(c.pattern);
        assert_eq!(ours, c.ours, "{}: `{}`", c.file, c.pattern);
        let we_flag = !ours.is_empty();
        match c.differs {
            None => {
                assert_eq!(we_flag, c.gixy_flags, "{}: verdicts differ", c.file);
                agree += 1;
            }
            Some(why) => assert!(
                we_flag != c.gixy_flags || ours.contains(&"CORS033"),
                "{}: said to differ, but does not ({why})",
                c.file
            ),
        }
    }
    // docs/upstream.md states these figures.
    assert_eq!((agree, CASES.len()), (2, 7));
}
