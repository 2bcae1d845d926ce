#!/usr/bin/env python3
"""Turn bench/run.sh's measurements (hyperfine JSON, /usr/bin/time -v RSS) into Markdown.

    bench/report.py target/bench SEED "cors-lint --version output" > target/bench/results.md
"""

import datetime
import json
import math
import os
import platform
import re
import subprocess
import sys


def load(res, group):
    path = os.path.join(res, f"{group}.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


def ms(r):
    return f"{r['mean'] * 1000:.1f} ± {(r['stddev'] or 0) * 1000:.1f} ms"


def s_or_ms(r):
    if r["mean"] >= 1:
        return f"{r['mean']:.2f} ± {(r['stddev'] or 0):.2f} s"
    return ms(r)


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    osname = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {mem} RAM, {osname}, Linux {platform.release()}"


def tree_size(path):
    n = b = 0
    for d, _, files in os.walk(path):
        for f in files:
            n += 1
            b += os.path.getsize(os.path.join(d, f))
    return n, b


def version(cmd):
    """The first dotted version number a tool prints (gixy-ng adds a line of links)."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except Exception:  # noqa: BLE001 - a version is decoration only
        return "?"
    found = re.search(r"\d+\.\d+(\.\d+)*", out.stdout + out.stderr)
    return found.group(0) if found else "?"


def main():
    base, seed, cl_version = sys.argv[1], sys.argv[2], sys.argv[3]
    res = os.path.join(base, "results")
    corpus = os.path.join(base, "corpus")
    venvs = os.path.join(base, "venvs")
    rss = {}
    with open(os.path.join(res, "rss.txt")) as f:
        for line in f:
            name, kb = line.split()
            rss[name] = int(kb)
    ng, k8, mx, big, single = (load(res, g) for g in ("nginx", "k8s", "mixed", "big", "single"))
    o = []
    w = o.append
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    w(f"Measured {now} on {machine()}, with `bench/run.sh` (seed {seed}; hyperfine, mean ± σ, "
      "all timings of one run of the script; each command's output goes to /dev/null).")
    w("")
    versions = [cl_version]
    if ng:
        versions += [
            "gixy-ng " + version([f"{venvs}/gixy-ng/bin/gixy", "--version"]),
            "gixy-next " + version([f"{venvs}/gixy-next/bin/gixy", "--version"]),
            "checkov " + version([f"{venvs}/checkov/bin/checkov", "--version"]),
        ]
    versions.append("hyperfine " + version(["hyperfine", "--version"]))
    w("Versions: " + ", ".join(versions) + ".")
    w("")
    targets = []

    def marginal(d, tool, a, b, na=100, nb=1000):
        return (d[f"{tool}@{b}"]["mean"] - d[f"{tool}@{a}"]["mean"]) / (nb - na)

    for title, d, s1, s2, peers in (
        ("nginx files (same files for every tool)", ng, "nginx-100", "nginx-1000", ["gixy-ng", "gixy-next"]),
        ("Kubernetes YAML (same files for every tool)", k8, "k8s-100", "k8s-1000", ["checkov"]),
    ):
        if not d:
            continue
        n1, b1 = tree_size(os.path.join(corpus, s1))
        n2, b2 = tree_size(os.path.join(corpus, s2))
        w(f"**{title}**: {n1} files ({b1 / 1e6:.1f} MB) and {n2} files ({b2 / 1e6:.1f} MB). "
          "Per file = (wall at 1 000 − wall at 100) / 900, start-up removed; × = that tool's per-file "
          "cost over cors-lint's.")
        w("")
        w("| Tool | 100 files | 1 000 files | per file | × cors-lint per file | wall at 1 000 / cors-lint |")
        w("|---|---|---|---|---|---|")
        cl = marginal(d, "cors-lint", s1, s2)
        for tool in ["cors-lint"] + peers + ["cat"]:
            m = marginal(d, tool, s1, s2)
            ratio = m / cl if cl > 0 else math.inf
            whole = d[f"{tool}@{s2}"]["mean"] / d[f"cors-lint@{s2}"]["mean"]
            label = "`xargs cat >/dev/null` (floor)" if tool == "cat" else tool
            w(f"| {label} | {s_or_ms(d[f'{tool}@{s1}'])} | {s_or_ms(d[f'{tool}@{s2}'])} | "
              f"{m * 1e6:.0f} µs | {ratio:.2f}× | {whole:.2f}× |")
            if tool != "cors-lint" and tool != "cat":
                targets.append((tool, ratio))
        w("")

    if mx:
        w("**Whole-tree lint of mixed files** (TorchServe, nginx, Ingress, HTTPRoute, Istio, Traefik in turn; "
          "a directory walk for cors-lint, `xargs cat` of the same file list for the floor; peak RSS: "
          "`/usr/bin/time -v`, largest of 3 runs).")
        w("")
        w("| Files | MB | `cat` | cors-lint | cors-lint / cat | peak RSS | time vs previous size |")
        w("|---|---|---|---|---|---|---|")
        prev = None
        for n in (100, 1000, 5000, 10000):
            key = f"mixed-{n}"
            if f"cors-lint@{key}" not in mx:
                continue
            nf, nb = tree_size(os.path.join(corpus, key))
            c, l = mx[f"cat@{key}"], mx[f"cors-lint@{key}"]
            grow = ""
            if prev:
                grow = f"{nf / prev[0]:g}× files → {l['mean'] / prev[1]:.2f}× time"
            r = rss.get(f"cors-lint@{key}")
            w(f"| {nf} | {nb / 1e6:.1f} | {s_or_ms(c)} | {s_or_ms(l)} | {l['mean'] / c['mean']:.1f}× | "
              f"{r / 1024:.1f} MiB | {grow} |" if r else
              f"| {nf} | {nb / 1e6:.1f} | {s_or_ms(c)} | {s_or_ms(l)} | {l['mean'] / c['mean']:.1f}× | – | {grow} |")
            prev = (nf, l["mean"])
        w("")

    if big:
        size = os.path.getsize(os.path.join(corpus, "big", "huge.yaml"))
        c, l = big["cat@big"], big["cors-lint@big"]
        w(f"**One {size / 2**20:.0f} MiB file** (a multi-document YAML stream of Ingresses, HTTPRoutes, "
          f"VirtualServices and Middlewares with their Deployments and Services): `cat` {s_or_ms(c)}, "
          f"cors-lint {s_or_ms(l)} ({size / 2**20 / l['mean']:.1f} MiB/s, {l['mean'] / c['mean']:.0f}× cat), "
          f"peak RSS {rss.get('cors-lint@big', 0) / 1024:.0f} MiB.")
        w("")
    if single:
        w("**Single small file** (the pre-commit case; process start included; 50 runs, no shell): "
          f"TorchServe `config.properties` {ms(single['cors-lint@single-properties'])} "
          f"(peak RSS {rss.get('cors-lint@single-properties', 0) / 1024:.1f} MiB), "
          f"a 2-document Ingress manifest {ms(single['cors-lint@single-ingress'])}; "
          f"`cat` of the same file {ms(single['cat@single-properties'])}.")
        w("")
    if any(k.startswith(("gixy", "checkov")) for k in rss):
        w("Peers' peak RSS on 1 000 files: " + ", ".join(
            f"{k.split('@')[0]} {v / 1024:.0f} MiB" for k, v in rss.items() if not k.startswith("cors-lint")
        ) + f" (cors-lint: nginx {rss.get('cors-lint@nginx-1000', 0) / 1024:.0f} MiB, "
          f"Kubernetes {rss.get('cors-lint@k8s-1000', 0) / 1024:.0f} MiB).")
        w("")

    # Targets of issue 9, part 2, judged from this run.
    w("| Target (issue 9) | Measured | Met? |")
    w("|---|---|---|")
    need = {"gixy-next": 50, "gixy-ng": 30, "checkov": 200}
    for tool, ratio in targets:
        w(f"| ≥ {need[tool]}× {tool} per file | {ratio:.1f}× | {'yes' if ratio >= need[tool] else 'no'} |")
    if mx and "cors-lint@mixed-10000" in mx:
        r10 = mx["cors-lint@mixed-10000"]["mean"] / mx["cat@mixed-10000"]["mean"]
        w(f"| 10 000 mixed files within 10× of `cat` | {r10:.1f}× | {'yes' if r10 <= 10 else 'no'} |")
        if "cors-lint@mixed-5000" in mx:
            g = mx["cors-lint@mixed-10000"]["mean"] / mx["cors-lint@mixed-5000"]["mean"]
            w(f"| 2× files → ≤ 2.1× time (5 000 → 10 000) | {g:.2f}× | {'yes' if g <= 2.1 else 'no'} |")
        r = rss.get("cors-lint@mixed-10000", 0) / 1024
        w(f"| peak RSS ≤ 64 MiB on 10 000 files | {r:.1f} MiB | {'yes' if r <= 64 else 'no'} |")
    if single:
        t = max(single["cors-lint@single-properties"]["mean"], single["cors-lint@single-ingress"]["mean"]) * 1000
        w(f"| single-file call ≤ 10 ms | {t:.1f} ms (slower of the two) | {'yes' if t <= 10 else 'no'} |")
    print("\n".join(o))


if __name__ == "__main__":
    main()
