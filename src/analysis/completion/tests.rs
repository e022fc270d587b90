//! Completion: keys, values, op types, node names and tensors, `ec` where it works, and the
//! values each profile offers.

mod docs {
    use super::super::*;
    use crate::analysis::fixture;
    use crate::syntax::parse;

    fn complete_at(s: &str) -> Vec<CompletionItem> {
        let (text, offset) = fixture(s);
        complete(
            &text,
            &parse(&text),
            offset,
            Locale::En,
            None,
            &Dialect::default(),
        )
        .items
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn top_level_keys_skip_present_ones() {
        let items = complete_at("{\n  $0\n  \"op_config\": {}\n}");
        assert_eq!(
            labels(&items),
            ["model_config", "node_config", "subgraph_config"]
        );
        assert_eq!(items[0].new_text, "\"model_config\"");
        assert_eq!(items[0].range, TextRange::empty(4));
    }

    #[test]
    fn key_in_closed_string_replaces_whole_token() {
        let items = complete_at(r#"{"model_config": {"act$0iv": 1}}"#);
        let act = items.iter().find(|i| i.label == "activation").unwrap();
        assert_eq!(act.range, TextRange::new(18, 25));
        assert_eq!(act.new_text, "\"activation\"");
    }

    #[test]
    fn key_in_broken_document() {
        // Unclosed string, no closers: the user is typing.
        let items = complete_at("{\n  \"model_config\": {\n    \"activation\": {\n      \"num$0");
        let l = labels(&items);
        assert!(
            l.contains(&"num_bin") && l.contains(&"max_percentile"),
            "{l:?}"
        );
        let it = items.iter().find(|i| i.label == "num_bin").unwrap();
        assert_eq!(it.range.end - it.range.start, 4); // `"num` up to the cursor
    }

    #[test]
    fn keys_after_the_cursor_are_excluded() {
        let items = complete_at(r#"{"node_config": {"n": {$0 "qtype": "int8", "input1": "ec"}}}"#);
        assert_eq!(labels(&items), ["input0"]);
    }

    #[test]
    fn qtype_values() {
        let items = complete_at(r#"{"op_config": {"Conv": {"qtype": "$0"}}}"#);
        assert_eq!(labels(&items), ["int8", "int16", "float16", "float32"]);
        assert_eq!(items[0].range, TextRange::new(33, 35));
        assert_eq!(items[0].new_text, "\"int8\"");
    }

    #[test]
    fn ec_only_in_node_inputs() {
        let items = complete_at(r#"{"node_config": {"n": {"input0": $0}}}"#);
        assert!(labels(&items).contains(&"ec"));
        let items = complete_at(r#"{"node_config": {"n": {"qtype": "$0"}}}"#);
        assert!(!labels(&items).contains(&"ec"));
        let items = complete_at(r#"{"model_config": {"all_node_type": "$0"}}"#);
        assert!(!labels(&items).contains(&"ec"));
    }

    #[test]
    fn booleans_replace_the_word() {
        let items = complete_at("{\"model_config\": {\"activation\": {\"per_channel\": tr$0");
        assert_eq!(labels(&items), ["true", "false"]);
        assert_eq!(items[0].new_text, "true");
        assert_eq!(items[0].range.len(), 2);
    }

    #[test]
    fn list_elements() {
        let items =
            complete_at(r#"{"model_config": {"activation": {"calibration_type": ["kl", "$0"]}}}"#);
        assert_eq!(labels(&items), ["kl", "max"]);
        // Not a list key: nothing inside a list.
        let items = complete_at(r#"{"op_config": {"Conv": {"qtype": ["$0"]}}}"#);
        assert!(items.is_empty());
    }

    #[test]
    fn metrics_in_search() {
        let items = complete_at(r#"{"model_config": {"layerwise_search": {"metric": "$0"#);
        assert_eq!(labels(&items)[0], "cosine-similarity");
    }

    #[test]
    fn nothing_in_comments_or_after_values() {
        assert!(complete_at("{ // $0\n}").is_empty());
        assert!(complete_at(r#"{"model_config": {} $0}"#).is_empty());
    }

    #[test]
    fn node_names_are_not_from_the_spec() {
        assert!(complete_at(r#"{"node_config": {$0}}"#).is_empty());
    }
}

mod model {
    use super::super::*;
    use crate::analysis::{fixture, fixture_model};
    use crate::syntax::parse;

    fn complete_with(model: &ModelIndex, s: &str) -> Completions {
        let (text, offset) = fixture(s);
        complete(
            &text,
            &parse(&text),
            offset,
            Locale::En,
            Some(model),
            &Dialect::default(),
        )
    }

    fn item<'a>(c: &'a Completions, label: &str) -> Option<&'a CompletionItem> {
        c.items.iter().find(|i| i.label == label)
    }

    #[test]
    fn node_names_with_op_type() {
        let m = fixture_model("resnet18");
        let c = complete_with(&m, r#"{"node_config": {"/layer1/$0"#);
        let it = item(&c, "/layer1/layer1.0/conv1/Conv").expect("node offered");
        assert_eq!(it.detail.as_deref(), Some("Conv"));
        assert_eq!(it.new_text, "\"/layer1/layer1.0/conv1/Conv\"");
        assert_eq!(it.range, TextRange::new(17, 26));
        assert!(it.documentation.as_deref().unwrap().contains("int8"));
        assert!(!c.is_incomplete);
        // Prefix matches come first.
        assert!(c.items[0].label.starts_with("/layer1/"), "{:?}", c.items[0]);
    }

    #[test]
    fn a_misspelled_name_is_completed_to_the_real_one() {
        // The cursor inside a typo: what was typed does not prefix the name, but it is a
        // subsequence of it, as the editor's own fuzzy filter accepts.
        let m = fixture_model("resnet18");
        for typo in [
            r#"{"node_config": {"/layer1/layer1.0/conv1/Cn$0v": {}}}"#,
            r#"{"node_config": {"/layer1/layer1.0/conv1/Cnv$0": {}}}"#,
            r#"{"node_config": {"/Layer1/layer1.0/conv1/cnv$0"#,
        ] {
            let c = complete_with(&m, typo);
            let it = item(&c, "/layer1/layer1.0/conv1/Conv")
                .unwrap_or_else(|| panic!("{typo}: {:?}", c.items));
            // The whole key is replaced, the part after the cursor too.
            let (text, _) = fixture(typo);
            let key_end = text[18..].find('"').map_or(text.len(), |i| 18 + i + 1);
            assert_eq!(it.range, TextRange::new(17, key_end), "{typo}");
        }
    }

    #[test]
    fn configured_nodes_are_not_offered_again() {
        let m = fixture_model("resnet18");
        let c = complete_with(
            &m,
            r#"{"node_config": {"/conv1/Conv": {}, "$0": {}, "/relu/Relu": {}}}"#,
        );
        assert!(item(&c, "/conv1/Conv").is_none());
        assert!(item(&c, "/relu/Relu").is_none());
        assert!(item(&c, "/maxpool/MaxPool").is_some());
    }

    #[test]
    fn op_types_in_the_model_first() {
        let m = fixture_model("resnet18");
        let c = complete_with(&m, r#"{"op_config": {"Relu": {}, "$0"#);
        let conv = item(&c, "Conv").unwrap();
        assert_eq!(conv.detail.as_deref(), Some("20 nodes"));
        assert!(item(&c, "Relu").is_none(), "already present");
        let softmax = item(&c, "Softmax").unwrap();
        assert_eq!(softmax.detail.as_deref(), Some("not in the model"));
        assert!(conv.sort_text < softmax.sort_text);
        // Without a model: every known op type.
        let (text, offset) = fixture(r#"{"op_config": {"$0"#);
        let c = complete(
            &text,
            &parse(&text),
            offset,
            Locale::En,
            None,
            &Dialect::default(),
        );
        assert!(item(&c, "Softmax").is_some() && item(&c, "Conv").is_some());
    }

    fn values(m: &ModelIndex, s: &str) -> Vec<String> {
        complete_with(m, s)
            .items
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn ec_only_where_it_works() {
        let m = fixture_model("resnet18");
        let conv = r#"{"node_config": {"/conv1/Conv": {"input1": "$0"}}}"#;
        assert!(values(&m, conv).contains(&"ec".to_string()));
        let conv0 = r#"{"node_config": {"/conv1/Conv": {"input0": "$0"}}}"#;
        assert!(!values(&m, conv0).contains(&"ec".to_string()));
        let relu = r#"{"node_config": {"/relu/Relu": {"input1": "$0"#;
        assert!(!values(&m, relu).contains(&"ec".to_string()));
        let unknown = r#"{"node_config": {"/nope": {"input0": $0"#;
        assert!(values(&m, unknown).contains(&"ec".to_string()));
        let qtype = r#"{"node_config": {"/conv1/Conv": {"qtype": "$0"#;
        assert!(!values(&m, qtype).contains(&"ec".to_string()));

        let vit = fixture_model("vit_tiny");
        let name = "/encoder/layers/encoder_layer_0/self_attention/MatMul";
        for i in 0..2 {
            let s = format!(r#"{{"node_config": {{"{name}": {{"input{i}": "$0"}}}}}}"#);
            assert!(values(&vit, &s).contains(&"ec".to_string()), "input{i}");
        }
    }

    #[test]
    fn subgraph_tensors() {
        let m = fixture_model("resnet18");
        let c = complete_with(
            &m,
            r#"{"subgraph_config": {"g": {"inputs": ["/relu/Relu_out$0"#,
        );
        let it = item(&c, "/relu/Relu_output_0").expect("tensor offered");
        assert_eq!(it.detail.as_deref(), Some("output of /relu/Relu (Relu)"));
        assert_eq!(it.new_text, "\"/relu/Relu_output_0\"");
        let c = complete_with(&m, r#"{"subgraph_config": {"g": {"outputs": ["$0"]}}}"#);
        assert!(item(&c, "input").is_some_and(|i| i.detail.as_deref() == Some("graph input")));
    }
}

mod dialects {
    use super::super::*;
    use crate::analysis::{fixture, fixture_model};
    use crate::spec::Profile;
    use crate::syntax::parse;

    fn labels_in(s: &str, profile: Profile, model: Option<&ModelIndex>) -> Vec<String> {
        let (text, offset) = fixture(s);
        complete(
            &text,
            &parse(&text),
            offset,
            Locale::En,
            model,
            &Dialect::of(profile),
        )
        .items
        .into_iter()
        .map(|i| i.label)
        .collect()
    }

    #[test]
    fn values_offered_follow_the_profile() {
        let qtype = r#"{"op_config": {"Conv": {"qtype": "$0"}}}"#;
        assert_eq!(
            labels_in(qtype, Profile::Nash, None),
            ["int8", "int16", "float16", "float32"]
        );
        assert_eq!(
            labels_in(qtype, Profile::Bayes, None),
            ["int8", "int16", "float32"]
        );
        let hmct = labels_in(qtype, Profile::Hmct28, None);
        assert!(hmct.contains(&"dual-int16".to_string()) && hmct.contains(&"mxfp8".to_string()));
        // Not on op types that ignore them.
        let add = labels_in(
            r#"{"op_config": {"Add": {"qtype": "$0"}}}"#,
            Profile::Hmct28,
            None,
        );
        assert!(!add.contains(&"dual-int16".to_string()) && add.contains(&"mxfp8".to_string()));
        // With a model, node entries follow the node's op type.
        let m = fixture_model("resnet18");
        let relu = labels_in(
            r#"{"node_config": {"/relu/Relu": {"qtype": "$0"}}}"#,
            Profile::Hmct28,
            Some(&m),
        );
        assert!(!relu.contains(&"int16-ec".to_string()));
        let conv = labels_in(
            r#"{"node_config": {"/conv1/Conv": {"qtype": "$0"}}}"#,
            Profile::Hmct28,
            Some(&m),
        );
        assert!(conv.contains(&"int16-ec".to_string()));
    }

    #[test]
    fn precision_items_name_the_profile() {
        let (text, offset) = fixture(r#"{"op_config": {"Conv": {"qtype": "$0"}}}"#);
        let items = complete(
            &text,
            &parse(&text),
            offset,
            Locale::En,
            None,
            &Dialect::of(Profile::Bayes),
        )
        .items;
        assert_eq!(items[0].detail.as_deref(), Some("profile bayes"));
    }

    #[test]
    fn bayes_offers_no_subgraph_config() {
        let keys = labels_in("{$0}", Profile::Bayes, None);
        assert!(!keys.contains(&"subgraph_config".to_string()), "{keys:?}");
        assert!(labels_in("{$0}", Profile::Nash, None).contains(&"subgraph_config".to_string()));
    }
}

mod yaml {
    use super::super::*;
    use crate::analysis::fixture;
    use crate::syntax::{parse_yaml, Parse};

    /// The completions at `$0` in a YAML, as the server computes them.
    fn complete_in(s: &str, model: Option<&ModelIndex>) -> Completions {
        let (text, offset) = fixture(s);
        let yaml = parse_yaml(&text);
        let inline: Option<Parse> = crate::analysis::inline_quant_config(&yaml);
        complete_yaml(
            &text,
            inline.as_ref(),
            offset,
            Locale::En,
            model,
            &Dialect::default(),
        )
    }

    fn labels(s: &str) -> Vec<String> {
        complete_in(s, None)
            .items
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn sections_keys_and_values_of_the_yaml() {
        let top = labels("model_parameters:\n  march: nash-e\nca$0");
        assert!(
            top.contains(&"calibration_parameters".to_string()),
            "{top:?}"
        );
        assert!(!top.contains(&"model_parameters".to_string()), "{top:?}");
        let keys = labels("model_parameters:\n  march: nash-e\n  wor$0");
        assert!(keys.contains(&"working_dir".to_string()), "{keys:?}");
        assert!(
            !keys.contains(&"march".to_string()),
            "present keys are left out: {keys:?}"
        );
        let values = labels("model_parameters:\n  march: na$0");
        assert!(
            values.contains(&"nash-e".to_string()) && values.contains(&"bayes-e".to_string()),
            "{values:?}"
        );
        // A line deeper than the section's keys (below a key that takes no mapping) gets nothing.
        assert!(labels("input_parameters:\n  input_name:\n    a$0").is_empty());
    }

    #[test]
    fn inside_the_flow_quant_config_the_quant_config_is_completed() {
        let items = labels("calibration_parameters:\n  quant_config: {\"model_config\": {\"all_node_type\": \"$0\"}}\n");
        assert!(items.contains(&"int16".to_string()), "{items:?}");
        // After the mapping, the YAML's own keys again.
        let items =
            labels("calibration_parameters:\n  quant_config: {\"model_config\": {}}\n  cal$0");
        assert!(items.contains(&"cal_data_dir".to_string()), "{items:?}");
    }

    fn with_model(s: &str) -> Completions {
        complete_in(s, Some(&crate::analysis::fixture_model("resnet18")))
    }

    fn find<'c>(c: &'c Completions, label: &str) -> Option<&'c CompletionItem> {
        c.items.iter().find(|i| i.label == label)
    }

    #[test]
    fn node_info_keys_are_node_names_then_entry_keys_and_values() {
        let text = "model_parameters:\n  node_info: {\n    \"/layer1/layer1.0/conv$0\n";
        let c = with_model(text);
        let it = find(&c, "/layer1/layer1.0/conv1/Conv").expect("node offered");
        assert_eq!(it.new_text, "\"/layer1/layer1.0/conv1/Conv\"");
        assert_eq!(it.detail.as_deref(), Some("Conv"));
        // A single quote opened by the user is kept; names already written are left out.
        let c = with_model(
            "model_parameters:\n  node_info: {\n    '/conv1/Conv': {'ON': 'CPU'},\n    '/conv$0\n",
        );
        assert!(find(&c, "/conv1/Conv").is_none());
        let it = find(&c, "/layer1/layer1.0/conv1/Conv").expect("other conv offered");
        assert_eq!(it.new_text, "'/layer1/layer1.0/conv1/Conv'");
        // In a node's entry: its keys, then the values of ON.
        let keys =
            with_model("model_parameters:\n  node_info: {\n    '/conv1/Conv': {'ON': 'CPU', '$0");
        let labels: Vec<&str> = keys.items.iter().map(|i| i.label.as_str()).collect();
        assert!(
            labels.contains(&"OutputType") && !labels.contains(&"ON"),
            "{labels:?}"
        );
        let values = with_model("model_parameters:\n  node_info: {\n    '/conv1/Conv': {'ON': '$0");
        let labels: Vec<&str> = values.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["CPU", "BPU"]);
        // After the mapping, the section's keys again.
        let after =
            with_model("model_parameters:\n  node_info: {'/conv1/Conv': {'ON': 'CPU'}}\n  wor$0");
        assert!(find(&after, "working_dir").is_some(), "{after:?}");
    }

    #[test]
    fn run_on_cpu_items_are_node_names() {
        let c =
            with_model("calibration_parameters:\n  run_on_cpu: /conv1/Conv;/layer1/layer1.0/re$0");
        let it = find(&c, "/layer1/layer1.0/relu/Relu").expect("node offered");
        // The item being typed is replaced, bare, as the list is written.
        assert_eq!(it.new_text, "/layer1/layer1.0/relu/Relu");
        let text = "calibration_parameters:\n  run_on_cpu: /conv1/Conv;/layer1/layer1.0/re";
        assert_eq!(
            it.range,
            TextRange::new(text.rfind(';').unwrap() + 1, text.len())
        );
        let c = with_model("calibration_parameters:\n  run_on_bpu: \"/conv1/Conv; /co$0\"");
        assert!(find(&c, "/conv1/Conv").is_none(), "already written");
        // Without a model there is nothing to offer.
        assert!(labels("calibration_parameters:\n  run_on_cpu: /co$0").is_empty());
    }

    #[test]
    fn optimization_items_name_the_model_op_types() {
        let c =
            with_model("calibration_parameters:\n  optimization: set_model_output_int8,set_Co$0");
        assert!(find(&c, "set_Conv_input_int16").is_some());
        assert!(find(&c, "set_Relu_output_int8").is_some());
        assert!(find(&c, "set_all_nodes_int16").is_some());
        // resnet18 has no Softmax.
        assert!(find(&c, "set_Softmax_input_int16").is_none());
        let without = labels("calibration_parameters:\n  optimization: $0");
        assert!(
            without.contains(&"set_all_nodes_int16".to_string()),
            "{without:?}"
        );
        assert!(
            !without.iter().any(|l| l.starts_with("set_Conv")),
            "{without:?}"
        );
    }

    #[test]
    fn block_quant_config_keys_and_values_are_written_as_yaml() {
        let head = "calibration_parameters:\n  quant_config:\n    model_config:\n      all_node_type: int16\n";
        // A key of model_config, minus the one written above.
        let c = with_model(&format!("{head}      act$0"));
        let it = find(&c, "activation").expect("key offered");
        assert_eq!(it.new_text, "activation: ");
        assert!(find(&c, "all_node_type").is_none());
        // The top keys of the quant_config, at its key column.
        let c = with_model(&format!("{head}    op$0"));
        assert!(find(&c, "op_config").is_some() && find(&c, "model_config").is_none());
        // Values bare; op types and node names from the model as keys.
        let c = with_model(&format!(
            "{head}    op_config:\n      Conv:\n        qtype: in$0"
        ));
        let it = find(&c, "int16").expect("value offered");
        assert_eq!(it.new_text, "int16");
        let c = with_model(&format!(
            "{head}    node_config:\n      /layer1/layer1.0/con$0"
        ));
        let it = find(&c, "/layer1/layer1.0/conv1/Conv").expect("node offered");
        assert_eq!(it.new_text, "/layer1/layer1.0/conv1/Conv: ");
        // The YAML's own keys are not the quant_config's.
        let c = with_model("calibration_parameters:\n  cal$0");
        assert!(find(&c, "cal_data_dir").is_some() && find(&c, "model_config").is_none());
    }

    #[test]
    fn block_node_info_names_keys_and_values() {
        let head = "model_parameters:\n  node_info:\n    /conv1/Conv:\n      'ON': CPU\n";
        let c = with_model(&format!("{head}    /layer1/layer1.0/con$0"));
        let it = find(&c, "/layer1/layer1.0/conv1/Conv").expect("node offered");
        assert_eq!(it.new_text, "/layer1/layer1.0/conv1/Conv:");
        assert!(with_model(&format!("{head}    /conv1/Con$0"))
            .items
            .iter()
            .all(|i| i.label != "/conv1/Conv"));
        // The entry's keys: ON quoted (a bare ON is a boolean to PyYAML), the present one left out.
        let keys = with_model("model_parameters:\n  node_info:\n    /conv1/Conv:\n      $0");
        let on = find(&keys, "ON").expect("ON offered");
        assert_eq!(on.new_text, "'ON': ");
        let keys = with_model(&format!("{head}      Out$0"));
        assert!(find(&keys, "ON").is_none() && find(&keys, "OutputType").is_some());
        let values =
            with_model("model_parameters:\n  node_info:\n    /conv1/Conv:\n      'ON': $0");
        let labels: Vec<&str> = values.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["CPU", "BPU"]);
    }
}
