//! Snapshots of `qcls check --format json` on every file of ../shared/corpus/real (configs,
//! hb_compile YAMLs, JSON Schemas): what qcls says of each, or that it skips it. The verdicts
//! are explained in docs/fidelity.md. Those files come from other projects and are not copied
//! here; without them the test prints a notice and passes.

use std::path::Path;
use std::process::Command;

#[test]
fn corpus_json_files_snapshot() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!(
            "notice: {} is absent; corpus snapshots skipped",
            corpus.display()
        );
        return;
    };
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n != "SOURCES.md")
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in &files {
        let out = Command::new(env!("CARGO_BIN_EXE_qcls"))
            .args(["check", "--format", "json", file])
            .current_dir(&corpus)
            .output()
            .expect("qcls runs");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{file}: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
        let codes: Vec<&str> = json["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["code"].as_str())
            .collect();
        // The findings the issue names explicitly.
        if file.contains("hash_comments") {
            assert!(codes.contains(&"hash-comment"));
            assert!(json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "unknown-key"
                    && d["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("\"activation\" belongs in \"model_config\"")));
        }
        if file.contains("dit_quant_config") {
            let legacy = json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == "legacy-key");
            let messages: Vec<&str> = legacy.filter_map(|d| d["message"].as_str()).collect();
            assert!(messages.iter().any(|m| m.contains("\"InputType0\"")));
            assert!(messages.iter().any(|m| m.contains("\"InputType1\"")));
        }
        // Files that are not quant_configs are skipped, with the reason.
        let skipped = json["skipped"].as_array().map_or(0, Vec::len);
        // Configs and hb_compile YAMLs are checked; the JSON Schemas and the YAML snippet that
        // is no hb_compile config (no top-level section) are skipped.
        let is_config = !file.contains("schema") && !file.contains("QUANT_CONFIG_fragment");
        assert_eq!(skipped, usize::from(!is_config), "{file}: {stdout}");
        let name = file.trim_end_matches(".json").replace('.', "_");
        insta::assert_snapshot!(format!("corpus_{name}"), stdout);
    }
}
