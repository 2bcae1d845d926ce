//! A file's findings never depend on unrelated files in the run: references resolve as the
//! controllers resolve them (Traefik by provider and namespace, Kong by namespace and
//! `KongClusterPlugin`, policy targets by namespace, group and kind), a reference the run
//! cannot settle never adds or withdraws a finding, and a file whose objects nothing else
//! reaches has the same findings alone (as pre-commit lints it) and in a whole-tree run.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

/// (path, code, line) → message of every finding of `codes` when linting `paths` together.
fn findings(paths: &[&str], codes: &str) -> BTreeMap<(String, String, u64), String> {
    let out = Command::cargo_bin("cors-lint")
        .unwrap()
        .args(["--format", "json", "--isolated", "--select", codes])
        .args(paths)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["code"].as_str().unwrap().to_string(),
                    f["span"]["line"].as_u64().unwrap(),
                ),
                // The headline and its why: "near" references are in the note.
                format!(
                    "{} {}",
                    f["message"].as_str().unwrap(),
                    f["note"].as_str().unwrap_or_default()
                ),
            )
        })
        .collect()
}

fn codes_of(f: &BTreeMap<(String, String, u64), String>, path: &str) -> Vec<(String, u64)> {
    f.keys()
        .filter(|(p, ..)| p == path)
        .map(|(_, c, l)| (c.clone(), *l))
        .collect()
}

const CRD_MIDDLEWARE: &str = "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: cors\n  namespace: web\nspec:\n  headers:\n    accessControlAllowOriginList: [\"https://app.example.com\"]\n    addVaryHeader: true\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: site\n  namespace: web\nspec:\n  routes:\n    - match: PathPrefix(`/`)\n      kind: Rule\n      middlewares:\n        - name: auth\n      services:\n        - name: site\n          port: 80\n";

/// Another provider's middleware of the same name is another middleware: a file-provider
/// router naming `cors` (that is `cors@file`) does not use the CRD `web/cors`.
#[test]
fn traefik_references_resolve_by_provider() {
    let d = tempfile::tempdir().unwrap();
    let mw = write(d.path(), "k8s/middleware.yaml", CRD_MIDDLEWARE);
    let alone = findings(&[&mw], "TFK001");
    assert_eq!(codes_of(&alone, &mw), [("TFK001".to_string(), 4)]);
    let file = write(
        d.path(),
        "traefik/dynamic.yml",
        "http:\n  routers:\n    site:\n      rule: PathPrefix(`/`)\n      middlewares: [cors]\n      service: site\n  middlewares:\n    cors:\n      headers:\n        accessControlAllowOriginList: [\"https://app.example.com\"]\n",
    );
    let run = findings(&[&mw, &file], "TFK001");
    assert_eq!(codes_of(&run, &mw), codes_of(&alone, &mw));
    // And the finding says why that router's `cors` is not this one.
    let message = &run[&(mw.clone(), "TFK001".into(), 4)];
    assert!(
        message.contains(
            "dynamic.yml:5 names `cors`, but it names a middleware of Traefik's `file` provider"
        ),
        "{message}"
    );
    // `web-cors@kubernetescrd` from an Ingress annotation is this middleware.
    let ingress = write(
        d.path(),
        "k8s/ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: site\n  annotations:\n    traefik.ingress.kubernetes.io/router.middlewares: web-cors@kubernetescrd\nspec:\n  rules: []\n",
    );
    assert!(codes_of(&findings(&[&mw, &ingress], "TFK001"), &mw).is_empty());
}

/// A route in another namespace that names `cors` does not use `web/cors`; one that names
/// it with `namespace: web` might (Traefik's `allowCrossNamespace`, which no file shows),
/// so no finding is reported either way on that ground.
#[test]
fn traefik_references_resolve_by_namespace() {
    let d = tempfile::tempdir().unwrap();
    let mw = write(d.path(), "a.yaml", CRD_MIDDLEWARE);
    let route = |extra: &str| {
        format!(
            "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: other\n  namespace: shop\nspec:\n  routes:\n    - match: PathPrefix(`/`)\n      kind: Rule\n      middlewares:\n        - name: cors\n{extra}      services:\n        - name: shop\n          port: 80\n"
        )
    };
    let other = write(d.path(), "b.yaml", &route(""));
    let run = findings(&[&mw, &other], "TFK001");
    assert_eq!(codes_of(&run, &mw), [("TFK001".to_string(), 4)]);
    assert!(
        run[&(mw.clone(), "TFK001".into(), 4)]
            .contains("it looks in namespace `shop`, and this one is in namespace `web`")
    );
    std::fs::write(&other, route("          namespace: web\n")).unwrap();
    assert!(codes_of(&findings(&[&mw, &other], "TFK001"), &mw).is_empty());
    // Not silently: `--verbose` says which reference kept the finding back, and why.
    let out = Command::cargo_bin("cors-lint")
        .unwrap()
        .args([
            "--format",
            "concise",
            "--isolated",
            "--verbose",
            &mw,
            &other,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "note: {mw}:4: `cors` may be used by {other}:11 (a reference to another namespace works only with the provider's `allowCrossNamespace`); TFK001 not reported"
        )),
        "{err}"
    );
}

/// An Ingress that has nothing to do with Traefik, or that uses middlewares of another
/// namespace, adds no finding to a middleware file.
#[test]
fn unrelated_files_add_no_findings() {
    let d = tempfile::tempdir().unwrap();
    let mw = write(
        d.path(),
        "mw.yaml",
        "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: cors\nspec:\n  headers:\n    accessControlAllowOriginList: [\"https://app.example.com\"]\n",
    );
    let alone = findings(&[&mw], "ALL");
    let nginx_ingress = write(
        d.path(),
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n    nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\n",
    );
    let traefik_ingress = write(
        d.path(),
        "shop.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\n  annotations:\n    traefik.ingress.kubernetes.io/router.middlewares: shop-auth@kubernetescrd\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  routes:\n    - match: PathPrefix(`/`)\n      kind: Rule\n      middlewares:\n        - name: auth\n      services:\n        - name: shop\n          port: 80\n",
    );
    // A route in a file without a namespace could be anywhere: no sure user either.
    let unwritten_route = write(
        d.path(),
        "route.yaml",
        "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: r\nspec:\n  routes:\n    - match: PathPrefix(`/`)\n      kind: Rule\n      middlewares:\n        - name: auth\n      services:\n        - name: r\n          port: 80\n",
    );
    let run = findings(
        &[&mw, &nginx_ingress, &traefik_ingress, &unwritten_route],
        "ALL",
    );
    assert_eq!(codes_of(&run, &mw), codes_of(&alone, &mw));
    assert!(codes_of(&run, &mw).iter().all(|(c, _)| c != "TFK001"));
}

const KONG_PLUGIN: &str = "apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata:\n  name: cors\n  namespace: a\nplugin: cors\nconfig:\n  origins: [\"https://app.example.com\"]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: a\n  annotations:\n    konghq.com/plugins: rate-limit\nspec:\n  ports: [{port: 80}]\n";

/// Kong resolves `konghq.com/plugins` in the annotated object's namespace, then among
/// `KongClusterPlugin`s.
#[test]
fn kong_references_resolve_by_namespace() {
    let d = tempfile::tempdir().unwrap();
    let plugin = write(d.path(), "plugin.yaml", KONG_PLUGIN);
    let alone = findings(&[&plugin], "KONG001");
    assert_eq!(codes_of(&alone, &plugin), [("KONG001".to_string(), 6)]);
    let ingress = |ns: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: {ns}\n  annotations:\n    konghq.com/plugins: cors\nspec:\n  ingressClassName: kong\n"
        )
    };
    let other = write(d.path(), "ingress.yaml", &ingress("b"));
    let run = findings(&[&plugin, &other], "KONG001");
    assert_eq!(codes_of(&run, &plugin), codes_of(&alone, &plugin));
    assert!(run[&(plugin.clone(), "KONG001".into(), 6)].contains("namespace `b`"));
    std::fs::write(&other, ingress("a")).unwrap();
    assert!(codes_of(&findings(&[&plugin, &other], "KONG001"), &plugin).is_empty());
    // A KongClusterPlugin answers every namespace.
    let cluster = write(
        d.path(),
        "cluster.yaml",
        "apiVersion: configuration.konghq.com/v1\nkind: KongClusterPlugin\nmetadata:\n  name: cors\n  annotations:\n    kubernetes.io/ingress.class: kong\nplugin: cors\nconfig:\n  origins: [\"https://app.example.com\"]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: a\n  annotations:\n    konghq.com/plugins: rate-limit\nspec:\n  ports: [{port: 80}]\n",
    );
    assert!(findings(&[&cluster], "KONG001").len() == 1);
    std::fs::write(&other, ingress("z")).unwrap();
    assert!(codes_of(&findings(&[&cluster, &other], "KONG001"), &cluster).is_empty());
}

/// A SecurityPolicy's target is a local reference: an HTTPRoute of the same name in
/// another namespace is not it, and the finding says so.
#[test]
fn policy_targets_resolve_by_namespace_group_and_kind() {
    let d = tempfile::tempdir().unwrap();
    let policy = |group: &str| {
        format!(
            "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata:\n  name: cors\n  namespace: shop\nspec:\n  targetRefs:\n    - group: {group}\n      kind: HTTPRoute\n      name: api\n  cors:\n    allowOrigins: [\"https://app.example.com\"]\n"
        )
    };
    let route = |name: &str, ns: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  rules: [{{backendRefs: [{{name: api, port: 80}}]}}]\n"
        )
    };
    let p = write(
        d.path(),
        "policy.yaml",
        &policy("gateway.networking.k8s.io"),
    );
    let r = write(
        d.path(),
        "routes.yaml",
        &format!("{}---\n{}", route("web", "shop"), route("api", "other")),
    );
    let run = findings(&[&p, &r], "EG001");
    assert_eq!(codes_of(&run, &p), [("EG001".to_string(), 10)]);
    assert!(
        run[&(p.clone(), "EG001".into(), 10)].contains("namespace `other`"),
        "{run:?}"
    );
    std::fs::write(
        &r,
        format!("{}---\n{}", route("web", "shop"), route("api", "shop")),
    )
    .unwrap();
    assert!(codes_of(&findings(&[&p, &r], "EG001"), &p).is_empty());
    // Another group's `HTTPRoute` is not a Gateway API route: nothing to resolve.
    std::fs::write(&p, policy("example.com")).unwrap();
    std::fs::write(&r, route("web", "shop")).unwrap();
    assert!(codes_of(&findings(&[&p, &r], "EG001"), &p).is_empty());
}

/// Pre-commit lints the staged files alone; a whole-tree run lints them together. Every
/// corpus file has the same findings both ways (its objects reach no other corpus file) —
/// but for the rules reported once per run (`once_per_run`: their cause is no file's), which
/// land on the run's first file, as `tests/ingress_cli.rs` checks.
#[test]
fn corpus_files_have_the_same_findings_alone_and_in_the_whole_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let root = root.to_string_lossy().into_owned();
    let once: Vec<&str> = cors_lint::rules::all_meta()
        .into_iter()
        .filter(|m| m.once_per_run)
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(once, ["INGX010"]);
    let findings = |paths: &[&str], codes: &str| {
        let mut f = findings(paths, codes);
        f.retain(|(_, code, _), _| !once.contains(&code.as_str()));
        f
    };
    let whole = findings(&[&root], "ALL");
    let mut files: Vec<String> = whole.keys().map(|(p, ..)| p.clone()).collect();
    files.dedup();
    assert!(files.len() > 50, "{}", files.len());
    let mut differ = Vec::new();
    for f in &files {
        let alone = findings(&[f], "ALL");
        if codes_of(&alone, f) != codes_of(&whole, f) {
            differ.push(format!(
                "{f}: alone {:?}, in the tree {:?}",
                codes_of(&alone, f),
                codes_of(&whole, f)
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// Two file-provider files: one with routers, one that only defines middlewares (seen in
/// public repositories, where docker labels name them as `cors@file`). Whether they are one
/// provider configuration the run cannot see, so the routers of the one add no finding to
/// the other.
#[test]
fn file_provider_routers_elsewhere_add_no_findings() {
    let d = tempfile::tempdir().unwrap();
    let middlewares = write(
        d.path(),
        "dynamic/middlewares.yml",
        "http:\n  middlewares:\n    cors:\n      headers:\n        accessControlAllowOriginList: [\"https://app.example.com\"]\n        addVaryHeader: true\n",
    );
    let routers = write(
        d.path(),
        "dynamic/routers.yml",
        "http:\n  routers:\n    api:\n      rule: PathPrefix(`/`)\n      middlewares: [auth]\n      service: api\n",
    );
    assert_eq!(
        codes_of(&findings(&[&middlewares, &routers], "TFK001"), &middlewares),
        codes_of(&findings(&[&middlewares], "TFK001"), &middlewares)
    );
    assert!(codes_of(&findings(&[&middlewares, &routers], "TFK001"), &middlewares).is_empty());
    // In its own file, a router that names another middleware does make it dead.
    let both = write(
        d.path(),
        "one.yml",
        "http:\n  routers:\n    api:\n      rule: PathPrefix(`/`)\n      middlewares: [auth]\n      service: api\n  middlewares:\n    cors:\n      headers:\n        accessControlAllowOriginList: [\"https://app.example.com\"]\n        addVaryHeader: true\n",
    );
    assert_eq!(
        codes_of(&findings(&[&both], "TFK001"), &both),
        [("TFK001".to_string(), 8)]
    );
}
