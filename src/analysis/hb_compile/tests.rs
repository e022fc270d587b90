//! hb_compile YAML: the inline quant_config's rules with YAML ranges, the YAML's own keys, the
//! files it names.

use super::*;
use crate::analysis::{fixture_model, ModelStatus};
use crate::model::file_refs;
use crate::syntax::parse_yaml;

fn check(text: &str) -> Vec<Diagnostic> {
    check_hb_compile(&parse_yaml(text), &CheckContext::default(), &[]).diagnostics
}

fn at<'t>(text: &'t str, d: &Diagnostic) -> &'t str {
    &text[d.range.start..d.range.end]
}

#[test]
fn inline_flow_quant_config_gets_the_quant_config_rules() {
    // The model-zoo pattern: JSON-like flow mapping, trailing comma (YAML allows it).
    let text = "calibration_parameters:\n  cal_data_dir: './cal'\n  quant_config: {\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}},}\n";
    let found = check(text);
    let invalid = found
        .iter()
        .find(|d| d.code == Code::InvalidValue)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(at(text, invalid), "\"int32\"");
    assert!(
        found.iter().all(|d| d.code != Code::SyntaxError),
        "{found:#?}"
    );
}

#[test]
fn inline_block_quant_config_gets_the_quant_config_rules() {
    let text = "model_parameters:\n  march: nash-p\ncalibration_parameters:\n  quant_config:\n    model_config:\n      all_node_type: 'int16'\n      default:\n        calibration_type: max\n    node_config:\n      conv1:\n        activation: {}\n";
    let found = check(text);
    let unknown: Vec<&str> = found
        .iter()
        .filter(|d| d.code == Code::UnknownKey)
        .map(|d| at(text, d))
        .collect();
    assert_eq!(unknown, ["default", "activation"], "{found:#?}");
}

#[test]
fn the_yaml_march_picks_the_profile_of_the_inline_config() {
    let text = "model_parameters:\n  march: bayes-e\ncalibration_parameters:\n  quant_config: {\"model_config\": {\"all_node_type\": \"float16\"}}\n";
    let parse = parse_yaml(text);
    let paired = crate::model::pair_hb_compile(
        &crate::model::ConfigRequest {
            model: crate::model::PairingRequest {
                config_path: std::path::Path::new("config.yaml"),
                cli_model: None,
                directive: None,
                setting: None,
                workspace_root: None,
            },
            dialect: Default::default(),
        },
        parse.root.as_ref(),
    );
    let ctx = CheckContext {
        dialect: paired.dialect.clone(),
        ..Default::default()
    };
    let found = check_hb_compile(&parse, &ctx, &[]).diagnostics;
    let invalid = found.iter().find(|d| d.code == Code::InvalidValue).unwrap();
    assert!(
        invalid
            .message
            .contains("profile bayes (march bayes-e from config.yaml)"),
        "{}",
        invalid.message
    );
}

#[test]
fn node_names_are_checked_against_the_model() {
    let m = fixture_model("resnet18");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&m),
        ..Default::default()
    };
    let text = "calibration_parameters:\n  quant_config:\n    node_config:\n      /conv1/Cov: {qtype: int16}\n";
    let found = check_hb_compile(&parse_yaml(text), &ctx, &[]).diagnostics;
    let unknown = found.iter().find(|d| d.code == Code::UnknownNode).unwrap();
    assert_eq!(at(text, unknown), "/conv1/Cov");
    assert!(unknown.message.contains("did you mean \"/conv1/Conv\"?"));
}

#[test]
fn a_yaml_syntax_error_is_a_syntax_error() {
    let found = check("calibration_parameters:\n  quant_config: {\"op_config\": [1, 2\nnext: 1\n");
    assert_eq!(found[0].code, Code::SyntaxError);
    assert!(found[0].message.starts_with("YAML syntax error"));
}

#[test]
fn missing_files_are_reported_where_they_are_named() {
    let text = "model_parameters:\n  onnx_model: ./m.onnx\ncalibration_parameters:\n  cal_data_dir: ./cal\n  quant_config: qc.json\n";
    let parse = parse_yaml(text);
    let refs = file_refs(&parse);
    assert_eq!(refs.len(), 3);
    let missing: Vec<MissingFile> = refs
        .into_iter()
        .map(|file| MissingFile {
            looked_at: format!("/x/{}", file.path),
            file,
        })
        .collect();
    let found = check_hb_compile(&parse, &CheckContext::default(), &missing).diagnostics;
    let files: Vec<(&str, Severity)> = found
        .iter()
        .filter(|d| d.code == Code::FileNotFound)
        .map(|d| (at(text, d), d.severity))
        .collect();
    assert_eq!(
        files,
        [
            ("./m.onnx", Severity::Error),
            ("./cal", Severity::Warning),
            ("qc.json", Severity::Error)
        ]
    );
    assert!(found[0].message.contains("looked for /x/./m.onnx"));
}

#[test]
fn inline_config_is_a_document_of_its_own() {
    let text = "calibration_parameters:\n  quant_config: {}\n";
    assert!(inline_quant_config(&parse_yaml(text)).is_some());
    let text = "calibration_parameters:\n  quant_config: qc.json\n";
    assert!(inline_quant_config(&parse_yaml(text)).is_none());
}

#[test]
fn node_names_written_in_the_yaml_are_checked_against_the_model() {
    let m = fixture_model("resnet18");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&m),
        ..Default::default()
    };
    let text = "model_parameters:\n  node_info: {\"/relu/Relu\": {'ON': 'CPU'}, \"/relu/Relux\": {'ON': 'CPU'}}\ncalibration_parameters:\n  run_on_cpu: '/conv1/Conv;/layer1/layer1.0/conv1/Cnv;'\n  optimization: set_Conv_input_int16,set_softmax_input_int8,set_Softmax_output_int16,set_Conv_input_int4,run_fastt\n";
    let found = check_hb_compile(&parse_yaml(text), &ctx, &[]).diagnostics;
    let by = |code: Code| -> Vec<&str> {
        found
            .iter()
            .filter(|d| d.code == code)
            .map(|d| at(text, d))
            .collect()
    };
    assert_eq!(
        by(Code::UnknownNode),
        ["\"/relu/Relux\"", "/layer1/layer1.0/conv1/Cnv"]
    );
    assert_eq!(by(Code::UnknownOpType), ["set_softmax_input_int8"]);
    assert_eq!(by(Code::OpTypeAbsent), ["set_Softmax_output_int16"]);
    assert_eq!(by(Code::InvalidValue), ["set_Conv_input_int4", "run_fastt"]);
    let unknown = found.iter().find(|d| d.code == Code::UnknownNode).unwrap();
    assert!(
        unknown.message.contains("did you mean \"/relu/Relu\"?"),
        "{}",
        unknown.message
    );
    // Without a model the names cannot be judged; the optimization items still can.
    let found = check(text);
    assert!(found.iter().all(|d| d.code != Code::UnknownNode));
    assert!(found.iter().any(|d| d.code == Code::UnknownOpType));
}

#[test]
fn the_yaml_and_its_quant_config_setting_the_same_thing_overlap() {
    let text = "calibration_parameters:\n  calibration_type: max\n  run_on_cpu: /relu/Relu\n  optimization: set_all_nodes_int16\n  quant_config:\n    model_config:\n      all_node_type: int16\n      activation: {calibration_type: kl}\n    node_config:\n      /relu/Relu: {qtype: float32}\n";
    let found = check(text);
    let overlapping: Vec<&str> = found
        .iter()
        .filter(|d| d.code == Code::OverlappingSetting)
        .map(|d| at(text, d))
        .collect();
    assert_eq!(
        overlapping,
        [
            "calibration_type",
            "/relu/Relu",
            "set_all_nodes_int16",
            "all_node_type",
            "activation",
            "/relu/Relu"
        ],
        "{found:#?}"
    );
    assert!(found
        .iter()
        .filter(|d| d.code == Code::OverlappingSetting)
        .all(|d| d.severity == Severity::Warning));
}

/// A node_config entry that node_info overrides is not said to have no effect for a reason
/// read from the quant_config alone (all_node_type): the overlap says what decides.
#[test]
fn no_effect_does_not_name_a_setting_node_info_overrides() {
    let m = fixture_model("resnet18");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&m),
        ..Default::default()
    };
    let text = "model_parameters:\n  node_info: {'/relu/Relu': {'ON': 'CPU'}}\ncalibration_parameters:\n  quant_config:\n    model_config: {all_node_type: int16}\n    node_config:\n      /relu/Relu: {qtype: int16}\n      /maxpool/MaxPool: {qtype: int16}\n";
    let found = check_hb_compile(&parse_yaml(text), &ctx, &[]).diagnostics;
    let on = |code: Code| -> Vec<&str> {
        found
            .iter()
            .filter(|d| d.code == code)
            .map(|d| at(text, d))
            .collect()
    };
    assert_eq!(on(Code::OverlappingSetting), ["'/relu/Relu'", "/relu/Relu"]);
    // The entry node_info does not touch keeps its no-effect.
    assert_eq!(on(Code::NoEffect), ["/maxpool/MaxPool"], "{found:#?}");
}
