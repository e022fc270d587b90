//! `qcls explain` and model pairing in `qcls check`, on real models from tests/fixtures.

use std::path::Path;

#[path = "support/cli.rs"]
mod cli;
use cli::{model, qcls};

/// A temp folder with the model as sibling and the config.
fn project(model_name: &str, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        model(model_name),
        dir.path().join("optimized_float_model.onnx"),
    )
    .unwrap();
    std::fs::write(dir.path().join("quant_config.json"), config).unwrap();
    dir
}

fn explain_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["explain", "--format", "json"];
    args.extend_from_slice(extra);
    args.push("quant_config.json");
    let out = qcls(&args, dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (precision, source path, 0-based line) of input `i` of the node named `name`.
fn input(json: &serde_json::Value, name: &str, i: usize) -> (String, Option<String>, Option<u64>) {
    let node = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in output"));
    let input = &node["inputs"][i];
    (
        input["precision"].as_str().unwrap_or("-").to_string(),
        input["source"]["path"].as_str().map(str::to_string),
        input["source"]["line"].as_u64(),
    )
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn resnet18_priority_rules() {
    let config = r#"{
  "model_config": {"all_node_type": "int16", "model_output_type": "int8"},
  "op_config": {"Conv": {"qtype": "float16"}, "Relu": {"qtype": "int32"}},
  "node_config": {
    "/conv1/Conv": {"qtype": "float32", "input1": "ec"},
    "/layer1/layer1.0/conv1/Conv": {"input0": "ec"}
  }
}"#;
    let dir = project("resnet18", config);
    let json = explain_json(dir.path(), &[]);
    assert_eq!(
        json["model"]["reason"],
        "sibling optimized_float_model.onnx"
    );
    // node_config input1 "ec" works on a Conv weight; qtype decides the others (bias too).
    assert_eq!(
        input(&json, "/conv1/Conv", 0),
        (
            "float32".into(),
            s("node_config./conv1/Conv.qtype"),
            Some(4)
        )
    );
    assert_eq!(
        input(&json, "/conv1/Conv", 1),
        ("ec".into(), s("node_config./conv1/Conv.input1"), Some(4))
    );
    assert_eq!(input(&json, "/conv1/Conv", 2).0, "float32");
    // ec on Conv input0 is skipped: op_config decides.
    assert_eq!(
        input(&json, "/layer1/layer1.0/conv1/Conv", 0),
        ("float16".into(), s("op_config.Conv.qtype"), Some(2))
    );
    // An invalid op_config value is skipped: all_node_type decides.
    assert_eq!(
        input(&json, "/relu/Relu", 0),
        ("int16".into(), s("model_config.all_node_type"), Some(1))
    );
    assert_eq!(json["outputs"][0]["tensor"], "output");
    assert_eq!(json["outputs"][0]["precision"], "int8");
    let only = explain_json(dir.path(), &["--only-overridden"]);
    assert_eq!(only["nodes"].as_array().unwrap().len(), 2);
}

#[test]
fn vit_tiny_matmul_ec_and_softmax() {
    let config = r#"{
  "op_config": {"Softmax": {"qtype": "int16"}, "MatMul": {"qtype": "int16"}},
  "node_config": {
    "/encoder/layers/encoder_layer_0/self_attention/MatMul_1": {"input0": "ec", "input1": "int8"},
    "/encoder/layers/encoder_layer_0/self_attention/Softmax": {"qtype": "float16"}
  }
}"#;
    let dir = project("vit_tiny", config);
    let json = explain_json(dir.path(), &[]);
    let mm = "/encoder/layers/encoder_layer_0/self_attention/MatMul_1";
    assert_eq!(input(&json, mm, 0).0, "ec");
    assert_eq!(
        input(&json, mm, 1),
        (
            "int8".into(),
            s(&format!("node_config.{mm}.input1")),
            Some(3)
        )
    );
    assert_eq!(
        input(
            &json,
            "/encoder/layers/encoder_layer_1/self_attention/MatMul_1",
            0
        )
        .1,
        s("op_config.MatMul.qtype")
    );
    assert_eq!(
        input(
            &json,
            "/encoder/layers/encoder_layer_0/self_attention/Softmax",
            0
        )
        .0,
        "float16"
    );
    assert_eq!(
        input(
            &json,
            "/encoder/layers/encoder_layer_1/self_attention/Softmax",
            0
        )
        .0,
        "int16"
    );
    // A node the file does not touch keeps the default.
    let gelu_erf = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["op_type"] == "Erf")
        .unwrap();
    assert_eq!(gelu_erf["inputs"][0]["precision"], "int8");
    assert!(gelu_erf["inputs"][0]["source"].is_null());
}

#[test]
fn table_and_csv_are_readable() {
    let dir = project(
        "resnet18",
        r#"{"node_config": {"/fc/Gemm": {"qtype": "int16"}}}"#,
    );
    let out = qcls(&["explain", "quant_config.json"], dir.path());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with(
        "model: ./optimized_float_model.onnx (sibling optimized_float_model.onnx)\nprofile: nash (default)\nNODE "
    ));
    let gemm = table.lines().find(|l| l.starts_with("/fc/Gemm")).unwrap();
    assert!(
        gemm.contains("int16") && gemm.contains("node_config./fc/Gemm.qtype (line 1)"),
        "{gemm}"
    );
    assert!(table.contains("fc.weight (weight)"));
    let out = qcls(
        &["explain", "--format", "csv", "quant_config.json"],
        dir.path(),
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.contains("/fc/Gemm,Gemm,1,fc.weight,true,int16,node_config./fc/Gemm.qtype,1\n"),
        "{csv}"
    );
}

#[test]
fn explain_without_a_model_says_how_to_pair() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("quant_config.json"), "{}").unwrap();
    let out = qcls(&["explain", "quant_config.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no model is paired") && stderr.contains("qcls-model"),
        "{stderr}"
    );
    let out = qcls(
        &["explain", "--model", "missing.onnx", "quant_config.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.onnx"));
}

#[test]
fn check_reports_the_paired_model_and_checks_names() {
    let dir = project(
        "resnet18",
        "// qcls-model: ./optimized_float_model.onnx\n{\"node_config\": {\"/conv1/Conv \": {}}}",
    );
    let out = qcls(
        &["check", "--format", "json", "quant_config.json"],
        dir.path(),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["files"][0]["model"]["reason"],
        "named by the `// qcls-model:` directive"
    );
    assert_eq!(json["diagnostics"][0]["code"], "unknown-node");
    let out = qcls(&["check", "quant_config.json"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("quant_config.json: model optimized_float_model.onnx (named by the `// qcls-model:` directive)"), "{stdout}");
    // A directive naming a missing file is reported on the directive.
    std::fs::write(
        dir.path().join("quant_config.json"),
        "// qcls-model: gone.onnx\n{\"node_config\": {\"x\": {}}}",
    )
    .unwrap();
    let out = qcls(
        &["check", "--format", "json", "quant_config.json"],
        dir.path(),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "model-not-found");
    assert_eq!(json["diagnostics"][0]["offsets"]["start"], 15);
    // An unreadable model is an error on the keys that need it.
    std::fs::write(dir.path().join("bad.onnx"), b"not a model at all").unwrap();
    let out = qcls(
        &[
            "check",
            "--format",
            "json",
            "--model",
            "bad.onnx",
            "quant_config.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "model-unreadable"));
}

#[test]
fn the_profile_decides_which_values_count() {
    let dir = project(
        "resnet18",
        r#"{"op_config": {"Conv": {"qtype": "float16"}, "Relu": {"qtype": "dual-int16"}},
            "node_config": {"/conv1/Conv": {"qtype": "dual-int16"}}}"#,
    );
    let precision_of = |args: &[&str], node: &str, input: usize| -> (String, String) {
        let mut all = vec!["explain", "--format", "json"];
        all.extend_from_slice(args);
        all.push("quant_config.json");
        let out = qcls(&all, dir.path());
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let node = json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == node)
            .unwrap()
            .clone();
        let i = &node["inputs"][input];
        (
            i["precision"].as_str().unwrap().to_string(),
            json["profile"]["reason"].as_str().unwrap().to_string(),
        )
    };
    // nash: float16 counts, dual-int16 is invalid (skipped).
    let (p, why) = precision_of(&[], "/conv1/Conv", 0);
    assert_eq!((p.as_str(), why.as_str()), ("float16", "nash (default)"));
    // bayes: float16 is invalid too, so the default decides.
    let (p, why) = precision_of(&["--march", "bayes-e"], "/conv1/Conv", 0);
    assert_eq!(p, "int8");
    assert_eq!(why, "bayes (march bayes-e from --march)");
    // hmct 2.8: dual-int16 counts on Conv, not on Relu.
    let (p, _) = precision_of(&["--toolchain", "hmct-2.8"], "/conv1/Conv", 1);
    assert_eq!(p, "dual-int16");
    let (p, _) = precision_of(&["--toolchain", "hmct-2.8"], "/relu/Relu", 0);
    assert_eq!(p, "int8");
    // The table names the profile under the model line.
    let out = qcls(
        &["explain", "--march", "bayes-e", "quant_config.json"],
        dir.path(),
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.lines().nth(1) == Some("profile: bayes (march bayes-e from --march)"),
        "{table}"
    );
}

/// A config with a syntax error is explained as far as it reads, but never as a success.
#[test]
fn a_syntax_error_is_said_and_fails_the_run() {
    let dir = project(
        "resnet18",
        "{\"node_config\": {\"/conv1/Conv\": {\"qtype\": \"int16\"}},,}\n",
    );
    let out = qcls(&["explain", "quant_config.json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("quant_config.json:1: syntax error") && stderr.contains("would refuse"),
        "{stderr}"
    );
    // The table is there, with the setting that could be read.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("/conv1/Conv") && stdout.contains("int16"),
        "{stdout}"
    );
}
