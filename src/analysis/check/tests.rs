//! One test per rule: the document marks the expected range with «…».

use super::*;
use crate::analysis::Severity;
use crate::syntax::parse;

/// Strips the «…» markers and returns the text with the marked ranges.
pub(super) fn marked(src: &str) -> (String, Vec<TextRange>) {
    let mut text = String::new();
    let mut ranges = Vec::new();
    let mut start = None;
    for c in src.chars() {
        match c {
            '«' => start = Some(text.len()),
            '»' => ranges.push(TextRange::new(
                start.take().expect("« before »"),
                text.len(),
            )),
            _ => text.push(c),
        }
    }
    (text, ranges)
}

pub(super) fn diagnostics_with(text: &str, ctx: &CheckContext) -> Vec<Diagnostic> {
    check(text, &parse(text), ctx)
}

pub(super) fn diagnostics(text: &str) -> Vec<Diagnostic> {
    diagnostics_with(text, &CheckContext::default())
}

/// Exactly the marked ranges carry `code`, with `severity`; returns their messages.
#[track_caller]
pub(super) fn expect(src: &str, code: Code, severity: Severity) -> Vec<String> {
    expect_in(src, &CheckContext::default(), code, severity)
}

/// [`expect`] in a given context (a model, a profile).
#[track_caller]
pub(super) fn expect_in(
    src: &str,
    ctx: &CheckContext,
    code: Code,
    severity: Severity,
) -> Vec<String> {
    let (text, ranges) = marked(src);
    let found: Vec<Diagnostic> = diagnostics_with(&text, ctx)
        .into_iter()
        .filter(|d| d.code == code)
        .collect();
    let found_ranges: Vec<TextRange> = found.iter().map(|d| d.range).collect();
    assert_eq!(found_ranges, ranges, "{code:?} in {text}: {found:#?}");
    for d in &found {
        assert_eq!(d.severity, severity, "{}", d.message);
    }
    found.into_iter().map(|d| d.message).collect()
}

#[track_caller]
pub(super) fn none(text: &str, code: Code) {
    let found: Vec<Diagnostic> = diagnostics(text)
        .into_iter()
        .filter(|d| d.code == code)
        .collect();
    assert!(found.is_empty(), "unexpected {code:?}: {found:#?}");
}

const VALID: &str = r#"{
  // every key of the reference page, with valid values
  "model_config": {
    "all_node_type": "int16",
    "model_output_type": "int8",
    "activation": {
      "calibration_type": ["kl", "max"],
      "num_bin": [1024, 2048],
      "max_num_bin": 16384,
      "max_percentile": [0.99995, 1.0],
      "per_channel": [true, false],
      "asymmetric": false
    },
    "weight": {"bias_correction": {"num_sample": 1, "metric": "mse"}},
    "layerwise_search": {"metric": "chebyshev", "topk": 16, "qtype": "int16"},
    "experimental": {"anything": [1, {"goes": true}]}
  },
  /* block comment */
  "op_config": {"Conv": {"qtype": "int8"}, "Softmax": {"qtype": "float16"}},
  "node_config": {"/a/MatMul": {"qtype": "int16", "input0": "ec", "input1": "float32"}},
  "subgraph_config": {"head": {"inputs": ["x"], "outputs": ["y"], "qtype": "int16"}}
}"#;

#[test]
fn a_complete_valid_config_has_only_the_model_notice() {
    let found = diagnostics(VALID);
    assert!(
        found.iter().all(|d| d.code == Code::ModelNotFound),
        "{found:#?}"
    );
    assert_eq!(found.len(), 3);
}

#[test]
fn syntax_error() {
    expect(
        r#"{"model_config": {"all_node_type": "int16"«,»}}"#,
        Code::SyntaxError,
        Severity::Error,
    );
    none(VALID, Code::SyntaxError);
}

#[test]
fn recovery_keeps_checking_after_a_syntax_error() {
    let text = r#"{"op_config": {"Conv": {"qtype": "int8"} "Relu": {"qtype": "int32"}}}"#;
    let found = diagnostics(text);
    assert!(found.iter().any(|d| d.code == Code::SyntaxError));
    assert!(found.iter().any(|d| d.code == Code::InvalidValue));
}

#[test]
fn hash_comment() {
    expect(
        "{\n  \"model_config\": {} «# 注释»\n}",
        Code::HashComment,
        Severity::Error,
    );
    none("{\"op_config\": {\"#Conv\": {}}}", Code::HashComment);
}

#[test]
fn duplicate_key_points_at_the_loser_and_relates_the_winner() {
    let (text, ranges) =
        marked(r#"{"op_config": {"Conv": {«"qtype"»: "int8", "qtype": "int16"}}}"#);
    let found: Vec<_> = diagnostics(&text)
        .into_iter()
        .filter(|d| d.code == Code::DuplicateKey)
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].range, ranges[0]);
    assert_eq!(found[0].severity, Severity::Warning);
    let winner = text.rfind("\"qtype\"").unwrap();
    assert_eq!(
        found[0].related[0].range,
        TextRange::new(winner, winner + 7)
    );
    expect(
        r#"{«"model_config"»: {}, "model_config": {}}"#,
        Code::DuplicateKey,
        Severity::Warning,
    );
    none(
        r#"{"op_config": {"Conv": {"qtype": "int8"}, "Relu": {"qtype": "int8"}}}"#,
        Code::DuplicateKey,
    );
}

#[test]
fn unknown_key_lists_valid_keys_and_suggests() {
    let messages = expect(
        r#"{"model_config": {"activation": {«"calibraton_type"»: "kl"}}}"#,
        Code::UnknownKey,
        Severity::Error,
    );
    assert!(messages[0].contains("expected one of calibration_type, num_bin"));
    assert!(messages[0].contains("did you mean \"calibration_type\"?"));
    let messages = expect(
        r#"{"model_config": {}, «"activation"»: {}, «"layerwise_search"»: {}}"#,
        Code::UnknownKey,
        Severity::Error,
    );
    assert!(messages[0].contains("belongs in \"model_config\""));
    assert!(messages[1].contains("belongs in \"model_config\""));
    // A key in the wrong level (the inline dict of the corpus).
    expect(
        r#"{"node_config": {"/a/Conv": {«"activation"»: {"calibration_type": "kl"}}}}"#,
        Code::UnknownKey,
        Severity::Error,
    );
    none(VALID, Code::UnknownKey);
}

#[test]
fn legacy_key() {
    let messages = expect(
        r#"{"node_config": {"/a/MatMul": {«"InputType0"»: "int16", «"InputType1"»: "int16", «"ON"»: "CPU"}},
            "op_config": {"Softmax": {«"OutputType"»: "int8", «"InputType"»: "int8"}}}"#,
        Code::LegacyKey,
        Severity::Warning,
    );
    assert!(messages[0].contains("use \"input0\""));
    none(VALID, Code::LegacyKey);
}

#[test]
fn legacy_keys_of_node_entries_are_unknown_in_op_config() {
    let messages = expect(
        r#"{"op_config": {"Softmax": {«"ON"»: "CPU", «"InputType0"»: "int16", «"InputType1"»: "int8"}}}"#,
        Code::UnknownKey,
        Severity::Error,
    );
    assert!(
        messages[0].contains("loader rejects it here"),
        "{}",
        messages[0]
    );
    // No fix may suggest a key that is invalid in op_config (`input0` is a node key).
    let found = diagnostics(r#"{"op_config": {"Softmax": {"ON": "CPU", "InputType0": "int16"}}}"#);
    assert!(found.iter().all(|d| d.suggestions.is_empty()), "{found:#?}");
    assert!(found.iter().all(|d| !d.message.contains("use \"input0\"")));
    // And they decide nothing (explain, hover): an op entry with only `ON` sets no precision.
    let parse = parse(r#"{"op_config": {"Add": {"ON": "CPU"}}}"#);
    let settings = crate::analysis::precision::Settings::read(
        parse.root.as_ref(),
        None,
        crate::spec::Profile::Nash,
    );
    assert!(settings.op.is_empty());
}

#[test]
fn wrong_type() {
    let messages = expect(
        r#"{"model_config": {"activation": {
            "num_bin": «"1024"»,
            "max_percentile": «1»,
            "max_num_bin": «[16384]»,
            "per_channel": «"true"»,
            "asymmetric": [true, «0»]
        }}, "op_config": «[]», "node_config": {"/a": «"int8"»}}"#,
        Code::WrongType,
        Severity::Error,
    );
    assert!(messages[0].contains("remove the quotes"));
    assert!(messages[1].contains("write 1.0"));
    assert!(messages[2].contains("not a list"));
    expect(
        r#"{"model_config": {"activation": {"num_bin": «1024.5»}}}"#,
        Code::WrongType,
        Severity::Error,
    );
    expect(r#"«["model_config"]»"#, Code::WrongType, Severity::Error);
    none(VALID, Code::WrongType);
}

#[test]
fn invalid_value_with_special_messages() {
    let messages = expect(
        r#"{"model_config": {"activation": {"calibration_type": [«"default"», "kl", «"load"»]},
            "modelwise_search": {"metric": «"cosine"»}, "all_node_type": «"int32"»},
          "op_config": {"Softmax": {"qtype": «"int32"»}, "Conv": {"qtype": «"Int16"»}}}"#,
        Code::InvalidValue,
        Severity::Error,
    );
    assert!(messages[0].contains("hb_compile YAML"));
    assert!(messages[1].contains("QAT"));
    assert_eq!(
        messages[4],
        "\"int32\" is not a valid qtype with profile nash (default); expected one of int8, int16, float16, float32"
    );
    assert!(messages[5].contains("did you mean \"int16\"?"));
    for special in ["mix", "skip"] {
        let text =
            format!(r#"{{"model_config": {{"activation": {{"calibration_type": "{special}"}}}}}}"#);
        let found = diagnostics(&text);
        assert!(found[0].message.contains("hb_compile YAML"), "{special}");
    }
    // Accepted by the toolchain although undocumented: no diagnostic.
    none(
        r#"{"model_config": {"all_node_type": "float32", "model_output_type": "float32"}}"#,
        Code::InvalidValue,
    );
    none(VALID, Code::InvalidValue);
}

#[test]
fn out_of_range_says_what_the_toolchain_does() {
    let messages = expect(
        r#"{"model_config": {"activation": {"calibration_type": "kl", "num_bin": [«128», 129], "max_num_bin": «200»}}}"#,
        Code::OutOfRange,
        Severity::Warning,
    );
    assert!(messages[0].contains("raises 128 to 129"));
    assert!(messages[1].contains("raises 200 to 258"));
    let messages = expect(
        r#"{"model_config": {"activation": {"calibration_type": "kl", "num_bin": 4096, "max_num_bin": «2048»}}}"#,
        Code::OutOfRange,
        Severity::Warning,
    );
    assert!(messages[0].contains("raises 2048 to 4096"));
    let messages = expect(
        r#"{"model_config": {"activation": {"calibration_type": "max", "max_percentile": [«0.4», 0.5]}}}"#,
        Code::OutOfRange,
        Severity::Warning,
    );
    assert!(messages[0].contains("raises 0.4 to 0.5"));
    expect(
        r#"{"model_config": {"activation": {"calibration_type": "max", "max_percentile": «1.5»},
            "weight": {"bias_correction": {"num_sample": «0»}}}}"#,
        Code::OutOfRange,
        Severity::Error,
    );
    none(VALID, Code::OutOfRange);
    // Without num_bin the default 1024 counts.
    expect(
        r#"{"model_config": {"activation": {"max_num_bin": «512»}}}"#,
        Code::OutOfRange,
        Severity::Warning,
    );
}

#[test]
fn empty_list() {
    expect(
        r#"{"model_config": {"activation": {"calibration_type": «[]», "max_num_bin": «[]»}},
            "subgraph_config": {"s": {"inputs": «[]», "outputs": ["y"]}}}"#,
        Code::EmptyList,
        Severity::Error,
    );
    none(VALID, Code::EmptyList);
}

#[test]
fn ec_misplaced() {
    let messages = expect(
        r#"{"model_config": {"all_node_type": «"ec"»},
            "op_config": {"Conv": {"qtype": «"ec"»}},
            "node_config": {"/a/Conv": {"qtype": «"ec"», "input1": "ec"}}}"#,
        Code::EcMisplaced,
        Severity::Error,
    );
    assert!(messages[0].contains("input0"));
    none(VALID, Code::EcMisplaced);
}

#[test]
fn no_effect_without_a_model() {
    let messages = expect(
        r#"{"model_config": {«"all_node_type"»: "int8", "activation": {"calibration_type": "max",
            «"num_bin"»: 1024, «"max_num_bin"»: 16384}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
    assert!(messages[1].contains("\"kl\""));
    expect(
        r#"{"model_config": {"activation": {"calibration_type": ["kl"], «"max_percentile"»: 0.9}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
    let found = diagnostics(r#"{"model_config": {"all_node_type": "int8"}}"#);
    assert!(found[0].unnecessary);
    // Without calibration_type the toolchain searches methods, so nothing is idle.
    none(
        r#"{"model_config": {"activation": {"num_bin": 1024, "max_percentile": 0.9}}}"#,
        Code::NoEffect,
    );
    none(VALID, Code::NoEffect);
}

#[test]
fn model_not_found_sits_on_the_keys_that_need_a_model() {
    let messages = expect(
        r#"{"model_config": {}, «"op_config"»: {"Conv": {}}, «"node_config"»: {"/a": {}}, "subgraph_config": {}}"#,
        Code::ModelNotFound,
        Severity::Information,
    );
    assert!(messages[0].contains("qcls-model"));
    none(
        r#"{"model_config": {"all_node_type": "int16"}}"#,
        Code::ModelNotFound,
    );
    // With a directive, the directive carries it.
    let text = "// qcls-model: nope.onnx\n{\"op_config\": {\"Conv\": {}}}";
    let ctx = CheckContext {
        directive: Some(TextRange::new(0, 24)),
        model: ModelStatus::Unreadable {
            message: "nope.onnx: no such file".into(),
        },
        ..Default::default()
    };
    let found = diagnostics_with(text, &ctx);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, Code::ModelUnreadable);
    assert_eq!(found[0].range, TextRange::new(0, 24));
}

#[test]
fn severities_can_be_overridden_or_switched_off() {
    let (config, problems) = DiagnosticConfig::from_json(&serde_json::json!({
        "legacy-key": "error", "unknown-key": "off", "nope": "error", "no-effect": "loud"
    }));
    assert_eq!(problems.len(), 2);
    let ctx = CheckContext {
        config,
        ..Default::default()
    };
    let found = diagnostics_with(
        r#"{"op_config": {"Conv": {"InputType": "int8", "bogus": 1}}}"#,
        &ctx,
    );
    let legacy = found.iter().find(|d| d.code == Code::LegacyKey).unwrap();
    assert_eq!(legacy.severity, Severity::Error);
    assert!(found.iter().all(|d| d.code != Code::UnknownKey));
}

// ---- with a model ----

use crate::analysis::fixture_model;

#[track_caller]
pub(super) fn expect_model(src: &str, model: &str, code: Code, severity: Severity) -> Vec<String> {
    let index = fixture_model(model);
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&index),
        ..Default::default()
    };
    expect_in(src, &ctx, code, severity)
}

#[test]
fn a_name_typed_halfway_is_offered_the_names_that_go_on_from_it() {
    let messages = expect_model(
        r#"{"node_config": {«"/layer3/layer3.1/conv"»: {"qtype": "int16"}}}"#,
        "resnet18",
        Code::UnknownNode,
        Severity::Warning,
    );
    assert!(
        messages[0].contains(
            "did you mean \"/layer3/layer3.1/conv1/Conv\", \"/layer3/layer3.1/conv2/Conv\""
        ),
        "{}",
        messages[0]
    );
}

#[test]
fn unknown_node_explains_why() {
    let messages = expect_model(
        r#"{"node_config": {
            «"/layer1/layer1.0/conv1/Conv "»: {"qtype": "int16"},
            «"/LAYER1/layer1.0/conv1/conv"»: {"qtype": "int16"},
            «"/layer1/layer1.0/Constant_4"»: {"qtype": "int16"},
            «"/layer1/layer1.0/conv3/Conv"»: {"qtype": "int16"},
            «"xyz"»: {"qtype": "int16"},
            "/layer1/layer1.0/conv1/Conv": {"qtype": "int16"}
        }}"#,
        "resnet18",
        Code::UnknownNode,
        Severity::Warning,
    );
    assert!(
        messages[0].contains("trailing whitespace; did you mean \"/layer1/layer1.0/conv1/Conv\"?"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("did you mean \"/layer1/layer1.0/conv1/Conv\"?"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("Constant node, which optimization folds away"),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].contains(
            "did you mean \"/layer1/layer1.0/conv1/Conv\", \"/layer1/layer1.0/conv2/Conv\""
        ),
        "{}",
        messages[3]
    );
    assert!(
        messages[4].contains("must match optimized_float_model.onnx"),
        "{}",
        messages[4]
    );
}

#[test]
fn unknown_op_type_and_absent_op_type() {
    let messages = expect_model(
        r#"{"op_config": {«"softmax"»: {"qtype": "int8"}, «"Convv"»: {"qtype": "int16"}, "Conv": {"qtype": "int16"}, "Softmax": {"qtype": "int16"}}}"#,
        "resnet18",
        Code::UnknownOpType,
        Severity::Warning,
    );
    assert!(
        messages[0].contains("did you mean \"Softmax\"?"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("did you mean \"Conv\"?"),
        "{}",
        messages[1]
    );
    expect_model(
        r#"{"op_config": {"softmax": {"qtype": "int8"}, «"Softmax"»: {"qtype": "int16"}, "Conv": {"qtype": "int16"}}}"#,
        "resnet18",
        Code::OpTypeAbsent,
        Severity::Hint,
    );
    // The model's own op types count even when ONNX has no such op.
    expect_model(
        r#"{"op_config": {"Gelu": {"qtype": "int16"}}}"#,
        "cnn_attn_dynamo_extdata",
        Code::UnknownOpType,
        Severity::Warning,
    );
}

#[test]
fn ec_on_the_wrong_input_or_op() {
    let messages = expect_model(
        r#"{"node_config": {
            "/stem/stem.0/Conv": {"input0": «"ec"», "input1": "ec"},
            "/up1/ConvTranspose": {"input0": «"ec"»},
            "/up2/Resize": {"input0": "ec", "input1": «"ec"»},
            "/GridSample": {"input0": "ec"}
        }}"#,
        "bev_unet",
        Code::EcWrongInput,
        Severity::Warning,
    );
    assert!(
        messages[0].contains("on Conv it works on input1 (the weight)"),
        "{}",
        messages[0]
    );
    let messages = expect_model(
        r#"{"node_config": {"/Tanh": {"input0": «"ec"»}, "/Concat": {"input1": «"ec"»}}}"#,
        "bev_unet",
        Code::EcUnsupportedOp,
        Severity::Warning,
    );
    assert!(messages[0].contains("no effect on a Tanh node"));
    expect_model(
        r#"{"node_config": {"/encoder/layers/encoder_layer_0/self_attention/MatMul_1": {"input0": "ec", "input1": "ec"}}}"#,
        "vit_tiny",
        Code::EcWrongInput,
        Severity::Warning,
    );
}

#[test]
fn subgraph_tensors_must_exist() {
    let messages = expect_model(
        r#"{"subgraph_config": {"s": {"inputs": ["input", «"inputt"»], "outputs": [«"/relu/Relu_output"», "output"], "qtype": "int16"}}}"#,
        "resnet18",
        Code::UnknownNode,
        Severity::Warning,
    );
    assert!(messages[0].contains("did you mean \"input\"?"));
}

#[test]
fn entries_equal_to_what_they_inherit_have_no_effect() {
    let messages = expect_model(
        r#"{"model_config": {"all_node_type": "int16"},
            "op_config": {"Relu": {"qtype": "float16"}, «"Add"»: {"qtype": "int16"}},
            "node_config": {
                «"/conv1/Conv"»: {"qtype": "int16"},
                «"/relu/Relu"»: {"qtype": "float16", "input0": "float16"},
                "/layer1/layer1.0/conv1/Conv": {"input1": "int8"},
                "/layer1/layer1.0/relu/Relu": {"qtype": "int16"}
            }}"#,
        "resnet18",
        Code::NoEffect,
        Severity::Hint,
    );
    assert_eq!(
        messages[0],
        "this entry changes nothing: Add nodes already get int16 from model_config.all_node_type"
    );
    assert!(messages[1].contains("already gets int16 from model_config.all_node_type"));
    assert!(messages[2].contains("already gets float16 from op_config.Relu.qtype"));
}

#[test]
fn without_a_model_the_model_checks_are_skipped() {
    none(
        r#"{"node_config": {"nope": {"input0": "ec"}}, "op_config": {"softmax": {}}}"#,
        Code::UnknownNode,
    );
    none(
        r#"{"node_config": {"nope": {"input0": "ec"}}}"#,
        Code::EcUnsupportedOp,
    );
}

#[test]
fn unknown_op_types_need_no_model() {
    // No op type is spelled `softmax`: the file alone shows it (the corpus has it twice).
    let messages = expect(
        r#"{"op_config": {«"softmax"»: {"qtype": "int8"}, "Softmax": {"qtype": "int16"}, "HzLut": {"qtype": "int16"}}}"#,
        Code::UnknownOpType,
        Severity::Warning,
    );
    assert!(
        messages[0].contains("did you mean \"Softmax\"?"),
        "{}",
        messages[0]
    );
    // And it is not also called an entry that changes nothing.
    none(
        r#"{"op_config": {"softmax": {"qtype": "int8"}}}"#,
        Code::NoEffect,
    );
}
