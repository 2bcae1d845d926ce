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
                "TorchServe does not start: `{key}` refers to `$${variable}$$`, but `{variable}` is not set \
                 (\"Invalid configuration: {reason}\")"
            )
        } else {
            format!(
                "TorchServe does not start: the value of `{variable}` substituted into `{key}` contains `$` or `\\`, \
                 which Java's `Matcher.appendReplacement` interprets (\"{reason}\")"
            )
        };
        let help = if unset {
            format!("set `{variable}` in the server's environment, or write the value in the file")
        } else {
            format!("escape `$` as `\\$` and `\\` as `\\\\` in the value of `{variable}`")
        };
        out.report(*span, "start-up fails here", message).help(help);
    }
}
