//! INGX011: CORS settings written into a ConfigMap, where ingress-nginx has none.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::ingress::facts::Fact;

declare_rule!(ConfigMapCorsKey, "INGX011", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::ConfigMapCorsKey { object, key, span } = fact else {
            continue;
        };
        out.report(
            *span,
            "no such ConfigMap setting",
            format!("`{key}` in {object} is not an ingress-nginx ConfigMap setting and changes nothing"),
        )
        .note(
            "the controller reads CORS only from each Ingress's `nginx.ingress.kubernetes.io/` annotations",
        )
        .help(format!(
            "set `nginx.ingress.kubernetes.io/{key}` on each Ingress that needs CORS instead"
        ));
    }
}
