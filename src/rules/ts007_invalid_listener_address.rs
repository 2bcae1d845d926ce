//! TS007: a listener address TorchServe rejects at start-up.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::torchserve::Fact;

declare_rule!(InvalidListenerAddress, "TS007", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.torchserve_facts() {
        let Fact::InvalidAddress { key, span, value } = fact else {
            continue;
        };
        out.report(
            *span,
            "invalid binding address",
            format!(
                "TorchServe does not start: `{key}={}` is not `http(s)://HOST[:PORT]` or `unix:/PATH`",
                quote(&super::common::clip_words(value, 4)).trim_matches('`')
            ),
        )
        .note("TorchServe refuses it at start-up with \"Invalid binding address\"")
        .help("write e.g. `http://127.0.0.1:8080`: scheme, host and optional port, no path or trailing slash (IPv6 addresses are not accepted)");
    }
}
