//! The Gateway API, Istio and Envoy Gateway front ends never panic on hostile YAML: random
//! bytes, YAML assembled from the pieces of their manifests, and mutated corpus files go
//! through recognition, lowering, every rule and every output format; every span lies inside
//! the file, on character boundaries.

use cors_lint::frontend::gateway_api::Version;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::lint::Settings;
use proptest::prelude::*;

#[path = "fuzz/checks.rs"]
#[allow(dead_code)] // each suite uses part of the fuzz checks
mod checks;

fn run(bytes: Vec<u8>, dialect: Dialect, old: bool) {
    let _ = frontend::recognise("x.yaml", &bytes);
    let settings = Settings {
        options: Options {
            gateway_api_version: old.then_some(Version(1, 4)),
            ..Options::default()
        },
        ..Settings::default()
    };
    let target = checks::Target {
        name: dialect.name(),
        dialect,
        file_name: "x.yaml",
    };
    checks::check(&target, &bytes, &settings);
}

const DIALECTS: [Dialect; 3] = [Dialect::GatewayApi, Dialect::Istio, Dialect::EnvoyGateway];

fn corpus() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for d in ["gateway-api", "istio", "envoy-gateway"] {
        let dir = format!("{}/corpus/{d}", env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("corpus")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        files.extend(paths.into_iter().map(|p| std::fs::read(p).expect("read")));
    }
    files
}

fn yaml_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        prop::sample::select(vec![
            "apiVersion: gateway.networking.k8s.io/v1\n",
            "apiVersion: networking.istio.io/v1\n",
            "apiVersion: gateway.envoyproxy.io/v1alpha1\n",
            "kind: HTTPRoute\n",
            "kind: GRPCRoute\n",
            "kind: VirtualService\n",
            "kind: SecurityPolicy\n",
            "kind: List\nitems:\n",
            "metadata:\n  name: a\n",
            "spec:\n",
            "  rules:\n",
            "  - filters:\n",
            "    - type: CORS\n",
            "      cors:\n",
            "  http:\n",
            "  - corsPolicy:\n",
            "    route: []\n",
            "  cors:\n",
            "  targetRefs:\n  - kind: HTTPRoute\n    name: a\n",
            "        allowOrigins: ",
            "        allowOrigin: ",
            "        allowMethods: ",
            "        allowHeaders: ",
            "        maxAge: ",
            "        allowCredentials: ",
            "        unmatchedPreflights: ",
            "- exact: ",
            "- prefix: ",
            "- regex: ",
            "[\"*\"]",
            "[GET, put]",
            "\"24h\"",
            "1.5s",
            "true",
            "false",
            "600",
            "-1",
            "99999999999999999999",
            "IGNORE",
            "|\n",
            ">-\n",
            "      ",
            "\"",
            "'",
            "\\",
            "(?i)",
            "&a ",
            "*a",
            "!!str ",
            "!!int ",
            "---\n",
            "https://*.example.com",
            "http://localhost:*",
            "null",
            ",",
            "[",
            "]",
            "{",
            "}",
            ": ",
            "\n",
            "é",
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 800, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300), d in 0..3usize) {
        run(bytes, DIALECTS[d], false);
    }

    #[test]
    fn yaml_shaped_bytes_never_panic(bytes in yaml_bytes(), d in 0..3usize, old in any::<bool>()) {
        run(bytes, DIALECTS[d], old);
    }

    #[test]
    fn mutated_corpus_never_panics(i in any::<usize>(), d in 0..3usize, edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)) {
        let files = corpus();
        run(mutate(files[i % files.len()].clone(), &edits), DIALECTS[d], false);
    }
}
