//! `add_header Access-Control-Allow-Origin $v` where a `geo` block gives `$v`: the header is
//! one of the block's literal values, chosen by the client's address, not by the request's
//! `Origin`. Each value becomes its own policy, so rules judge every origin a client may be
//! sent (a plain-HTTP one trusted with credentials, say).

use super::{Lowerer, Statement, origin::single_variable};
use crate::ir::{CorsPolicy, HeaderValue, OriginPolicy, Resolution, ValueSource};

/// One value of a `geo` block, with the address ranges that get it.
struct GeoValue<'a> {
    value: &'a crate::frontend::nginx::syntax::Token,
    ranges: Vec<String>,
}

impl<'a> Lowerer<'a> {
    /// `policy`, or one policy per value when its origin is a `geo` variable's.
    pub(super) fn split_by_geo(&self, policy: CorsPolicy) -> Vec<CorsPolicy> {
        let OriginPolicy::Unknown { at, .. } = &policy.allow_origin else {
            return vec![policy];
        };
        let written = String::from_utf8_lossy(&self.bytes[at.range()]).into_owned();
        let text = written.trim_matches(|c| c == '"' || c == '\'');
        let Some(values) = single_variable(text).and_then(|v| self.geo_values(&v)) else {
            return vec![policy];
        };
        values
            .into_iter()
            .map(|g| {
                let mut p = policy.clone();
                p.allow_origin = OriginPolicy::Static(HeaderValue::new(
                    super::mapped_value(self.bytes, g.value),
                    ValueSource::Expanded {
                        written: text.to_string(),
                    },
                    Resolution::Known,
                ));
                p.scope.description = format!(
                    "{}, for clients `{text}`'s `geo` gives it ({})",
                    p.scope.description,
                    g.ranges.join(", ")
                );
                p
            })
            .collect()
    }

    /// The values of the one `geo` that assigns `$var`, when every value is a literal.
    fn geo_values(&self, var: &str) -> Option<Vec<GeoValue<'a>>> {
        let geos: Vec<&'a Statement> = self
            .geos
            .iter()
            .copied()
            .filter(|g| g.args.last().and_then(|a| a.value.strip_prefix('$')) == Some(var))
            .collect();
        let [geo] = geos.as_slice() else {
            return None;
        };
        let mut out: Vec<GeoValue> = Vec::new();
        for entry in geo.children() {
            let key = entry.name.value.as_str();
            match key {
                // Settings, not values; an `include` may hold values not read here.
                "ranges" | "proxy" | "proxy_recursive" | "delete" => continue,
                "include" => return None,
                _ => {}
            }
            let value = entry.args.first()?;
            if value.value.contains('$') {
                return None;
            }
            match out.iter_mut().find(|g| g.value.value == value.value) {
                Some(g) => g.ranges.push(key.to_string()),
                None => out.push(GeoValue {
                    value,
                    ranges: vec![key.to_string()],
                }),
            }
        }
        // Without `default` the rest of the addresses get an empty value: no header.
        (!out.is_empty()).then_some(out)
    }
}
