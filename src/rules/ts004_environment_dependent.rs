//! TS004: a CORS-relevant value is decided by the environment at start-up.

use super::common::join_and;
use super::{FindingExt, Reporter, Unit};
use crate::frontend::torchserve::Fact;

declare_rule!(EnvironmentDependent, "TS004", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.torchserve_facts() {
        match fact {
            Fact::EnvironmentDependent {
                key,
                span,
                variables,
            } => {
                let vars: Vec<String> = variables.iter().map(|v| format!("`{v}`")).collect();
                out.report(
                    *span,
                    "depends on the environment",
                    format!(
                        "`{key}` is substituted from {} at start-up, so its effective value was not linted",
                        vars_short(&vars)
                    ),
                )
                .note(format!(
                    "TorchServe substitutes {} into it when it starts",
                    join_and(&vars)
                ))
                .help(format!(
                    "pass the value to lint it: `--env {}=…` (or `--env-from-process`)",
                    variables.first().map(String::as_str).unwrap_or("NAME")
                ));
            }
            Fact::EnvironmentOverrides { span, keys } => {
                let vars: Vec<String> = keys.iter().map(|(_, v)| format!("`{v}`")).collect();
                out.report(
                    *span,
                    "environment overrides on",
                    "with `enable_envvars_config=true`, environment variables replace the file's values at start-up",
                )
                .note(format!(
                    "{} replace the file's values at start-up; the file was linted as if none is set",
                    join_and(&vars)
                ))
                .help("pass the deployment's environment to lint the effective values: `--env NAME=VALUE` or `--env-from-process`");
            }
            _ => {}
        }
    }
}

/// The variables for a headline: all of them when few, else the first and a count.
fn vars_short(vars: &[String]) -> String {
    if vars.len() > 3 {
        format!("{} and {} other variables", vars[0], vars.len() - 1)
    } else {
        join_and(vars)
    }
}
