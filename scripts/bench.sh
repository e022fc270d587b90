#!/usr/bin/env bash
# qcls side by side with onnx.load and vscode-json-language-server (issue 13).
# See BENCHMARKS.md for what is measured and how.
#
#   scripts/bench.sh            full run (inputs are made once and kept; about 15 minutes)
#   scripts/bench.sh --quick    small inputs, few iterations (a minute or two)
#   scripts/bench.sh --only lsp,catches   some parts only (model, lsp, catches)
#
# Installs what it needs under target/bench/ (a virtualenv with onnx, a node_modules with
# vscode-langservers-extracted), never globally. Uses $QCLS, else
# ${CARGO_TARGET_DIR:-target}/release/qcls (built if missing). Results go to
# target/bench/results/<date>/ (JSON, and report.md, which is also printed).
set -euo pipefail

ONNX_VERSION=1.23.2
JSONLS_VERSION=4.10.0

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
QUICK=0
PARTS=model,lsp,catches
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) PARTS=$2; shift ;;
    --only=*) PARTS=${1#--only=} ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
want() { case ",$PARTS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
say() { printf '== %s\n' "$*"; }
START=$(date +%s)

WORK=$ROOT/target/bench
mkdir -p "$WORK"

# ../shared beside the repository: real models, make_big_model.py, real configs.
SHARED=
if [ -d "$ROOT/../shared" ]; then
  SHARED=$(cd "$ROOT/../shared" && pwd)
else
  say "NOTICE: ../shared is absent: skipping the real models, the synthetic models (made by" \
      "../shared/models/make_big_model.py), so the model index comparison and the" \
      "100,000-entry LSP scenario, and the real configs. The rest runs."
fi

# -- qcls ------------------------------------------------------------------------------------
if [ -n "${QCLS:-}" ]; then
  [ -x "$QCLS" ] || { echo "bench.sh: QCLS=$QCLS is not an executable" >&2; exit 2; }
  QCLS=$(cd "$(dirname "$QCLS")" && pwd)/$(basename "$QCLS")
else
  QCLS=${CARGO_TARGET_DIR:-target}/release/qcls
  if [ ! -x "$QCLS" ]; then
    say "building qcls (cargo build --release)"
    cargo build --release
  elif [ -n "$(find src Cargo.toml Cargo.lock -newer "$QCLS" -print -quit)" ]; then
    say "NOTE: sources are newer than $QCLS; run cargo build --release to measure them"
  fi
  QCLS=$(cd "$(dirname "$QCLS")" && pwd)/qcls
fi
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
  COMMIT="$COMMIT (with uncommitted changes)"
fi
say "qcls: $QCLS ($("$QCLS" --version), commit $COMMIT)"

# -- tools -----------------------------------------------------------------------------------
[ -x /usr/bin/time ] || { echo "bench.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
PY=$WORK/venv/bin/python
if ! "$PY" -c "import onnx, sys; sys.exit(onnx.__version__ != '$ONNX_VERSION')" 2>/dev/null; then
  say "installing onnx==$ONNX_VERSION into $WORK/venv"
  python3 -m venv "$WORK/venv"
  "$PY" -m pip install --quiet --disable-pip-version-check "onnx==$ONNX_VERSION"
fi
NODE_DIR=$WORK/node
PKG=$NODE_DIR/node_modules/vscode-langservers-extracted
JSONLS=$PKG/bin/vscode-json-language-server
if [ "$(node -p "require('$PKG/package.json').version" 2>/dev/null)" != "$JSONLS_VERSION" ]; then
  say "installing vscode-langservers-extracted@$JSONLS_VERSION into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  echo '{"private": true}' > "$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund --no-package-lock --save-exact \
    "vscode-langservers-extracted@$JSONLS_VERSION")
fi

# -- inputs ----------------------------------------------------------------------------------
MODELS=$WORK/models
mkdir -p "$MODELS"
SYNTH=()
if [ -n "$SHARED" ] && [ -f "$SHARED/models/make_big_model.py" ]; then
  if [ $QUICK = 1 ]; then sizes="10000:0 10000:100"; else
    sizes="10000:0 10000:100 10000:1024 100000:0 100000:100 100000:1024"; fi
  for s in $sizes; do
    n=${s%:*}; p=${s#*:}; label=$((n / 1000))k_${p}MiB
    out=$MODELS/synth_$label.onnx
    if [ ! -f "$out" ]; then
      say "making $out ($n nodes, $p MiB of weights) with make_big_model.py --verify"
      "$PY" "$SHARED/models/make_big_model.py" "$MODELS/tmp_$label.onnx" --nodes "$n" \
        --payload-mib "$p" --tsv "$MODELS/synth_$label.tsv" --verify > "$MODELS/synth_$label.log"
      mv "$MODELS/tmp_$label.onnx" "$out"
    fi
    SYNTH+=("$label=$out")
  done
fi

RESULTS=$WORK/results/$(date +%Y%m%d-%H%M%S)$([ $QUICK = 1 ] && echo -quick || true)
mkdir -p "$RESULTS"
ln -sfn "$RESULTS" "$WORK/results/latest"

# -- the machine -----------------------------------------------------------------------------
QCLS_VERSION=$("$QCLS" --version) COMMIT=$COMMIT MODE=$([ $QUICK = 1 ] && echo quick || echo full) \
JSONLS_VERSION=$(node -p "require('$PKG/package.json').version") \
JSONLS_SERVICE=$(node -p "require('$NODE_DIR/node_modules/vscode-json-languageservice/package.json').version" 2>/dev/null || echo '?') \
NODE_VERSION=$(node --version) \
"$PY" - "$RESULTS/machine.json" <<'EOF'
import json, os, platform, sys, time
import numpy, onnx
from google import protobuf
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
json.dump({
    "cpu": cpu, "cores": os.cpu_count(), "mem_gib": mem / 2**20,
    "system": f"{platform.system()} {platform.release()}",
    "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    "qcls_version": os.environ["QCLS_VERSION"], "qcls_commit": os.environ["COMMIT"],
    "jsonls_version": os.environ["JSONLS_VERSION"],
    "jsonls_service_version": os.environ["JSONLS_SERVICE"],
    "node_version": os.environ["NODE_VERSION"], "python_version": platform.python_version(),
    "onnx_version": onnx.__version__, "protobuf_version": protobuf.__version__,
    "numpy_version": numpy.__version__, "mode": os.environ["MODE"],
    "date": time.strftime("%Y-%m-%d %H:%M"),
}, open(sys.argv[1], "w"), indent=1)
EOF
say "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(uptime)"

B=$ROOT/scripts/bench
Q=(); [ $QUICK = 1 ] && Q=(--quick)

# -- 1. model index --------------------------------------------------------------------------
if want model; then
  if [ -n "$SHARED" ]; then
    say "1. model index: qcls check --model M against onnx.load (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    "$PY" "$B/model_index.py" "${Q[@]}" --qcls "$QCLS" --python "$PY" \
      --real-models "$SHARED/models" --synthetic "${SYNTH[@]}" --work "$WORK" \
      --out "$RESULTS/model_index.json"
  else
    say "1. model index: skipped (no ../shared)"
  fi
fi

# -- 2. LSP latency and memory ---------------------------------------------------------------
if want lsp; then
  say "2. LSP latency and memory (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  BIG=()
  [ -f "$MODELS/synth_100k_0MiB.onnx" ] && BIG=(--big-model "$MODELS/synth_100k_0MiB.onnx")
  "$PY" "$B/lsp_latency.py" "${Q[@]}" --qcls "$QCLS" --jsonls "$JSONLS" \
    --schema "$ROOT/schemas/quant_config.schema.json" \
    --resnet18 "$ROOT/tests/fixtures/models/resnet18" "${BIG[@]}" --work "$WORK" \
    --out "$RESULTS/lsp_latency.json"
fi

# -- 3. what each catches --------------------------------------------------------------------
if want catches; then
  say "3. what each catches (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  REAL=()
  if [ -n "$SHARED" ] && [ -d "$SHARED/corpus/real" ]; then
    REAL=(--real "$SHARED/corpus/real")
  else
    say "   no ../shared/corpus/real: the real configs are skipped"
  fi
  "$PY" "$B/catches.py" --qcls "$QCLS" --jsonls "$JSONLS" \
    --schema "$ROOT/schemas/quant_config.schema.json" \
    --resnet18 "$ROOT/tests/fixtures/models/resnet18" "${REAL[@]}" --work "$WORK" \
    --out "$RESULTS/catches.json"
fi

"$PY" - "$RESULTS/machine.json" <<'EOF'
import json, os, sys
m = json.load(open(sys.argv[1]))
m["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
json.dump(m, open(sys.argv[1], "w"), indent=1)
EOF
"$PY" "$B/report.py" "$RESULTS" > "$RESULTS/report.md"
cat "$RESULTS/report.md"
say "results: $RESULTS (report.md and the JSON it is made from); $(( $(date +%s) - START )) s"
