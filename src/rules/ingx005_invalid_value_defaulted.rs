//! INGX005: a methods, headers, expose-headers or max-age value the controller replaces by
//! its default.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::ingress::controller;
use crate::frontend::ingress::facts::{Fact, Source};

declare_rule!(InvalidValueDefaulted, "INGX005", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::Cors(c) = fact else { continue };
        let max_age = c.max_age.value.to_string();
        let settings: [(&str, &Source, String); 4] = [
            (
                controller::METHODS,
                &c.methods.source,
                format!(
                    "`Access-Control-Allow-Methods: {}`",
                    controller::DEFAULT_METHODS
                ),
            ),
            (
                controller::HEADERS,
                &c.headers.source,
                format!(
                    "`Access-Control-Allow-Headers: {}`",
                    controller::DEFAULT_HEADERS
                ),
            ),
            (
                controller::EXPOSE,
                &c.expose.source,
                "no `Access-Control-Expose-Headers` at all".to_string(),
            ),
            (
                controller::MAX_AGE,
                &c.max_age.source,
                format!("`Access-Control-Max-Age: {max_age}` (20 days)"),
            ),
        ];
        for (key, source, default) in settings {
            match source {
                Source::Invalid { at, check, why, .. } => {
                    let part = unit.file.text(*at);
                    out.report(
                        *at,
                        "fails the controller's check",
                        format!(
                            "ingress-nginx rejects `{key}` at {} and silently sends its default instead",
                            quote(&part)
                        ),
                    )
                    .note(format!(
                        "{why}; the check is `{check}`; the default is {default}"
                    ))
                    .help(help(key));
                }
                Source::Empty { value, .. } if key != controller::EXPOSE => {
                    out.report(
                        *value,
                        "empty: default",
                        format!("`{key}` is empty, so ingress-nginx sends its default: {default}"),
                    )
                    .help(help(key));
                }
                _ => {}
            }
        }
    }
}

fn help(key: &str) -> &'static str {
    match key {
        controller::METHODS => {
            "list method names (letters only) separated by `, `, e.g. `\"GET, POST, PUT\"`; `*` is not accepted"
        }
        controller::HEADERS => {
            "list header names (letters, digits, `-`, `_`) separated by `,` on one line, e.g. `\"Content-Type, Authorization\"`; \
             `*` is not accepted"
        }
        controller::EXPOSE => "list header names separated by `, `, e.g. `\"X-Request-Id\"`",
        _ => "write the number of seconds, e.g. `\"600\"`",
    }
}
