//! `configuration-snippet` and `server-snippet`: raw nginx pasted into the controller's
//! `location` and `server` blocks. They are read with the nginx front end at that level,
//! every span moved back into the YAML file, so the nginx rules judge them where they are
//! written. (Whether the controller applies them at all is INGX009's finding.)

use super::facts::Fact;
use crate::frontend::InputError;
use crate::frontend::nginx::{self, headers::Version, lower};
use crate::ir::{CorsPolicy, OriginPolicy, RepeatedHeader};
use crate::source::{MappedText, Span};
use regex::Regex;
use std::sync::LazyLock;

/// `add_header Access-Control-Allow-Origin …;` in a snippet (quoted or not, any case).
static ADD_ALLOW_ORIGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)^[ \t]*add_header[ \t]+["']?access-control-allow-origin["']?[ \t][^;]*;"#)
        .expect("valid regex")
});

/// The bytes of the snippet's `add_header Access-Control-Allow-Origin …;`, if it has one.
fn added_allow_origin(body: &MappedText) -> Option<Span> {
    let m = ADD_ALLOW_ORIGIN.find(body.as_str())?;
    let start = m.start() + (m.as_str().len() - m.as_str().trim_start().len());
    Some(body.span_of(start..m.end()))
}

/// `add_header Vary … Origin …;` or `more_set_headers "Vary: … Origin …";` in a snippet.
static VARY_ORIGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?im)^[ \t]*(?:add_header[ \t]+["']?vary["']?[ \t]+["']?([^;"']*)|more_set_headers[ \t]+["']vary:[ \t]*([^"';]*))"#,
    )
    .expect("valid regex")
});

/// The `Vary` a `configuration-snippet` adds to the location's responses, which the
/// controller's CORS block does not send (a `server-snippet`'s `add_header` does not reach a
/// location that has its own).
pub fn vary(facts: &[Fact]) -> Vec<crate::ir::ResponseHeader> {
    let mut out = Vec::new();
    for fact in facts {
        let Fact::Snippet { key, body, .. } = fact else {
            continue;
        };
        if !key.ends_with("/configuration-snippet") {
            continue;
        }
        for c in VARY_ORIGIN.captures_iter(body.as_str()) {
            let Some(value) = c.get(1).or(c.get(2)) else {
                continue;
            };
            out.push(crate::ir::ResponseHeader {
                name: "Vary".into(),
                value: value.as_str().trim().to_string(),
                at: body.span_of(value.range()),
                replaces: false,
            });
        }
    }
    out
}

/// The nginx release the controller's images ship (the 1.25 line for controller
/// v1.10–v1.15): older than `add_header_inherit` (1.29.3), which is all that differs here.
const BUNDLED_NGINX: Version = Version(1, 25, 5);

/// Policies of the snippets among `facts`; `cors` is the Ingress's own CORS policy, whose
/// `Access-Control-Allow-Origin` a snippet's `add_header` would repeat.
pub fn policies(facts: &[Fact], cors: Option<&CorsPolicy>) -> Result<Vec<CorsPolicy>, InputError> {
    let mut out = Vec::new();
    for fact in facts {
        let Fact::Snippet {
            object, key, body, ..
        } = fact
        else {
            continue;
        };
        let (context, what) = if key.ends_with("/configuration-snippet") {
            (lower::Context::Location, "configuration-snippet")
        } else if key.ends_with("/server-snippet") {
            (lower::Context::Server, "server-snippet")
        } else {
            continue;
        };
        let target = lower::Target {
            version: BUNDLED_NGINX,
            assumed: true,
        };
        for mut p in nginx::lower_embedded(body, context, target)? {
            // "this configuration, when …" → "the configuration-snippet of Ingress x, when …"
            let rest = p
                .scope
                .description
                .strip_prefix("this configuration")
                .map(str::to_string);
            p.scope.description = match rest {
                Some(rest) => format!("the `{what}` of {object}{rest}"),
                None => format!("{} in the `{what}` of {object}", p.scope.description),
            };
            // The controller's own `more_set_headers` runs first; an `add_header` of the
            // snippet then adds a second `Access-Control-Allow-Origin`.
            if let (Some(cors), Some(again)) = (cors, added_allow_origin(body))
                && !matches!(cors.allow_origin, OriginPolicy::NotSent)
                && !matches!(p.allow_origin, OriginPolicy::NotSent)
                && context == lower::Context::Location
            {
                p.repeated_headers.push(RepeatedHeader {
                    name: "Access-Control-Allow-Origin".into(),
                    first: cors.anchor,
                    again,
                });
            }
            out.push(p);
        }
    }
    Ok(out)
}
