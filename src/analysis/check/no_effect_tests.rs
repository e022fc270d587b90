//! The rules about settings the toolchain accepts but that change nothing, keys it accepts,
//! and its own op types.

use super::tests::{diagnostics, diagnostics_with, expect, expect_model, none};
use super::*;
use crate::analysis::{fixture_model, Severity};

// ---- settings that change nothing (no-effect sits on the key) ----

#[test]
fn no_effect_modelwise_search_beside_layerwise_search() {
    let messages = expect(
        r#"{"model_config": {«"modelwise_search"»: {"metric": "mse"}, "layerwise_search": {"metric": "mse"}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
    assert!(messages[0].contains("layerwise"), "{}", messages[0]);
    none(
        r#"{"model_config": {"modelwise_search": {"metric": "mse"}}}"#,
        Code::NoEffect,
    );
}

#[test]
fn no_effect_op_entry_equal_to_all_node_type_without_a_model() {
    let messages = expect(
        r#"{"model_config": {"all_node_type": "int16"},
            "op_config": {«"Softmax"»: {"qtype": "int16"}, "Conv": {"qtype": "int8"}, «"Add"»: {"InputType": "int16"}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
    assert_eq!(
        messages[0],
        "this entry changes nothing: Softmax nodes already get int16 from model_config.all_node_type"
    );
    // Without all_node_type, the default int8 is what an op entry inherits.
    expect(
        r#"{"op_config": {«"Mul"»: {"qtype": "int8"}, "Add": {"qtype": "int16"}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
}

#[test]
fn no_effect_subgraph_without_qtype() {
    let messages = expect(
        r#"{"subgraph_config": {«"head"»: {"inputs": ["x"], "outputs": ["y"]}, "tail": {"inputs": ["x"], "outputs": ["y"], "qtype": "int16"}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
    assert!(messages[0].contains("sets no \"qtype\""), "{}", messages[0]);
}

#[test]
fn no_effect_subgraph_that_contains_no_node() {
    let messages = expect_model(
        r#"{"subgraph_config": {
            «"swapped"»: {"inputs": ["/layer1/layer1.0/relu_1/Relu_output_0"], "outputs": ["/relu/Relu_output_0"], "qtype": "int16"},
            "right": {"inputs": ["/relu/Relu_output_0"], "outputs": ["/layer1/layer1.0/relu_1/Relu_output_0"], "qtype": "int16"}
        }}"#,
        "resnet18",
        Code::NoEffect,
        Severity::Hint,
    );
    assert!(messages[0].contains("look swapped"), "{}", messages[0]);
}

#[test]
fn no_effect_qtype_hidden_by_input0_and_input1() {
    // A MatMul has two inputs: with both set, its qtype decides nothing. A Conv's bias
    // (input 2) still follows qtype.
    let messages = expect_model(
        r#"{"node_config": {
            "/encoder/layers/encoder_layer_0/self_attention/MatMul": {«"qtype"»: "float16", "input0": "int16", "input1": "int16"},
            "/conv_proj/Conv": {"qtype": "float16", "input0": "int16", "input1": "int16"},
            "/encoder/Add": {"qtype": "float16", "input0": "int16"}
        }}"#,
        "vit_tiny",
        Code::NoEffect,
        Severity::Hint,
    );
    assert!(
        messages[0].contains("input0/input1 set every input"),
        "{}",
        messages[0]
    );
    // Every name above is a node of the model: nothing else is reported.
    let model = fixture_model("vit_tiny");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&model),
        ..Default::default()
    };
    let text = r#"{"node_config": {"/conv_proj/Conv": {"qtype": "float16", "input0": "int16", "input1": "int16"}, "/encoder/Add": {"qtype": "float16", "input0": "int16"}}}"#;
    assert!(diagnostics_with(text, &ctx).is_empty());
}

#[test]
fn no_effect_legacy_key_beside_its_modern_key() {
    expect(
        r#"{"op_config": {"Conv": {"qtype": "int16", «"InputType"»: "int8"}},
            "node_config": {"/a": {"input0": "int16", «"InputType0"»: "int8", "InputType1": "int16"}}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
}

#[test]
fn no_effect_input_the_node_does_not_have() {
    // A Relu has one input: input1 sets nothing.
    let messages = expect_model(
        r#"{"node_config": {"/relu/Relu": {"qtype": "int16", «"input1"»: "float16"}}}"#,
        "resnet18",
        Code::NoEffect,
        Severity::Hint,
    );
    assert!(messages[0].contains("has no input 1"), "{}", messages[0]);
}

#[test]
fn no_effect_all_node_type_int8_sits_on_the_key() {
    expect(
        r#"{"model_config": {«"all_node_type"»: "int8"}}"#,
        Code::NoEffect,
        Severity::Hint,
    );
}

// ---- keys the toolchain accepts ----

#[test]
fn accepted_model_config_keys_are_never_unknown() {
    let text = r#"{"model_config": {
        "experimental": {"whatever": [1, 2], "nested": {"x": null}},
        "search": {"layer": {"topk": 256, "qtype": "int16", "metric": "mse"}, "other": {"k": 1}},
        "modelwise_search": {"metric": "mse", "similarity": 0.995},
        "layerwise_search": {"metric": "mse", "topk": 8, "qtype": "int16"}
    }}"#;
    none(text, Code::UnknownKey);
    none(text, Code::WrongType);
    // What they name is still checked.
    expect(
        r#"{"model_config": {"search": {"layer": {"topk": «0», "qtype": "int16"}}, "modelwise_search": {"similarity": «1.5»}}}"#,
        Code::OutOfRange,
        Severity::Error,
    );
    // No fix offers a value that is still out of range (similarity must be above 0).
    let found = diagnostics(r#"{"model_config": {"modelwise_search": {"similarity": 0.0}}}"#);
    assert_eq!(found.len(), 1);
    assert!(found[0].suggestions.is_empty(), "{found:#?}");
    expect(
        r#"{"model_config": {"search": {"layer": {«"topK"»: 8}}, "experimental": {}}}"#,
        Code::UnknownKey,
        Severity::Error,
    );
    expect(
        r#"{"model_config": {"experimental": «[1]»}}"#,
        Code::WrongType,
        Severity::Error,
    );
}

// ---- toolchain op types ----

#[test]
fn toolchain_op_types_are_known() {
    // The model has no such node: op-type-absent like any valid op type, never unknown.
    expect_model(
        r#"{"op_config": {«"HzPreprocess"»: {"qtype": "int16"}, «"Lut"»: {"qtype": "int16"}, «"HzSQuantizedConv"»: {"qtype": "int16"}}}"#,
        "resnet18",
        Code::OpTypeAbsent,
        Severity::Hint,
    );
    expect_model(
        r#"{"op_config": {"HzPreprocess": {"qtype": "int16"}, «"hzpreprocess"»: {"qtype": "int16"}}}"#,
        "resnet18",
        Code::UnknownOpType,
        Severity::Warning,
    );
}
