//! INGX004: `*` among other entries of `cors-allow-origin`.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::ingress::facts::{Fact, Fate};

declare_rule!(StarShadowsList, "INGX004", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::Cors(c) = fact else { continue };
        let Some(star) = c.origin_entries.iter().find(|e| e.fate == Fate::Star) else {
            continue;
        };
        let others: Vec<_> = c
            .origin_entries
            .iter()
            .filter(|e| e.fate != Fate::Star && !e.text.is_empty())
            .collect();
        if others.is_empty() {
            continue;
        }
        let names: Vec<String> = others.iter().map(|e| format!("`{}`", e.text)).collect();
        let finding = out.report(
            star.span,
            "replaces the whole list",
            format!(
                "`*` inside a `cors-allow-origin` list makes {} allow every origin{}",
                c.object,
                if c.credentials.value {
                    " with credentials"
                } else {
                    ""
                },
            ),
        );
        finding.note(format!(
            "ingress-nginx accepts `*` only as the whole `cors-allow-origin` value: it rejects this list and \
             falls back to `*`{}; the other {} ({}) {} nothing",
            if c.credentials.value {
                " (with `Access-Control-Allow-Credentials: true`)"
            } else {
                ""
            },
            if others.len() == 1 { "entry" } else { "entries" },
            names.join(", "),
            if others.len() == 1 { "changes" } else { "change" },
        ));
        for e in &others {
            finding.related(e.span, "ignored");
        }
        finding.help("remove `*` to allow only the listed origins, or remove the list if every origin is meant");
    }
}
