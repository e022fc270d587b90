#!/usr/bin/env bash
# Builds the Python wheel of qcls with maturin (pyproject.toml), installs it from the local
# file alone into a fresh venv and runs that venv's `qcls`: --version, `check` on the example,
# and an LSP session over stdio (lsp_smoke.py).
#
# Everything it makes is under $CARGO_TARGET_DIR (else target/)/python-wheel: the build venv
# (kept between runs while it has the pinned maturin), the wheel, and the install venv (made
# anew each run). maturin builds in the same cargo target dir as `cargo build --release`,
# so after that build only the qcls binary is linked again (with -C strip=symbols), which
# also replaces target/release/qcls with the stripped binary: run this after the steps that
# use target/release/qcls.
set -euo pipefail
cd "$(dirname "$0")/../.."

MATURIN_VERSION=1.16.0
PYTHON="${PYTHON:-python3}"
work="${CARGO_TARGET_DIR:-target}/python-wheel"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

fail() { echo "packaging/python/ci.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { "$PYTHON" -c 'import sys; print("%.1f s" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$(now)"; }

# What the wheel must say, from Cargo.toml.
{ read -r version; read -r license; read -r description; } < <(
  cargo metadata --no-deps --format-version 1 --locked | "$PYTHON" -c '
import json, sys
p = next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "qcls")
print(p["version"]); print(p["license"]); print(p["description"])'
)

t0=$(now)
build_venv="$work/build-venv"
if [ "$("$build_venv/bin/maturin" --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ]; then
  rm -rf "$build_venv"
  "$PYTHON" -m venv "$build_venv"
  "$build_venv/bin/pip" install --quiet --disable-pip-version-check --only-binary maturin \
    "maturin==$MATURIN_VERSION"
fi
echo "build venv with maturin $MATURIN_VERSION: $(since "$t0")"

t1=$(now)
rm -rf "$work/wheels"
"$build_venv/bin/maturin" build --release --out "$work/wheels"
echo "maturin build: $(since "$t1")"

shopt -s nullglob
wheels=("$work/wheels"/*.whl)
[ ${#wheels[@]} = 1 ] || fail "expected one wheel in $work/wheels, found ${#wheels[@]}"
wheel="${wheels[0]}"
name="$(basename "$wheel")"
case "$name" in
  "qcls-$version-py3-none-manylinux_"*.whl) ;;
  *) fail "$name: expected qcls-$version-py3-none-manylinux_*.whl" ;;
esac

# The wheel holds the binary and its metadata, which agrees with Cargo.toml.
"$PYTHON" - "$wheel" "$version" "$license" "$description" <<'EOF'
import sys, zipfile
wheel, version, license, description = sys.argv[1:]
z = zipfile.ZipFile(wheel)
names = z.namelist()
data = [n for n in names if ".data/" in n]
if data != ["qcls-%s.data/scripts/qcls" % version]:
    sys.exit("the wheel's data files are %s, expected only the qcls script" % data)
meta = {}
for line in z.read("qcls-%s.dist-info/METADATA" % version).decode().splitlines():
    key, _, value = line.partition(": ")
    meta.setdefault(key, value)
for key, want in [("Version", version), ("License-Expression", license), ("Summary", description)]:
    if meta.get(key) != want:
        sys.exit("%s: %r in the wheel, %r in Cargo.toml" % (key, meta.get(key), want))
size = sum(i.file_size for i in z.infolist())
print("wheel contents: %s (%.1f MiB unpacked)" % (", ".join(names), size / 2**20))
EOF

t2=$(now)
venv="$work/install-venv"
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
echo "fresh venv + pip install --no-index: $(since "$t2")"

t3=$(now)
export PATH="$venv/bin:$PATH"
[ "$(command -v qcls)" = "$venv/bin/qcls" ] || fail "qcls on PATH is $(command -v qcls), not the venv's"

got="$(qcls --version)"
[ "$got" = "qcls $version" ] || fail "qcls --version printed '$got', expected 'qcls $version'"
echo "qcls --version: $got (from $(command -v qcls))"

# The README's example: 3 errors and 5 warnings, with the model beside it paired; exit 1.
example=examples/resnet18/quant_config.json
out="$(qcls check "$example")" && status=0 || status=$?
[ "$status" = 1 ] || { echo "$out"; fail "qcls check $example exited $status, expected 1"; }
grep -q "^$example: model .*(sibling optimized_float_model.onnx)" <<<"$out" \
  || { echo "$out"; fail "qcls check did not pair $example with its model"; }
[ "$(tail -n 1 <<<"$out")" = "checked 1 file: 3 errors, 5 warnings" ] \
  || { echo "$out"; fail "unexpected summary from qcls check $example"; }
echo "qcls check $example: exit 1, $(tail -n 1 <<<"$out")"

"$venv/bin/python" packaging/python/lsp_smoke.py "$venv/bin/qcls" "$example" \
  invalid-value wrong-type unknown-node ec-wrong-input
echo "smoke tests: $(since "$t3")"

echo "wheel: $name, $(stat -c %s "$wheel") bytes; total $(since "$t0")"
