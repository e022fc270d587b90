//! Messages in Chinese: the same diagnostics as in English (codes, ranges, the names and values
//! they quote), every one of them written in Chinese.

use super::*;
use crate::analysis::{fixture_model, hb_compile::check_hb_compile};
use crate::syntax::{parse, parse_yaml};

/// Configs that between them give every diagnostic the checker writes (syntax errors aside,
/// which quote the JSON text itself).
const CONFIGS: &[&str] = &[
    r#"{
  "model_config": {
    "all_node_type": "int8",
    "model_output_type": "int32",
    "activation": {"calibration_type": "default", "num_bin": 100, "max_num_bin": 200, "max_percentile": 1},
    "weight": {"bias_correction": {"num_sample": "3", "metric": ["cosine"]}},
    "modelwise_search": {"similarity": 1.5},
    "layerwise_search": {"topk": 0, "qtype": []}
  },
  "op_config": {"Conv": {"qtype": "ec"}, "softmax": {"qtype": "int16"}, "Add": {"ON": "CPU"},
                "Relu": {"qtype": "int8"}, "LSTM": {"qtype": "int16"}, "Mul": 3, "Gemm": {"qtype": "dual-int16"}},
  "node_config": {
    "/conv1/Cov": {"input0": "ec"},
    " /relu/Relu": {},
    "/conv1/Conv": {"input0": "ec", "InputType": "int8", "qtype": "int16", "input1": "int16"},
    "/layer1/layer1.0/relu/Relu": {"input1": "int16", "qtype": "flot16", "InputType0": "int16"},
    "/layer1/layer1.0/conv1/Constant_4": {},
    "/maxpool/MaxPool": {"input0": "ec", "ON": "BPU"},
    "/fc/Gemm": {"qtype": "int16-ec"},
    "/layer1/layer1.0/conv2/Conv": {"qtype": "int16", "input0": "int16", "input1": "int16", "input2": "int16"}
  },
  "subgraph_config": {"g": {"inputs": ["nope"], "outputs": [], "qtype": "int16"},
                      "h": {"inputs": ["input"], "outputs": "input"},
                      "k": {"inputs": ["/fc/Gemm_output_0"], "outputs": ["input"], "qtype": "int16"},
                      "m": 1},
  "activation": {},
  "bogus": 1
}"#,
    r#"[1]"#,
    r#"{"model_config": {"activation": {"calibration_type": ["max", 3], "num_bin": 1024.5, "per_channel": "true", "max_percentile": 0.2}},
        "node_config": {"/conv1/Conv": {"qtype": "int16"}, "/conv1/Conv": {"qtype": "int8"}}}"#,
];

fn diagnostics_in(text: &str, locale: Locale) -> Vec<Diagnostic> {
    let model = fixture_model("resnet18");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&model),
        locale,
        ..CheckContext::default()
    };
    check(text, &parse(text), &ctx)
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The `"…"` parts of a message: the names and values it quotes.
fn quoted(message: &str) -> Vec<&str> {
    message.split('"').skip(1).step_by(2).collect()
}

fn assert_same_in_chinese(en: &[Diagnostic], zh: &[Diagnostic]) {
    assert_eq!(en.len(), zh.len());
    for (e, z) in en.iter().zip(zh) {
        assert_eq!(
            (e.code, e.range),
            (z.code, z.range),
            "{} / {}",
            e.message,
            z.message
        );
        assert!(
            z.message.chars().any(is_cjk),
            "not in Chinese: {}",
            z.message
        );
        let (mut qe, mut qz) = (quoted(&e.message), quoted(&z.message));
        qe.sort_unstable();
        qz.sort_unstable();
        assert_eq!(qe, qz, "\n{}\n{}", e.message, z.message);
        for (re, rz) in e.related.iter().zip(&z.related) {
            assert!(
                rz.message.chars().any(is_cjk),
                "not in Chinese: {}",
                rz.message
            );
            assert_eq!(re.range, rz.range);
        }
    }
}

#[test]
fn every_quant_config_message_has_a_chinese_text() {
    let mut codes = std::collections::BTreeSet::new();
    for text in CONFIGS {
        let en = diagnostics_in(text, Locale::En);
        let zh = diagnostics_in(text, Locale::Zh);
        assert_same_in_chinese(&en, &zh);
        codes.extend(en.iter().map(|d| d.code.as_str()));
    }
    // The configs above reach every code but the syntax ones and those of the YAML.
    for code in [
        "duplicate-key",
        "unknown-key",
        "legacy-key",
        "wrong-type",
        "invalid-value",
        "out-of-range",
        "empty-list",
        "ec-misplaced",
        "ec-wrong-input",
        "ec-unsupported-op",
        "unknown-node",
        "unknown-op-type",
        "op-type-absent",
        "no-effect",
    ] {
        assert!(codes.contains(code), "{code} not reached: {codes:?}");
    }
}

#[test]
fn model_messages_in_chinese() {
    let text = r#"{"node_config": {"/conv1/Conv": {}}}"#;
    let ctx = CheckContext {
        locale: Locale::Zh,
        ..CheckContext::default()
    };
    let found = check(text, &parse(text), &ctx);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.starts_with("没有配对的模型"),
        "{}",
        found[0].message
    );
}

#[test]
fn hb_compile_yaml_messages_in_chinese() {
    let yaml = "model_parameters:\n  march: nash-e\n  typo_key: 1\ncalibration_parameters:\n  calibration_type: kll\n  max_percentile: 2\n  optimization: set_Conv_input_int9;set_Foo_input_int16;bogus\n  quant_config: {model_config: {all_node_type: int16}, op_config: {softmax: {qtype: int32}}}\ncompiler_parameters:\n  optimize_level: [1]\nbogus_section: {}\n";
    let parse = parse_yaml(yaml);
    let checked = |locale| {
        let ctx = CheckContext {
            locale,
            ..CheckContext::default()
        };
        check_hb_compile(&parse, &ctx, &[]).diagnostics
    };
    let (en, zh) = (checked(Locale::En), checked(Locale::Zh));
    assert!(en.len() >= 6, "{en:?}");
    assert_same_in_chinese(&en, &zh);
}
