//! CORS024: `Access-Control-Max-Age` beyond what browsers honour.

use super::common::in_dialect;
use super::{FindingExt, Reporter, Unit};
use crate::ir::MaxAge;

declare_rule!(MaxAgeAboveBrowserCap, "CORS024", check);

/// Chromium caps a preflight cache entry at 2 hours, Firefox at 24 hours.
const CHROMIUM_CAP: i64 = 7200;
const FIREFOX_CAP: i64 = 86400;

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        // A server default the file does not show is the front end's to report.
        let MaxAge::Seconds {
            value,
            at,
            defaulted: false,
        } = policy.max_age
        else {
            continue;
        };
        if value <= CHROMIUM_CAP {
            continue;
        }
        let (firefox, who) = if value > FIREFOX_CAP {
            (
                format!(", Firefox for at most {FIREFOX_CAP} s (24 h)"),
                "browsers honour",
            )
        } else {
            (String::new(), "Chromium honours")
        };
        out.report(
            at,
            "beyond browser caps",
            format!("a preflight max-age of {value} s is beyond what {who}"),
        )
        .note(format!(
            "Chromium caches a preflight result for at most {CHROMIUM_CAP} s (2 h){firefox}; \
             {value} s is never honoured, so it only hides how often browsers really preflight"
        ))
        .help(format!(
            "use at most {CHROMIUM_CAP} (or less, so policy changes reach browsers sooner){}",
            in_dialect(policy, &policy.fix_hints.max_age)
        ));
    }
}
