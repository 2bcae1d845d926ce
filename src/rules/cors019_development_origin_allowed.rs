//! CORS019: a local development origin (`localhost`, `127.0.0.1`) is allowed.

use super::common::{allowed_origin_examples, is_local_origin, product};
use super::{FindingExt, Reporter, Unit};

declare_rule!(DevelopmentOriginAllowed, "CORS019", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for (origin, span) in allowed_origin_examples(policy) {
            if !is_local_origin(&origin) {
                continue;
            }
            out.report(
                span,
                format!("trusts `{origin}`"),
                format!(
                    "{} trusts the local origin `{origin}`: any page served on that port of a user's machine \
                     (a dev server, a local app, a malicious package's web UI) can read the responses",
                    product(policy)
                ),
            )
            .help("keep development origins in a development-only configuration");
        }
    }
}
