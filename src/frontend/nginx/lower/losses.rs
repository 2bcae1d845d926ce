//! CORS headers configured but not sent (inheritance, a later `if`), sent twice, or doubled
//! by a proxied backend's own.

use super::*;

impl<'a> Lowerer<'a> {
    /// CORS `add_header`s of enclosing blocks that a block with its own `add_header` drops.
    pub(super) fn lost(&self, bodies: &[&'a [Statement]]) -> Vec<LostHeader> {
        let version = self.target.version;
        let mut out: Vec<LostHeader> = Vec::new();
        for i in 1..bodies.len() {
            let before = headers::effective(&bodies[..i], version);
            let after = headers::effective(&bodies[..=i], version);
            let Some(cause) = bodies[i].iter().find(|s| s.name.value == "add_header") else {
                continue;
            };
            for d in before.iter().filter(|d| {
                is_cors(&d.name)
                    && matches!(d.source, Source::AddHeader { .. })
                    && !after.iter().any(|a| a.name.eq_ignore_ascii_case(&d.name))
            }) {
                if out.iter().any(|l| l.declared == d.directive.span) {
                    continue;
                }
                let merge = if version.has_add_header_inherit() {
                    ", or add `add_header_inherit merge;` to it"
                } else {
                    ""
                };
                out.push(LostHeader {
                    name: d.name.clone(),
                    declared: d.directive.span,
                    cause: cause.span,
                    why: "a block with its own `add_header` inherits no `add_header` from the blocks around it".into(),
                    remedy: format!(
                        "repeat the CORS `add_header` lines in the block that has its own (an `include` of one \
                         shared file keeps them in step){merge}"
                    ),
                });
            }
        }
        out
    }

    /// CORS headers of earlier `if` blocks that a later matching `if` replaces: nginx uses
    /// only the last `if` whose condition holds.
    pub(super) fn hidden_by_later_if(
        &self,
        st: &'a Statement,
        earlier: &[&'a Statement],
        effective: &[HeaderDirective],
    ) -> Vec<LostHeader> {
        let mut out = Vec::new();
        for e in earlier {
            // A `return` or `break` inside the earlier block ends the rewrite phase there:
            // the later `if` is never evaluated.
            let stops = e
                .children()
                .iter()
                .any(|c| matches!(c.name.value.as_str(), "return" | "break"));
            if stops || exclusive(st, e) {
                continue;
            }
            for d in e.children().iter().filter(|d| {
                d.name.value == "add_header" && d.args.first().is_some_and(|a| is_cors(&a.value))
            }) {
                if effective
                    .iter()
                    .any(|x| x.name.eq_ignore_ascii_case(&d.args[0].value))
                {
                    continue;
                }
                out.push(LostHeader {
                    name: d.args[0].value.clone(),
                    declared: d.span,
                    cause: st.name.span,
                    why: format!(
                        "when `{}` and the later `{}` both hold, nginx uses only the later `if` block's headers",
                        condition_args(e).join(" "),
                        condition_args(st).join(" ")
                    ),
                    remedy: "compute the values with `map` or `set` and add the headers once, outside the `if` blocks"
                        .into(),
                });
            }
        }
        out
    }
}

/// Two `if`s that can never both match: the same variable compared for equality with two
/// different values.
pub(super) fn exclusive(a: &Statement, b: &Statement) -> bool {
    match (condition_args(a).as_slice(), condition_args(b).as_slice()) {
        ([va, oa, xa], [vb, ob, xb]) => va == vb && oa == "=" && ob == "=" && xa != xb,
        _ => false,
    }
}

/// Directives that hand a request to a backend, and the one that hides a backend header.
pub(super) const BACKENDS: [(&str, &str); 5] = [
    ("proxy_pass", "proxy_hide_header"),
    ("fastcgi_pass", "fastcgi_hide_header"),
    ("uwsgi_pass", "uwsgi_hide_header"),
    ("scgi_pass", "scgi_hide_header"),
    ("grpc_pass", "grpc_hide_header"),
];

/// A backend whose own `Access-Control-Allow-Origin` passes through next to the one
/// `add_header` appends (`more_set_headers` replaces it instead). `*_hide_header` stops it;
/// like `add_header`, a level with its own `*_hide_header` inherits none (checked against a
/// real nginx in `tests/nginx_headers_oracle.rs`).
pub(super) fn passthrough(
    cors: &[&HeaderDirective],
    bodies: &[&[Statement]],
) -> Option<(Span, String)> {
    let appends = cors.iter().any(|d| {
        d.name.eq_ignore_ascii_case("access-control-allow-origin")
            && matches!(d.source, Source::AddHeader { .. })
    });
    if !appends {
        return None;
    }
    for (pass, hide) in BACKENDS {
        let Some(st) = bodies
            .iter()
            .rev()
            .find_map(|b| b.iter().find(|s| s.name.value == pass))
        else {
            continue;
        };
        let hiding = bodies
            .iter()
            .rev()
            .find(|b| b.iter().any(|s| s.name.value == hide))
            .is_some_and(|b| {
                b.iter().any(|s| {
                    s.name.value == hide
                        && s.args.first().is_some_and(|a| {
                            a.value.eq_ignore_ascii_case("access-control-allow-origin")
                        })
                })
            });
        if !hiding {
            return Some((
                st.span,
                format!(
                    "add `{hide} Access-Control-Allow-Origin;` next to `{pass}` (and the same for the other CORS \
                     headers nginx sets), or let only one of nginx and the backend send them"
                ),
            ));
        }
    }
    None
}

/// CORS header lines that reach one response twice.
pub(super) fn repeated(cors: &[&HeaderDirective]) -> Vec<RepeatedHeader> {
    let mut out = Vec::new();
    for (i, d) in cors.iter().enumerate() {
        let again = cors[i + 1..].iter().find(|o| {
            o.name.eq_ignore_ascii_case(&d.name)
                && matches!(o.source, Source::AddHeader { .. })
                && ADD_HEADER_STATUSES
                    .iter()
                    .any(|&s| d.applies_to(s) && o.applies_to(s))
        });
        if let Some(o) = again
            && !out
                .iter()
                .any(|r: &RepeatedHeader| r.again == o.directive.span)
        {
            out.push(RepeatedHeader {
                name: d.name.clone(),
                first: d.directive.span,
                again: o.directive.span,
            });
        }
    }
    out
}
