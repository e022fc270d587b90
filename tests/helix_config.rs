//! Checks editors/helix/languages.toml: it parses, declares the `quant-config` language and the
//! `qcls` server the way Helix (23.10+) reads them, and its globs select quant_config files the
//! way Helix matches them.

use std::path::{Path, PathBuf};

fn helix_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/helix")
}

fn load() -> toml::Table {
    let path = helix_dir().join("languages.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()))
}

fn quant_config_language(t: &toml::Table) -> &toml::Table {
    let langs = t["language"].as_array().expect("[[language]] array");
    let found: Vec<&toml::Table> = langs
        .iter()
        .filter_map(|l| l.as_table())
        .filter(|l| l.get("name").and_then(|n| n.as_str()) == Some("quant-config"))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one [[language]] named quant-config"
    );
    found[0]
}

fn globs(lang: &toml::Table) -> Vec<String> {
    lang["file-types"]
        .as_array()
        .expect("file-types is an array")
        .iter()
        .map(|ft| {
            let table = ft
                .as_table()
                .expect("file-types entries are { glob = ... } tables");
            assert_eq!(
                table.len(),
                1,
                "a file-types table has only the glob key: {table:?}"
            );
            table["glob"].as_str().expect("glob is a string").to_owned()
        })
        .collect()
}

/// Matches `path` against `glob` as Helix does: a glob that is not absolute and does not start
/// with `*/` gets `*/` prepended, and is matched against the file's absolute path with globset's
/// defaults, where `*` also matches `/`. Only `*` and `?` are supported here; the test refuses
/// globs with other metacharacters rather than guessing.
fn helix_glob_matches(glob: &str, path: &str) -> bool {
    assert!(
        !glob.contains(['[', ']', '{', '}', '\\']) && !glob.contains("**"),
        "glob {glob:?} uses syntax this test does not model"
    );
    let glob = if glob.starts_with('/') || glob.starts_with("*/") {
        glob.to_owned()
    } else {
        format!("*/{glob}")
    };
    wildcard(glob.as_bytes(), path.as_bytes())
}

fn wildcard(p: &[u8], s: &[u8]) -> bool {
    // Iterative matcher with backtracking to the last `*`.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[test]
fn the_glob_matcher_behaves_like_a_glob_matcher() {
    assert!(wildcard(b"*.json", b"a.json"));
    assert!(wildcard(b"a?c", b"abc"));
    assert!(!wildcard(b"a?c", b"ac"));
    assert!(wildcard(b"*", b""));
    assert!(!wildcard(b"*.json", b"a.jsonc"));
    assert!(wildcard(b"*/x*", b"/a/b/xy"));
    assert!(!wildcard(b"*/x*", b"xy"));
}

#[test]
fn quant_config_language_uses_json_grammar_and_qcls() {
    let t = load();
    let lang = quant_config_language(&t);
    assert_eq!(lang["scope"].as_str(), Some("source.json"));
    assert_eq!(lang["grammar"].as_str(), Some("json"));
    let servers: Vec<&str> = lang["language-servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(servers, ["qcls"]);
    assert_eq!(lang["comment-token"].as_str(), Some("//"));
    let indent = lang["indent"].as_table().expect("indent table");
    let width = indent["tab-width"]
        .as_integer()
        .expect("tab-width is an integer");
    assert!(width > 0);
    let unit = indent["unit"].as_str().expect("unit is a string");
    assert!(
        unit == "\t" || unit == " ".repeat(width as usize),
        "indent unit {unit:?} vs tab-width {width}"
    );
}

#[test]
fn language_uses_only_keys_that_helix_23_10_knows() {
    // Helix rejects the whole file (deny_unknown_fields) when a [[language]] has a key it does
    // not know; these are the keys of Helix 23.10.
    const KNOWN: &[&str] = &[
        "name",
        "scope",
        "file-types",
        "shebangs",
        "roots",
        "comment-token",
        "text-width",
        "soft-wrap",
        "auto-format",
        "formatter",
        "diagnostic-severity",
        "grammar",
        "injection-regex",
        "language-servers",
        "indent",
        "debugger",
        "auto-pairs",
        "rulers",
        "workspace-lsp-roots",
    ];
    let t = load();
    for lang in t["language"].as_array().unwrap() {
        for key in lang.as_table().unwrap().keys() {
            assert!(
                KNOWN.contains(&key.as_str()),
                "[[language]] key {key:?} is unknown to Helix 23.10"
            );
        }
    }
}

#[test]
fn globs_select_quant_config_files_only() {
    let t = load();
    let globs = globs(quant_config_language(&t));
    assert_eq!(globs, ["*quant_config*.json", "*quant_config*.jsonc"]);
    let matches = |path: &str| globs.iter().any(|g| helix_glob_matches(g, path));
    for yes in [
        "/home/u/proj/my_quant_config.json",
        "/home/u/proj/quant_config.json",
        "/w/model/quant_config_int16.json",
        "/w/quant_config.jsonc",
    ] {
        assert!(matches(yes), "{yes} should be a quant-config file");
    }
    for no in [
        "/home/u/proj/package.json",
        "/w/quant_config.yaml",
        "/w/quant_config.json.bak",
        "/w/tsconfig.json",
    ] {
        assert!(!matches(no), "{no} should not be a quant-config file");
    }
}

#[test]
fn qcls_server_is_declared_with_its_settings() {
    let t = load();
    let server = t["language-server"]["qcls"]
        .as_table()
        .expect("[language-server.qcls]");
    assert_eq!(server["command"].as_str(), Some("qcls"));
    if let Some(args) = server.get("args") {
        let args: Vec<&str> = args
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(
            args.is_empty() || args == ["serve"] || args == ["--stdio"],
            "qcls args {args:?}"
        );
    }
    // `config` is sent as initializationOptions; the server accepts {"qcls": {...}} (docs/spec.md, "Documents and settings").
    let settings = server["config"]["qcls"]
        .as_table()
        .expect("config = { qcls = { ... } }");
    for key in settings.keys() {
        assert!(
            ["model", "locale", "diagnostics"].contains(&key.as_str()),
            "unknown qcls setting {key:?}"
        );
    }
    if let Some(locale) = settings.get("locale") {
        assert!(
            ["en", "zh-CN"].contains(&locale.as_str().unwrap()),
            "locale {locale}"
        );
    }
    if let Some(diags) = settings.get("diagnostics") {
        for (code, level) in diags.as_table().expect("diagnostics is a table") {
            let level = level.as_str().unwrap();
            assert!(
                ["error", "warning", "information", "hint", "off"].contains(&level),
                "diagnostics.{code} = {level:?} is not a severity"
            );
        }
    }
}

#[test]
fn highlight_queries_inherit_json() {
    // Helix reads queries by language name, so quant-config needs its own that inherit json's.
    for q in ["highlights.scm", "indents.scm", "textobjects.scm"] {
        let path = helix_dir().join("runtime/queries/quant-config").join(q);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(text.trim(), "; inherits: json", "{}", path.display());
    }
}
