#!/usr/bin/env python3
"""Deterministic benchmark corpus generator for cors-lint (Python 3 standard library only).

Every file is a function of (seed, dialect, index) alone, so the first 100 files of a
1 000-file set are the 100-file set, and two runs with the same seed write the same bytes.
About a third of the CORS policies are careful (exact allow-lists, Vary, `always`), the rest
carry the usual mistakes (wildcards with credentials, reflected origins, unanchored regexes,
`null`, plain-http or localhost origins, long max-ages).

    bench/generate.py --seed 9 --set mixed --count 1000 --out target/bench/corpus/mixed-1000
    bench/generate.py --seed 9 --set nginx --count 100  --out target/bench/corpus/nginx-100
    bench/generate.py --seed 9 --set k8s   --count 100  --out target/bench/corpus/k8s-100
    bench/generate.py --seed 9 --big-yaml 50 --out target/bench/corpus/big/huge.yaml

Sets: `mixed` rotates over TorchServe properties, nginx confs, ingress-nginx Ingresses,
Gateway API HTTPRoutes, Istio VirtualServices and Traefik Middlewares (every YAML file is a
multi-document manifest with its Deployment and Service); `nginx` is nginx confs only (for
gixy); `k8s` is the four Kubernetes dialects only (for Checkov). Files are spread over
sub-directories of 50 files, like services in a monorepo.
"""

import argparse
import os
import random
import sys

WORDS = (
    "alpha atlas aurora beacon birch cobalt comet cedar delta dune ember falcon fern flux "
    "garnet glacier harbor helix indigo iris jade juniper kestrel koi lagoon lumen maple "
    "meadow nebula nova onyx orbit pebble pine quartz quill raven reef sable sierra tundra "
    "umber vale vertex willow xenon yarrow zephyr"
).split()
TLDS = ("com", "net", "io", "org", "dev", "cloud")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
HEADERS = (
    "Content-Type", "Authorization", "X-Request-Id", "X-CSRF-Token", "Accept", "Range",
    "Cache-Control", "If-Match", "X-Api-Key", "X-Tenant", "Idempotency-Key", "DNT",
)
EXPOSE = ("X-Request-Id", "Content-Length", "Content-Range", "ETag", "X-RateLimit-Remaining")


def rng_for(seed, kind, index):
    # str seeds are hashed with SHA-512 by random.Random: stable across runs and platforms.
    return random.Random(f"{seed}:{kind}:{index}")


def domain(r):
    return f"{r.choice(WORDS)}-{r.choice(WORDS)}.{r.choice(TLDS)}"


def good_origins(r, dom, n=None):
    n = n or r.randint(1, 4)
    subs = r.sample(["app", "admin", "www", "portal", "console", "shop", "docs", "beta"], n)
    return [f"https://{s}.{dom}" for s in subs]


def bad_origin(r, dom):
    return r.choice([
        "*", "null", f"http://app.{dom}", "http://localhost:3000", f"https://app.{dom}/",
        f"https://*.{dom}", f"app.{dom}", "http://127.0.0.1:8080",
    ])


def methods(r):
    return r.sample(METHODS[:5], r.randint(1, 4))


def headers(r):
    return r.sample(HEADERS, r.randint(1, 5))


def is_good(r):
    return r.random() < 0.35


def filler_comment(r, prefix="#"):
    lines = [
        "managed by the platform team; change via a pull request",
        f"owner: team-{r.choice(WORDS)}",
        f"ticket: OPS-{r.randint(1000, 9999)}",
        "see the runbook before touching the CORS settings",
    ]
    return "".join(f"{prefix} {line}\n" for line in r.sample(lines, r.randint(1, 3)))


# --------------------------------------------------------------------------- TorchServe
def torchserve(seed, i):
    r = rng_for(seed, "torchserve", i)
    dom = domain(r)
    out = [filler_comment(r)]
    host = r.choice(["0.0.0.0", "127.0.0.1"])
    out.append(f"inference_address=http://{host}:{r.choice([8080, 8443, 9080])}\n")
    out.append(f"management_address=http://{r.choice(['127.0.0.1', '0.0.0.0'])}:8081\n")
    out.append("metrics_address=http://127.0.0.1:8082\n")
    out.append(f"model_store=/home/model-server/model-store/{r.choice(WORDS)}\n")
    models = [f"{r.choice(WORDS)}_{r.choice(WORDS)}.mar" for _ in range(r.randint(1, 5))]
    out.append(f"load_models={','.join(models)}\n")
    out.append(f"number_of_netty_threads={r.choice([2, 4, 8, 16])}\n")
    out.append(f"job_queue_size={r.choice([100, 500, 1000])}\n")
    out.append(f"default_workers_per_model={r.randint(1, 4)}\n")
    out.append(f"max_request_size={r.choice([6553500, 104857600])}\n")
    out.append(f"max_response_size={r.choice([6553500, 104857600])}\n")
    if r.random() < 0.5:
        out.append("disable_token_authorization=true\n")
    if r.random() < 0.3:
        out.append("install_py_dep_per_model=true\n")
    if is_good(r):
        origins = good_origins(r, dom)
        cred = False
    else:
        origins = [bad_origin(r, dom)] + good_origins(r, dom, r.randint(0, 2) or None)
        cred = r.random() < 0.5
    key = r.choice(["cors_allowed_origin", "cors_allowed_origin", "cors.allowed.origin"])
    out.append(f"{key}={','.join(origins)}\n")
    out.append(f"cors_allowed_methods={', '.join(methods(r))}\n")
    out.append(f"cors_allowed_headers={','.join(headers(r))}\n")
    if cred:
        out.append("cors_allowed_credentials=true\n")
    for m in models[:3]:
        name = m[:-4]
        out.append(
            f'models={{"{name}": {{"1.0": {{"defaultVersion": true, "marName": "{m}", '
            f'"minWorkers": 1, "maxWorkers": {r.randint(1, 8)}, "batchSize": {r.choice([1, 4, 8])}, '
            f'"maxBatchDelay": {r.choice([50, 100, 200])}, "responseTimeout": 120}}}}}}\n'
        )
    return "".join(out)


# --------------------------------------------------------------------------- nginx
def nginx_cors_location(r, dom, path, mapvar):
    h = ", ".join(headers(r))
    m = ", ".join(methods(r) + ["OPTIONS"])
    variant = r.choice(["map", "map", "star", "reflect", "regex", "preflight", "none"])
    ind = "            "
    body = []
    if variant == "map" and mapvar:
        body += [
            f"add_header Access-Control-Allow-Origin {mapvar} always;",
            "add_header Access-Control-Allow-Credentials true always;",
            "add_header Vary Origin always;",
            "if ($request_method = OPTIONS) {",
            f"    add_header Access-Control-Allow-Origin {mapvar} always;",
            "    add_header Access-Control-Allow-Credentials true always;",
            f'    add_header Access-Control-Allow-Methods "{m}" always;',
            f'    add_header Access-Control-Allow-Headers "{h}" always;',
            f"    add_header Access-Control-Max-Age {r.choice([600, 3600, 7200])} always;",
            "    add_header Vary Origin always;",
            "    return 204;",
            "}",
        ]
    elif variant == "star":
        body += [
            "add_header Access-Control-Allow-Origin *;",
            f'add_header Access-Control-Allow-Methods "{m}";',
        ]
        if r.random() < 0.5:
            body.append("add_header Access-Control-Allow-Credentials true;")
    elif variant == "reflect":
        body += [
            "add_header Access-Control-Allow-Origin $http_origin always;",
            "add_header Access-Control-Allow-Credentials true always;",
            f'add_header Access-Control-Allow-Headers "{h}" always;',
        ]
    elif variant == "regex":
        esc = dom.replace(".", r"\.")
        rx = r.choice([
            f"^https://([a-z0-9-]+\\.)?{esc}$",  # careful
            f"https://.*{dom}",  # unescaped dot, no anchors
            f"^https?://.*\\.{esc}",  # no end anchor
        ])
        body += [
            f'if ($http_origin ~* "{rx}") {{',
            "    add_header Access-Control-Allow-Origin $http_origin always;",
            "    add_header Access-Control-Allow-Credentials true always;",
            "    add_header Vary Origin always;",
            "}",
        ]
    elif variant == "preflight":
        body += [
            "if ($request_method = 'OPTIONS') {",
            "    add_header 'Access-Control-Allow-Origin' '*';",
            f"    add_header 'Access-Control-Allow-Methods' '{m}';",
            f"    add_header 'Access-Control-Allow-Headers' '{h}';",
            "    add_header 'Access-Control-Max-Age' 1728000;",
            "    add_header 'Content-Type' 'text/plain; charset=utf-8';",
            "    add_header 'Content-Length' 0;",
            "    return 204;",
            "}",
            "add_header 'Access-Control-Allow-Origin' '*' always;",
            "add_header 'Access-Control-Expose-Headers' '" + ",".join(r.sample(EXPOSE, 2)) + "' always;",
        ]
    backend = f"backend_{r.choice(WORDS)}"
    body += [
        f"proxy_pass http://{backend};",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        f"proxy_read_timeout {r.choice([30, 60, 120])}s;",
    ]
    return f"        location {path} {{\n" + "".join(f"{ind}{b}\n" for b in body) + "        }\n", backend


def nginx_conf(seed, i):
    r = rng_for(seed, "nginx", i)
    dom = domain(r)
    out = [filler_comment(r)]
    out.append("user nginx;\nworker_processes auto;\npid /run/nginx.pid;\n")
    out.append("events {\n    worker_connections 1024;\n}\n\nhttp {\n")
    out.append("    default_type application/octet-stream;\n    sendfile on;\n")
    out.append("    keepalive_timeout 65;\n    server_tokens off;\n    client_max_body_size 16m;\n")
    out.append(
        "    log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
        "                    '$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"';\n"
        "    access_log /var/log/nginx/access.log main;\n\n"
    )
    mapvar = "$cors_origin"
    out.append("    map $http_origin $cors_origin {\n        default \"\";\n")
    for o in good_origins(r, dom) + ([bad_origin(r, dom)] if not is_good(r) else []):
        if o == "*":
            continue
        out.append(f'        "{o}" $http_origin;\n')
    out.append("    }\n\n")
    locations = []
    backends = set()
    for s in range(r.randint(2, 4)):
        host = f"{r.choice(['api', 'edge', 'svc', 'gw'])}{s}.{dom}"
        listen = r.choice(["80", "443 ssl", "8080"])
        srv = [f"    server {{\n        listen {listen};\n"]
        srv.append(f"        server_name {host};\n")
        if listen.endswith("ssl"):
            srv.append(f"        ssl_certificate /etc/ssl/{dom}.crt;\n")
            srv.append(f"        ssl_certificate_key /etc/ssl/{dom}.key;\n")
        if r.random() < 0.3:
            srv.append("        add_header X-Frame-Options DENY always;\n")
        srv.append("        location = /healthz {\n            return 200 \"ok\\n\";\n        }\n")
        for loc in range(r.randint(2, 5)):
            path = f"/{r.choice(WORDS)}{loc}/"
            text, backend = nginx_cors_location(r, dom, path, mapvar)
            backends.add(backend)
            srv.append(text)
        srv.append("    }\n\n")
        locations.append("".join(srv))
    for b in sorted(backends):
        out.append(f"    upstream {b} {{\n        server 10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}:{r.choice([8080, 9000, 3000])};\n        keepalive 16;\n    }}\n")
    out.append("\n")
    out.extend(locations)
    out.append("}\n")
    return "".join(out)


# --------------------------------------------------------------------------- Kubernetes
def k8s_workload(r, name, ns, port):
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: {r.choice(WORDS)}
spec:
  replicas: {r.randint(1, 6)}
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: {name}
          image: registry.example.com/{ns}/{name}:{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: {port}
              name: http
          resources:
            requests:
              cpu: {r.choice([50, 100, 250])}m
              memory: {r.choice([64, 128, 256])}Mi
            limits:
              cpu: {r.choice([500, 1000])}m
              memory: {r.choice([256, 512])}Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
"""


def yaml_list(items, indent):
    return "".join(f"{' ' * indent}- {x}\n" for x in items)


def ingress(seed, i):
    r = rng_for(seed, "ingress", i)
    dom = domain(r)
    ns = r.choice(WORDS)
    out = [filler_comment(r)]
    for k in range(r.randint(1, 3)):
        name = f"{r.choice(WORDS)}-api-{k}"
        out.append("---\n" if k else "")
        out.append(k8s_workload(r, name, ns, 8080))
        good = is_good(r)
        origins = good_origins(r, dom) if good else [bad_origin(r, dom)] + good_origins(r, dom, 1)
        ann = ['nginx.ingress.kubernetes.io/enable-cors: "true"']
        if not (not good and r.random() < 0.3):
            ann.append(f'nginx.ingress.kubernetes.io/cors-allow-origin: "{", ".join(origins)}"')
        if r.random() < 0.6:
            ann.append(f'nginx.ingress.kubernetes.io/cors-allow-credentials: "{r.choice(["true", "false"])}"')
        ann.append(f'nginx.ingress.kubernetes.io/cors-allow-methods: "{", ".join(methods(r))}"')
        ann.append(f'nginx.ingress.kubernetes.io/cors-allow-headers: "{", ".join(headers(r))}"')
        if r.random() < 0.5:
            ann.append(f'nginx.ingress.kubernetes.io/cors-max-age: "{r.choice([600, 3600, 86400, 1728000])}"')
        ann.append(f'nginx.ingress.kubernetes.io/proxy-body-size: "{r.choice(["1m", "8m", "50m"])}"')
        host = f"{name}.{dom}"
        out.append(f"""---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: {ns}
  annotations:
{''.join(f'    {a}{chr(10)}' for a in ann)}spec:
  ingressClassName: nginx
  tls:
    - hosts: ["{host}"]
      secretName: {name}-tls
  rules:
    - host: {host}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {name}
                port:
                  number: 80
""")
    return "".join(out)


def manifest_start(seed, kind, i, suffix, port):
    """What every single-object generator starts with, in this order of random draws: its
    random stream, a domain, a namespace, an object name, and the workload it fronts."""
    r = rng_for(seed, kind, i)
    dom = domain(r)
    ns = r.choice(WORDS)
    name = f"{r.choice(WORDS)}-{suffix}"
    return r, dom, ns, name, [filler_comment(r), k8s_workload(r, name, ns, port)]


def httproute(seed, i):
    r, dom, ns, name, out = manifest_start(seed, "httproute", i, "route", 8080)
    out.append(f"""---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {name}
  namespace: {ns}
spec:
  parentRefs:
    - name: {r.choice(['public', 'internal'])}-gateway
      namespace: gateway-system
  hostnames: ["{name}.{dom}"]
  rules:
""")
    for k in range(r.randint(1, 3)):
        good = is_good(r)
        origins = good_origins(r, dom) if good else [bad_origin(r, dom)] + good_origins(r, dom, 1)
        origins = [o for o in origins if o != "null"] or ["*"]
        cors = ["        allowOrigins:\n" + yaml_list([f'"{o}"' for o in origins], 10)]
        cors.append(f"        allowMethods: [{', '.join(methods(r))}]\n")
        cors.append(f"        allowHeaders: [{', '.join(headers(r))}]\n")
        if r.random() < 0.5:
            cors.append(f"        exposeHeaders: [{', '.join(r.sample(EXPOSE, 2))}]\n")
        if r.random() < 0.6:
            cors.append("        allowCredentials: true\n")
        if r.random() < 0.5:
            cors.append(f"        maxAge: {r.choice([5, 600, 3600, 86400])}\n")
        out.append(f"""  - matches:
    - path:
        type: PathPrefix
        value: /{r.choice(WORDS)}{k}
    filters:
    - type: CORS
      cors:
{''.join(cors)}    backendRefs:
    - name: {name}
      port: 80
""")
    return "".join(out)


def istio(seed, i):
    r, dom, ns, name, out = manifest_start(seed, "istio", i, "vs", 9090)
    out.append(f"""---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: {ns}
spec:
  hosts: ["{name}.{dom}"]
  gateways: [istio-system/{r.choice(['public', 'internal'])}-gateway]
  http:
""")
    for k in range(r.randint(1, 3)):
        good = is_good(r)
        if good:
            origins = [f"exact: {o}" for o in good_origins(r, dom)]
        else:
            origins = [r.choice([
                'regex: ".*"', f'regex: ".*{dom}"', f"prefix: https://app.{dom}",
                f'regex: "https://.*\\\\.{dom.split(".")[0]}\\\\.{dom.split(".")[1]}"', "exact: \"*\"",
            ])]
        out.append(f"""  - match:
    - uri:
        prefix: /{r.choice(WORDS)}{k}
    corsPolicy:
      allowOrigins:
{yaml_list(origins, 6)}      allowMethods: [{', '.join(methods(r))}]
      allowHeaders: [{', '.join(h.lower() for h in headers(r))}]
""")
        if r.random() < 0.6:
            out.append("      allowCredentials: true\n")
        out.append(f"      maxAge: {r.choice(['600s', '1h', '24h', '5m'])}\n")
        if r.random() < 0.3:
            out.append("      unmatchedPreflights: IGNORE\n")
        out.append(f"""    route:
    - destination:
        host: {name}
        port:
          number: 80
""")
    return "".join(out)


def traefik(seed, i):
    r, dom, ns, name, out = manifest_start(seed, "traefik", i, "web", 3000)
    good = is_good(r)
    h = ["    accessControlAllowOriginList:\n"]
    origins = good_origins(r, dom) if good else [bad_origin(r, dom)] + good_origins(r, dom, 1)
    h.append(yaml_list([f'"{o}"' for o in origins], 6))
    if r.random() < 0.4:
        esc = dom.replace(".", "\\\\.")
        rx = r.choice([f"^https://[a-z]+\\\\.{esc}$", f"https://.*{dom}"])
        h.append(f'    accessControlAllowOriginListRegex:\n      - "{rx}"\n')
    h.append("    accessControlAllowMethods:\n" + yaml_list(methods(r), 6))
    h.append("    accessControlAllowHeaders:\n" + yaml_list(headers(r), 6))
    if r.random() < 0.5:
        h.append("    accessControlAllowCredentials: true\n")
    h.append(f"    accessControlMaxAge: {r.choice([100, 600, 3600, 86400])}\n")
    if r.random() < 0.5:
        h.append("    addVaryHeader: true\n")
    out.append(f"""---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: {name}-cors
  namespace: {ns}
spec:
  headers:
{''.join(h)}---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: {name}
  namespace: {ns}
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(`{name}.{dom}`)
      kind: Rule
      middlewares:
        - name: {name}-cors
      services:
        - name: {name}
          port: 80
""")
    return "".join(out)


GENERATORS = {
    "torchserve": (torchserve, "properties"),
    "nginx": (nginx_conf, "conf"),
    "ingress": (ingress, "yaml"),
    "httproute": (httproute, "yaml"),
    "istio": (istio, "yaml"),
    "traefik": (traefik, "yaml"),
}
SETS = {
    "mixed": ["torchserve", "nginx", "ingress", "httproute", "istio", "traefik"],
    "nginx": ["nginx"],
    "k8s": ["ingress", "httproute", "istio", "traefik"],
}


def write_set(seed, which, count, out):
    kinds = SETS[which]
    total = 0
    for i in range(count):
        kind = kinds[i % len(kinds)]
        gen, ext = GENERATORS[kind]
        d = os.path.join(out, f"svc-{i // 50:04d}")
        os.makedirs(d, exist_ok=True)
        text = gen(seed, i)
        with open(os.path.join(d, f"{kind}-{i:05d}.{ext}"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        total += len(text.encode())
    return total


def write_big_yaml(seed, megabytes, path):
    """One multi-document YAML stream of Ingresses/HTTPRoutes/VirtualServices/Middlewares."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    target = megabytes * 1024 * 1024
    kinds = SETS["k8s"]
    total = 0
    i = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        while total < target:
            text = GENERATORS[kinds[i % len(kinds)]][0](seed, 1_000_000 + i)
            if i:
                text = "---\n" + text
            f.write(text)
            total += len(text.encode())
            i += 1
    return total


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", default="9")
    p.add_argument("--set", choices=sorted(SETS), default="mixed")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--big-yaml", type=int, metavar="MB", help="write one YAML stream of about MB MiB to --out")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.big_yaml:
        n = write_big_yaml(a.seed, a.big_yaml, a.out)
        print(f"generate.py: {a.out}: {n} bytes", file=sys.stderr)
        return
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit(f"generate.py: {a.out} exists and is not empty; remove it first")
    n = write_set(a.seed, a.set, a.count, a.out)
    print(f"generate.py: {a.out}: {a.count} {a.set} files, {n} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
