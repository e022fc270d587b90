#!/usr/bin/env bash
# Runs the black-box LSP suite (pytest-lsp) against the release binary:
# $QCLS, else $CARGO_TARGET_DIR/release/qcls, else target/release/qcls.
# Creates .venv in the repo root when it is missing; extra arguments go to pytest.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
req=tests/blackbox/requirements.txt
if [ ! -x .venv/bin/pytest ] || ! cmp -s "$req" .venv/.blackbox-requirements; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" .venv/.blackbox-requirements
fi
export QCLS="${QCLS:-${CARGO_TARGET_DIR:-$repo/target}/release/qcls}"
if [ ! -x "$QCLS" ]; then
  echo "tests/blackbox/run.sh: no qcls binary at $QCLS (cargo build --release first)" >&2
  exit 2
fi
exec .venv/bin/pytest tests/blackbox "$@"
