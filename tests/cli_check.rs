//! `qcls check` as a user runs it: exit status, output formats, directories, bad inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod cli;
use cli::qcls;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs")
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn codes_of(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn exit_status_follows_the_worst_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok_quant_config.json"),
        r#"{"model_config": {"all_node_type": "int16"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("warn_quant_config.json"),
        r#"{"op_config": {"Conv": {"InputType": "int8"}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad_quant_config.json"),
        r#"{"op_config": {"Conv": {"qtype": "int32"}}}"#,
    )
    .unwrap();
    assert_eq!(
        qcls(&["check", "ok_quant_config.json"], dir.path())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        qcls(&["check", "warn_quant_config.json"], dir.path())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        qcls(&["check", "bad_quant_config.json"], dir.path())
            .status
            .code(),
        Some(1)
    );
    // 2 wins, and the readable files are still reported.
    let out = qcls(
        &[
            "check",
            "--format",
            "json",
            "bad_quant_config.json",
            "missing.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        codes_of(&json_of(&out)),
        ["model-not-found", "invalid-value"]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("missing.json: cannot read: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn json_output_has_lsp_ranges_and_byte_offsets() {
    let dir = tempfile::tempdir().unwrap();
    // The CJK comment makes UTF-16 characters differ from bytes.
    let text = "{\n  // 量化配置\n  \"op_config\": {\"Conv\": {\"qtype\": \"int32\"}}\n}\n";
    std::fs::write(dir.path().join("quant_config.json"), text).unwrap();
    let out = qcls(
        &["check", "--format", "json", "quant_config.json"],
        dir.path(),
    );
    let json = json_of(&out);
    assert_eq!(json["files"][0]["file"], "quant_config.json");
    assert!(json["files"][0]["model"].is_null());
    let d = &json["diagnostics"][1];
    assert_eq!(d["code"], "invalid-value");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["message"],
        "\"int32\" is not a valid qtype with profile nash (default); expected one of int8, int16, float16, float32"
    );
    let start = text.find("\"int32\"").unwrap();
    assert_eq!(d["offsets"]["start"], start);
    assert_eq!(d["offsets"]["end"], start + 7);
    assert_eq!(d["range"]["start"]["line"], 2);
    assert_eq!(d["range"]["start"]["character"], 34);
    assert_eq!(d["range"]["end"]["character"], 41);
}

#[test]
fn human_output_shows_the_line_a_caret_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quant_config.json"),
        "{\n  \"模型\": 1,\n  \"op_config\": {\"Conv\": {\"qtype\": \"int32\"}}\n}\n",
    )
    .unwrap();
    let out = qcls(&["check", "quant_config.json"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("error[unknown-key]: \"模型\" is not a valid key at the top level"));
    // Columns count characters: "模型" is two characters.
    assert!(stdout.contains("--> quant_config.json:2:3"), "{stdout}");
    assert!(stdout.contains("2 |   \"模型\": 1,"), "{stdout}");
    assert!(stdout.contains("  |   ^^^^\n"), "{stdout}");
    assert!(stdout.contains("--> quant_config.json:3:35"), "{stdout}");
    assert!(
        stdout.contains("                                  ^^^^^^^\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("checked 1 file: 2 errors, 1 info\n"),
        "{stdout}"
    );
}

#[test]
fn directories_are_searched_for_configs() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("my_quant_config.json"), "{}").unwrap();
    std::fs::write(sub.join("tuned.jsonc"), r#"{"node_config": {}}"#).unwrap();
    std::fs::write(sub.join("package.json"), r#"{"name": "x"}"#).unwrap();
    std::fs::write(sub.join("broken.json"), "{").unwrap();
    let out = qcls(&["check", "--format", "json", "."], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let files: Vec<String> = json_of(&out)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, ["./a/b/my_quant_config.json", "./a/b/tuned.jsonc"]);

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = qcls(&["check", "empty"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no quant_config files in this directory")
    );
}

#[test]
fn unreadable_inputs_get_one_clear_line_each() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latin1_quant_config.json"),
        b"{\"a\xe9\": 1}",
    )
    .unwrap();
    std::fs::write(dir.path().join("good_quant_config.json"), "{}").unwrap();
    let out = qcls(
        &[
            "check",
            "latin1_quant_config.json",
            "good_quant_config.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("latin1_quant_config.json: is not UTF-8 text (invalid byte at offset 3)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("checked 1 file: no problems; 1 path could not be read"),
        "{stdout}"
    );
}

/// Each fixture reproduces a problem seen in a real config.
#[test]
fn fixtures_reproduce_real_world_problems() {
    let cases: &[(&str, &[&str])] = &[
        (
            "hash_comments_template.json",
            // Softmax: int16 under all_node_type: int16 needs no model to be seen.
            &[
                "hash-comment",
                "no-effect",
                "hash-comment",
                "unknown-key",
                "hash-comment",
                "unknown-key",
            ],
        ),
        (
            "legacy_keys_quant_config.json",
            &["no-effect", "no-effect", "legacy-key", "legacy-key"],
        ),
        // `softmax` is no op type whatever the model: said without one too.
        (
            "inline_int32_lowercase.json",
            &["unknown-op-type", "invalid-value"],
        ),
        ("inline_trailing_comma.json", &["syntax-error"]),
        (
            "wrong_level_quant_config.json",
            &["unknown-key", "unknown-key"],
        ),
        (
            "yaml_calibration_type_quant_config.json",
            &[
                "invalid-value",
                "invalid-value",
                "legacy-key",
                "invalid-value",
            ],
        ),
    ];
    for (file, expected) in cases {
        let out = qcls(&["check", "--format", "json", file], &fixtures());
        let mut codes = codes_of(&json_of(&out));
        codes.retain(|c| c != "model-not-found");
        // Several `#` comments in a row count once.
        codes.dedup_by(|a, b| a == "hash-comment" && b == "hash-comment");
        assert_eq!(&codes, expected, "{file}");
        insta::assert_snapshot!(
            format!("fixture_{}", file.trim_end_matches(".json")),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let out = qcls(&["schema"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/quant_config.schema.json"),
    )
    .expect("schemas/quant_config.schema.json exists");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        committed,
        "schemas/quant_config.schema.json is stale: run `qcls schema > schemas/quant_config.schema.json`"
    );
}

#[test]
fn files_that_are_not_configs_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quant_config.schema.json"),
        r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        "model_parameters:\n  march: nash-e\ncalibration_parameters:\n  quant_config: {}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.yaml"), "title: x\n").unwrap();
    std::fs::write(
        dir.path().join("quant_config.json"),
        r#"{"op_config": {"Conv": {"qtype": "int32"}}}"#,
    )
    .unwrap();
    let all = ["check", "quant_config.schema.json", "notes.yaml"];
    let out = qcls(&all, dir.path());
    // Nothing was checked, nothing is wrong: exit 0, one line each on stderr.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stderr.contains("quant_config.schema.json: skipped: a JSON Schema"));
    assert!(stderr.contains("notes.yaml: skipped: a YAML file that is not an hb_compile config"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 files skipped"));
    // The exit status is the checked files' own; the hb_compile YAML is checked.
    let out = qcls(&["check", "quant_config.json", "notes.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let out = qcls(
        &[
            "check",
            "--format",
            "json",
            "quant_config.json",
            "config.yaml",
            "notes.yaml",
        ],
        dir.path(),
    );
    let json = json_of(&out);
    assert_eq!(json["files"].as_array().unwrap().len(), 2);
    assert_eq!(json["skipped"][0]["file"], "notes.yaml");
    // A directory is searched for configs and hb_compile YAMLs only.
    let out = qcls(&["check", "--format", "json", "."], dir.path());
    let json = json_of(&out);
    assert_eq!(json["files"].as_array().unwrap().len(), 2, "{json:#}");
}

#[test]
fn march_and_toolchain_choose_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quant_config.json"),
        r#"{"op_config": {"Conv": {"qtype": "float16"}, "MatMul": {"qtype": "dual-int16"}}}"#,
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("quant_config.json");
        let mut json = json_of(&qcls(&args, dir.path()));
        // No model is paired here; only the value checks matter.
        if let Some(list) = json["diagnostics"].as_array_mut() {
            list.retain(|d| d["code"] != "model-not-found");
        }
        json
    };
    let nash = run(&[]);
    assert_eq!(codes_of(&nash), ["invalid-value"]);
    assert_eq!(nash["files"][0]["profile"]["reason"], "nash (default)");
    let bayes = run(&["--march", "bayes-e"]);
    assert_eq!(codes_of(&bayes), ["invalid-value", "invalid-value"]);
    assert_eq!(
        bayes["files"][0]["profile"]["reason"],
        "bayes (march bayes-e from --march)"
    );
    let hmct = run(&["--toolchain", "hmct-2.8"]);
    assert!(codes_of(&hmct).is_empty(), "{hmct:#}");
    // The header of the human output names it too.
    let out = qcls(
        &["check", "--march", "bayes-e", "quant_config.json"],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "quant_config.json: no model paired; profile bayes (march bayes-e from --march)"
        ),
        "{stdout}"
    );
    // A directive in the file, below the command line.
    std::fs::write(
        dir.path().join("quant_config.json"),
        "// qcls-toolchain: hmct-2.8\n{\"op_config\": {\"MatMul\": {\"qtype\": \"dual-int16\"}}}",
    )
    .unwrap();
    assert!(codes_of(&run(&[])).is_empty());
    assert_eq!(codes_of(&run(&["--toolchain", "oe3"])), ["invalid-value"]);
}

/// The README's table of diagnostic codes is the rule data's own text.
#[test]
fn readme_code_table_is_generated_from_the_codes() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let table = qcls::analysis::Code::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's table of diagnostic codes is stale; replace it with:\n\n{table}"
    );
}

/// hb_compile YAML cases, one file per kind of finding: the codes come out in order and
/// the whole JSON report is kept as a snapshot.
#[test]
fn hb_compile_yaml_fixtures_are_checked() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml");
    let cases: &[(&str, &[&str])] = &[
        // Block-style inline config: rules of the quant_config apply inside the YAML.
        (
            "block_inline.yaml",
            &[
                "invalid-value",
                "wrong-type",
                "unknown-key",
                "model-not-found",
            ],
        ),
        (
            "flow_inline.yaml",
            &[
                "file-not-found",
                "unknown-op-type",
                "invalid-value",
                "unknown-key",
                "model-not-found",
                "unknown-op-type",
                "invalid-value",
                "invalid-value",
            ],
        ),
        // The quant_config named by path is found beside the YAML; cal_data_dir is not.
        ("path_form.yaml", &["file-not-found", "out-of-range"]),
        ("typo_sections.yaml", &["unknown-key", "unknown-key"]),
    ];
    for (file, expected) in cases {
        let out = qcls(&["check", "--format", "json", file], &dir);
        assert_eq!(&codes_of(&json_of(&out)), expected, "{file}");
        insta::assert_snapshot!(
            format!("yaml_{}", file.trim_end_matches(".yaml")),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// A FIFO is never opened (it would block until a writer comes): skipped with a note in a
/// directory, an input error when named.
#[cfg(unix)]
#[test]
fn fifos_and_devices_are_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quant_config.json"),
        "{\"model_config\": {\"all_node_type\": \"int16\"}}",
    )
    .unwrap();
    let fifo = dir.path().join("fifo_quant_config.json");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let out = qcls(&["check", "."], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fifo_quant_config.json: skipped: not a regular file"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 file skipped"));
    assert_eq!(out.status.code(), Some(0), "the config itself is clean");
    let out = qcls(&["check", "fifo_quant_config.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    let out = qcls(&["check", "/dev/zero"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn locale_picks_the_language_of_the_messages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quant_config.json"),
        r#"{"model_config": {"all_node_type": "int32"}}"#,
    )
    .unwrap();
    let message = |locale: &str| {
        let out = qcls(
            &[
                "check",
                "--locale",
                locale,
                "--format",
                "json",
                "quant_config.json",
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1));
        json_of(&out)["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message("zh-CN").contains("不是有效的 all_node_type"));
    assert!(message("en").contains("is not a valid all_node_type"));
}

#[test]
fn a_long_line_is_shown_as_a_window_around_each_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    // One line of about 45 KB with an invalid value far into it.
    let mut text =
        String::from("{\"model_config\": {\"all_node_type\": \"int16\"}, \"op_config\": {");
    for i in 0..3_000 {
        text.push_str(&format!("\"Op{i}\": {{}}, "));
    }
    text.push_str("\"Conv\": {\"qtype\": \"int32\"}}}");
    std::fs::write(dir.path().join("quant_config.json"), &text).unwrap();
    let out = qcls(&["check", "quant_config.json"], dir.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let longest = stdout.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 400, "a line of {longest} characters was printed");
    // The window keeps the value and its underline in line.
    let lines: Vec<&str> = stdout.lines().collect();
    let at = 3 + lines
        .iter()
        .position(|l| l.starts_with("error[invalid-value]"))
        .expect("the invalid value is reported");
    assert!(lines[at].contains("| …"), "{}", lines[at]);
    let value_col = lines[at].find("\"int32\"").unwrap();
    let caret_col = lines[at + 1].find('^').unwrap();
    assert_eq!(
        lines[at][..value_col].chars().count(),
        lines[at + 1][..caret_col].chars().count()
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big_quant_config.json");
    // Sparse: its length is all `check` may look at.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(qcls::analysis::MAX_DOCUMENT_BYTES as u64 + 1)
        .unwrap();
    let out = qcls(&["check", "big_quant_config.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("big_quant_config.json: is 16.8 MB; qcls analyses documents up to 16 MB"),
        "{stderr}"
    );
}
