#!/usr/bin/env bash
# End-to-end test of editors/helix against the real qcls server in a real Helix, driven through
# a private tmux server: languages.toml installed as the README says (into a temporary home),
# then diagnostics, hover, quick fixes saved to disk and node name completion, in a quant_config
# paired with the resnet18 model and in an hb_compile YAML.
#   editors/helix/test/run.sh [PATH_TO_QCLS]        (default: target/release/qcls)
# Helix: $HX, else ../shared/tools/hx beside the repository; skipped (exit 0) when there is none.
# Needs tmux (installed with apt-get when missing and possible). Exit status 0 on success.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
helix_dir="$(cd "$here/.." && pwd)"
repo="$(cd "$helix_dir/../.." && pwd)"

die() { echo "FAIL: $*" >&2; exit 1; }

hx="${HX:-$repo/../shared/tools/hx}"
if [ ! -e "$hx" ]; then
  echo "SKIP: Helix end-to-end test: no Helix binary at ../shared/tools/hx beside the repository (set HX=path/to/hx to run it)"
  exit 0
fi
case "$hx" in /*) ;; *) hx="$PWD/$hx" ;; esac
[ -x "$hx" ] || die "$hx is not executable"

qcls="${1:-$repo/target/release/qcls}"
case "$qcls" in /*) ;; *) qcls="$PWD/$qcls" ;; esac
[ -x "$qcls" ] || die "qcls binary not found or not executable: $qcls (build it with cargo build --release, or pass its path)"

if ! command -v tmux >/dev/null && command -v apt-get >/dev/null; then
  echo "tmux not found; installing it with apt-get"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null ||
    { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; } || true
fi
command -v tmux >/dev/null || die "tmux not found (apt-get install tmux)"

model="$repo/tests/fixtures/models/resnet18/optimized_float_model.onnx"
[ -f "$model" ] || die "resnet18 optimized_float_model.onnx not found (tests/fixtures/models/resnet18/)"

timeout_s="${QCLS_HX_TIMEOUT:-15}"
tmp="$(mktemp -d)"
# A private tmux server: its own socket directory and name, no user tmux.conf.
export TMUX_TMPDIR="$tmp"
unset TMUX TMUX_PANE
tm() { tmux -L qcls-helix -f /dev/null "$@"; }
cleanup() {
  tm kill-server >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The user's side, as the README's Helix section says: languages.toml appended to
# ~/.config/helix/languages.toml, the queries copied under ~/.config/helix/runtime/queries/,
# and qcls on PATH.
home="$tmp/home"
mkdir -p "$home/.config/helix/runtime/queries" "$tmp/bin"
cat "$helix_dir/languages.toml" >> "$home/.config/helix/languages.toml"
cp -r "$helix_dir/runtime/queries/quant-config" "$home/.config/helix/runtime/queries/"
ln -s "$qcls" "$tmp/bin/qcls"
# Editor settings of the test itself: diagnostics at the end of their lines (where the test
# reads them), and completion only when asked for with C-x and only from the language server
# (no words from the buffer), so typing and the first completion item are deterministic.
cat > "$home/.config/helix/config.toml" <<'TOML'
[editor]
end-of-line-diagnostics = "hint"
auto-completion = false
word-completion = { enable = false }
TOML

work="$tmp/project"
mkdir -p "$work/compile"
cp "$model" "$work/optimized_float_model.onnx"
# ec on a Conv's input0 has no effect (it works on input1, the weight); int32 is no qtype;
# /layer1/layer1.0/conv2/Cnv is a misspelled node name.
cat > "$work/quant_config.json" <<'JSON'
{
  "node_config": {
    "/conv1/Conv": {"input0": "ec"},
    "/layer1/layer1.0/conv1/Conv": {"qtype": "int32"},
    "/layer2/layer2.0/conv1/Conv": {"qtype": "int16"},
    "/layer1/layer1.0/conv2/Cnv": {"qtype": "int16"}
  }
}
JSON
# An hb_compile YAML with its quant_config inline (op types are case-sensitive).
cat > "$work/compile/config.yaml" <<'YAML'
model_parameters:
  march: nash-e
calibration_parameters:
  quant_config: {"op_config": {"softmax": {"qtype": "int16"}}}
YAML

# Helix runs with only the test's home and bin directory.
hx_env=(env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME -u XDG_CACHE_HOME -u COLORTERM
        HOME="$home" PATH="$tmp/bin:/usr/bin:/bin" LANG=C.UTF-8 LC_ALL=C.UTF-8)

echo "hx: $("${hx_env[@]}" "$hx" --version); qcls: $qcls; tmux: $(tmux -V)"
start=$SECONDS

ok() { echo "ok - $*"; }
fail() {
  local session="$1"; shift
  echo "FAIL: $*" >&2
  if [ -n "$session" ]; then
    echo "--- last screen of the $session session:" >&2
    tm capture-pane -p -t "$session" >&2 || echo "(no screen: the session is gone)" >&2
  fi
  local log="$home/.cache/helix/helix.log"
  if [ -f "$log" ]; then
    echo "--- last lines of helix.log:" >&2
    tail -n 20 "$log" >&2
  fi
  exit 1
}

# --- hx --health -----------------------------------------------------------------------------
health="$("${hx_env[@]}" "$hx" --health quant-config 2>&1 | sed 's/\x1b\[[0-9;]*m//g')" ||
  fail "" "hx --health quant-config failed: $health"
grep -qF "qcls: $tmp/bin/qcls" <<<"$health" ||
  fail "" "hx --health quant-config does not report the qcls server found on PATH:
$health"
grep -qE '^Highlight queries: ✓' <<<"$health" ||
  fail "" "hx --health quant-config does not find the installed highlight queries:
$health"
ok "hx --health quant-config: qcls found at \$tmp/bin/qcls, highlight queries installed"

# --- driving hx ------------------------------------------------------------------------------
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }

# wait_for SESSION WHAT grep-args...: polls the screen until grep matches, else fails with WHAT.
wait_for() {
  local session="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout_s))
  while :; do
    if screen "$session" | grep -q "$@"; then return 0; fi
    [ "$SECONDS" -lt "$deadline" ] || fail "$session" "$what (nothing matched grep $* within ${timeout_s}s)"
    sleep 0.1
  done
}
# wait_gone SESSION WHAT grep-args...: polls until grep no longer matches.
wait_gone() {
  local session="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout_s))
  while screen "$session" | grep -q "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$session" "$what (grep $* still matched after ${timeout_s}s)"
    sleep 0.1
  done
}
# wait_file SESSION FILE WHAT grep-args...: polls FILE's content on disk.
wait_file() {
  local session="$1" file="$2" what="$3"; shift 3
  local deadline=$((SECONDS + timeout_s))
  # Helix saves by renaming a new file over the old one: for a moment there is none.
  until grep -q "$@" "$file" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$session" "$what (grep $* found nothing in the saved file within ${timeout_s}s); the file:
$(cat "$file")"
    sleep 0.1
  done
}
keys() { tm send-keys -t "$1" "${@:2}"; }
text() { tm send-keys -t "$1" -l "$2"; }
# Escape, then wait for normal mode, so that the next key is not read together with the
# escape byte as an Alt chord.
normal_mode() {
  keys "$1" Escape
  wait_for "$1" "back to normal mode after Escape" -E '^ NOR '
}
# Puts the cursor (a one-character selection) on the last character of the first match of
# REGEX after the cursor.
cursor_to() {
  text "$1" "/$2"
  keys "$1" Enter
  keys "$1" '\;'
}
save() {
  text "$1" ":w"
  keys "$1" Enter
}
hx_session() { # NAME DIR FILE
  tm new-session -d -s "$1" -x 160 -y 45 -c "$2" "${hx_env[@]}" "$hx" "$3"
}

# --- quant_config.json -----------------------------------------------------------------------
J=json
hx_session "$J" "$work" quant_config.json
wait_for "$J" "diagnostic invalid-value for \"int32\"" -F '"int32" is not a valid qtype with profile nash'
wait_for "$J" "diagnostic unknown-node for /layer1/layer1.0/conv2/Cnv" \
  -F '"/layer1/layer1.0/conv2/Cnv" is not a node of the model; did you mean'
wait_for "$J" "diagnostic ec-wrong-input for \"input0\": \"ec\"" -F '"ec" has no effect on input0 of a Conv node'
ok "diagnostics: invalid-value, unknown-node, ec-wrong-input"

# Hover (space k) on a node name: the popup lists the node's inputs with their effective
# precision (int16, from its node_config entry); onnx::Conv_208 is its weight's tensor name.
cursor_to "$J" '"/layer2/layer2.0/conv1'
keys "$J" Space k
wait_for "$J" "hover on /layer2/layer2.0/conv1/Conv shows its weight input at int16" -E 'onnx::Conv_208.*int16'
wait_for "$J" "hover on /layer2/layer2.0/conv1/Conv shows its bias input at int16" -E 'onnx::Conv_209.*int16'
normal_mode "$J"
wait_gone "$J" "the hover popup closes" -F 'onnx::Conv_208'
ok "hover on a node name shows its inputs' effective precision (int16)"

# Code action (space a) with the cursor on the key "input0": the diagnostic is on the value "ec",
# so the requested range does not touch it; the fix must still be offered.
keys "$J" g g
cursor_to "$J" '"input0'
keys "$J" Space a
# shellcheck disable=SC2016 # the backquotes are text
wait_for "$J" "space a on \"input0\" offers Move \`ec\` to input1" -F 'Move `ec` to input1'
keys "$J" Enter
wait_for "$J" "the move of ec is applied in the buffer" -F '"/conv1/Conv": {"input1": "ec"}'
wait_gone "$J" "the ec-wrong-input diagnostic goes away" -F '"ec" has no effect on input0'
ok "code action on \"input0\": Move \`ec\` to input1 applied"

# Code action on the misspelled node name: the did-you-mean replacement.
cursor_to "$J" 'conv2/Cnv'
keys "$J" Space a
wait_for "$J" "space a on the misspelled node offers its did-you-mean fix" \
  -F 'Change to "/layer1/layer1.0/conv2/Conv"'
keys "$J" Enter
wait_for "$J" "the node name fix is applied in the buffer" -F '"/layer1/layer1.0/conv2/Conv": {"qtype": "int16"}'
wait_gone "$J" "the unknown-node diagnostic goes away" -F 'is not a node of the model'
save "$J"
wait_file "$J" "$work/quant_config.json" "the saved file has ec moved to input1" -F '"/conv1/Conv": {"input1": "ec"}'
wait_file "$J" "$work/quant_config.json" "the saved file has the node name fixed" \
  -F '"/layer1/layer1.0/conv2/Conv": {"qtype": "int16"}'
ok "code action on the misspelled node name applied; :w saved both fixes"

# Completion (C-x in insert mode) of a node name in a new node_config key.
cursor_to "$J" '"/layer2/layer2.0/conv1'
keys "$J" o
text "$J" '"/layer3/layer3.1/conv'
keys "$J" C-x
wait_for "$J" "C-x offers the model's node names" -E '/layer3/layer3\.1/conv[12]/Conv'
keys "$J" Tab
keys "$J" Enter
wait_for "$J" "the completed node name is in the buffer" -E '"/layer3/layer3\.1/conv[12]/Conv"'
normal_mode "$J"
keys "$J" A
text "$J" ': {"qtype": "int16"},'
normal_mode "$J"
save "$J"
completed='"/layer3/layer3\.1/conv[12]/Conv": \{"qtype": "int16"\},'
wait_file "$J" "$work/quant_config.json" "the saved file has the completed node name" -E "$completed"
# What qcls itself says about the saved file: only the int32 error is left.
report="$("$qcls" check "$work/quant_config.json" 2>&1)" || true
if grep -E '^(error|warning|info|hint)\[' <<<"$report" | grep -vq '^error\[invalid-value\]'; then
  fail "$J" "qcls check of the saved file reports more than the int32 error:
$report"
fi
ok "completion inserted a model node name: $(grep -oE '/layer3/layer3\.1/conv[12]/Conv' "$work/quant_config.json")"

# --- hb_compile YAML -------------------------------------------------------------------------
Y=yaml
hx_session "$Y" "$work/compile" config.yaml
wait_for "$Y" "diagnostic unknown-op-type for softmax in the YAML's inline quant_config" \
  -F '"softmax" is not an ONNX or toolchain op type; did you mean "Softmax"?'
cursor_to "$Y" '"softmax'
keys "$Y" Space a
wait_for "$Y" "space a on softmax offers Change to \"Softmax\"" -F 'Change to "Softmax"'
keys "$Y" Enter
wait_for "$Y" "the op type fix is applied in the buffer" -F '{"op_config": {"Softmax": {"qtype": "int16"}}}'
save "$Y"
wait_file "$Y" "$work/compile/config.yaml" "the saved YAML has the op type fixed" -F '"Softmax"'
ok "hb_compile YAML: unknown-op-type diagnostic, quick fix applied and saved"

echo "Helix end-to-end test passed in $((SECONDS - start))s"
