#!/usr/bin/env bash
# Headless Neovim end-to-end test of editors/nvim against the real qcls server.
#   editors/nvim/test/run.sh [PATH_TO_QCLS]        (default: target/release/qcls)
# Needs nvim >= 0.7 on PATH (NVIM=... to use another). Exit status 0 on success.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
plugin="$(cd "$here/.." && pwd)"
repo="$(cd "$plugin/../.." && pwd)"

qcls="${1:-$repo/target/release/qcls}"
case "$qcls" in /*) ;; *) qcls="$PWD/$qcls" ;; esac
nvim="${NVIM:-nvim}"

die() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$qcls" ] || die "qcls binary not found or not executable: $qcls (build it with cargo build --release, or pass its path)"
command -v "$nvim" >/dev/null || die "nvim not found (apt-get install neovim)"

model=""
for m in "$repo/tests/fixtures/models/resnet18/optimized_float_model.onnx" \
         "$repo/../shared/models/resnet18/optimized_float_model.onnx"; do
  if [ -f "$m" ]; then model="$m"; break; fi
done
[ -n "$model" ] || die "resnet18 optimized_float_model.onnx not found (tests/fixtures/models/resnet18/)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
work="$tmp/project"
mkdir -p "$work"
cp "$model" "$work/optimized_float_model.onnx"
# ec on a Conv's input0 has no effect (it works on input1, the weight); int32 is no qtype.
cat > "$work/quant_config.json" <<'JSON'
{
  "node_config": {
    "/conv1/Conv": {
      "input0": "ec"
    },
    "/relu/Relu": {
      "qtype": "int32"
    }
  }
}
JSON
# Served by content (a top-level op_config), not by name; package.json is not served.
printf '{\n  "op_config": {"Softmax": {"qtype": "int16"}}\n}\n' > "$work/pairs.json"
# An hb_compile YAML with its quant_config inline (the lowercase op type is a real mistake).
printf 'model_parameters:\n  march: nash-e\ncalibration_parameters:\n  quant_config: {"op_config": {"softmax": {"qtype": "int16"}}}\n' > "$work/config.yaml"
printf '{"name": "not-a-quant-config", "version": "1.0.0"}\n' > "$work/package.json"

# Keep Neovim's state, logs and swap files out of the user's home.
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export QCLS_BIN="$qcls" QCLS_DIR="$work"

"$here/unit.sh"
echo "nvim: $("$nvim" --version | head -n1); qcls: $qcls; model: $model"
status=0
timeout "${QCLS_E2E_TIMEOUT:-180}" "$nvim" --headless --clean -u NONE -n \
  --cmd "set runtimepath^=$plugin" \
  -c "luafile $here/e2e.lua" </dev/null || status=$?
if [ "$status" -eq 124 ]; then die "timed out"; fi
if [ "$status" -ne 0 ]; then die "the Neovim end-to-end test failed (status $status)"; fi
