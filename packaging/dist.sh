#!/usr/bin/env bash
# The release artifacts of cors-lint, from ONE optimized build (Cargo profile `dist`):
#   target/x86_64-unknown-linux-gnu/dist/cors-lint    a static Linux binary (glibc, crt-static)
#   target/wheels/cors_lint-VERSION-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
#                                                     the same binary as a Python wheel
# maturin (pip install maturin==1.16.0; MATURIN=/path/to/maturin to use another) runs cargo
# with crt-static for the target only (build scripts and proc macros stay dynamic), then packs
# the binary and checks the wheel against the manylinux2014 policy (`--auditwheel check`: it
# fails instead of bundling libraries). `CARGO_TARGET_DIR` moves `target/`. Extra arguments go
# to `maturin build`. See docs/releasing.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

triple=x86_64-unknown-linux-gnu
target_dir=${CARGO_TARGET_DIR:-target}
wheels=$target_dir/wheels
binary=$target_dir/$triple/dist/cors-lint

# Exactly one wheel of this package in the output directory afterwards.
mkdir -p "$wheels"
rm -f "$wheels"/cors_lint-*.whl

RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static" \
  "${MATURIN:-maturin}" build --locked --profile dist --target "$triple" \
  --compatibility manylinux2014 --auditwheel check --out "$wheels" "$@"

# Static: no program interpreter (PT_INTERP) and no shared library needed.
if readelf --program-headers --wide "$binary" | grep -q INTERP ||
  readelf --dynamic --wide "$binary" | grep -q NEEDED; then
  echo "dist.sh: $binary is not static" >&2
  exit 1
fi
echo "binary: $binary"
echo "wheel: $(ls "$wheels"/cors_lint-*.whl)"
