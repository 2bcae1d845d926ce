//! CORS022: CORS headers configured around a block never reach its responses.

use super::common::version_note;
use super::{FindingExt, Reporter, Unit};

declare_rule!(CorsHeadersLost, "CORS022", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for lost in &policy.lost_headers {
            out.report(
                lost.declared,
                format!("not sent in {}", policy.scope.description),
                format!(
                    "`{}` set here does not reach {}: {} ({})",
                    lost.name,
                    policy.scope.description,
                    lost.why,
                    version_note(policy)
                ),
            )
            .related(lost.cause, "this replaces it")
            .help(lost.remedy.clone());
        }
    }
}
