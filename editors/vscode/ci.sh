#!/usr/bin/env bash
# CI for the VS Code extension: install, lint, typecheck, unit tests, build, package, check the .vsix.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "npm ci";     npm ci --no-audit --no-fund
step "lint";       npm run --silent lint
step "typecheck";  npm run --silent typecheck
step "unit tests"; npm test
step "build";      npm run --silent build
step "package";    rm -f qcls.vsix; npm run --silent package

step "check qcls.vsix"
python3 - qcls.vsix <<'PY'
import json, sys, zipfile
vsix = sys.argv[1]
with zipfile.ZipFile(vsix) as z:
    names = set(z.namelist())
    required = ["extension/package.json", "extension/dist/extension.js"]
    missing = [n for n in required if n not in names]
    if missing:
        sys.exit(f"{vsix} lacks {missing}; it has {sorted(names)}")
    stray = [n for n in names if n.startswith("extension/node_modules/") or n.startswith("extension/src/") or n.endswith(".map")]
    if stray:
        sys.exit(f"{vsix} contains files that should not ship: {stray[:10]}")
    pkg = json.loads(z.read("extension/package.json"))
    # qcls validates; a contributed schema would give VS Code's JSON server a second,
    # profile-blind diagnostic and hover for every key.
    assert "jsonValidation" not in pkg.get("contributes", {}), "no JSON Schema is contributed"
    assert pkg["main"] == "./dist/extension.js", pkg["main"]
    js = z.read("extension/dist/extension.js").decode()
    assert 'require("vscode")' in js, "vscode must stay external"
    assert "vscode-languageclient" not in names, "dependencies are bundled"
    print(f"{vsix}: OK ({len(names)} files)")
    for n in sorted(names):
        print("  " + n)
PY
