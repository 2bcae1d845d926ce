//! The ingress-nginx front end never panics, and maps every character of a YAML value back
//! to the exact file bytes it came from.
//!
//! 1. Random bytes, YAML-shaped bytes and mutated corpus manifests go through recognition,
//!    lowering, every rule and every output format without a panic; every span lies inside
//!    the file (on character boundaries when the file is UTF-8).
//! 2. Random annotation values are written as double-quoted scalars (random escapes and
//!    `\`-continued lines), single-quoted scalars (folded lines), and literal and folded
//!    block scalars (every chomping indicator). The generator records which bytes produce
//!    each character; the front end's mapping must name exactly those bytes, and its text
//!    must equal saphyr's.

use cors_lint::frontend::ingress::controller::Version;
use cors_lint::frontend::kube::{scalar, yaml};
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::lint::Settings;
use cors_lint::source::Span;
use proptest::prelude::*;

#[path = "fuzz/checks.rs"]
#[allow(dead_code)] // each suite uses part of the fuzz checks
mod checks;

fn run(bytes: Vec<u8>, version: Option<Version>) {
    let _ = frontend::recognise("x.yaml", &bytes);
    let settings = Settings {
        options: Options {
            ingress_nginx_version: version,
            ..Options::default()
        },
        ..Settings::default()
    };
    let target = checks::Target {
        name: "ingress_nginx",
        dialect: Dialect::IngressNginx,
        file_name: "x.yaml",
    };
    checks::check(&target, &bytes, &settings);
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/ingress");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect()
}

fn yaml_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        prop::sample::select(vec![
            "apiVersion: networking.k8s.io/v1\n",
            "kind: Ingress\n",
            "kind: List\nitems:\n",
            "- ",
            "metadata:\n",
            "  annotations:\n",
            "    nginx.ingress.kubernetes.io/enable-cors: ",
            "    nginx.ingress.kubernetes.io/cors-allow-origin: ",
            "    nginx.ingress.kubernetes.io/cors-allow-methods: ",
            "    nginx.ingress.kubernetes.io/cors-max-age: ",
            "    nginx.ingress.kubernetes.io/configuration-snippet: ",
            "\"true\"",
            "true",
            "|\n",
            ">-\n",
            "|+2\n",
            "      ",
            "\"",
            "'",
            "\\",
            "\\x",
            "\\u00e9",
            "&a ",
            "*a",
            "!!str ",
            "{{ .Values.x }}",
            "---\n",
            "https://a.example",
            ",",
            "*",
            "null",
            " ",
            "\t",
            "\r\n",
            "\n",
            "#",
            ":",
            "é",
            "\u{feff}",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(i, op, b) in edits {
        let len = bytes.len();
        match op % 3 {
            0 if len > 0 => bytes[i % len] = b,
            1 => bytes.insert(i % (len + 1), b),
            _ if len > 0 => {
                bytes.remove(i % len);
            }
            _ => {}
        }
    }
    bytes
}

/// A value written in some YAML style: the file, and for each decoded character the bytes
/// it must map to.
#[derive(Debug, Clone)]
struct Written {
    src: String,
    value: String,
    expected: Vec<Span>,
}

const KEY: &str = "k: ";

/// Characters values are drawn from (no leading/trailing white space is generated).
fn value_chars() -> impl Strategy<Value = Vec<char>> {
    prop::collection::vec(
        prop::sample::select(vec![
            'a', 'b', 'Z', '0', '9', ':', '/', '.', ',', '-', '*', '_', 'é', 'ü', '€', '#', '"',
            '\'', '\\', ' ',
        ]),
        1..30,
    )
}

fn push(w: &mut Written, text: &str, decoded: Option<char>) {
    let start = w.src.len();
    w.src.push_str(text);
    if let Some(c) = decoded {
        w.value.push(c);
        w.expected.push(Span::new(start, w.src.len()));
    }
}

/// Double-quoted: each character literal or escaped (`choice`), and `\`-continued lines.
fn double_quoted(chars: &[char], choices: &[u8]) -> Written {
    let mut w = Written {
        src: KEY.to_string(),
        value: String::new(),
        expected: Vec::new(),
    };
    push(&mut w, "\"", None);
    for (i, &c) in chars.iter().enumerate() {
        let choice = choices.get(i).copied().unwrap_or(0) % 5;
        let escaped = match (c, choice) {
            ('"', _) => "\\\"".to_string(),
            ('\\', _) => "\\\\".to_string(),
            (' ', 4) | (' ', _) if i == chars.len() - 1 => "\\x20".to_string(),
            (_, 1) if (c as u32) < 0x100 => format!("\\x{:02x}", c as u32),
            (_, 2) => format!("\\u{:04X}", c as u32),
            (_, 3) => format!("\\U{:08x}", c as u32),
            _ => c.to_string(),
        };
        push(&mut w, &escaped, Some(c));
        // A `\`-continued line break after a non-space character.
        if choice == 4 && c != ' ' && i + 1 < chars.len() && chars[i + 1] != ' ' {
            push(&mut w, "\\\n    ", None);
        }
    }
    push(&mut w, "\"\n", None);
    w
}

/// Single-quoted: `'` doubled; a space between two non-spaces may become a folded line.
fn single_quoted(chars: &[char], choices: &[u8]) -> Written {
    let mut w = Written {
        src: KEY.to_string(),
        value: String::new(),
        expected: Vec::new(),
    };
    push(&mut w, "'", None);
    for (i, &c) in chars.iter().enumerate() {
        let fold = c == ' '
            && choices.get(i).is_some_and(|b| b % 2 == 0)
            && i > 0
            && i + 1 < chars.len()
            && chars[i - 1] != ' '
            && chars[i + 1] != ' ';
        if fold {
            push(&mut w, "\n", Some(' '));
            push(&mut w, "   ", None);
        } else if c == '\'' {
            push(&mut w, "''", Some('\''));
        } else {
            push(&mut w, &c.to_string(), Some(c));
        }
    }
    push(&mut w, "'\n", None);
    w
}

/// A literal block: `lines` joined by line breaks, with a chomping indicator.
fn literal(lines: &[Vec<char>], chomp: u8) -> Written {
    let indicator = ["", "-", "+"][chomp as usize % 3];
    let mut w = Written {
        src: format!("{KEY}|{indicator}\n"),
        value: String::new(),
        expected: Vec::new(),
    };
    for (i, line) in lines.iter().enumerate() {
        push(&mut w, "  ", None);
        for &c in line {
            push(&mut w, &c.to_string(), Some(c));
        }
        let last = i + 1 == lines.len();
        let keep = !last || indicator != "-";
        push(&mut w, "\n", keep.then_some('\n'));
    }
    push(&mut w, "z: 1\n", None);
    w
}

/// A folded block of words, one per line: each line break folds into a space.
fn folded(words: &[String]) -> Written {
    let mut w = Written {
        src: format!("{KEY}>-\n"),
        value: String::new(),
        expected: Vec::new(),
    };
    for (i, word) in words.iter().enumerate() {
        push(&mut w, "    ", None);
        for c in word.chars() {
            push(&mut w, &c.to_string(), Some(c));
        }
        push(&mut w, "\n", (i + 1 < words.len()).then_some(' '));
    }
    w
}

fn check_mapping(w: &Written) -> Result<(), TestCaseError> {
    let chars = yaml::CharMap::new(&w.src);
    let docs = yaml::load(&w.src, &chars)
        .map_err(|e| TestCaseError::fail(format!("{:?} does not parse: {}", w.src, e.message)))?;
    let (_, node) = yaml::get(&docs[0], "k").expect("key k");
    let (text, ..) = yaml::scalar(node).expect("scalar");
    prop_assert_eq!(text, w.value.as_str(), "saphyr's text of {:?}", &w.src);
    let m = scalar::exact(&w.src, &chars, node);
    prop_assert!(m.is_some(), "no exact mapping for {:?}", &w.src);
    let m = m.unwrap();
    let mut offset = 0;
    for (c, expected) in w.value.chars().zip(&w.expected) {
        let got = m.span_of(offset..offset + c.len_utf8());
        prop_assert_eq!(
            got,
            *expected,
            "{:?} in {:?}: mapped to {:?}, written as {:?}",
            c,
            &w.src,
            &w.src[got.range()],
            &w.src[expected.range()]
        );
        offset += c.len_utf8();
    }
    Ok(())
}

fn trimmed(chars: Vec<char>) -> Vec<char> {
    let s: String = chars.into_iter().collect();
    let t = s.trim_matches(' ');
    if t.is_empty() {
        vec!['a']
    } else {
        t.chars().collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        run(bytes, None);
    }

    #[test]
    fn yaml_shaped_bytes_never_panic(bytes in yaml_bytes(), old in any::<bool>()) {
        run(bytes, old.then_some(Version(1, 9, 0)));
    }

    #[test]
    fn mutated_corpus_never_panics(i in any::<usize>(), edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)) {
        let files = corpus();
        run(mutate(files[i % files.len()].clone(), &edits), None);
    }

    #[test]
    fn double_quoted_values_map_exactly(chars in value_chars(), choices in prop::collection::vec(any::<u8>(), 30)) {
        check_mapping(&double_quoted(&chars, &choices))?;
    }

    #[test]
    fn single_quoted_values_map_exactly(chars in value_chars(), choices in prop::collection::vec(any::<u8>(), 30)) {
        let chars = trimmed(chars);
        check_mapping(&single_quoted(&chars, &choices))?;
    }

    #[test]
    fn literal_blocks_map_exactly(lines in prop::collection::vec(value_chars(), 1..4), chomp in any::<u8>()) {
        let lines: Vec<Vec<char>> = lines.into_iter().map(trimmed).collect();
        check_mapping(&literal(&lines, chomp))?;
    }

    #[test]
    fn folded_blocks_map_exactly(words in prop::collection::vec("[a-z0-9:/.,é]{1,8}", 1..5)) {
        check_mapping(&folded(&words))?;
    }
}
