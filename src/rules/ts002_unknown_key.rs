//! TS002: a non-CORS key TorchServe 0.12.0 does not read.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::torchserve::Fact;
use crate::frontend::torchserve::keys::Unrecognised;

declare_rule!(UnknownKey, "TS002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    // The lines of one broken JSON value: one finding, at the first, for all of them.
    let mut reported_owners: Vec<crate::source::Span> = Vec::new();
    for fact in unit.torchserve_facts() {
        if let Fact::Utf16 { mark, entries } = fact {
            out.report(
                *mark,
                "UTF-16 byte-order mark",
                format!(
                    "the file is UTF-16, so TorchServe reads none of its {entries} entries and runs with its defaults"
                ),
            )
            .note(format!(
                "Java reads `config.properties` byte by byte as ISO-8859-1: every key of its {entries} entries \
                 holds NUL characters"
            ))
            .help("save the file as ISO-8859-1 or plain ASCII (write other characters as `\\uXXXX`)");
            continue;
        }
        let Fact::IgnoredKey {
            key,
            key_span,
            what,
            bom,
        } = fact
        else {
            continue;
        };
        let shown = quote(key);
        let (message, note, help): (String, Option<String>, String) = match (what, bom) {
            (Unrecognised::CorsLike(_), _) => continue,
            (Unrecognised::JsonFragment { owner, owner_key }, _) => {
                if reported_owners.contains(owner_key) {
                    continue;
                }
                reported_owners.push(*owner_key);
                let lines = fragment_lines(unit, owner_key);
                (
                    format!(
                        "{} of the JSON value of `{owner}` (line {}) {} read as keys",
                        match lines.as_slice() {
                            [_] => format!("{shown}, a line"),
                            [first, .., last] => format!("lines {first}–{last}, the rest"),
                            [] => shown.clone(),
                        },
                        unit.line(owner_key.start),
                        if lines.len() == 1 { "is" } else { "are" }
                    ),
                    Some(
                        "without a `\\` at the end of each line, Java ended that value on its first line"
                            .to_string(),
                    ),
                    format!(
                        "write the JSON of `{owner}` on one line, or end each of its lines with `\\`"
                    ),
                )
            }
            (
                Unrecognised::Unknown {
                    suggestion: Some(real),
                },
                Some(_),
            ) => (
                format!(
                    "the file starts with a UTF-8 byte-order mark: TorchServe sees {shown}, not `{real}`"
                ),
                Some(format!(
                    "Java reads the mark as part of the first key, so TorchServe never reads `{real}`"
                )),
                "save the file without a byte-order mark (ISO-8859-1 or plain ASCII)".to_string(),
            ),
            (_, Some(_)) => (
                format!(
                    "the file starts with a UTF-8 byte-order mark: TorchServe sees the key {shown}"
                ),
                Some("Java reads the mark as part of the first line".to_string()),
                "save the file without a byte-order mark (ISO-8859-1 or plain ASCII)".to_string(),
            ),
            (
                Unrecognised::Unknown {
                    suggestion: Some(real),
                },
                None,
            ) => (
                format!("TorchServe 0.12.0 never reads {shown}"),
                None,
                format!("did you mean `{real}`?"),
            ),
            (Unrecognised::Unknown { suggestion: None }, None) => (
                format!("TorchServe 0.12.0 never reads {shown}"),
                Some(
                    "only a frontend plugin could read it, through `Context.getConfig()`"
                        .to_string(),
                ),
                "remove the key, or ignore this finding if a plugin reads it".to_string(),
            ),
            (
                Unrecognised::Removed {
                    last_version,
                    replacement,
                },
                None,
            ) => (
                format!("{shown} was last read by TorchServe {last_version}; 0.12.0 ignores it"),
                None,
                match replacement {
                    Some(r) => format!("use `{r}`"),
                    None => "remove the key".to_string(),
                },
            ),
            (Unrecognised::ModelSetting { model_key }, None) => (
                format!("{shown} is not a server setting; TorchServe ignores it here"),
                None,
                format!(
                    "set `{model_key}` per model, in `models={{\"name\": {{\"1.0\": {{\"{model_key}\": …}}}}}}` or in \
                     the model's model-config.yaml"
                ),
            ),
        };
        let span = bom.map_or(*key_span, |b| b.cover(*key_span));
        let finding = out.report(span, "not read by TorchServe", message);
        if let Some(note) = note {
            finding.note(note);
        }
        finding.help(help);
    }
}

/// The lines of the file Java read as keys out of the JSON value whose key is at `owner`.
fn fragment_lines(unit: &Unit, owner: &crate::source::Span) -> Vec<usize> {
    unit.torchserve_facts()
        .filter_map(|f| match f {
            Fact::IgnoredKey {
                key_span,
                what: Unrecognised::JsonFragment { owner_key, .. },
                ..
            } if owner_key == owner => Some(unit.line(key_span.start)),
            _ => None,
        })
        .collect()
}
