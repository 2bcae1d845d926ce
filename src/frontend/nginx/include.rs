//! `include`: the files a configuration pulls in, spliced in place of the directive as nginx
//! does, so the model sees what nginx sees. Relative patterns resolve against the
//! configuration prefix (nginx's `conf_prefix`, the directory of `nginx.conf`), not against
//! the including file; a pattern with wildcards matches files in name order and may match
//! none, a plain path must exist.
//!
//! Every file keeps its own bytes: the spliced tree's spans live in one address space where
//! each included file starts at its own `base`, and findings are moved back into the file
//! they point at.

use super::syntax::{Body, Config, Statement, Token};
use crate::source::Span;
use std::path::{Path, PathBuf};

/// Deepest chain of includes followed (nginx has no limit; a cycle never ends).
pub const MAX_DEPTH: usize = 32;

/// Configuration prefixes nginx is built with (Debian, Alpine and the official images;
/// source builds; OpenResty): an absolute `include` under one names the file at the same
/// place under the linted configuration's prefix.
const INSTALLED_PREFIXES: [&str; 3] = [
    "/etc/nginx",
    "/usr/local/nginx/conf",
    "/usr/local/openresty/nginx/conf",
];

/// Why an `include` is not followed.
enum Unfollowed {
    /// The chain of includes comes back to a file in it, which nginx cannot load.
    Cycle(String),
    /// cors-lint cannot follow it (nginx may).
    Skipped(String),
}

impl From<String> for Unfollowed {
    fn from(reason: String) -> Self {
        Unfollowed::Skipped(reason)
    }
}

/// Files nginx packages ship that set MIME types and upstream parameters, never response
/// headers: an `include` of one that cannot be read changes nothing cors-lint judges.
const STOCK: [&str; 11] = [
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "proxy_params",
    "scgi_params",
    "uwsgi_params",
    "koi-utf",
    "koi-win",
    "win-utf",
    "fastcgi-php.conf",
    "snakeoil.conf",
];

/// Whether an `include` names one of nginx's stock parameter files.
pub fn is_stock(pattern: &str) -> bool {
    let name = pattern.rsplit('/').next().unwrap_or(pattern);
    STOCK.contains(&name)
}

/// A file spliced into the configuration, and where its bytes start in the address space.
#[derive(Clone, Debug)]
pub struct Included {
    pub path: PathBuf,
    pub base: usize,
    pub bytes: Vec<u8>,
}

/// An `include` left in place, and why.
#[derive(Clone, Debug)]
pub struct Unresolved {
    /// The directive (in the including file's part of the address space).
    pub span: Span,
    pub pattern: String,
    pub reason: String,
}

/// The configuration with its includes spliced in.
#[derive(Clone, Debug)]
pub struct Expanded {
    /// The top file's bytes, then each included file's at its `base`.
    pub bytes: Vec<u8>,
    pub config: Config,
    pub included: Vec<Included>,
    pub unresolved: Vec<Unresolved>,
    /// An include cycle, which nginx cannot load: the top file's `include` that leads into
    /// it, and the cycle.
    pub cycle: Option<(Span, String)>,
}

/// Splice the includes of `config` (parsed from `top`, the file at `path`) with relative
/// patterns resolved against `prefix`.
pub fn expand(top: &[u8], config: Config, path: &Path, prefix: &Path) -> Expanded {
    let mut x = Expander {
        bytes: top.to_vec(),
        included: Vec::new(),
        unresolved: Vec::new(),
        prefix: prefix.to_path_buf(),
        top_len: top.len(),
        top_include: None,
        cycle: None,
    };
    let chain = vec![canonical(path)];
    let statements = x.splice(config.statements, &chain);
    Expanded {
        bytes: x.bytes,
        config: Config {
            statements,
            comments: config.comments,
        },
        included: x.included,
        unresolved: x.unresolved,
        cycle: x.cycle,
    }
}

/// The configuration prefix for a file linted on its own: its directory, or — for a file in
/// `conf.d/`, `sites-enabled/` or `sites-available/` next to an `nginx.conf` — the directory
/// of that `nginx.conf`, as nginx would see it.
pub fn default_prefix(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let named = |d: &Path| {
        d.file_name().is_some_and(|n| {
            matches!(
                n.to_str(),
                Some("conf.d" | "sites-enabled" | "sites-available")
            )
        })
    };
    match dir.parent() {
        Some(up) if named(dir) && up.join("nginx.conf").is_file() => up.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

struct Expander {
    bytes: Vec<u8>,
    included: Vec<Included>,
    unresolved: Vec<Unresolved>,
    prefix: PathBuf,
    top_len: usize,
    /// The top file's `include` being followed.
    top_include: Option<Span>,
    cycle: Option<(Span, String)>,
}

impl Expander {
    fn splice(&mut self, statements: Vec<Statement>, chain: &[PathBuf]) -> Vec<Statement> {
        let mut out = Vec::with_capacity(statements.len());
        for mut st in statements {
            if st.name.value == "include" && st.body.is_none() && st.args.len() == 1 {
                match self.include(&st, chain) {
                    Some(spliced) => out.extend(spliced),
                    None => out.push(st),
                }
                continue;
            }
            if let Some(Body::Block { statements, .. }) = &mut st.body {
                let inner = std::mem::take(statements);
                *statements = self.splice(inner, chain);
            }
            out.push(st);
        }
        out
    }

    /// The statements `st` (an `include`) stands for; `None` leaves it in place.
    fn include(&mut self, st: &Statement, chain: &[PathBuf]) -> Option<Vec<Statement>> {
        let pattern = st.args[0].value.clone();
        if st.span.end <= self.top_len {
            self.top_include = Some(st.span);
        }
        match self.resolve(&pattern, chain) {
            Ok(spliced) => Some(spliced),
            Err(_) if is_stock(&pattern) => None,
            Err(Unfollowed::Cycle(reason)) => {
                let at = self.top_include.unwrap_or(st.span);
                self.cycle.get_or_insert((at, reason));
                None
            }
            Err(Unfollowed::Skipped(reason)) => {
                self.unresolved.push(Unresolved {
                    span: st.span,
                    pattern,
                    reason,
                });
                None
            }
        }
    }

    /// Where an absolute pattern is read: in the configuration prefix when it lies there; a
    /// path under a usual installed prefix (`/etc/nginx/…`) in the same place under this
    /// one (a repository holds what is copied there); never elsewhere on this machine,
    /// which is not the server, so findings depend on the linted files alone.
    fn absolute(&self, pattern: &str) -> Result<PathBuf, String> {
        let path = Path::new(pattern);
        let prefix = canonical(&self.prefix);
        if path.starts_with(&prefix) {
            return Ok(path.to_path_buf());
        }
        if let Some(rest) = INSTALLED_PREFIXES
            .iter()
            .find_map(|p| path.strip_prefix(p).ok())
        {
            return Ok(self.prefix.join(rest));
        }
        Err(format!(
            "`{pattern}` is outside the configuration prefix `{}`, on the server's disk",
            self.prefix.display()
        ))
    }

    fn resolve(&mut self, pattern: &str, chain: &[PathBuf]) -> Result<Vec<Statement>, Unfollowed> {
        if pattern.contains('$') {
            return Err(String::from(
                "it names a variable, which nginx does not expand in `include`",
            )
            .into());
        }
        let full = if Path::new(pattern).is_absolute() {
            self.absolute(pattern)?
        } else {
            self.prefix.join(pattern)
        };
        let files = matches(&full)?;
        if chain.len() > MAX_DEPTH {
            return Err(format!("includes nest deeper than {MAX_DEPTH} files").into());
        }
        let mut spliced = Vec::new();
        for file in files {
            let canon = canonical(&file);
            if let Some(at) = chain.iter().position(|c| *c == canon) {
                let cycle: Vec<String> = chain[at..]
                    .iter()
                    .chain(std::iter::once(&canon))
                    .map(|p| p.display().to_string())
                    .collect();
                return Err(Unfollowed::Cycle(format!(
                    "an include cycle ({}): nginx includes the files again and again and refuses to load the configuration",
                    cycle.join(" → ")
                )));
            }
            let bytes = match std::fs::read(&file) {
                Ok(b) if b.len() as u64 <= crate::lint::MAX_FILE_BYTES => b,
                Ok(_) => return Err(format!("`{}` is over the size limit", file.display()).into()),
                Err(e) => return Err(format!("`{}` cannot be read: {e}", file.display()).into()),
            };
            let config = match super::read_config(&bytes) {
                Ok(c) => c,
                Err(e) => {
                    return Err(format!(
                        "`{}` has a syntax error nginx refuses ({}); lint it on its own to see where",
                        file.display(),
                        e.message
                    )
                    .into());
                }
            };
            self.bytes.push(b'\n');
            let base = self.bytes.len();
            self.bytes.extend_from_slice(&bytes);
            self.included.push(Included {
                path: file.clone(),
                base,
                bytes,
            });
            let mut statements = config.statements;
            for s in &mut statements {
                shift(s, base);
            }
            let mut deeper = chain.to_vec();
            deeper.push(canon);
            spliced.extend(self.splice(statements, &deeper));
        }
        Ok(spliced)
    }
}

/// The files a pattern names, as nginx's `ngx_open_glob` finds them: wildcards only in the
/// last path component, matches in name order (none is fine); a plain path must exist.
fn matches(full: &Path) -> Result<Vec<PathBuf>, String> {
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let wild = |s: &str| s.contains(['*', '?', '[']);
    if !wild(&name) {
        return if full.is_file() {
            Ok(vec![full.to_path_buf()])
        } else {
            Err(format!("`{}` does not exist here", full.display()))
        };
    }
    let dir = full.parent().unwrap_or(Path::new("."));
    if wild(&dir.to_string_lossy()) {
        return Err("wildcards in directory names are not followed".into());
    }
    let glob = globset::Glob::new(&name)
        .map_err(|e| format!("`{name}` is not a pattern nginx can read: {e}"))?
        .compile_matcher();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Err(format!(
            "the directory `{}` does not exist here",
            dir.display()
        ));
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            // glob(3) does not match dot files with `*`.
            !n.starts_with('.') && glob.is_match(&n)
        })
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn shift_span(s: &mut Span, base: usize) {
    *s = Span::new(s.start + base, s.end + base);
}

fn shift_token(t: &mut Token, base: usize) {
    shift_span(&mut t.span, base);
    shift_span(&mut t.text, base);
}

fn shift(st: &mut Statement, base: usize) {
    shift_token(&mut st.name, base);
    for a in &mut st.args {
        shift_token(a, base);
    }
    shift_span(&mut st.span, base);
    match &mut st.body {
        Some(Body::Block {
            open,
            statements,
            close,
        }) => {
            shift_span(open, base);
            shift_span(close, base);
            for s in statements {
                shift(s, base);
            }
        }
        Some(Body::Opaque { open, text, close }) => {
            shift_span(open, base);
            shift_span(text, base);
            shift_span(close, base);
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn names(statements: &[Statement]) -> Vec<String> {
        statements.iter().map(|s| s.name.value.clone()).collect()
    }

    #[test]
    fn includes_splice_in_place_with_their_own_bytes() {
        let dir = setup(&[
            (
                "nginx.conf",
                "http { include conf.d/*.conf; include cors.inc; }\n",
            ),
            ("conf.d/b.conf", "server { listen 2; }\n"),
            ("conf.d/a.conf", "server { listen 1; include cors.inc; }\n"),
            ("conf.d/.hidden.conf", "broken {\n"),
            ("cors.inc", "add_header Access-Control-Allow-Origin *;\n"),
        ]);
        let top_path = dir.path().join("nginx.conf");
        let top = std::fs::read(&top_path).unwrap();
        let config = super::super::syntax::parse(&top).unwrap();
        let x = expand(&top, config, &top_path, dir.path());
        assert!(x.unresolved.is_empty(), "{:?}", x.unresolved);
        let http = &x.config.statements[0];
        assert_eq!(names(http.children()), ["server", "server", "add_header"]);
        // a.conf before b.conf; a.conf's own include resolves against the prefix too.
        let a = &http.children()[0];
        assert_eq!(names(a.children()), ["listen", "add_header"]);
        let value = &a.children()[1].args[1];
        assert_eq!(&x.bytes[value.text.range()], b"*");
        let owner = x
            .included
            .iter()
            .rev()
            .find(|f| f.base <= value.text.start)
            .unwrap();
        assert!(owner.path.ends_with("cors.inc"));
        assert_eq!(
            &owner.bytes[value.text.start - owner.base..value.text.end - owner.base],
            b"*"
        );
    }

    #[test]
    fn missing_files_cycles_and_empty_globs() {
        let dir = setup(&[
            (
                "nginx.conf",
                "include missing.conf;\ninclude none/*.conf;\ninclude loop.conf;\ninclude empty*.conf;\n",
            ),
            ("loop.conf", "include nginx.conf;\n"),
        ]);
        let top_path = dir.path().join("nginx.conf");
        let top = std::fs::read(&top_path).unwrap();
        let config = super::super::syntax::parse(&top).unwrap();
        let x = expand(&top, config, &top_path, dir.path());
        let reasons: Vec<&str> = x.unresolved.iter().map(|u| u.reason.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].contains("does not exist"));
        assert!(reasons[1].contains("directory"));
        // The cycle, at the top file's `include` that leads into it.
        let (at, cycle) = x.cycle.expect("a cycle");
        assert_eq!(&top[at.range()], b"include loop.conf;");
        assert!(cycle.starts_with("an include cycle ("), "{cycle}");
        // The cycle's `include` stays; the glob that matches nothing just disappears.
        assert_eq!(
            names(&x.config.statements),
            ["include", "include", "include"]
        );
    }

    /// `/etc/nginx/…` is read under the linted prefix, where a repository keeps what it
    /// copies there; an absolute path elsewhere is never read from this machine. (The
    /// pattern's file exists here, so reading the machine would find it.)
    #[test]
    fn absolute_includes_read_the_linted_tree_not_this_machine() {
        let dir = setup(&[("conf.d/a.conf", "server { listen 1; }\n")]);
        let elsewhere = setup(&[("cors.inc", "add_header Access-Control-Allow-Origin *;\n")]);
        let outside = elsewhere.path().join("cors.inc");
        let inside = canonical(dir.path()).join("conf.d/a.conf");
        let text = format!(
            "include /etc/nginx/conf.d/*.conf;\ninclude {};\ninclude {};\n",
            outside.display(),
            inside.display()
        );
        let top_path = dir.path().join("nginx.conf");
        std::fs::write(&top_path, &text).unwrap();
        let config = super::super::syntax::parse(text.as_bytes()).unwrap();
        let x = expand(text.as_bytes(), config, &top_path, dir.path());
        assert_eq!(names(&x.config.statements), ["server", "include", "server"]);
        assert_eq!(x.unresolved.len(), 1);
        assert!(
            x.unresolved[0]
                .reason
                .contains("outside the configuration prefix"),
            "{:?}",
            x.unresolved
        );
    }

    #[test]
    fn prefix_of_a_conf_d_file_is_the_nginx_conf_directory() {
        let dir = setup(&[("nginx.conf", ""), ("conf.d/a.conf", "")]);
        assert_eq!(
            default_prefix(&dir.path().join("conf.d/a.conf")),
            dir.path()
        );
        assert_eq!(
            default_prefix(&dir.path().join("other/a.conf")),
            dir.path().join("other")
        );
    }
}
