//! NGX001: an `include` cors-lint could not follow.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::nginx::Fact;

declare_rule!(IncludeNotFollowed, "NGX001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.nginx_facts() {
        let Fact::UnresolvedInclude {
            span,
            pattern,
            reason,
        } = fact
        else {
            continue;
        };
        out.report(
            *span,
            "not followed",
            format!(
                "cors-lint did not read `include {pattern}`: {}",
                headline(reason)
            ),
        )
        .note(if headline(reason) == reason.as_str() {
            "CORS headers it may add are not judged here".to_string()
        } else {
            format!("{reason}; CORS headers it may add are not judged here")
        })
        .help(
            "lint the configuration from its top-level `nginx.conf`, or pass `--nginx-prefix DIR` \
             (the directory relative include paths start from)",
        );
    }
}

/// The reason up to its first `; `, `: ` or ` (` outside backticks: the rest (an OS error,
/// the files of a cycle, the parser's complaint) goes to the note.
fn headline(reason: &str) -> &str {
    let mut quoted = false;
    for (i, c) in reason.char_indices() {
        match c {
            '`' => quoted = !quoted,
            ';' | ':' if !quoted && reason[i + 1..].starts_with(' ') => return &reason[..i],
            ' ' if !quoted && reason[i + 1..].starts_with('(') => return &reason[..i],
            _ => {}
        }
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::headline;

    #[test]
    fn headline_stops_before_details() {
        assert_eq!(
            headline("`a: b.conf` cannot be read: permission denied"),
            "`a: b.conf` cannot be read"
        );
        assert_eq!(
            headline("an include cycle (a → b → a): nginx refuses"),
            "an include cycle"
        );
        assert_eq!(
            headline("`x` does not exist here"),
            "`x` does not exist here"
        );
    }
}
