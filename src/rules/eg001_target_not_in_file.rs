//! EG001: a SecurityPolicy whose target is not among the routes or Gateways of its file.

use super::common::join_and;
use super::{FindingExt, Reporter, Unit};
use crate::frontend::envoy_gateway::Fact;

declare_rule!(TargetNotInFile, "EG001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.envoy_gateway_facts() {
        let Fact::TargetMissing {
            object,
            at,
            target,
            present,
        } = fact
        else {
            continue;
        };
        out.report(
            *at,
            "no such target in this file",
            format!("{object} targets {target}, which this file does not define"),
        )
        .note(format!(
            "this file defines only {}: unless {target} exists elsewhere, the policy (and its CORS \
             settings) applies to nothing",
            join_and(present)
        ))
        .help("name the route or Gateway the policy is meant for (`targetRefs[].name`), or delete the policy");
    }
}
