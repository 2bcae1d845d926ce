//! nginx configuration syntax: statements, arguments and blocks with the byte span of every
//! token, read as `ngx_conf_read_token` reads them (`grammar/nginx.pest`).

use crate::source::{Span, project_to_ascii};
use pest::Parser;
use pest::iterators::Pair;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "grammar/nginx.pest"]
struct NginxGrammar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    None,
    Double,
    Single,
}

/// One token as nginx hands it to a directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// As written, quotes included.
    pub span: Span,
    /// The bytes between the quotes (the whole token when bare).
    pub text: Span,
    pub quote: Quote,
    /// After nginx's escapes (`\"`, `\'`, `\\`, `\t`, `\r`, `\n`; any other `\x` is kept as
    /// is), decoded as UTF-8 (invalid bytes replaced).
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// `{ statements }`
    Block {
        open: Span,
        statements: Vec<Statement>,
        close: Span,
    },
    /// A block nginx does not parse itself (`content_by_lua_block { … }`): its text.
    Opaque { open: Span, text: Span, close: Span },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub name: Token,
    pub args: Vec<Token>,
    /// `None` for a directive ended by `;`.
    pub body: Option<Body>,
    /// From the name to the `;` or the closing `}`.
    pub span: Span,
}

impl Statement {
    /// The statements of its block (empty for a simple directive or an opaque block).
    pub fn children(&self) -> &[Statement] {
        match &self.body {
            Some(Body::Block { statements, .. }) => statements,
            _ => &[],
        }
    }
}

/// A parsed file (or snippet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub statements: Vec<Statement>,
    /// `#` comments, in file order.
    pub comments: Vec<Span>,
}

/// Input nginx refuses to load, with nginx's own message — or that cors-lint will not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// nginx itself refuses the file (false: cors-lint's own limit, or an internal error).
    pub nginx_rejects: bool,
}

/// Deepest block nesting cors-lint reads. The grammar is flat and the reader counts levels
/// exactly; real configurations nest a handful, and the passes over the tree recurse per
/// level, so this bound keeps every thread's stack safe.
pub const MAX_DEPTH: usize = 200;

/// Parse a whole file. nginx stops at its first syntax error, and so does this.
pub fn parse(bytes: &[u8]) -> Result<Config, SyntaxError> {
    let projected = project_to_ascii(bytes);
    let mut file = NginxGrammar::parse(Rule::file, &projected).map_err(|e| {
        // The grammar accepts every input; this is a bug, reported instead of a panic.
        let at = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        SyntaxError {
            span: Span::empty(at),
            message: format!("internal error: the nginx grammar rejected this input ({e})"),
            nginx_rejects: false,
        }
    })?;
    let file = file.next().expect("the file rule");
    let mut reader = Reader {
        bytes,
        comments: Vec::new(),
        error: None,
    };
    let statements = reader.items(file.into_inner());
    if let Some(e) = reader.error {
        return Err(e);
    }
    Ok(Config {
        statements,
        comments: reader.comments,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    comments: Vec<Span>,
    /// The first error in file order (nginx's).
    error: Option<SyntaxError>,
}

/// A statement whose `{` has been read and whose `}` has not.
struct OpenBlock {
    statement: Statement,
    open: Span,
    statements: Vec<Statement>,
}

impl OpenBlock {
    /// The statement with its block, ending at `close` (empty at the end of the file when
    /// the block is never closed).
    fn close(self, close: Span) -> Statement {
        let mut statement = self.statement;
        statement.span = Span::new(statement.span.start, close.end.max(statement.span.end));
        statement.body = Some(Body::Block {
            open: self.open,
            statements: self.statements,
            close,
        });
        statement
    }
}

/// Where the next statement goes: the innermost open block, or the top level.
fn innermost<'v>(top: &'v mut Vec<Statement>, open: &'v mut [OpenBlock]) -> &'v mut Vec<Statement> {
    match open.last_mut() {
        Some(block) => &mut block.statements,
        None => top,
    }
}

fn span_of(pair: &Pair<Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

impl Reader<'_> {
    fn fail(&mut self, span: Span, message: String) {
        let earlier = self
            .error
            .as_ref()
            .is_some_and(|e| e.span.start <= span.start);
        if !earlier {
            self.error = Some(SyntaxError {
                span,
                message,
                nginx_rejects: true,
            });
        }
    }

    /// The character at `at` and its bytes (one byte when they are not UTF-8).
    fn char_at(&self, at: usize) -> (String, Span) {
        let end = (at + 1..=self.bytes.len().min(at + 4))
            .find(|&e| std::str::from_utf8(&self.bytes[at..e]).is_ok())
            .unwrap_or(at + 1)
            .min(self.bytes.len());
        let c = String::from_utf8_lossy(&self.bytes[at..end]).into_owned();
        (crate::finding::escape_controls(&c), Span::new(at, end))
    }

    /// Where nesting goes past [`MAX_DEPTH`]: cors-lint's own limit, not nginx's.
    fn refuse_depth(&mut self, open: Span) {
        if self
            .error
            .as_ref()
            .is_none_or(|e| e.span.start > open.start)
        {
            self.error = Some(SyntaxError {
                span: open,
                message: format!(
                    "blocks nested deeper than {MAX_DEPTH} levels: cors-lint does not read this file (nginx might)"
                ),
                nginx_rejects: false,
            });
        }
    }

    /// The file's items in order, blocks paired up with an explicit stack.
    fn items<'i>(&mut self, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> Vec<Statement> {
        let mut top = Vec::new();
        let mut open: Vec<OpenBlock> = Vec::new();
        for pair in pairs {
            let span = span_of(&pair);
            match pair.as_rule() {
                Rule::statement => {
                    let (statement, opens) = self.statement(pair);
                    match opens {
                        Some(at) if open.len() >= MAX_DEPTH => {
                            self.refuse_depth(at);
                            return top;
                        }
                        // `map`, `geo`… read their lines with a handler of their own,
                        // which takes no block (`ngx_conf_parse`: unexpected "{").
                        Some(at)
                            if open.last().is_some_and(|b| {
                                super::arity::ENTRY_BLOCKS
                                    .contains(&b.statement.name.value.as_str())
                            }) =>
                        {
                            self.fail(at, "unexpected \"{\"".into());
                            open.push(OpenBlock {
                                statement,
                                open: at,
                                statements: Vec::new(),
                            });
                        }
                        Some(at) => open.push(OpenBlock {
                            statement,
                            open: at,
                            statements: Vec::new(),
                        }),
                        None => innermost(&mut top, &mut open).push(statement),
                    }
                }
                Rule::block_close => match open.pop() {
                    Some(block) => {
                        let closed = block.close(span);
                        innermost(&mut top, &mut open).push(closed);
                    }
                    None => self.fail(span, "unexpected \"}\"".into()),
                },
                Rule::COMMENT => self.comments.push(span),
                Rule::stray_terminator_error => {
                    let (c, at) = self.char_at(span.start);
                    self.fail(
                        at,
                        format!("unexpected \"{c}\": a `{c}` with no directive name before it"),
                    );
                }
                // nginx silently ignores a first token the end of the file cuts off — at the
                // top level; inside a block it is a directive the file ends in.
                Rule::trailing_token if !open.is_empty() => self.cut_off_in_block(pair),
                Rule::trailing_token | Rule::EOI => {}
                other => unreachable!("the item list holds {other:?}"),
            }
        }
        let end = Span::empty(self.bytes.len());
        if !open.is_empty() {
            self.eof_in_block(end);
        }
        while let Some(block) = open.pop() {
            let closed = block.close(end);
            innermost(&mut top, &mut open).push(closed);
        }
        top
    }

    /// A token the end of the file cuts off inside a block: an unterminated quote, or a
    /// directive with no `;`.
    fn cut_off_in_block(&mut self, pair: Pair<Rule>) {
        let inner = pair.into_inner().next();
        match inner.as_ref().map(|p| (p.as_rule(), span_of(p))) {
            Some((Rule::trailing_quote, at)) => self.fail(
                Span::new(at.start, at.start + 1),
                "unexpected end of file: this quote is never closed".into(),
            ),
            _ => self.fail(
                Span::empty(self.bytes.len()),
                "unexpected end of file, expecting \";\" or \"}\"".into(),
            ),
        }
    }

    /// A statement, and where its block opens if it ends with `{`.
    fn statement(&mut self, pair: Pair<Rule>) -> (Statement, Option<Span>) {
        let span = span_of(&pair);
        let mut name = None;
        let mut args = Vec::new();
        let mut body = None;
        let mut opens = None;
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::name | Rule::lua_name => {
                    name = Some(if part.as_rule() == Rule::lua_name {
                        self.token_from(part_span, part_span, Quote::None)
                    } else {
                        self.token(part)
                    })
                }
                Rule::argument => args.push(self.token(part)),
                Rule::COMMENT => self.comments.push(part_span),
                Rule::semicolon => {}
                Rule::block_open => opens = Some(part_span),
                Rule::lua_block => body = Some(self.lua_block(part)),
                Rule::close_after_arguments_error => self.fail(
                    part_span,
                    "unexpected \"}\": the directive before it is not ended with `;`".into(),
                ),
                Rule::eof_after_arguments_error => self.fail(
                    part_span,
                    "unexpected end of file, expecting \";\" or \"}\"".into(),
                ),
                other => unreachable!("statement holds {other:?}"),
            }
        }
        // Every statement starts with a name (grammar); the fallback only avoids a panic.
        let name = name.unwrap_or_else(|| {
            self.token_from(
                Span::empty(span.start),
                Span::empty(span.start),
                Quote::None,
            )
        });
        (
            Statement {
                name,
                args,
                body,
                span,
            },
            opens,
        )
    }

    fn lua_block(&mut self, pair: Pair<Rule>) -> Body {
        let span = span_of(&pair);
        let open = Span::new(span.start, span.start + 1);
        let mut text = Span::empty(open.end);
        let mut close = Span::empty(span.end);
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::lua_body => text = span_of(&part),
                Rule::block_close => close = span_of(&part),
                Rule::eof_in_block_error => self.eof_in_block(span_of(&part)),
                other => unreachable!("lua block holds {other:?}"),
            }
        }
        Body::Opaque { open, text, close }
    }

    fn eof_in_block(&mut self, at: Span) {
        self.fail(at, "unexpected end of file, expecting \"}\"".into());
    }

    fn token(&mut self, pair: Pair<Rule>) -> Token {
        let inner = pair.into_inner().next().expect("a token");
        let span = span_of(&inner);
        match inner.as_rule() {
            Rule::word => self.token_from(span, span, Quote::None),
            Rule::double_quoted | Rule::single_quoted => {
                let quote = if inner.as_rule() == Rule::double_quoted {
                    Quote::Double
                } else {
                    Quote::Single
                };
                let mut text = Span::empty(span.start + 1);
                let mut end = span.end;
                for part in inner.into_inner() {
                    match part.as_rule() {
                        Rule::double_text | Rule::single_text => text = span_of(&part),
                        Rule::after_quote_error => {
                            end = span_of(&part).start;
                            let (c, at) = self.char_at(end);
                            self.fail(at, format!("unexpected \"{c}\": a closing quote must be followed by a space, `;` or `{{`"));
                        }
                        other => unreachable!("quoted token holds {other:?}"),
                    }
                }
                self.token_from(Span::new(span.start, end), text, quote)
            }
            Rule::unterminated_quote_error => {
                self.fail(
                    Span::new(span.start, span.start + 1),
                    "unexpected end of file: this quote is never closed".into(),
                );
                self.token_from(span, Span::new(span.start + 1, span.end), Quote::None)
            }
            other => unreachable!("token holds {other:?}"),
        }
    }

    fn token_from(&self, span: Span, text: Span, quote: Quote) -> Token {
        Token {
            span,
            text,
            quote,
            value: unescape(&self.bytes[text.range()]),
        }
    }
}

/// A token's value with each character mapped to the file bytes it was written as (an
/// escape maps to both of its bytes), as [`unescape`] decodes it.
pub fn mapped_value(bytes: &[u8], token: &Token) -> crate::source::MappedText {
    use crate::source::MappedText;
    let raw = &bytes[token.text.range()];
    let base = token.text.start;
    let mut out = MappedText::empty(Span::empty(base));
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let c = match raw[i + 1] {
                b'"' => Some('"'),
                b'\'' => Some('\''),
                b'\\' => Some('\\'),
                b't' => Some('\t'),
                b'r' => Some('\r'),
                b'n' => Some('\n'),
                _ => None,
            };
            if let Some(c) = c {
                out.push(c, Span::new(base + i, base + i + 2));
                i += 2;
                continue;
            }
        }
        let len = utf8_len(&raw[i..]);
        let c = std::str::from_utf8(&raw[i..i + len])
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        out.push(c, Span::new(base + i, base + i + len));
        i += len;
    }
    out.with_whole(token.text)
}

/// Bytes of the UTF-8 sequence starting `rest` (1 for an invalid byte).
fn utf8_len(rest: &[u8]) -> usize {
    let want = match rest[0] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    };
    if want > rest.len() || std::str::from_utf8(&rest[..want]).is_err() {
        1
    } else {
        want
    }
}

/// nginx's escapes: `\"`, `\'` and `\\` give the character, `\t`, `\r`, `\n` the control
/// character; any other `\x` stays as written (so regexes keep `\.`).
pub fn unescape(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'"' | b'\'' | b'\\' => {
                    out.push(raw[i + 1]);
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(src: &str) -> Vec<Vec<String>> {
        fn walk(s: &[Statement], out: &mut Vec<Vec<String>>) {
            for st in s {
                let mut v = vec![st.name.value.clone()];
                v.extend(st.args.iter().map(|a| a.value.clone()));
                out.push(v);
                walk(st.children(), out);
            }
        }
        let mut out = Vec::new();
        walk(&parse(src.as_bytes()).expect("parses").statements, &mut out);
        out
    }

    fn error(src: &str) -> (usize, String) {
        let e = parse(src.as_bytes()).expect_err("rejected");
        (e.span.start, e.message)
    }

    #[test]
    fn what_depends_on_the_depth_is_decided_by_the_reader() {
        let eof = |src: &str| (src.len(), error(src).1);
        // The end of the file inside a block.
        assert_eq!(error("http {\n"), eof("http {\n"));
        assert_eq!(
            error("http {\n").1,
            "unexpected end of file, expecting \"}\""
        );
        // A directive cut off by the end of the file: dropped at the top level only.
        assert_eq!(
            error("http {\n a b"),
            (
                11,
                "unexpected end of file, expecting \";\" or \"}\"".to_string()
            )
        );
        assert_eq!(
            error("http {\n \"ab"),
            (
                8,
                "unexpected end of file: this quote is never closed".to_string()
            )
        );
        assert!(parse(b"http { }\nb").is_ok());
        // A `}` that closes nothing.
        assert_eq!(error("http { }\n}"), (9, "unexpected \"}\"".to_string()));
        // Blocks pair up around words holding `}` and comments holding braces.
        let c = parse(b"a b}}} { c; # {{\n d { e; } }\nf;").unwrap();
        assert_eq!(c.statements.len(), 2);
        assert_eq!(c.statements[0].children().len(), 2);
        assert_eq!(c.statements[0].children()[1].children()[0].name.value, "e");
        assert_eq!(c.statements[0].span, Span::new(0, 28));
    }

    #[test]
    fn lua_braces_nest_without_recursion() {
        let depth = 200_000;
        let src = format!(
            "content_by_lua_block {{ {}{} }}\nx;",
            "{".repeat(depth),
            "}".repeat(depth)
        );
        let c = parse(src.as_bytes()).expect("deep Lua tables parse");
        assert_eq!(c.statements.len(), 2);
        let unbalanced = format!("content_by_lua_block {{ {} }}", "{".repeat(depth));
        assert_eq!(
            error(&unbalanced),
            (
                unbalanced.len(),
                "unexpected end of file, expecting \"}\"".to_string()
            )
        );
    }

    #[test]
    fn mapped_values_point_at_their_bytes() {
        let src = "add_header A \"x\\\"é\\ty\";";
        let c = parse(src.as_bytes()).unwrap();
        let t = &c.statements[0].args[1];
        let m = mapped_value(src.as_bytes(), t);
        assert_eq!(m.as_str(), t.value);
        assert_eq!(m.as_str(), "x\"é\ty");
        assert_eq!(&src[m.span_of(1..2).range()], "\\\"");
        assert_eq!(&src[m.span_of(2..4).range()], "é");
        assert_eq!(&src[m.span_of(4..6).range()], "\\ty");
        assert_eq!(&src[m.span().range()], "x\\\"é\\ty");
    }

    #[test]
    fn tokens_as_nginx_reads_them() {
        assert_eq!(
            values("add_header 'A' \"b c\" d#e; # comment\nif ($a = \"b\") { return 204; }"),
            vec![
                vec!["add_header", "A", "b c", "d#e"],
                vec!["if", "($a", "=", "b", ")"],
                vec!["return", "204"],
            ]
        );
        assert_eq!(
            values("set $a http://${b}c;"),
            vec![vec!["set", "$a", "http://${b}c"]]
        );
        assert_eq!(values("set $a ${b};"), vec![vec!["set", "$a", "${b}"]]);
        assert_eq!(
            values(r#"x "a\"b\n\.c" a\;b;"#),
            vec![vec!["x", "a\"b\n\\.c", "a\\;b"]]
        );
        assert_eq!(
            values("location / { return 200 ok};\n}"),
            vec![vec!["location", "/"], vec!["return", "200", "ok}"]]
        );
    }

    #[test]
    fn spans_are_byte_exact() {
        let src =
            "server {\n  add_header \"Access-Control-Allow-Origin\" $http_origin always;\n}\n";
        let c = parse(src.as_bytes()).unwrap();
        let add = &c.statements[0].children()[0];
        assert_eq!(&src[add.name.span.range()], "add_header");
        assert_eq!(
            &src[add.args[0].span.range()],
            "\"Access-Control-Allow-Origin\""
        );
        assert_eq!(
            &src[add.args[0].text.range()],
            "Access-Control-Allow-Origin"
        );
        assert_eq!(
            &src[add.span.range()],
            "add_header \"Access-Control-Allow-Origin\" $http_origin always;"
        );
        // Bytes >= 0x80 keep offsets.
        let latin = b"x \xe9t\xc3\xa9; y z;";
        let c = parse(latin).unwrap();
        assert_eq!(c.statements[1].span, Span::new(8, 12));
        assert_eq!(c.statements[0].args[0].value, "\u{fffd}t\u{e9}");
    }

    #[test]
    fn lua_blocks_are_opaque() {
        let src =
            "content_by_lua_block { ngx.say(\"}\") -- }\n local t = {a = [[}]]} }\nlisten 80;";
        let c = parse(src.as_bytes()).unwrap();
        assert!(matches!(c.statements[0].body, Some(Body::Opaque { .. })));
        assert_eq!(c.statements[1].name.value, "listen");
    }

    #[test]
    fn errors_where_nginx_stops() {
        assert_eq!(error("events {}\n}"), (10, "unexpected \"}\"".into()));
        assert_eq!(
            error("listen 80\n}").1,
            "unexpected \"}\": the directive before it is not ended with `;`"
        );
        assert_eq!(
            error("http {\n listen 80;\n"),
            (19, "unexpected end of file, expecting \"}\"".into())
        );
        assert_eq!(
            error("listen 80\n"),
            (
                10,
                "unexpected end of file, expecting \";\" or \"}\"".into()
            )
        );
        assert_eq!(error("a \"b\"c;").0, 5);
        assert_eq!(error("a;\n;").0, 3);
        assert_eq!(
            error("a \"b;\n").1,
            "unexpected end of file: this quote is never closed"
        );
        // nginx silently drops a first token cut off by the end of the file.
        assert_eq!(values("events {} foo"), vec![vec!["events"]]);
        // Absurd nesting is refused, not a stack overflow.
        let deep = format!(
            "{}{}",
            "a {".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert!(error(&deep).1.contains("nested deeper than 200 levels"));
        // The depth is exact: `}` inside a word closes nothing, so it cannot hide a level.
        let hidden = format!(
            "{}{}",
            "a b}}} {".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(error(&hidden).0, 8 * MAX_DEPTH + 7);
        let ok = format!("{}{}", "a \"{\" {".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        let parsed = parse(ok.as_bytes());
        assert!(
            parsed.is_ok(),
            "braces in quotes do not count: {:?}",
            parsed.err()
        );
    }
}
