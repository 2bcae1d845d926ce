#!/usr/bin/env bash
# The cors-lint benchmark (issue 9, part 1): cors-lint side by side with its peers and with
# `cat`, in one run. From the repository root on a fresh Debian machine with the Rust toolchain:
#
#     bench/run.sh
#
# Installs what it needs if missing (apt: hyperfine, time, python3-venv; pip, in venvs under
# target/bench/venvs: gixy-ng 0.2.59, Gixy-Next 0.9.0, checkov 3.3.30), builds cors-lint in
# release, generates the corpora under target/bench/corpus (bench/generate.py, seed
# $BENCH_SEED, default 9), checks that cors-lint reads every generated file, times everything
# with hyperfine and /usr/bin/time -v, and writes the Markdown table to target/bench/results.md
# (raw hyperfine JSON in target/bench/results/). It is not part of the test suite.
#
# Environment: BENCH_SEED (corpus seed), BENCH_MAX_RUNS (hyperfine --max-runs for the
# file-set groups, default 10), BENCH_SKIP_PEERS=1 (cors-lint and cat only, no pip installs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "bench/run.sh: error: $*" >&2; exit 1; }
say() { echo "bench/run.sh: $*" >&2; }

B=target/bench
SEED=${BENCH_SEED:-9}
MAX_RUNS=${BENCH_MAX_RUNS:-10}
SKIP_PEERS=${BENCH_SKIP_PEERS:-0}
CORPUS=$B/corpus
LISTS=$B/lists
RES=$B/results
VENVS=$B/venvs
BIN=$PWD/target/release/cors-lint

# Whatever we start in the background is ours to stop; nothing else is touched.
cleanup() {
  local pids
  pids=$(jobs -p) || true
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
}
trap cleanup EXIT
trap 'die "interrupted"' INT TERM

# ---------------------------------------------------------------- 1. tools
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "$SKIP_PEERS" != 1 ]; then python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  as_root apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found: install the Rust toolchain (see README.md)"

# venv NAME PIP-SPEC CONSOLE-SCRIPT: a venv per tool, reinstalled when the pinned spec changes.
venv() {
  local name=$1 spec=$2 script=$3 dir=$VENVS/$1
  if [ -x "$dir/bin/$script" ] && [ "$(cat "$dir/.bench-spec" 2>/dev/null)" = "$spec" ]; then
    return
  fi
  say "installing $spec into $dir (pip)"
  rm -rf "$dir"
  python3 -m venv "$dir" || die "python3 -m venv $dir failed"
  "$dir/bin/pip" install -q --disable-pip-version-check "$spec" || die "pip install $spec failed"
  echo "$spec" >"$dir/.bench-spec"
}
if [ "$SKIP_PEERS" != 1 ]; then
  venv gixy-ng gixy-ng==0.2.59 gixy
  venv gixy-next Gixy-Next==0.9.0 gixy
  venv checkov checkov==3.3.30 checkov
fi

# ---------------------------------------------------------------- 2. cors-lint
say "building cors-lint (release)"
cargo build --release --locked --quiet --bin cors-lint || die "cargo build --release failed"
[ -x "$BIN" ] || die "$BIN missing after the build"

# ---------------------------------------------------------------- 3. corpora
stamp="seed=$SEED $(sha256sum bench/generate.py | cut -c1-16)"
if [ "$(cat "$CORPUS/.stamp" 2>/dev/null)" != "$stamp" ]; then
  say "generating the corpora under $CORPUS (seed $SEED)"
  rm -rf "$CORPUS" "$LISTS"
  mkdir -p "$CORPUS"
  for spec in nginx:100 nginx:1000 k8s:100 k8s:1000 mixed:100 mixed:1000 mixed:5000 mixed:10000; do
    python3 bench/generate.py --seed "$SEED" --set "${spec%%:*}" --count "${spec#*:}" \
      --out "$CORPUS/${spec%%:*}-${spec#*:}" || die "bench/generate.py failed for $spec"
  done
  python3 bench/generate.py --seed "$SEED" --big-yaml 50 --out "$CORPUS/big/huge.yaml" \
    || die "bench/generate.py --big-yaml failed"
  # One small file for the single-file latency: the first nginx conf and the first Ingress.
  mkdir -p "$CORPUS/single"
  cp "$CORPUS/mixed-100/svc-0000/torchserve-00000.properties" "$CORPUS/single/config.properties"
  cp "$CORPUS/k8s-100/svc-0000/ingress-00000.yaml" "$CORPUS/single/ingress.yaml"
  echo "$stamp" >"$CORPUS/.stamp"
fi
mkdir -p "$LISTS" "$RES"
SETS=(nginx-100 nginx-1000 k8s-100 k8s-1000 mixed-100 mixed-1000 mixed-5000 mixed-10000)
for s in "${SETS[@]}"; do
  (cd "$CORPUS/$s" && find . -type f | LC_ALL=C sort | sed "s#^\./#$CORPUS/$s/#") >"$LISTS/$s.txt"
done

# Every generated file must be read by a front end, or the timings would be meaningless.
say "checking that cors-lint reads every generated file"
for s in "${SETS[@]}" big single; do
  rc=0
  "$BIN" -v --format concise "$CORPUS/$s" >"$RES/check-$s.out" 2>"$RES/check-$s.err" || rc=$?
  [ "$rc" -le 1 ] || die "cors-lint exited $rc on $CORPUS/$s (see $RES/check-$s.err)"
  files=$(find "$CORPUS/$s" -type f | wc -l)
  read_as=$(grep -c 'read as' "$RES/check-$s.err" || true)
  [ "$read_as" -eq "$files" ] \
    || die "cors-lint read $read_as of the $files files under $CORPUS/$s (see $RES/check-$s.err)"
  findings=$(wc -l <"$RES/check-$s.out")
  echo "$s files=$files read=$read_as findings=$findings rc=$rc" >>"$RES/check.txt.new"
done
mv "$RES/check.txt.new" "$RES/check.txt"
cat "$RES/check.txt" >&2

# The peers must parse the files too (an error exit would time an error path).
if [ "$SKIP_PEERS" != 1 ]; then
  say "checking that the peers parse the generated files"
  for t in gixy-ng gixy-next; do
    "$VENVS/$t/bin/gixy" $(head -n 5 "$LISTS/nginx-100.txt") >"$RES/check-$t.out" 2>&1 || true
    grep -q 'Total issues' "$RES/check-$t.out" || die "$t did not analyse the nginx files (see $RES/check-$t.out)"
    ! grep -qiE 'traceback|failed to parse|error:' "$RES/check-$t.out" \
      || die "$t reported an error on the nginx files (see $RES/check-$t.out)"
  done
fi

# ---------------------------------------------------------------- 4. timings
HF=(hyperfine --style basic --ignore-failure)
lint() { echo "$BIN --format concise $1"; }
cat_of() { echo "xargs -a $LISTS/$1.txt cat >/dev/null"; }
L=$LISTS
: >"$RES/hyperfine.log"

# xargs must run each peer once per set, or start-up would be counted several times.
for s in nginx-1000 k8s-1000; do
  [ "$(wc -c <"$LISTS/$s.txt")" -lt 100000 ] || die "$LISTS/$s.txt too long for one xargs call"
done

group() { # NAME HYPERFINE-ARGS... -- (name command)...
  local name=$1; shift
  say "timing: $name"
  "${HF[@]}" --export-json "$RES/$name.json" "$@" 2>&1 | tee -a "$RES/hyperfine.log" >&2 \
    || die "hyperfine failed in group $name"
}

if [ "$SKIP_PEERS" != 1 ]; then
  GN=$VENVS/gixy-ng/bin/gixy GX=$VENVS/gixy-next/bin/gixy CK=$VENVS/checkov/bin/checkov
  group nginx --warmup 1 --min-runs 3 --max-runs "$MAX_RUNS" \
    -n "cat@nginx-100" "$(cat_of nginx-100)" -n "cat@nginx-1000" "$(cat_of nginx-1000)" \
    -n "cors-lint@nginx-100" "$(lint "$CORPUS/nginx-100")" \
    -n "cors-lint@nginx-1000" "$(lint "$CORPUS/nginx-1000")" \
    -n "gixy-ng@nginx-100" "xargs -a $L/nginx-100.txt $GN" \
    -n "gixy-ng@nginx-1000" "xargs -a $L/nginx-1000.txt $GN" \
    -n "gixy-next@nginx-100" "xargs -a $L/nginx-100.txt $GX" \
    -n "gixy-next@nginx-1000" "xargs -a $L/nginx-1000.txt $GX"
  group k8s --warmup 1 --min-runs 3 --max-runs "$MAX_RUNS" \
    -n "cat@k8s-100" "$(cat_of k8s-100)" -n "cat@k8s-1000" "$(cat_of k8s-1000)" \
    -n "cors-lint@k8s-100" "$(lint "$CORPUS/k8s-100")" \
    -n "cors-lint@k8s-1000" "$(lint "$CORPUS/k8s-1000")" \
    -n "checkov@k8s-100" "$CK -d $CORPUS/k8s-100 --skip-download --quiet --compact" \
    -n "checkov@k8s-1000" "$CK -d $CORPUS/k8s-1000 --skip-download --quiet --compact"
fi
group mixed --warmup 1 --min-runs 5 --max-runs "$MAX_RUNS" \
  -n "cat@mixed-100" "$(cat_of mixed-100)" -n "cat@mixed-1000" "$(cat_of mixed-1000)" \
  -n "cat@mixed-5000" "$(cat_of mixed-5000)" -n "cat@mixed-10000" "$(cat_of mixed-10000)" \
  -n "cors-lint@mixed-100" "$(lint "$CORPUS/mixed-100")" \
  -n "cors-lint@mixed-1000" "$(lint "$CORPUS/mixed-1000")" \
  -n "cors-lint@mixed-5000" "$(lint "$CORPUS/mixed-5000")" \
  -n "cors-lint@mixed-10000" "$(lint "$CORPUS/mixed-10000")"
group big --warmup 1 --min-runs 3 --max-runs 5 \
  -n "cat@big" "cat $CORPUS/big/huge.yaml >/dev/null" \
  -n "cors-lint@big" "$(lint "$CORPUS/big/huge.yaml")"
group single --warmup 5 --runs 50 -N \
  -n "cat@single-properties" "cat $CORPUS/single/config.properties" \
  -n "cors-lint@single-properties" "$(lint "$CORPUS/single/config.properties")" \
  -n "cors-lint@single-ingress" "$(lint "$CORPUS/single/ingress.yaml")"

# Peak RSS: /usr/bin/time -v, the largest of three runs.
say "measuring peak RSS"
: >"$RES/rss.txt"
rss_of() { # NAME COMMAND...
  local name=$1 best=0 kb i; shift
  for i in 1 2 3; do
    /usr/bin/time -v -o "$RES/time-v.tmp" "$@" >/dev/null 2>&1 || true
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RES/time-v.tmp")
    [ -n "$kb" ] || die "no RSS from /usr/bin/time -v for $name"
    [ "$kb" -gt "$best" ] && best=$kb
  done
  echo "$name $best" >>"$RES/rss.txt"
}
for s in mixed-100 mixed-1000 mixed-5000 mixed-10000 nginx-1000 k8s-1000; do
  rss_of "cors-lint@$s" "$BIN" --format concise "$CORPUS/$s"
done
rss_of "cors-lint@big" "$BIN" --format concise "$CORPUS/big/huge.yaml"
rss_of "cors-lint@single-properties" "$BIN" --format concise "$CORPUS/single/config.properties"
if [ "$SKIP_PEERS" != 1 ]; then
  rss_of "gixy-ng@nginx-1000" xargs -a "$LISTS/nginx-1000.txt" "$GN"
  rss_of "gixy-next@nginx-1000" xargs -a "$LISTS/nginx-1000.txt" "$GX"
  rss_of "checkov@k8s-1000" "$CK" -d "$CORPUS/k8s-1000" --skip-download --quiet --compact
fi
rm -f "$RES/time-v.tmp"

# ---------------------------------------------------------------- 5. report
python3 bench/report.py "$B" "$SEED" "$("$BIN" --version)" >"$B/results.md" || die "bench/report.py failed"
cat "$B/results.md"
say "results written to $B/results.md"
