#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer on the stable toolchain and runs each one for a
# bounded time, all at once, starting from the seeds (tests/fixtures, the real corpus in ../shared when it
# is there, and every input that once failed). Exits non-zero when a target finds a crash, a
# hang or a leak of memory, and says where the input was written.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 60 seconds each, targets text onnx lsp)
#
# Environment: FUZZ_WORK (corpora, logs and crashes; default: fuzz-work in the cargo target
# folder). The corpus grows there from run to run.
#
# No cargo-fuzz: it needs nightly for its sanitizer flags. libfuzzer-sys builds libFuzzer with
# the C++ compiler, and the flags below are the coverage instrumentation cargo-fuzz asks for
# with `--sanitizer none`, all of them stable `-C` options.
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
repo=$(cd .. && pwd)

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(text onnx lsp)

target_dir=${CARGO_TARGET_DIR:-$repo/target}/fuzz
work=${FUZZ_WORK:-${CARGO_TARGET_DIR:-$repo/target}/fuzz-work}
mkdir -p "$work"

export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing"
# The stable toolchain even where nightly is the default; `+stable` only where rustup has a
# toolchain of that name (it would otherwise try to download one).
cargo=(cargo)
if rustup toolchain list 2>/dev/null | grep -q '^stable'; then cargo=(cargo +stable); fi

# An explicit --target keeps the flags off build scripts and proc macros (they would need
# libFuzzer's symbols to link).
host=$(rustc -vV | sed -n 's/^host: //p')
start=$(date +%s)
CARGO_TARGET_DIR="$target_dir" "${cargo[@]}" build --release --locked --target "$host" \
  --manifest-path "$fuzz_dir/Cargo.toml" --bins
echo "fuzz: built in $(( $(date +%s) - start )) s"
bin=$target_dir/$host/release

# The seeds of each target, gathered into one folder (read only by the fuzzer).
seeds() {
  local target=$1 dir=$work/seeds/$1
  rm -rf "$dir" && mkdir -p "$dir"
  local shared=$repo/../shared
  case $target in
    text)
      cp "$repo"/tests/fixtures/configs/*.json "$repo"/tests/fixtures/yaml/* "$dir"/
      cp "$repo"/examples/resnet18/quant_config.json "$dir"/example_quant_config.json
      cp "$repo"/examples/hb_compile/config.yaml "$dir"/example_config.yaml
      if [ -d "$shared/corpus/real" ]; then
        cp "$shared"/corpus/real/*.json "$shared"/corpus/real/*.yaml "$dir"/ 2>/dev/null || true
      fi
      ;;
    onnx)
      for m in "$repo"/tests/fixtures/models/*/*.onnx "$shared"/models/*/*.onnx; do
        [ -f "$m" ] || continue
        # Models over the input size limit would only be cut short.
        [ "$(stat -c %s "$m")" -le 262144 ] || continue
        cp "$m" "$dir/$(basename "$(dirname "$m")").onnx"
      done
      ;;
    lsp)
      # A script line, then a document (see fuzz/src/lsp.rs).
      local i=0 f
      local scripts=(
        "c3,5h3,5a0,0,40,0,1fsFlkx1i0,99"
        "I239o1p c10,8 h10,8 e10,8,10,8,10 p a0,0,99,0,1 x0 i0,500 k d"
        "I1o0e0,0,0,0,12pc1,1h1,1 w0 p h1,1 w1 g1 c2,3 m9 j2 f4 C"
        "I2o2 e1,0,1,3,9 e1,1,1,2,8 c1,2 h1,2 v E40 s F g4 m18 j6 c0,0"
        "I16o3 d e0,0,0,0,14 d n c1,1 S o4 h0,0 m3 m15 j5 f12"
      )
      for f in "$repo"/tests/fixtures/configs/*.json "$repo"/tests/fixtures/yaml/*.yaml; do
        { printf '%s\n' "${scripts[$((i % ${#scripts[@]}))]}"; cat "$f"; } >"$dir/seed$i"
        i=$((i + 1))
      done
      ;;
  esac
  # Inputs that once failed stay seeds.
  cp "$repo"/tests/fixtures/fuzz/"$target"/* "$dir"/ 2>/dev/null || true
  echo "$dir"
}

max_len() {
  case $1 in
    onnx) echo 262144 ;;
    *) echo 65536 ;;
  esac
}

# One run of a target; its exit status is written to $work/$target.status.
fuzz_one() {
  local target=$1 seed_dir corpus artifacts log status=0
  seed_dir=$(seeds "$target")
  corpus=$work/corpus/$target
  artifacts=$work/artifacts/$target
  log=$work/$target.log
  mkdir -p "$corpus" "$artifacts"
  local dict=()
  case $target in
    text | lsp) dict=(-dict="$fuzz_dir/dict/text.dict") ;;
  esac
  echo "fuzz: $target for $seconds s ($(ls "$seed_dir" | wc -l) seeds)"
  # -timeout: one input over 30 s is a hang; -rss_limit_mb: memory out of proportion.
  TMPDIR="$work" "$bin/$target" "$corpus" "$seed_dir" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -max_len="$(max_len "$target")" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${dict[@]}" >"$log" 2>&1 || status=$?
  echo "$status" >"$work/$target.status"
}

report() {
  local target=$1 status
  status=$(cat "$work/$target.status")
  echo "fuzz: $target: $(grep -E '^stat::number_of_executed_units' "$work/$target.log" | awk '{print $2}') executions, $(grep -E '^stat::average_exec_per_sec' "$work/$target.log" | awk '{print $2}')/s, peak RSS $(grep -E '^stat::peak_rss_mb' "$work/$target.log" | awk '{print $2}') MB, corpus $(ls "$work/corpus/$target" | wc -l) inputs"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/$target.log"
    echo "fuzz: $target FAILED (exit $status); the input is in $work/artifacts/$target/"
    echo "      replay: $bin/$target <input>; keep it in tests/fixtures/fuzz/$target/"
    failed+=("$target")
  fi
}

# The targets run side by side: the wall time of the step is that of one target.
failed=()
pids=()
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for target in "${targets[@]}"; do report "$target"; done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in ${targets[*]} ($(( $(date +%s) - start )) s in all)"
