//! CORS006: a control character (CR, LF, NUL, …) inside a CORS header value.

use super::common::provenance;
use super::{FindingExt, Reporter, Unit};
use crate::ir::{Delivery, fetch};

declare_rule!(ControlCharacterInHeader, "CORS006", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for (header, value) in policy.static_headers() {
            if !value.is_known() {
                continue;
            }
            let text = value.text();
            let Some((at, c)) = text
                .char_indices()
                .find(|(_, c)| fetch::is_invalid_field_char(*c))
            else {
                continue;
            };
            let what = match c {
                '\r' => "a carriage return (CR)".to_string(),
                '\n' => "a line feed (LF)".to_string(),
                '\0' => "a NUL character".to_string(),
                c => format!("the control character U+{:04X}", c as u32),
            };
            let (effect, note) = match &value.delivery {
                Delivery::BreaksEveryResponse { reason } => (
                    "so no request gets an HTTP answer",
                    format!(
                        "{} fails while writing each response (\"{reason}\")",
                        policy.server.product
                    ),
                ),
                Delivery::Sent => (
                    "so the responses carrying it are invalid HTTP",
                    format!(
                        "{} sends it, which is invalid HTTP (RFC 9110 §5.5): clients may reject the \
                         response or read a different header",
                        policy.server.product
                    ),
                ),
            };
            out.report(
                value.span_of(at..at + c.len_utf8()),
                "control character",
                format!(
                    "`{header}` value{} contains {what}, {effect}",
                    provenance(value)
                ),
            )
            .note(note)
            .help("remove the escape sequence (`\\r`, `\\n`, `\\u000D`, …) from the value");
        }
    }
}
