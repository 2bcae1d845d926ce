//! The shipped corpus: every file a front end recognises, with its dialect.

use cors_lint::frontend::{self, Dialect};
use cors_lint::source::SourceFile;
use std::path::Path;

pub fn files() -> Vec<(SourceFile, Dialect)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut out = Vec::new();
    for entry in ignore::Walk::new(&root).filter_map(Result::ok) {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Ok((dialect, _)) = frontend::recognise(&name, &bytes) {
            out.push((
                SourceFile::new(path.to_string_lossy(), bytes, dialect.encoding()),
                dialect,
            ));
        }
    }
    out
}
