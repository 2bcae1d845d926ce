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
                "cors-lint did not read `include {pattern}`: {reason}; CORS headers it may add are not judged here"
            ),
        )
        .help(
            "lint the configuration from its top-level `nginx.conf`, or pass `--nginx-prefix DIR` \
             (the directory relative include paths start from)",
        );
    }
}
