#!/usr/bin/env bash
# Unit tests of the Neovim plugin's pure logic (detection, root dir, settings); no server needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
plugin="$(cd "$here/.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
timeout 60 "${NVIM:-nvim}" --headless --clean -u NONE -n --cmd "set runtimepath^=$plugin" -c "luafile $here/unit.lua" </dev/null
