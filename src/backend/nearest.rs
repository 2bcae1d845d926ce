//! When a target cannot express a policy, the nearest policies it can: origin entries are
//! changed one at a time — dropped (the result can only block more), or for a subdomain
//! pattern exactly one label deep, matched at any depth (it can only allow more) — until the
//! back end writes it. `convert` lets the equivalence engine judge each candidate, and names
//! the flag that would accept it.

use super::{Context, Emitted, emit};
use crate::frontend::Dialect;
use crate::ir::{CorsPolicy, LabelDepth, OriginMatcher, OriginPolicy};
use crate::source::Span;

/// Which way the search may move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Only drop entries.
    Narrower,
    /// Deepen one-label subdomain patterns first, drop what still cannot be written.
    Wider,
}

/// One change to the source's origin entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Dropped(Span),
    /// A one-label `*.` pattern matched at any depth.
    Deepened(Span),
}

/// A policy the target can write, and how it departs from the source.
pub struct Nearest {
    pub policy: CorsPolicy,
    pub emitted: Emitted,
    pub changes: Vec<Change>,
}

/// The nearest policy to `policy` that `target` can write, moving in `direction`.
pub fn nearest(
    policy: &CorsPolicy,
    target: Dialect,
    cx: &Context,
    direction: Direction,
) -> Option<Nearest> {
    let mut current = policy.clone();
    let mut changes = Vec::new();
    // Each round changes one entry; a list has at most a few dozen.
    for _ in 0..=entries(&current).len() {
        let refused = match emit(&current, target, cx) {
            Ok(emitted) => {
                return (!changes.is_empty()).then_some(Nearest {
                    policy: current,
                    emitted,
                    changes,
                });
            }
            Err(r) => r.feature,
        };
        let (next, change) = (0..entries(&current).len())
            .flat_map(|i| variants(&current, i, direction))
            .find(|(trial, _)| match emit(trial, target, cx) {
                Ok(_) => true,
                Err(r) => r.feature != refused,
            })?;
        current = next;
        changes.push(change);
    }
    None
}

fn entries(policy: &CorsPolicy) -> &[(OriginMatcher, Span)] {
    match &policy.allow_origin {
        OriginPolicy::Match(m) => &m.matchers,
        _ => &[],
    }
}

/// `policy` with entry `i` changed each way `direction` allows, best first.
fn variants(policy: &CorsPolicy, i: usize, direction: Direction) -> Vec<(CorsPolicy, Change)> {
    let OriginPolicy::Match(m) = &policy.allow_origin else {
        return Vec::new();
    };
    let (matcher, at) = &m.matchers[i];
    let mut out = Vec::new();
    if direction == Direction::Wider
        && let OriginMatcher::Subdomains {
            depth: LabelDepth::ExactlyOne,
            ..
        } = matcher
    {
        let mut deeper = policy.clone();
        if let OriginPolicy::Match(m) = &mut deeper.allow_origin
            && let OriginMatcher::Subdomains { depth, .. } = &mut m.matchers[i].0
        {
            *depth = LabelDepth::OneOrMore;
        }
        out.push((deeper, Change::Deepened(*at)));
    }
    let mut dropped = policy.clone();
    if let OriginPolicy::Match(m) = &mut dropped.allow_origin {
        m.matchers.remove(i);
    }
    out.push((dropped, Change::Dropped(*at)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::{self, Options};
    use crate::source::SourceFile;

    fn ingress(origins: &str) -> CorsPolicy {
        let text = format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"{origins}\"\n"
        );
        let file = SourceFile::new(
            "i.yaml",
            text.into_bytes(),
            Dialect::IngressNginx.encoding(),
        );
        frontend::lower(Dialect::IngressNginx, &file, &Options::default())
            .unwrap()
            .policies
            .remove(0)
    }

    fn cx() -> Context {
        Context {
            gateway: Some("gw".into()),
            service: Some("api:80".into()),
            ..Context::default()
        }
    }

    #[test]
    fn entries_the_target_refuses_are_dropped_or_deepened() {
        let p = ingress("https://a.example.com, null, https://*.example.org");
        assert!(emit(&p, Dialect::GatewayApi, &cx()).is_err());
        let narrow = nearest(&p, Dialect::GatewayApi, &cx(), Direction::Narrower).unwrap();
        assert_eq!(narrow.changes.len(), 2);
        assert!(
            narrow
                .changes
                .iter()
                .all(|c| matches!(c, Change::Dropped(_)))
        );
        assert!(narrow.emitted.text.contains("[\"https://a.example.com\"]"));
        let wide = nearest(&p, Dialect::GatewayApi, &cx(), Direction::Wider).unwrap();
        assert!(
            wide.changes
                .iter()
                .any(|c| matches!(c, Change::Deepened(_)))
        );
        assert!(wide.emitted.text.contains("https://*.example.org"));
        // A policy the target writes as it is needs no search.
        let fine = ingress("https://a.example.com");
        assert!(nearest(&fine, Dialect::GatewayApi, &cx(), Direction::Narrower).is_none());
    }
}
