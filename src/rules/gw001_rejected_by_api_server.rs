//! GW001: the API server rejects an HTTPRoute's CORS filter (CRD schema or CEL rule).

use super::{FindingExt, Reporter, Unit};
use crate::frontend::gateway_api::Fact;

declare_rule!(RejectedByApiServer, "GW001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.gateway_api_facts() {
        let Fact::Rejected {
            object,
            at,
            rule,
            why,
            version,
            fix,
        } = fact
        else {
            continue;
        };
        let (head, rest) = split_reason(why, 22);
        let mut note = rest.unwrap_or_default();
        if let Some(v) = version {
            note = if note.is_empty() {
                v.clone()
            } else {
                format!("{note} ({v})")
            };
        }
        if !note.is_empty() {
            note.push_str("; ");
        }
        out.report(
            *at,
            "rejected",
            format!("the API server rejects {object}: {head}"),
        )
        .note(format!(
            "{note}`kubectl apply` fails for this object, so none of its rules (and no CORS filter) \
             take effect"
        ))
        .help(match fix {
            Some(f) => format!("write `{f}`"),
            None => format!("the violated rule of the Gateway API CRD: `{rule}`"),
        });
    }
}

/// A front end's reason for a rejection, as a headline and the rest: cut at its first `; ` or
/// `: ` outside backticks, quotes and parentheses; then a long head loses its trailing `(…)`,
/// and the rest starts with the head as it was; a head over `max` words is clipped with `…` (the rest is then the
/// whole reason).
pub(super) fn split_reason(why: &str, max: usize) -> (String, Option<String>) {
    let words = |s: &str| s.split_whitespace().count();
    let (mut head, mut rest) = match top_level(why).find(|&(_, c)| c == ';' || c == ':') {
        Some((i, _)) => (
            why[..i].trim_end().to_string(),
            Some(why[i + 1..].trim_start().to_string()),
        ),
        None => (why.to_string(), None),
    };
    if words(&head) > 13 && head.ends_with(')') {
        // Top-level parentheses alternate `(` `)`: the last `(` opens the one closing at the end.
        let parens: Vec<(usize, char)> = top_level(&head)
            .filter(|&(_, c)| c == '(' || c == ')')
            .collect();
        let open = match parens[..] {
            [.., (open, '('), (close, ')')] if close + 1 == head.len() => Some(open),
            _ => None,
        };
        if let Some(open) = open {
            // The rest then repeats the head whole, parenthesis and all.
            let short = head[..open].trim_end().to_string();
            let whole = std::mem::replace(&mut head, short);
            rest = Some(match rest {
                Some(r) => format!("{whole}; {r}"),
                None => whole,
            });
        }
    }
    if words(&head) > max {
        let clipped: Vec<&str> = why.split_whitespace().take(max).collect();
        return (format!("{}…", clipped.join(" ")), Some(why.to_string()));
    }
    (head, rest)
}

/// The outermost `(` `)`, and the `;` `:` followed by a space outside parentheses, of `text`
/// outside backticks and double quotes, each with its byte offset.
fn top_level(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut tick = false;
    let mut quote = false;
    let mut depth = 0usize;
    text.char_indices().filter_map(move |(i, c)| {
        match c {
            '`' if !quote => tick = !tick,
            '"' if !tick => quote = !quote,
            _ if tick || quote => {}
            '(' => {
                depth += 1;
                return (depth == 1).then_some((i, c));
            }
            ')' => {
                depth = depth.saturating_sub(1);
                return (depth == 0).then_some((i, c));
            }
            ';' | ':' if depth == 0 && text[i + 1..].starts_with(' ') => {
                return Some((i, c));
            }
            _ => {}
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::split_reason;

    #[test]
    fn splits_at_the_first_top_level_separator() {
        assert_eq!(
            split_reason(
                "`a: b` is not an origin the CRD accepts: an origin has no trailing `/`",
                22
            ),
            (
                "`a: b` is not an origin the CRD accepts".to_string(),
                Some("an origin has no trailing `/`".to_string())
            )
        );
    }

    #[test]
    fn moves_a_long_heads_parenthesis() {
        assert_eq!(
            split_reason(
                "`get` is not one of the methods the CRD allows (upper case, RFC 9110 methods or `*`)",
                22
            ),
            (
                "`get` is not one of the methods the CRD allows".to_string(),
                Some(
                    "`get` is not one of the methods the CRD allows (upper case, RFC 9110 methods or `*`)"
                        .to_string()
                )
            )
        );
        let (head, rest) = split_reason(
            "`x` is not a field of the CORS filter (did you mean `y`?); kubectl refuses it",
            22,
        );
        assert_eq!(
            head,
            "`x` is not a field of the CORS filter (did you mean `y`?)"
        );
        assert_eq!(rest.as_deref(), Some("kubectl refuses it"));
    }
}
