//! Variables in CORS header values other than the origin: `add_header
//! Access-Control-Allow-Methods $cors_methods` sends whatever `$cors_methods` holds, so the
//! value is read through the `set` that gives it one literal here, or left unknown (a
//! `map`, `geo`, a `set` inside an `if`, a per-request built-in variable, an `envsubst`
//! placeholder a template engine fills before nginx starts) — never read as the method
//! `$cors_methods`. `$server_name` is the server's first name.

use super::{Level, Lowerer};
use crate::source::{MappedText, Span};

/// The variables `text` names (`$name`, `${name}`), with their byte ranges in it.
pub(super) fn variables(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        let braced = b.get(i + 1) == Some(&b'{');
        let name_start = if braced { i + 2 } else { i + 1 };
        let mut end = name_start;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
            end += 1;
        }
        if end == name_start {
            i += 1;
            continue;
        }
        let close = if braced {
            if b.get(end) != Some(&b'}') {
                i = end;
                continue;
            }
            end + 1
        } else {
            end
        };
        out.push((text[name_start..end].to_string(), start..close));
        i = close;
    }
    out
}

impl<'a> Lowerer<'a> {
    /// `text` with each variable replaced by the one literal it holds for requests handled at
    /// `levels` (and in `branch`); `Err` names the variables whose value cannot be told.
    pub(super) fn resolve_variables(
        &self,
        text: &MappedText,
        levels: &[Level<'a>],
        branch: Option<&'a super::Statement>,
        depth: usize,
    ) -> Result<MappedText, Vec<String>> {
        let vars = variables(text.as_str());
        if vars.is_empty() {
            return Ok(text.clone());
        }
        let mut unknown = Vec::new();
        let mut out = MappedText::empty(text.span());
        let mut at = 0;
        for (name, range) in vars {
            push_range(&mut out, text, at..range.start);
            match self.literal_of(&name, levels, branch, depth) {
                Some(value) => push_range(&mut out, &value, 0..value.as_str().len()),
                None => unknown.push(name),
            }
            at = range.end;
        }
        push_range(&mut out, text, at..text.as_str().len());
        if unknown.is_empty() {
            Ok(out.with_whole(text.span()))
        } else {
            Err(unknown)
        }
    }

    /// The literal `$name` holds: the last unconditional `set` of the innermost level that
    /// sets it (the rewrite phase runs server, then location), when no `if` of those levels
    /// sets it too and nothing assigns it per request.
    fn literal_of(
        &self,
        name: &str,
        levels: &[Level<'a>],
        branch: Option<&'a super::Statement>,
        depth: usize,
    ) -> Option<MappedText> {
        if depth > 8 || self.assigned_per_request(name) {
            return None;
        }
        if name == "server_name" {
            return server_name(self.bytes, levels);
        }
        let sets = |body: &'a [super::Statement]| {
            body.iter()
                .filter(|s| s.name.value == "set" && s.args.len() == 2)
                .rfind(|s| s.args[0].value.strip_prefix('$') == Some(name))
        };
        let conditional = levels.iter().any(|l| {
            l.body
                .iter()
                .filter(|s| s.name.value == "if" && branch.is_none_or(|b| !std::ptr::eq(*s, b)))
                .any(|s| sets(s.children()).is_some())
        });
        if conditional {
            return None;
        }
        let set = branch
            .and_then(|b| sets(b.children()))
            .or_else(|| levels.iter().rev().find_map(|l| sets(l.body)))?;
        let value = super::mapped_value(self.bytes, &set.args[1]);
        self.resolve_variables(&value, levels, branch, depth + 1)
            .ok()
    }

    fn assigned_per_request(&self, name: &str) -> bool {
        self.maps
            .iter()
            .any(|m| m.variable.value.strip_prefix('$') == Some(name))
            || self.assigners.iter().any(|a| a == name)
    }
}

/// `$server_name`: the server's first name, lower-cased, a leading `.` dropped, `""` when it
/// names none, a regex as written (`ngx_http_core_merge_srv_conf`); not told for `$hostname`.
fn server_name(bytes: &[u8], levels: &[Level<'_>]) -> Option<MappedText> {
    let server = levels
        .iter()
        .rev()
        .find(|l| matches!(l.kind, super::Kind::Server))?;
    let (name, token) = crate::frontend::nginx::eval::server_name_of(server.body)?;
    let Some(token) = token else {
        let at = server.statement.map_or(Span::new(0, 0), |s| s.name.span);
        return Some(MappedText::empty(at));
    };
    // The value as the file spells it, or after its leading `.`; a name nginx lower-cases is
    // not mapped to the bytes (left unknown).
    let written = token.value.as_str();
    let skip = usize::from(written.starts_with('.') && !name.starts_with('.'));
    (written[skip..] == name).then(|| super::mapped_value(bytes, token).slice(skip..written.len()))
}

/// The names of variables `geo`, `split_clients`, `perl_set` and `js_set` statements in `body` assign (`map`s
/// are read apart).
pub(super) fn assigned_in(body: &[super::Statement]) -> Vec<String> {
    body.iter()
        .filter_map(|s| {
            let target = match s.name.value.as_str() {
                // `geo [$address] $variable { … }`, `split_clients string $variable { … }`.
                "geo" | "split_clients" => s.args.last(),
                // `perl_set $variable …`, `js_set $variable …`.
                "perl_set" | "js_set" => s.args.first(),
                _ => None,
            }?;
            Some(target.value.trim_start_matches('$').to_string())
        })
        .collect()
}

fn push_range(out: &mut MappedText, from: &MappedText, range: std::ops::Range<usize>) {
    let text = from.as_str();
    let mut i = range.start;
    for c in text[range.clone()].chars() {
        let end = i + c.len_utf8();
        out.push(c, from.span_of(i..end));
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn variables_are_named_as_nginx_reads_them() {
        let names = |t: &str| -> Vec<String> { variables(t).into_iter().map(|v| v.0).collect() };
        assert_eq!(names("$cors_methods"), ["cors_methods"]);
        assert_eq!(names("GET, ${extra}x, $a$b"), ["extra", "a", "b"]);
        assert_eq!(names("cost: $ 5, ${unclosed"), Vec::<String>::new());
        assert_eq!(variables("x$ab,")[0].1, 1..4);
    }
}
