//! Property test: after an edit inside one node_config entry, the incremental path (the tree
//! re-parsed in place, then `check_after_splice` from the previous result) gives exactly what
//! parsing and checking the whole document gives, with a model, without one and with the
//! user's severity overrides. Chains of incremental checks are compared too.

use std::path::Path;

use proptest::prelude::*;
use qcls::analysis::{
    check_after_splice, check_document, CheckContext, Code, DiagnosticConfig, ModelStatus, Severity,
};
use qcls::model::ModelIndex;
use qcls::syntax::parse;
use qcls::text::TextRange;

#[path = "support/random_edit.rs"]
mod random_edit;
use random_edit::{apply, edit};

fn resnet18() -> ModelIndex {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    ModelIndex::load(&path).expect("the resnet18 fixture loads")
}

/// A config touching every kind of node_config diagnostic: valid entries, no-effect ones,
/// `ec` in the right and wrong places, legacy keys, bad values, unknown and folded names.
fn config(model: &ModelIndex) -> String {
    let mut t = String::from(
        "{\n  // a config\n  \"model_config\": {\"all_node_type\": \"int16\"},\n  \"op_config\": {\"Add\": {\"qtype\": \"float16\"}},\n  \"node_config\": {\n",
    );
    let values = [
        r#"{"qtype": "int16"}"#,
        r#"{"qtype": "float32", "input1": "ec"}"#,
        r#"{"input0": "ec", "InputType1": "int8"}"#,
        r#"{"qtype": "int32"}"#,
        r#"{"qtype": ["int8"], "input1": "float16"} /* c */"#,
        r#"{}"#,
        r#"{"ON": "CPU", "bogus": 1}"#,
        r#""int8""#,
    ];
    let names = model.node_names().take(30).collect::<Vec<_>>();
    for (i, name) in names.iter().enumerate() {
        t.push_str(&format!("    \"{name}\": {},\n", values[i % values.len()]));
    }
    t.push_str("    \"/layer1/layer1.0/conv1/Con\": {\"qtype\": \"int8\"},\n");
    t.push_str("    \"/Constant_7\": {\"qtype\": \"int8\"},\n");
    t.push_str("    \" /conv1/Conv\": {\"qtype\": \"int8\"}\n  }\n}\n");
    t
}

fn fragment() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(vec![
        "1",
        "_",
        "/",
        "a",
        "Conv",
        "ec",
        "int16",
        "float32",
        "int8",
        "x",
        "\"",
        "{",
        "}",
        ",",
        ":",
        " ",
        "\n",
        "//c\n",
        "/*c*/",
        "量",
        "\"input1\": \"ec\", ",
        "\"qtype\": \"int8\", ",
        "[",
        "]",
        "null",
        "0.5",
    ])
    .prop_map(str::to_string)
}

fn context(which: usize, model: &ModelIndex) -> CheckContext<'_> {
    let mut config = DiagnosticConfig::default();
    if which == 2 {
        config.overrides.insert(Code::NoEffect, None);
        config
            .overrides
            .insert(Code::UnknownNode, Some(Severity::Hint));
    }
    CheckContext {
        model: if which == 1 {
            ModelStatus::Unpaired
        } else {
            ModelStatus::Loaded(model)
        },
        directive: None,
        config,
        ..CheckContext::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn checking_one_entry_again_equals_checking_the_document(
        which in 0usize..3,
        edits in prop::collection::vec(edit(fragment(), 6), 1..10),
    ) {
        let model = resnet18();
        let ctx = context(which, &model);
        let mut text = config(&model);
        let mut tree = parse(&text);
        let mut checked = check_document(&text, &tree, &ctx);
        for e in &edits {
            let (range, inserted) = apply(&mut text, e);
            let full_tree = parse(&text);
            let full = check_document(&text, &full_tree, &ctx);
            let incremental = tree
                .reparse_member(&text, range, inserted)
                .and_then(|splice| check_after_splice(&checked, &tree, &splice, &ctx));
            match incremental {
                Some(incremental) => {
                    prop_assert_eq!(&tree, &full_tree);
                    prop_assert_eq!(&incremental.diagnostics, &full.diagnostics, "after {:?}", e);
                    checked = incremental;
                }
                None => checked = full,
            }
            tree = full_tree;
        }
    }
}

/// The property above must exercise the incremental path: typical edits take it.
#[test]
fn typical_edits_are_checked_incrementally() {
    let model = resnet18();
    let ctx = context(0, &model);
    let text = config(&model);
    let tree = parse(&text);
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    let checked = check_document(&text, &tree, &ctx);
    for (old, new) in [
        ("int32", "int16"),
        ("\"qtype\": \"int16\"", "\"qtype\": \"float32\""),
        ("/layer1/layer1.0/conv1/Con", "/layer1/layer1.0/conv1/Conv_"),
        ("Constant_7", "Constant_8"),
    ] {
        let at = text.find(old).expect("in the config");
        let mut new_text = text.clone();
        new_text.replace_range(at..at + old.len(), new);
        let mut spliced = tree.clone();
        let splice = spliced
            .reparse_member(&new_text, TextRange::new(at, at + old.len()), new.len())
            .expect("spliced");
        let incremental = check_after_splice(&checked, &spliced, &splice, &ctx)
            .unwrap_or_else(|| panic!("{old} -> {new} checked incrementally"));
        let full = check_document(&new_text, &parse(&new_text), &ctx);
        assert_eq!(incremental.diagnostics, full.diagnostics);
        assert!(
            full.diagnostics != checked.diagnostics,
            "{old} -> {new} changes something"
        );
    }
}
