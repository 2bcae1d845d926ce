//! TorchServe's `$$NAME$$` substitution (`ConfigManager.resolveEnvVarVals`).
//!
//! Every value is scanned with `Pattern.compile("\\$\\$([^$]+[^$])\\$\\$")`; each match is
//! replaced with `Matcher.appendReplacement(sb, System.getenv(NAME))`. An unset variable
//! aborts start-up ("Invalid Environment Variable NAME"). `appendReplacement` interprets the
//! *replacement*: `\x` is a literal `x`, `$0`/`$1` are group references, and any other `$`
//! throws — so an environment value containing `$` can also abort start-up.

use crate::frontend::Env;
use crate::source::{MappedText, Span};
use regex::Regex;
use std::sync::LazyLock;

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\$([^$]+[^$])\$\$").expect("valid regex"));

#[derive(Debug)]
pub enum Substituted {
    /// No `$$NAME$$` in the value.
    Unchanged,
    Resolved(MappedText),
    /// The value depends on variables whose values were not given.
    DependsOn(Vec<String>),
    /// TorchServe aborts start-up.
    Fails {
        variable: String,
        span: Span,
        reason: String,
    },
}

/// Names referenced by `$$NAME$$` in the value.
pub fn placeholders(value: &str) -> Vec<String> {
    PLACEHOLDER
        .captures_iter(value)
        .map(|c| c[1].to_string())
        .collect()
}

pub fn substitute(value: &MappedText, env: &Env) -> Substituted {
    let text = value.as_str();
    if !PLACEHOLDER.is_match(text) {
        return Substituted::Unchanged;
    }
    let Env::Known(vars) = env else {
        return Substituted::DependsOn(placeholders(text));
    };
    let mut out = MappedText::empty(Span::empty(value.span().start));
    let mut last = 0;
    for caps in PLACEHOLDER.captures_iter(text) {
        let whole = caps.get(0).expect("group 0");
        let name = &caps[1];
        let from = value.span_of(whole.range());
        for (i, c) in text[last..whole.start()].char_indices() {
            let at = last + i;
            out.push(c, value.span_of(at..at + c.len_utf8()));
        }
        let Some(env_value) = vars.get(name) else {
            return Substituted::Fails {
                variable: name.to_string(),
                span: from,
                reason: format!("Invalid Environment Variable {name}"),
            };
        };
        match append_replacement(env_value, whole.as_str(), name) {
            Ok(replacement) => {
                for c in replacement.chars() {
                    out.push(c, from);
                }
            }
            Err(reason) => {
                return Substituted::Fails {
                    variable: name.to_string(),
                    span: from,
                    reason,
                };
            }
        }
        last = whole.end();
    }
    for (i, c) in text[last..].char_indices() {
        let at = last + i;
        out.push(c, value.span_of(at..at + c.len_utf8()));
    }
    Substituted::Resolved(out.with_whole(value.span()))
}

/// `java.util.regex.Matcher.appendReplacement` for a pattern with one group.
fn append_replacement(replacement: &str, group0: &str, group1: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => out.push(next),
                None => return Err("character to be escaped is missing".into()),
            },
            '$' => {
                let Some(&first) = chars.peek() else {
                    return Err("Illegal group reference: group index is missing".into());
                };
                if first == '{' {
                    return Err("No group with name {…}".into());
                }
                let Some(d) = first.to_digit(10) else {
                    return Err("Illegal group reference".into());
                };
                chars.next();
                // Java keeps reading digits while the number stays a valid group (max 1 here).
                let group = d;
                match group {
                    0 => out.push_str(group0),
                    1 => out.push_str(group1),
                    n => return Err(format!("No group {n}")),
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn text(s: &str) -> MappedText {
        let mut t = MappedText::empty(Span::empty(0));
        for (i, c) in s.char_indices() {
            t.push(c, Span::new(i, i + c.len_utf8()));
        }
        t
    }

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::Known(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn substitutes_and_maps_to_the_placeholder() {
        let v = text("x$$MY_ORIGIN$$y");
        let Substituted::Resolved(r) = substitute(&v, &env(&[("MY_ORIGIN", "https://s.example")]))
        else {
            panic!()
        };
        assert_eq!(r.as_str(), "xhttps://s.exampley");
        assert_eq!(r.span_of(1..5), Span::new(1, 14));
        assert_eq!(r.span_of(18..19), Span::new(14, 15));
    }

    #[test]
    fn unknown_environment_and_unset_variables() {
        let v = text("$$A_B$$");
        assert!(
            matches!(substitute(&v, &Env::Unknown), Substituted::DependsOn(ref n) if n == &["A_B"])
        );
        assert!(matches!(
            substitute(&v, &env(&[])),
            Substituted::Fails { .. }
        ));
        // one character between the dollars is not a placeholder ([^$]+[^$] needs two)
        assert!(matches!(
            substitute(&text("$$A$$"), &env(&[])),
            Substituted::Unchanged
        ));
    }

    #[test]
    fn replacement_is_interpreted_like_java() {
        assert_eq!(append_replacement(r"a\$b", "$$V$$", "V").unwrap(), "a$b");
        assert_eq!(append_replacement("<$1>", "$$V$$", "V").unwrap(), "<V>");
        assert_eq!(append_replacement("$12", "$$V$$", "V").unwrap(), "V2");
        assert!(append_replacement("pa$$word", "$$V$$", "V").is_err());
        assert!(append_replacement("end\\", "$$V$$", "V").is_err());
    }
}
