#!/usr/bin/env bash
# Browser test of the precision map page (qcls explain --format html) in Debian's chromium,
# driven by playwright-core (test.mjs): the resnet18 and vit_tiny pictures render every node in
# the colour `qcls explain --format json` gives it, the legend counts them, search and clicks
# work, and nothing is fetched. Installs what it needs on a fresh Debian machine.
#
#   tests/map/run.sh [QCLS]
#
# QCLS defaults to ${CARGO_TARGET_DIR:-target}/release/qcls (cargo build --release). On failure,
# screenshots, the pages and the browser console go to $QCLS_MAP_ARTIFACTS, else
# ${CARGO_TARGET_DIR:-target}/e2e-artifacts/map. node_modules/ here caches playwright-core; it is
# rebuilt when package-lock.json changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# A QCLS given as a relative path is relative to where we were called from (.ci/run passes
# target/release/qcls from the repository's root).
qcls_arg="${1:-}"
case "$qcls_arg" in ""|/*) ;; *) qcls_arg="$PWD/$qcls_arg" ;; esac
cd "$here"

step() { printf '\n-- %s\n' "$*"; }
die() { echo "map test: $*" >&2; exit 1; }
started=$(date +%s)

target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
qcls="${qcls_arg:-$target_dir/release/qcls}"
[ -x "$qcls" ] || die "no $qcls: build it with cargo build --release, or pass the qcls to test"
qcls="$(cd "$(dirname "$qcls")" && pwd)/$(basename "$qcls")"
artifacts="${QCLS_MAP_ARTIFACTS:-$target_dir/e2e-artifacts/map}"

step "system packages"
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  command -v apt-get >/dev/null || die "chromium is missing and there is no apt-get to install it"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium_bin" ] || die "no chromium at $chromium_bin"
command -v node >/dev/null || die "node is missing (playwright-core needs node 20 or later)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "playwright-core needs node 20 or later, this is node $(node --version)"
echo "chromium: $("$chromium_bin" --version 2>/dev/null | head -1); node $(node --version)"

step "playwright-core (npm, into $here/node_modules)"
stamp="node_modules/.qcls-map-setup"
want="$(cat package-lock.json <(echo "node $node_major") | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "cached"
else
  rm -rf node_modules
  npm ci --ignore-scripts --no-audit --no-fund
  echo "$want" >"$stamp"
fi

step "pages ($("$qcls" --version))"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/qcls-map.XXXXXX")"
status=1
cleanup() {
  if [ "$status" != 0 ]; then
    mkdir -p "$artifacts"
    cp "$tmp"/*.html "$tmp"/*.json "$artifacts/" 2>/dev/null || true
    echo "map test: FAILED after $(( $(date +%s) - started ))s; screenshots, pages and logs in $artifacts" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$artifacts"
rm -f "$artifacts"/*.png "$artifacts"/*.log "$artifacts"/*.html "$artifacts"/*.json
cases=(
  "resnet18 $root/tests/fixtures/models/resnet18/optimized_float_model.onnx $root/examples/resnet18/islands_quant_config.json"
  "vit_tiny $root/tests/fixtures/models/vit_tiny/optimized_float_model.onnx $root/tests/map/fixtures/vit_tiny_quant_config.json"
)
names=()
for c in "${cases[@]}"; do
  read -r name model config <<<"$c"
  "$qcls" explain --format json --model "$model" "$config" >"$tmp/$name.json"
  "$qcls" explain --format html --model "$model" "$config" -o "$tmp/$name.html"
  cp "$config" "$tmp/$name.config.json"
  echo "$name: $(wc -c <"$tmp/$name.html") bytes"
  names+=("$name")
done

step "drive chromium"
set +e
MAP_DIR="$tmp" MAP_CASES="${names[*]}" MAP_ARTIFACTS="$artifacts" MAP_CHROMIUM="$chromium_bin" node test.mjs
status=$?
set -e
[ "$status" = 0 ] && echo "map test passed in $(( $(date +%s) - started ))s"
exit "$status"
