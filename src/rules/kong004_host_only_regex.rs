//! KONG004: a regex origin entry without `:` is matched against the host only.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::kong::Fact;

declare_rule!(HostOnlyRegex, "KONG004", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.kong_facts() {
        let Fact::HostOnlyRegex { entry, span } = fact else {
            continue;
        };
        out.report(
            *span,
            "host only: any scheme, any port",
            format!(
                "{} has no `:`, so Kong also allows `http://` and every port of a matching host",
                quote(entry)
            ),
        )
        .note(
            "an entry without `:` is matched against the request origin's host alone, so the scheme and port \
             are not checked",
        )
        .help("in Kong: include the scheme in the entry (`https://…`) so the whole origin is matched");
    }
}
