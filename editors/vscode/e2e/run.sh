#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code: code-server (VS Code's web build,
# served by Node) with the platform .vsix installed, driven through Debian's chromium by
# playwright-core (test.mjs). Installs what it needs on a fresh Debian machine.
#
#   editors/vscode/e2e/run.sh [VSIX]
#
# VSIX defaults to editors/vscode/qcls-linux-x64.vsix (made by editors/vscode/ci.sh); the test
# uses the server bundled in it, as users do (no qcls on PATH, no qcls.server.path).
# Screenshots of failed checks, the code-server and VS Code logs go to the directory printed at
# the end: $QCLS_E2E_ARTIFACTS, else ${CARGO_TARGET_DIR:-target}/e2e-artifacts/vscode.
# node_modules/ here caches code-server and playwright-core between local runs; it is rebuilt
# when package-lock.json or this script's setup changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$here"

# Bump to rebuild node_modules when the setup below changes.
SETUP_VERSION=1

step() { printf '\n-- %s\n' "$*"; }
die() { echo "e2e: $*" >&2; exit 1; }
started=$(date +%s)

vsix="${1:-$root/editors/vscode/qcls-linux-x64.vsix}"
[ -f "$vsix" ] || die "no $vsix: build it with editors/vscode/ci.sh (it needs the release build of qcls)"
vsix="$(cd "$(dirname "$vsix")" && pwd)/$(basename "$vsix")"
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
artifacts="${QCLS_E2E_ARTIFACTS:-$target_dir/e2e-artifacts/vscode}"
model="$root/tests/fixtures/models/resnet18/optimized_float_model.onnx"

step "system packages"
# chromium drives the test; ripgrep stands in for the binary @vscode/ripgrep would download;
# the rest builds code-server's native modules against the installed node's headers.
packages=(chromium ripgrep build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "installed: ${packages[*]}"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium_bin" ] || die "no chromium at $chromium_bin"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || die "code-server 4.100 needs node 20, this is node $(node --version)"
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[ -f "$node_prefix/include/node/node_api.h" ] || die "no node headers in $node_prefix/include/node (needed to build code-server's native modules)"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
node_gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || die "no node-gyp in npm ($node_gyp)"

step "code-server and playwright-core (npm)"
# code-server's postinstall would download ripgrep and prebuilt binaries from GitHub: install
# without scripts and do its steps here (see its postinstall.sh), building against local headers.
stamp="node_modules/.qcls-e2e-setup"
want="$(cat package-lock.json <(echo "setup $SETUP_VERSION node $node_major") | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "cached in $here/node_modules"
else
  t0=$(date +%s)
  rm -rf node_modules
  npm ci --ignore-scripts --no-audit --no-fund
  export npm_config_nodedir="$node_prefix" npm_config_node_gyp="$node_gyp"
  gyp() { (cd "$1" && node "$node_gyp" rebuild --nodedir="$node_prefix" -j "$(nproc)" >build.log 2>&1) || { tail -30 "$1/build.log"; die "building $1 failed"; }; }
  # argon2 (password hashing; loaded even with --auth none)
  (cd node_modules/argon2 && node ../@mapbox/node-pre-gyp/bin/node-pre-gyp rebuild --build-from-source --nodedir="$node_prefix" >build.log 2>&1) \
    || { tail -30 node_modules/argon2/build.log; die "building argon2 failed"; }
  cs="node_modules/code-server/lib/vscode"
  (cd "$cs" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
  for m in @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid; do gyp "$cs/node_modules/$m"; done
  mkdir -p "$cs/node_modules/@vscode/ripgrep/bin"
  cp "$(command -v rg)" "$cs/node_modules/@vscode/ripgrep/bin/rg"
  ln -sfn node_modules "$cs/node_modules.asar"
  ln -sfn code-linux.sh "$cs/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$cs/bin/helpers/browser.sh"
  # (lib/vscode/extensions' own npm install only brings TypeScript for the TypeScript
  # extension, which this test does not use.)
  echo "$want" >"$stamp"
  echo "installed in $(( $(date +%s) - t0 ))s"
fi
code_server=(node "$here/node_modules/code-server/out/node/entry.js")

step "workspace, settings and the extension"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/qcls-e2e.XXXXXX")"
cs_pgid=""
status=1
cleanup() {
  if [ -n "$cs_pgid" ]; then kill -TERM -- "-$cs_pgid" 2>/dev/null || true; fi
  if [ "$status" != 0 ]; then
    mkdir -p "$artifacts"
    cp "$tmp/code-server.log" "$artifacts/" 2>/dev/null || true
    [ -d "$tmp/user/logs" ] && cp -r "$tmp/user/logs" "$artifacts/vscode-logs" 2>/dev/null || true
    echo "e2e: FAILED after $(( $(date +%s) - started ))s; screenshots and logs in $artifacts" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$artifacts"
rm -rf "$artifacts"/*.png "$artifacts"/*.log "$artifacts/vscode-logs"
mkdir -p "$tmp/home" "$tmp/user/User" "$tmp/extensions"
ws="$tmp/workspace"
mkdir -p "$ws/calib"
cp fixtures/quant_config.json "$ws/quant_config.json"
cp fixtures/calib/int16_nodes.json "$ws/calib/int16_nodes.json"
cp fixtures/plain-package.json "$ws/package.json"
cp "$model" "$ws/optimized_float_model.onnx"
cat >"$tmp/user/User/settings.json" <<'JSON'
{
  "files.autoSave": "off",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
  "json.schemaDownload.enable": false,
  "window.confirmBeforeClose": "never"
}
JSON
# code-server reads its config from ~ and takes PATH from the login shell: a home of its own
# and a PATH without cargo's bin keep any qcls the machine has out of the test.
export HOME="$tmp/home" PATH="$(dirname "$(readlink -f "$(command -v node)")"):/usr/local/bin:/usr/bin:/bin"
"${code_server[@]}" --user-data-dir "$tmp/user" --extensions-dir "$tmp/extensions" --install-extension "$vsix" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; die "installing $vsix failed"; }
server_bin="$(echo "$tmp"/extensions/qcls.qcls-*/server/qcls)"
[ -f "$server_bin" ] || die "the installed extension has no server/qcls: $(ls "$tmp"/extensions)"
echo "installed $(basename "$vsix"); server/qcls mode after install: $(stat -c %A "$server_bin")"
[ -x "$server_bin" ] || die "code-server installed server/qcls without its executable bit"
# The expected diagnostics, from the same binary's command line.
(cd "$ws" && "$server_bin" check --format json quant_config.json >"$tmp/expected.json") || [ $? = 1 ] \
  || die "qcls check failed on the fixture"
# The precisions the precision map must show, from the same binary.
(cd "$ws" && "$server_bin" explain --format json quant_config.json >"$tmp/explain.json") \
  || die "qcls explain failed on the fixture"
# Take the exec bit away, as an unzip that drops Unix modes would: the extension must restore it.
chmod a-x "$server_bin"

step "start code-server"
setsid "${code_server[@]}" --bind-addr 127.0.0.1:0 --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
  --user-data-dir "$tmp/user" --extensions-dir "$tmp/extensions" "$ws" >"$tmp/code-server.log" 2>&1 &
cs_pid=$!
cs_pgid="$(ps -o pgid= -p "$cs_pid" | tr -d ' ')"
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's|.*HTTP server listening on \(http://[^ ]*\).*|\1|p' "$tmp/code-server.log" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$cs_pid" 2>/dev/null || { cat "$tmp/code-server.log"; die "code-server exited"; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$tmp/code-server.log"; die "code-server did not say where it listens within 60s"; }
echo "code-server at $url (process group $cs_pgid)"

step "drive VS Code"
set +e
E2E_URL="$url" E2E_WORKSPACE="$ws" E2E_SERVER="$server_bin" E2E_EXPECTED="$tmp/expected.json" E2E_EXPLAIN="$tmp/explain.json" \
  E2E_ARTIFACTS="$artifacts" E2E_CHROMIUM="$chromium_bin" node test.mjs
status=$?
set -e
if [ "$status" = 0 ]; then
  echo "e2e passed in $(( $(date +%s) - started ))s"
fi
exit "$status"
