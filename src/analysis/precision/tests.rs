use super::*;
use crate::syntax::parse;

use crate::analysis::fixture_model as model;

fn node(model: &ModelIndex, name: &str) -> NodeId {
    model
        .nodes_named(name)
        .first()
        .expect("a node of that name")
}

/// (precision, source path) of each input of a node.
fn table(
    model: &ModelIndex,
    text: &str,
    name: &str,
) -> Vec<(Option<&'static str>, Option<String>)> {
    table_in(Profile::Nash, model, text, name)
}

/// [`table`] under a toolchain profile.
fn table_in(
    profile: Profile,
    model: &ModelIndex,
    text: &str,
    name: &str,
) -> Vec<(Option<&'static str>, Option<String>)> {
    let parse = parse(text);
    let settings = Settings::read(parse.root.as_ref(), Some(model), profile);
    node_precision(model, &settings, node(model, name))
        .inputs
        .iter()
        .map(|i| {
            (
                i.precision.map(Precision::as_str),
                i.source.path().map(str::to_string),
            )
        })
        .collect()
}

fn p(precision: &'static str, path: Option<&str>) -> (Option<&'static str>, Option<String>) {
    (Some(precision), path.map(str::to_string))
}

#[test]
fn default_is_int8_for_every_input_weights_included() {
    let m = model("resnet18");
    assert_eq!(
        table(&m, "{}", "/conv1/Conv"),
        [p("int8", None), p("int8", None), p("int8", None)]
    );
}

#[test]
fn each_level_wins_over_the_one_below() {
    let m = model("resnet18");
    let conv = "/layer1/layer1.0/conv1/Conv";
    let mut text = String::from(r#"{"model_config": {"all_node_type": "int16"}}"#);
    assert_eq!(
        table(&m, &text, conv)[0],
        p("int16", Some("model_config.all_node_type"))
    );
    text = r#"{"model_config": {"all_node_type": "int16"}, "op_config": {"Conv": {"qtype": "float16"}}}"#.into();
    assert_eq!(
        table(&m, &text, conv)[2],
        p("float16", Some("op_config.Conv.qtype"))
    );
    text = format!(
        r#"{{"model_config": {{"all_node_type": "int16"}}, "op_config": {{"Conv": {{"qtype": "float16"}}}},
            "node_config": {{"{conv}": {{"qtype": "float32", "input1": "int16"}}}}}}"#
    );
    let rows = table(&m, &text, conv);
    assert_eq!(
        rows[0],
        p("float32", Some(&format!("node_config.{conv}.qtype")))
    );
    assert_eq!(
        rows[1],
        p("int16", Some(&format!("node_config.{conv}.input1")))
    );
    // The bias is input 2 and follows qtype.
    assert_eq!(
        rows[2],
        p("float32", Some(&format!("node_config.{conv}.qtype")))
    );
    // Other Conv nodes keep the op_config setting.
    assert_eq!(
        table(&m, &text, "/conv1/Conv")[0],
        p("float16", Some("op_config.Conv.qtype"))
    );
}

#[test]
fn invalid_values_are_skipped() {
    let m = model("resnet18");
    let text = r#"{"model_config": {"all_node_type": "int16"},
        "op_config": {"Conv": {"qtype": "int32"}},
        "node_config": {"/conv1/Conv": {"qtype": "ec", "input0": 8}}}"#;
    assert_eq!(
        table(&m, text, "/conv1/Conv")[0],
        p("int16", Some("model_config.all_node_type"))
    );
}

#[test]
fn ec_counts_only_where_it_works() {
    let m = model("resnet18");
    let text =
        r#"{"node_config": {"/conv1/Conv": {"qtype": "int16", "input0": "ec", "input1": "ec"}}}"#;
    let rows = table(&m, text, "/conv1/Conv");
    assert_eq!(rows[0], p("int16", Some("node_config./conv1/Conv.qtype")));
    assert_eq!(rows[1], p("ec", Some("node_config./conv1/Conv.input1")));
    let m = model("bev_unet");
    let text =
        r#"{"node_config": {"/up2/Resize": {"input0": "ec"}, "/GridSample": {"input1": "ec"}}}"#;
    let rows = table(&m, text, "/up2/Resize");
    assert_eq!(rows[0], p("ec", Some("node_config./up2/Resize.input0")));
    // roi is omitted: shown as absent.
    assert_eq!(rows[1], (None, None));
    assert_eq!(table(&m, text, "/GridSample")[1], p("int8", None));
}

#[test]
fn the_last_duplicate_wins_and_legacy_keys_count() {
    let m = model("resnet18");
    let text = r#"{"op_config": {"Conv": {"qtype": "int16"}, "Conv": {"qtype": "float16"}},
        "node_config": {"/conv1/Conv": {"InputType0": "float32", "ON": "CPU"}}}"#;
    let rows = table(&m, text, "/conv1/Conv");
    assert_eq!(
        rows[0],
        p("float32", Some("node_config./conv1/Conv.InputType0"))
    );
    assert_eq!(rows[1], p("float32", Some("node_config./conv1/Conv.ON")));
    assert_eq!(
        table(&m, text, "/layer1/layer1.0/conv1/Conv")[0],
        p("float16", Some("op_config.Conv.qtype"))
    );
}

#[test]
fn subgraph_sits_between_op_and_node_config() {
    let m = model("resnet18");
    let text = r#"{"op_config": {"Relu": {"qtype": "int16"}},
        "subgraph_config": {"stem": {"inputs": ["input"], "outputs": ["/maxpool/MaxPool_output_0"], "qtype": "float16"}},
        "node_config": {"/relu/Relu": {"qtype": "float32"}}}"#;
    assert_eq!(
        table(&m, text, "/conv1/Conv")[0],
        p("float16", Some("subgraph_config.stem.qtype"))
    );
    assert_eq!(
        table(&m, text, "/maxpool/MaxPool")[0],
        p("float16", Some("subgraph_config.stem.qtype"))
    );
    assert_eq!(
        table(&m, text, "/relu/Relu")[0],
        p("float32", Some("node_config./relu/Relu.qtype"))
    );
    // Outside the subgraph, op_config applies.
    assert_eq!(
        table(&m, text, "/layer1/layer1.0/relu/Relu")[0],
        p("int16", Some("op_config.Relu.qtype"))
    );
}

#[test]
fn duplicate_names_are_ambiguous_and_share_the_entry() {
    let m = model("resnet18_dup_names");
    let heads: Vec<NodeId> = m.nodes_named("head").iter().collect();
    assert_eq!(heads.len(), 3);
    let parse = parse(r#"{"node_config": {"head": {"qtype": "int16"}}}"#);
    let settings = Settings::read(parse.root.as_ref(), Some(&m), Profile::Nash);
    for id in heads {
        let np = node_precision(&m, &settings, id);
        assert!(np.ambiguous && np.overridden);
        assert_eq!(np.inputs[0].precision, Some(Precision::Int16));
    }
}

#[test]
fn reading_some_node_entries_keeps_the_rest_of_the_settings() {
    let m = model("resnet18");
    let parse = parse(
        r#"{"op_config": {"Relu": {"qtype": "int16"}},
            "node_config": {"/conv1/Conv": {"qtype": "float16"}, "/fc/Gemm": {"qtype": "float32"}}}"#,
    );
    let one = Settings::read_some(
        parse.root.as_ref(),
        Some(&m),
        NodeFilter::Named("/fc/Gemm"),
        Profile::Nash,
    );
    assert_eq!(one.node.keys().collect::<Vec<_>>(), ["/fc/Gemm"]);
    assert!(one.op.contains_key("Relu"));
    let none = Settings::read_some(
        parse.root.as_ref(),
        Some(&m),
        NodeFilter::None,
        Profile::Nash,
    );
    assert!(none.node.is_empty() && none.op.contains_key("Relu"));
    assert_eq!(
        Settings::read(parse.root.as_ref(), Some(&m), Profile::Nash)
            .node
            .len(),
        2
    );
}

#[test]
fn bayes_skips_float16_and_reads_float_as_float32() {
    let m = model("resnet18");
    let text = r#"{"op_config": {"Conv": {"qtype": "float16"}, "Relu": {"qtype": "float"}}}"#;
    // float16 is invalid on bayes: skipped, the default decides.
    assert_eq!(
        table_in(Profile::Bayes, &m, text, "/conv1/Conv")[0],
        p("int8", None)
    );
    assert_eq!(
        table_in(Profile::Nash, &m, text, "/conv1/Conv")[0],
        p("float16", Some("op_config.Conv.qtype"))
    );
    assert_eq!(
        table_in(Profile::Bayes, &m, text, "/relu/Relu")[0],
        p("float32", Some("op_config.Relu.qtype"))
    );
    // `float` is not a nash value.
    assert_eq!(
        table_in(Profile::Nash, &m, text, "/relu/Relu")[0],
        p("int8", None)
    );
}

#[test]
fn bayes_has_no_subgraphs() {
    let m = model("resnet18");
    let text = r#"{"subgraph_config": {"s": {"inputs": ["input"], "outputs": ["/relu/Relu_output_0"], "qtype": "int16"}}}"#;
    assert_eq!(
        table_in(Profile::Nash, &m, text, "/conv1/Conv")[0],
        p("int16", Some("subgraph_config.s.qtype"))
    );
    assert_eq!(
        table_in(Profile::Bayes, &m, text, "/conv1/Conv")[0],
        p("int8", None)
    );
}

#[test]
fn hmct_precisions_count_on_their_op_types_only() {
    let m = model("resnet18");
    let text = r#"{"model_config": {"all_node_type": "mxint8"},
        "op_config": {"Conv": {"qtype": "dual-int16"}, "Relu": {"qtype": "int16-ec"}}}"#;
    assert_eq!(
        table_in(Profile::Hmct28, &m, text, "/conv1/Conv")[1],
        p("dual-int16", Some("op_config.Conv.qtype"))
    );
    // int16-ec does nothing on Relu: the level below decides.
    assert_eq!(
        table_in(Profile::Hmct28, &m, text, "/relu/Relu")[0],
        p("mxint8", Some("model_config.all_node_type"))
    );
    // Outside hmct 2.8 those values are invalid, and skipped.
    assert_eq!(
        table_in(Profile::Nash, &m, text, "/conv1/Conv")[1],
        p("int8", None)
    );
}

#[test]
fn legacy_on_counts_in_node_entries_only() {
    let m = model("resnet18");
    let text = r#"{"op_config": {"Relu": {"ON": "CPU"}},
        "node_config": {"/conv1/Conv": {"ON": "CPU"}}}"#;
    assert_eq!(table(&m, text, "/relu/Relu")[0], p("int8", None));
    assert_eq!(
        table(&m, text, "/conv1/Conv")[0],
        p("float32", Some("node_config./conv1/Conv.ON"))
    );
}
