//! TS005: a `$$NAME$$` substitution TorchServe cannot perform: it does not start.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::torchserve::Fact;

declare_rule!(UnresolvableSubstitution, "TS005", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.torchserve_facts() {
        let Fact::UnresolvableSubstitution {
            key,
            span,
            variable,
            reason,
        } = fact
        else {
            continue;
        };
        let unset = reason.starts_with("Invalid Environment Variable");
        let message = if unset {
            format!(
                "TorchServe does not start: `{key}` refers to `$${variable}$$`, but `{variable}` is not set"
            )
        } else {
            format!(
                "TorchServe does not start: the value of `{variable}` substituted into `{key}` contains `$` or `\\`"
            )
        };
        let note = if unset {
            format!("TorchServe stops with \"Invalid configuration: {reason}\"")
        } else {
            format!(
                "Java's `Matcher.appendReplacement` interprets `$` and `\\` in the replacement (\"{reason}\")"
            )
        };
        let help = if unset {
            format!("set `{variable}` in the server's environment, or write the value in the file")
        } else {
            format!("escape `$` as `\\$` and `\\` as `\\\\` in the value of `{variable}`")
        };
        out.report(*span, "start-up fails here", message)
            .note(note)
            .help(help);
    }
}
