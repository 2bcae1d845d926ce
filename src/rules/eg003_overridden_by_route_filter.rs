//! EG003: a SecurityPolicy's `cors` overridden by the targeted route's own CORS filter.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::envoy_gateway::Fact;

declare_rule!(OverriddenByRouteFilter, "EG003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.envoy_gateway_facts() {
        let Fact::OverriddenByRouteFilter {
            object,
            at,
            route,
            filter,
        } = fact
        else {
            continue;
        };
        out.report(
            *at,
            "overridden on that route",
            format!("the CORS filter of {route} overrides the `cors` of {object}"),
        )
        .note(
            "Envoy Gateway applies the route's own CORS filter instead of the policy's `cors` on the \
             rules that carry it: two CORS policies for one route, and the route's wins",
        )
        .related(*filter, "the route's CORS filter")
        .help("keep CORS in one place: remove the route's CORS filter or the policy's `cors`");
    }
}
