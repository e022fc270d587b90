//! Hover: the documentation of keys and values, node and op type tables with a model, and
//! what each profile says of a value. Each test checks what matters in words and, with an insta
//! snapshot, the whole text the user sees.

mod docs {
    use super::super::*;
    use crate::analysis::fixture;
    use crate::syntax::parse;

    fn hover_at(s: &str, locale: Locale) -> Option<HoverInfo> {
        let (text, offset) = fixture(s);
        hover(
            &text,
            &parse(&text),
            offset,
            locale,
            None,
            &Dialect::default(),
        )
    }

    #[test]
    fn key_in_english() {
        let h = hover_at(
            r#"{"model_config": {"activation": {"num_$0bin": 1024}}}"#,
            Locale::En,
        )
        .unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.starts_with("**num_bin**"), "{}", h.markdown);
        assert!(h.markdown.contains("Default: `1024`"), "{}", h.markdown);
        assert!(h.markdown.contains("Range: > 128"), "{}", h.markdown);
        assert_eq!(h.range, TextRange::new(33, 42));
    }

    #[test]
    fn key_in_chinese() {
        let h = hover_at(
            r#"{"op_config": {"Conv": {"qt$0ype": "int8"}}}"#,
            Locale::Zh,
        )
        .unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("有效值"), "{}", h.markdown);
        assert!(h.markdown.contains("`int16`"), "{}", h.markdown);
    }

    #[test]
    fn value_shows_key_docs_and_ec() {
        let h = hover_at(r#"{"node_config": {"c": {"input1": "e$0c"}}}"#, Locale::En).unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("**input1**"));
        assert!(h.markdown.contains("error compensation"));
        assert_eq!(h.range, TextRange::new(33, 37));
    }

    #[test]
    fn list_element() {
        let h = hover_at(
            r#"{"model_config": {"activation": {"calibration_type": ["kl", "m$0ax"]}}}"#,
            Locale::En,
        )
        .unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("**calibration_type**"));
    }

    #[test]
    fn legacy_key() {
        let h = hover_at(
            r#"{"node_config": {"c": {"In$0putType": "int8"}}}"#,
            Locale::En,
        )
        .unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("legacy key"), "{}", h.markdown);
    }

    #[test]
    fn node_names_without_model_say_how_to_pair() {
        let h = hover_at(r#"{"node_config": {"co$0nv1": {}}}"#, Locale::En).unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("No model is paired"), "{}", h.markdown);
        assert!(h.markdown.contains(how_to_pair()), "{}", h.markdown);
    }

    #[test]
    fn unknown_keys_have_no_hover() {
        assert_eq!(hover_at(r#"{"bo$0gus": 1}"#, Locale::En), None);
        assert_eq!(hover_at(r#"{"a": 1}  $0"#, Locale::En), None);
    }

    #[test]
    fn top_level_key() {
        let h = hover_at(r#"{"node_con$0fig": {}}"#, Locale::En).unwrap();
        insta::assert_snapshot!(h.markdown);
        assert!(
            h.markdown.contains("node name → settings"),
            "{}",
            h.markdown
        );
    }
}

mod model {
    use super::super::*;
    use crate::analysis::{fixture, fixture_model};
    use crate::syntax::parse;

    fn hover_with(model: &ModelIndex, s: &str) -> HoverInfo {
        let (text, offset) = fixture(s);
        hover(
            &text,
            &parse(&text),
            offset,
            Locale::En,
            Some(model),
            &Dialect::default(),
        )
        .expect("a hover")
    }

    const CONFIG: &str = r#"{
  "model_config": {"all_node_type": "int16"},
  "op_config": {"Conv": {"qtype": "float16"}},
  "node_config": {
    "/conv1/C$0onv": {"input1": "ec"}
  }
}"#;

    #[test]
    fn node_table_with_deciding_lines() {
        let m = fixture_model("resnet18");
        let h = hover_with(&m, CONFIG);
        insta::assert_snapshot!(h.markdown);
        let md = &h.markdown;
        assert!(md.starts_with("**/conv1/Conv**"), "{md}");
        assert!(md.contains("`Conv` node"), "{md}");
        assert!(md.contains("Outputs: `/conv1/Conv_output_0`"), "{md}");
        assert!(
            md.contains("| 0 | `input` | float16 | op_config.Conv.qtype (line 3) |"),
            "{md}"
        );
        assert!(
            md.contains("| 1 | `onnx::Conv_193` (weight) | ec (int8 with error compensation) | node_config./conv1/Conv.input1 (line 5) |"),
            "{md}"
        );
        assert!(!md.contains("Ambiguous"), "{md}");
        let text = CONFIG.replace("$0", "");
        assert_eq!(&text[h.range.start..h.range.end], "\"/conv1/Conv\"");
    }

    #[test]
    fn default_and_omitted_inputs() {
        let m = fixture_model("bev_unet");
        let h = hover_with(&m, r#"{"node_config": {"/up2/Res$0ize": {}}}"#);
        insta::assert_snapshot!(h.markdown);
        assert!(
            h.markdown
                .contains("| 0 | `/dec1/dec1.2/Relu_output_0` | int8 | default int8 |"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown.contains("| 1 | (omitted) | — | — |"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn ambiguous_names_show_every_node() {
        let m = fixture_model("resnet18_dup_names");
        let dup = m
            .node_names()
            .find(|n| m.nodes_named(n).len() > 1)
            .expect("a shared name")
            .to_string();
        let h = hover_with(&m, &format!("{{\"node_config\": {{\"$0{dup}\": {{}}}}}}"));
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("Ambiguous"), "{}", h.markdown);
        assert!(h.markdown.contains("**Node 2**"), "{}", h.markdown);
    }

    #[test]
    fn unknown_node_suggests() {
        let m = fixture_model("resnet18");
        let h = hover_with(&m, r#"{"node_config": {"/conv1/Cov$0": {}}}"#);
        // The message names the model by its absolute path, which differs per checkout.
        let model_path = m.path.display().to_string();
        insta::assert_snapshot!(h.markdown.replace(&model_path, "<model>"));
        assert!(h.markdown.contains("No node"), "{}", h.markdown);
        assert!(h.markdown.contains("`/conv1/Conv`?"), "{}", h.markdown);
    }

    #[test]
    fn op_type_counts_and_overrides() {
        let m = fixture_model("resnet18");
        let h = hover_with(
            &m,
            r#"{"op_config": {"Co$0nv": {}}, "node_config": {"/conv1/Conv": {}, "/relu/Relu": {}}}"#,
        );
        insta::assert_snapshot!(h.markdown);
        assert!(
            h.markdown
                .contains("The model has 20 `Conv` nodes; 1 of them has node_config overrides."),
            "{}",
            h.markdown
        );
        let h = hover_with(&m, r#"{"op_config": {"Soft$0max": {}}}"#);
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("no `Softmax` node"), "{}", h.markdown);
    }

    #[test]
    fn spec_keys_still_documented() {
        let m = fixture_model("resnet18");
        let h = hover_with(
            &m,
            r#"{"node_config": {"/conv1/Conv": {"inp$0ut1": "ec"}}}"#,
        );
        insta::assert_snapshot!(h.markdown);
        assert!(h.markdown.contains("**input1**"), "{}", h.markdown);
    }
}

mod dialects {
    use super::super::*;
    use crate::analysis::fixture;
    use crate::spec::{DialectSource, Profile};
    use crate::syntax::parse;

    fn hover_in(s: &str, dialect: &Dialect) -> String {
        let (text, offset) = fixture(s);
        hover(&text, &parse(&text), offset, Locale::En, None, dialect)
            .expect("a hover")
            .markdown
    }

    #[test]
    fn a_precision_value_says_which_profile_judged_it() {
        let bayes = Dialect::choose(Some(("bayes-e".into(), DialectSource::Setting)), None);
        let h = hover_in(r#"{"op_config": {"Conv": {"qtype": "float$016"}}}"#, &bayes);
        insta::assert_snapshot!(h);
        assert!(
            h.contains("`float16` is not valid with profile bayes (march bayes-e from the qcls.march setting)."),
            "{h}"
        );
        assert!(h.contains("Valid values (profile bayes"), "{h}");
        assert!(h.contains("`int8`, `int16`, `float32`"), "{h}");
        let h = hover_in(
            r#"{"op_config": {"Conv": {"qtype": "float$016"}}}"#,
            &Dialect::default(),
        );
        insta::assert_snapshot!(h);
        assert!(
            h.contains("`float16` is valid with profile nash (default)."),
            "{h}"
        );
    }

    #[test]
    fn hmct_lists_its_precisions() {
        let h = hover_in(
            r#"{"node_config": {"/a": {"q$0type": "int8"}}}"#,
            &Dialect::of(Profile::Hmct28),
        );
        insta::assert_snapshot!(h);
        assert!(h.contains("`dual-int16`, `int16-ec`"), "{h}");
        let h = hover_in(
            r#"{"node_config": {"/a": {"q$0type": "int8"}}}"#,
            &Dialect::default(),
        );
        insta::assert_snapshot!(h);
        assert!(!h.contains("dual-int16"), "{h}");
    }

    #[test]
    fn accepted_keys_have_docs() {
        let h = hover_in(
            r#"{"model_config": {"experi$0mental": {}}}"#,
            &Dialect::default(),
        );
        insta::assert_snapshot!(h);
        assert!(h.contains("does not check what is inside"), "{h}");
        let h = hover_in(r#"{"model_config": {"se$0arch": {}}}"#, &Dialect::default());
        insta::assert_snapshot!(h);
        assert!(h.contains("hmct 2.8"), "{h}");
    }
}

mod yaml {
    use super::super::*;
    use crate::analysis::{fixture, fixture_model};
    use crate::syntax::parse_yaml;

    fn hover_in(s: &str) -> Option<HoverInfo> {
        let (text, offset) = fixture(s);
        let yaml = parse_yaml(&text);
        let inline = crate::analysis::inline_quant_config(&yaml);
        let model = fixture_model("resnet18");
        hover_yaml(
            &text,
            &yaml,
            inline.as_ref(),
            offset,
            Locale::En,
            Some(&model),
            &Dialect::default(),
        )
    }

    #[test]
    fn optimization_items_show_their_op_type() {
        let text = "calibration_parameters:\n  optimization: set_model_output_int8;set_Co$0nv_input_int16\n";
        let h = hover_in(text).expect("a hover");
        assert!(
            h.markdown.starts_with("**Conv**") && h.markdown.contains("20 `Conv` nodes"),
            "{}",
            h.markdown
        );
        let start = text.find("set_Co").unwrap();
        assert_eq!(
            h.range,
            TextRange::new(start, start + "set_Conv_input_int16".len())
        );
        // A fixed item: the documentation of optimization.
        let h = hover_in("calibration_parameters:\n  optimization: set_model_out$0put_int8\n")
            .expect("a hover");
        assert!(h.markdown.starts_with("**optimization**"), "{}", h.markdown);
    }
}
