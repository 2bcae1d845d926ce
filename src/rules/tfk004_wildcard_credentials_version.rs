//! TFK004: `*` with credentials, whose meaning depends on the Traefik release.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(WildcardCredentialsVersion, "TFK004", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::StarWithCredentials {
            middleware,
            star,
            credentials,
            version,
            assumed,
        } = fact
        else {
            continue;
        };
        let (short, now) = if version.star_credentials_echo() {
            (
                "echoes every `Origin`, so any site can read credentialed answers",
                "echoes every request's `Origin` with `Access-Control-Allow-Credentials: true` (every site can \
                 read the answers to credentialed calls)",
            )
        } else {
            (
                "sends `*`, so browsers refuse every credentialed call",
                "sends `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` (browsers \
                 refuse every credentialed call)",
            )
        };
        let (which, which_long) = if *assumed {
            (
                format!("Traefik {version} (assumed)"),
                format!(
                    "Traefik {version} (assumed: the newest release cors-lint knows; pass \
                     `--assume-version traefik=X`)"
                ),
            )
        } else {
            (format!("Traefik {version}"), format!("Traefik {version}"))
        };
        out.report(
            *star,
            "meaning depends on the release",
            format!("middleware `{middleware}` allows `*` with credentials: {which} {short}"),
        )
        .note(format!(
            "{which_long} {now}; releases before {} did the other, so upgrading Traefik silently changed \
             what this middleware allows",
            version.echo_since()
        ))
        .related(*credentials, "credentials allowed here")
        .help(
            "in Traefik: replace `*` in `accessControlAllowOriginList` by the exact origins that need \
             cookies, or remove `accessControlAllowCredentials: true`",
        );
    }
}
