//! CORS003: `*` in front of an administrative API that anyone on the network can reach
//! without authenticating.

use super::common::{exposed_unauthenticated_admin, wildcard_origin};
use super::{FindingExt, Reporter, Unit};

declare_rule!(WildcardOriginUnauthenticatedAdmin, "CORS003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(span) = wildcard_origin(policy) else {
            continue;
        };
        let Some(admin) = exposed_unauthenticated_admin(policy) else {
            continue;
        };
        let finding = out.report(
            span,
            "any origin",
            format!(
                "`Access-Control-Allow-Origin: *` lets any web page drive the unauthenticated {} API at `{}`",
                admin.name, admin.address
            ),
        );
        finding.note(format!(
            "any web page a user opens can read and drive the {} API: it is reachable beyond loopback \
             and requires no authentication",
            admin.name
        ));
        finding.help(format!(
            "allow only the origin that needs access, and require authentication on the {} API or bind it to \
             127.0.0.1",
            admin.name
        ));
        if let Some(addr) = admin.address_span {
            finding.related(
                addr,
                format!("the {} API listens beyond loopback", admin.name),
            );
        }
    }
}
