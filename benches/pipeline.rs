//! Micro-benchmarks of each stage, over the shipped corpus (`corpus/<dialect>/`): the pest
//! grammars and the YAML loader (MB/s), each front end's lowering, the rule engine on
//! already-lowered policies, and the whole per-file pipeline.
//!
//!     cargo bench --bench pipeline
//!     CORS_LINT_BENCH_CORPUS=target/bench/corpus/mixed-100 cargo bench --bench pipeline
//!
//! (the second over files of `bench/generate.py`, any directory tree works).
//!
//! Throughput is bytes of input per second. Not run by the test suite; the end-to-end
//! comparison with peers is `bench/run.sh`.

use cors_lint::frontend::{self, DIALECTS, Dialect};
use cors_lint::lint::{self, Settings};
use cors_lint::rules::Unit;
use cors_lint::source::SourceFile;
use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

fn main() {
    divan::main();
}

/// A corpus file its front end reads.
struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
    dialect: Dialect,
}

/// Every corpus file, with the dialect cors-lint recognises it as (unrecognised files, such
/// as Helm templates, are left out: they measure nothing).
static CORPUS: LazyLock<Vec<Input>> = LazyLock::new(|| {
    let root = std::env::var_os("CORS_LINT_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let mut paths = Vec::new();
    files_under(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            let (dialect, _) = frontend::recognise(&name, &bytes).ok()?;
            Some(Input {
                path,
                bytes,
                dialect,
            })
        })
        .collect()
});

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable corpus directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn of(dialect: Dialect) -> Vec<&'static Input> {
    CORPUS.iter().filter(|i| i.dialect == dialect).collect()
}

fn bytes(inputs: &[&Input]) -> BytesCount {
    BytesCount::new(inputs.iter().map(|i| i.bytes.len()).sum::<usize>())
}

fn source(i: &Input) -> SourceFile {
    SourceFile::new(
        i.path.to_string_lossy().into_owned(),
        i.bytes.clone(),
        i.dialect.encoding(),
    )
}

const NAMES: [&str; 8] = [
    "torchserve",
    "nginx",
    "ingress-nginx",
    "gateway-api",
    "istio",
    "envoy-gateway",
    "traefik",
    "kong",
];

fn dialect(name: &str) -> Dialect {
    DIALECTS
        .into_iter()
        .find(|d| d.name() == name)
        .expect("a dialect name")
}

/// The nginx pest grammar (`grammar/nginx.pest`) and the reader of its pairs.
#[divan::bench]
fn grammar_nginx(b: Bencher) {
    let inputs = of(Dialect::Nginx);
    b.counter(bytes(&inputs)).bench(|| {
        for i in &inputs {
            let _ = black_box(frontend::nginx::syntax::parse(&i.bytes));
        }
    });
}

/// The `java.util.Properties` pest grammar (`grammar/properties.pest`).
#[divan::bench]
fn grammar_properties(b: Bencher) {
    let inputs = of(Dialect::TorchServe);
    b.counter(bytes(&inputs)).bench(|| {
        for i in &inputs {
            let _ = black_box(frontend::properties::parse(&i.bytes));
        }
    });
}

/// saphyr with byte spans, over every YAML file of the corpus.
#[divan::bench]
fn yaml_load(b: Bencher) {
    let texts: Vec<&str> = CORPUS
        .iter()
        .filter(|i| i.dialect.is_kubernetes())
        .filter_map(|i| std::str::from_utf8(&i.bytes).ok())
        .collect();
    let total: usize = texts.iter().map(|t| t.len()).sum();
    b.counter(BytesCount::new(total)).bench(|| {
        for t in &texts {
            let chars = frontend::kube::yaml::CharMap::new(t);
            let _ = black_box(frontend::kube::yaml::load(t, &chars));
        }
    });
}

/// Parsing and lowering into the IR, per dialect.
#[divan::bench(args = NAMES)]
fn lower(b: Bencher, name: &str) {
    let inputs = of(dialect(name));
    let files: Vec<SourceFile> = inputs.iter().map(|i| source(i)).collect();
    let settings = Settings::default();
    b.counter(bytes(&inputs)).bench(|| {
        for (i, f) in inputs.iter().zip(&files) {
            let _ = black_box(frontend::lower(i.dialect, f, &settings.options));
        }
    });
}

/// The rule engine alone, on policies lowered beforehand.
#[divan::bench(args = NAMES)]
fn rules(b: Bencher, name: &str) {
    let inputs = of(dialect(name));
    let settings = Settings::default();
    let lowered: Vec<(SourceFile, frontend::Lowered)> = inputs
        .iter()
        .filter_map(|i| {
            let f = source(i);
            let l = frontend::lower(i.dialect, &f, &settings.options).ok()?;
            Some((f, l))
        })
        .collect();
    b.counter(bytes(&inputs)).bench(|| {
        for (file, l) in &lowered {
            let unit = Unit {
                file,
                policies: &l.policies,
                facts: &l.facts,
                org_policy: None,
            };
            black_box(lint::run_rules(&unit, &settings.selection));
        }
    });
}

/// One file from bytes to findings (what `check` does per file, without the walk and the
/// report).
#[divan::bench(args = NAMES)]
fn whole_file(b: Bencher, name: &str) {
    let inputs = of(dialect(name));
    let settings = Settings::default();
    b.counter(bytes(&inputs)).bench(|| {
        for i in &inputs {
            black_box(lint::lint_bytes(
                i.path.to_string_lossy().into_owned(),
                i.bytes.clone(),
                i.dialect,
                String::new(),
                &settings,
            ));
        }
    });
}
