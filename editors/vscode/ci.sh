#!/usr/bin/env bash
# CI for the VS Code extension: install, lint, typecheck, unit tests, build, package, check the .vsix files.
#   qcls.vsix            the plain package: the server is found through qcls.server.path or PATH
#   qcls-linux-x64.vsix  the same plus the server (server/qcls), used when neither has one
# The server bundled is $QCLS_BIN, else the release build that .ci/run makes before this step
# (${CARGO_TARGET_DIR:-target}/release/qcls, relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"

step() { printf '\n== %s\n' "$*"; }

target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
qcls_bin="${QCLS_BIN:-$target_dir/release/qcls}"
if [ ! -x "$qcls_bin" ]; then
  echo "ci.sh: no qcls executable at $qcls_bin to bundle: run 'cargo build --release' first, or set QCLS_BIN" >&2
  exit 1
fi

step "npm ci";     npm ci --no-audit --no-fund
step "lint";       npm run --silent lint
step "typecheck";  npm run --silent typecheck
step "unit tests"; npm test
step "build";      npm run --silent build

step "package qcls.vsix (no server)"
rm -rf server qcls.vsix qcls-linux-x64.vsix
npm run --silent package

step "package qcls-linux-x64.vsix (bundles $qcls_bin)"
trap 'rm -rf server' EXIT
mkdir server
cp "$qcls_bin" server/qcls
# Debug line tables are for developers; users get the symbols (for backtraces) without them.
if command -v strip >/dev/null; then strip --strip-debug server/qcls; fi
chmod 755 server/qcls
npm run --silent package:linux-x64

step "check the .vsix files"
python3 - qcls.vsix qcls-linux-x64.vsix <<'PY'
import json, re, stat, sys, zipfile

def check(vsix, target):
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        required = [
            "extension/package.json",
            "extension/dist/extension.js",
            "extension/language-configuration.json",
            "extension/syntaxes/quant-config.tmLanguage.json",
        ]
        if target:
            required.append("extension/server/qcls")
        missing = [n for n in required if n not in names]
        if missing:
            sys.exit(f"{vsix} lacks {missing}; it has {sorted(names)}")
        stray = [n for n in names if n.startswith("extension/node_modules/") or n.startswith("extension/src/") or n.endswith(".map")]
        if not target:
            stray += [n for n in names if n.startswith("extension/server/")]
        if stray:
            sys.exit(f"{vsix} contains files that should not ship: {stray[:10]}")
        manifest = z.read("extension.vsixmanifest").decode()
        found = re.search(r'TargetPlatform="([^"]*)"', manifest)
        assert (found.group(1) if found else None) == target, f"{vsix}: TargetPlatform {found and found.group(1)}, expected {target}"
        pkg = json.loads(z.read("extension/package.json"))
        # qcls validates; a contributed schema would give VS Code's JSON server a second,
        # profile-blind diagnostic and hover for every key.
        assert "jsonValidation" not in pkg.get("contributes", {}), "no JSON Schema is contributed"
        assert pkg["main"] == "./dist/extension.js", pkg["main"]
        langs = {l["id"]: l for l in pkg["contributes"]["languages"]}
        assert "quant-config" in langs, "the quant-config language is contributed"
        assert "json" not in langs and "jsonc" not in langs, "no file is given to the json/jsonc languages"
        defaults = pkg["contributes"]["configurationDefaults"]["[quant-config]"]
        assert defaults["editor.defaultFormatter"] == f'{pkg["publisher"]}.{pkg["name"]}', defaults
        grammar = json.loads(z.read("extension/syntaxes/quant-config.tmLanguage.json"))
        assert grammar["scopeName"] == "source.quant-config", grammar
        js = z.read("extension/dist/extension.js").decode()
        assert 'require("vscode")' in js, "vscode must stay external"
        assert "vscode-languageclient" not in names, "dependencies are bundled"
        if target:
            info = z.getinfo("extension/server/qcls")
            mode = info.external_attr >> 16
            assert info.create_system == 3 and stat.S_ISREG(mode), f"server/qcls carries no Unix mode ({oct(mode)})"
            assert mode & 0o111 == 0o111, f"server/qcls is not executable in the zip: {oct(mode)}"
            head = z.open(info).read(20)
            assert head[:4] == b"\x7fELF" and head[4] == 2 and int.from_bytes(head[18:20], "little") == 0x3E, \
                "server/qcls is not an x86-64 ELF executable"
            print(f"{vsix}: server/qcls {info.file_size} bytes, mode {oct(mode & 0o7777)}")
        print(f"{vsix}: OK ({len(names)} files)")
        for n in sorted(names):
            print("  " + n)

check(sys.argv[1], None)
check(sys.argv[2], "linux-x64")
PY
