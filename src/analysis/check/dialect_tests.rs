//! The toolchain profiles (nash, bayes, hmct-2.8) through `check`.

use super::tests::expect_in;
use super::*;
use crate::analysis::fixture_model;
use crate::analysis::Severity;
use crate::spec::{DialectSource, Profile};
use crate::syntax::parse;

fn ctx(profile: Profile) -> CheckContext<'static> {
    CheckContext {
        dialect: Dialect::of(profile),
        ..Default::default()
    }
}

fn codes(text: &str, ctx: &CheckContext) -> Vec<Code> {
    check(text, &parse(text), ctx)
        .into_iter()
        .map(|d| d.code)
        .filter(|c| *c != Code::ModelNotFound)
        .collect()
}

#[test]
fn nash_takes_float16_and_rejects_hmct_values_saying_why() {
    let ctx = ctx(Profile::Nash);
    assert!(codes(r#"{"node_config": {"/a": {"qtype": "float16"}}}"#, &ctx).is_empty());
    let messages = expect_in(
        r#"{"op_config": {"Conv": {"qtype": «"int16-ec"»}}, "node_config": {"/a": {"qtype": «"dual-int16"», "input0": «"mxint8"»}}}"#,
        &ctx,
        Code::InvalidValue,
        Severity::Error,
    );
    assert!(
        messages[0].starts_with("\"int16-ec\" needs hmct 2.8 or later: set qcls.toolchain"),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains("profile nash (default)"),
        "{}",
        messages[0]
    );
}

#[test]
fn bayes_rejects_float16_and_subgraph_config() {
    let ctx = CheckContext {
        dialect: Dialect::choose(Some(("bayes-e".into(), DialectSource::Directive)), None),
        ..Default::default()
    };
    let messages = expect_in(
        r#"{"model_config": {"all_node_type": «"float16"»},
            "op_config": {"Softmax": {"qtype": «"float16"»}},
            "node_config": {"/a": {"InputType": «"float16"», "input1": «"float16"»}}}"#,
        &ctx,
        Code::InvalidValue,
        Severity::Error,
    );
    assert!(
        messages[1].contains("Unsupported datatype settings for march bayes"),
        "{}",
        messages[1]
    );
    assert!(
        messages[1].contains("march bayes-e from the `// qcls-march:` comment"),
        "{}",
        messages[1]
    );
    let messages = expect_in(
        r#"{«"subgraph_config"»: {"s": {"inputs": ["x"], "outputs": ["y"], "qtype": "int16"}}}"#,
        &ctx,
        Code::UnknownKey,
        Severity::Error,
    );
    assert!(messages[0].contains("three levels"), "{}", messages[0]);
    // `float` is horizon_nn's float32; int16 and float32 are fine.
    assert!(codes(
        r#"{"op_config": {"Softmax": {"qtype": "float"}}, "node_config": {"/a": {"qtype": "int16", "input0": "float32"}}}"#,
        &ctx
    )
    .is_empty());
}

#[test]
fn hmct_takes_its_precisions_on_the_op_types_that_have_them() {
    let ctx = ctx(Profile::Hmct28);
    assert!(codes(
        r#"{"model_config": {"all_node_type": "mxint8", "search": {"layer": {"topk": 256, "qtype": "int16"}}},
            "op_config": {"Conv": {"qtype": "dual-int16"}, "MatMul": {"qtype": "int16-ec"}, "Add": {"qtype": "nvfp4"}}}"#,
        &ctx
    )
    .is_empty());
    let messages = expect_in(
        r#"{"op_config": {"Add": {"qtype": «"dual-int16"»}, "Gemm": {"qtype": "int16-ec"}}}"#,
        &ctx,
        Code::EcUnsupportedOp,
        Severity::Warning,
    );
    assert!(
        messages[0].contains("Conv, ConvTranspose, MatMul, Gemm"),
        "{}",
        messages[0]
    );
    // dual-int16 sets both inputs of a node: on one input it means nothing.
    expect_in(
        r#"{"node_config": {"/a": {"input0": «"dual-int16"»}}}"#,
        &ctx,
        Code::InvalidValue,
        Severity::Error,
    );
}

#[test]
fn hmct_wide_precisions_on_nodes_of_other_op_types() {
    let model = fixture_model("resnet18");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&model),
        dialect: Dialect::of(Profile::Hmct28),
        ..Default::default()
    };
    expect_in(
        r#"{"node_config": {"/relu/Relu": {"qtype": «"int16-ec"»}, "/conv1/Conv": {"qtype": "dual-int16"}}}"#,
        &ctx,
        Code::EcUnsupportedOp,
        Severity::Warning,
    );
}

#[test]
fn the_toolchain_setting_is_named_in_messages() {
    let ctx = CheckContext {
        dialect: Dialect::choose(None, Some(("hmct-2.8".into(), DialectSource::Setting))),
        ..Default::default()
    };
    let messages = expect_in(
        r#"{"op_config": {"Conv": {"qtype": «"int32"»}}}"#,
        &ctx,
        Code::InvalidValue,
        Severity::Error,
    );
    assert!(
        messages[0]
            .contains("profile hmct-2.8 (toolchain hmct-2.8 from the qcls.toolchain setting)"),
        "{}",
        messages[0]
    );
}
