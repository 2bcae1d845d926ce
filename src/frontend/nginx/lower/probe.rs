//! Every claim that a policy echoes an origin is run through the nginx model (`eval`, which
//! the oracles check against a real nginx); a claim the model contradicts is withdrawn.

use super::*;

/// Origins run through the model per claim, at most: each run reads the whole `http` block,
/// so probing every entry of a 50 000-line `map` would cost its square. A misreading is a
/// construct read wrong, which shows on any of its origins.
const MAX_PROBES: usize = 32;

/// At most `n` of `items`, spread evenly from the first to the last.
fn spread<T>(items: Vec<T>, n: usize) -> Vec<T> {
    let len = items.len();
    if len <= n {
        return items;
    }
    let keep: std::collections::BTreeSet<usize> = (0..n).map(|i| i * (len - 1) / (n - 1)).collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, t)| t)
        .collect()
}

impl<'a> Lowerer<'a> {
    /// Run the origins the policy says it echoes through the nginx model ([`eval`], checked
    /// against a real nginx): `Some(why)` when the model answers otherwise, so no rule acts
    /// on a misreading. Places the model cannot reach (nested or regex locations, fragments
    /// without servers) are not checked.
    pub(super) fn disproved(
        &self,
        policy: &OriginPolicy,
        levels: &[Level<'a>],
        branch: Option<(&'a Statement, &[&'a Statement])>,
    ) -> Option<String> {
        use crate::frontend::nginx::eval::{Answer, Request, answer_in};
        let OriginPolicy::Match(m) = policy else {
            return None;
        };
        let [http, server, location] = levels else {
            return None;
        };
        let (Kind::Http, Some(server_st), Some(location_st)) =
            (http.kind, server.statement, location.statement)
        else {
            return None;
        };
        let path = match location_st.args.as_slice() {
            [p] if p.value.starts_with('/') => p.value.clone(),
            [m, p] if (m.value == "=" || m.value == "^~") && p.value.starts_with('/') => {
                p.value.clone()
            }
            _ => return None,
        };
        let first_server = http.body.iter().find(|s| s.name.value == "server");
        let host = server_st
            .children()
            .iter()
            .filter(|d| d.name.value == "server_name")
            .flat_map(|d| d.args.iter())
            .map(|a| a.value.clone())
            .find(|n| !n.contains('*') && !n.starts_with('~') && !n.starts_with('.') && n != "_");
        let host = match host {
            Some(h) => h,
            None if first_server.is_some_and(|f| std::ptr::eq(f, server_st)) => String::new(),
            None => return None,
        };
        let method = match branch.map(|(st, _)| condition_args(st)) {
            Some(args) => match args.as_slice() {
                [v, op, m] if v == "$request_method" && op == "=" => m.clone(),
                _ => "GET".into(),
            },
            None => "GET".into(),
        };
        let mut origins: Vec<String> = Vec::new();
        for (matcher, _) in &m.matchers {
            match matcher {
                OriginMatcher::Exact { origin, .. } => origins.push(origin.clone()),
                _ => origins.extend(
                    crate::ir::origin::attacker_origins(matcher)
                        .into_iter()
                        .take(2)
                        .map(|(o, _)| o),
                ),
            }
        }
        for origin in spread(origins, MAX_PROBES) {
            let request = Request {
                method: method.clone(),
                uri: path.clone(),
                headers: vec![
                    ("Host".into(), host.clone()),
                    ("Origin".into(), origin.clone()),
                ],
            };
            match answer_in(http.body, &request, self.target.version, Some(200)) {
                Answer::Unknown(_) => return None,
                Answer::Response { headers, .. } => {
                    let sent: Vec<&str> = headers
                        .iter()
                        .filter(|(n, _)| n.eq_ignore_ascii_case("access-control-allow-origin"))
                        .map(|(_, v)| v.as_str())
                        .collect();
                    if !sent.contains(&origin.as_str()) {
                        return Some(format!(
                            "cors-lint read this as echoing `{origin}`, but its nginx model answers a `{method} {path}` \
                             from that origin with {}",
                            if sent.is_empty() {
                                "no `Access-Control-Allow-Origin`".to_string()
                            } else {
                                format!("`Access-Control-Allow-Origin: {}`", sent.join(", "))
                            }
                        ));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn spread_keeps_the_ends_and_at_most_n() {
        assert_eq!(spread((0..5).collect(), 32), [0, 1, 2, 3, 4]);
        let kept = spread((0..1000).collect::<Vec<_>>(), 32);
        assert_eq!(kept.len(), 32);
        assert_eq!((kept[0], kept[31]), (0, 999));
    }
}
