#!/usr/bin/env bash
# Benchmark of the precision map on the 100,000-node synthetic model (not in CI; no timed
# assertion anywhere). Writes the model and a config with int16, float16, ec and node_config
# entries (benches/precision_map.rs, which also measures the Rust side), makes the page with the
# release qcls (timed, whole process), then opens it in chromium (bench.mjs): time to the first
# frame, frame times while panning. Results in ${CARGO_TARGET_DIR:-target}/bench/map/.
#
#   tests/map/bench.sh [NODES]      (default 100000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
nodes="${1:-100000}"
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
out="$target_dir/bench/map"
mkdir -p "$out"
say() { printf '== %s\n' "$*"; }

say "release build"
cargo build --release --locked
qcls="$target_dir/release/qcls"

say "the model, the config and the Rust timings (cargo bench --bench precision_map)"
QCLS_MAP_OUT="$out" QCLS_MAP_NODES="$nodes" cargo bench --locked --bench precision_map 2>&1 | tee "$out/rust.txt" \
  | grep -E "nodes,|time:|precision_map_" || true

say "qcls explain --format html, whole process"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "%e s, peak RSS %M KB" "$qcls" explain --format html "$out/quant_config.json" -o "$out/map.html" 2>&1 | tee "$out/cli.txt"
else
  start=$(date +%s%N)
  "$qcls" explain --format html "$out/quant_config.json" -o "$out/map.html"
  echo "$(( ($(date +%s%N) - start) / 1000000 )) ms" | tee "$out/cli.txt"
fi
echo "page: $(wc -c <"$out/map.html") bytes"

say "playwright-core"
if [ ! -d "$here/node_modules/playwright-core" ]; then (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund); fi

say "the page in chromium"
MAP_PAGE="$out/map.html" node "$here/bench.mjs" | tee "$out/browser.json"
