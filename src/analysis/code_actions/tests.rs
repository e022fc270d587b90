use super::*;
use crate::analysis::{check, CheckContext, ModelStatus};
use crate::syntax::parse;

use crate::analysis::fixture_model as model;

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range.start..e.range.end, &e.new_text);
    }
    out
}

/// The fixes offered at the `$0` cursor, computed as the server does.
fn fixes_at(fixture: &str, model: Option<&ModelIndex>) -> (String, Vec<Fix>) {
    let (text, offset) = crate::analysis::fixture(fixture);
    let parse = parse(&text);
    let ctx = CheckContext {
        model: model.map_or(ModelStatus::Unpaired, ModelStatus::Loaded),
        ..Default::default()
    };
    let diagnostics = check(&text, &parse, &ctx);
    let fixes = code_actions(
        &text,
        &parse,
        &diagnostics,
        model,
        TextRange::empty(offset),
        &[],
    );
    (text, fixes)
}

/// Applies the fix titled `title` and returns the new text.
#[track_caller]
fn after(fixture: &str, model: Option<&ModelIndex>, title: &str) -> String {
    let (text, fixes) = fixes_at(fixture, model);
    let fix = fixes.iter().find(|f| f.title == title).unwrap_or_else(|| {
        panic!(
            "no fix {title:?} in {:#?}",
            fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
        )
    });
    apply(&text, &fix.edits)
}

#[test]
fn moves_ec_to_the_input_where_it_works() {
    let m = model("resnet18");
    let fixture = r#"{"node_config": {"/conv1/Conv": {"qtype": "int16", "input0": "e$0c"}}}"#;
    assert_eq!(
        after(fixture, Some(&m), "Move `ec` to input1"),
        r#"{"node_config": {"/conv1/Conv": {"qtype": "int16", "input1": "ec"}}}"#
    );
    let (_, fixes) = fixes_at(fixture, Some(&m));
    let preferred: Vec<&str> = fixes
        .iter()
        .filter(|f| f.preferred)
        .map(|f| f.title.as_str())
        .collect();
    assert_eq!(preferred, ["Move `ec` to input1"]);
    assert_eq!(fixes[0].diagnostic.code, Code::EcWrongInput);
    // input1 already set: it gets ec and input0 goes.
    assert_eq!(
        after(
            r#"{"node_config": {"/conv1/Conv": {"input0": "e$0c", "input1": "int8"}}}"#,
            Some(&m),
            "Move `ec` to input1"
        ),
        r#"{"node_config": {"/conv1/Conv": {"input1": "ec"}}}"#
    );
    assert_eq!(
        after(fixture, Some(&m), "Remove `ec`"),
        r#"{"node_config": {"/conv1/Conv": {"qtype": "int16"}}}"#
    );
}

#[test]
fn removes_ec_where_it_has_no_effect() {
    let m = model("resnet18");
    let text = "{\n  \"node_config\": {\n    \"/relu/Relu\": {\n      \"input0\": \"$0ec\",\n      \"qtype\": \"int16\"\n    }\n  }\n}";
    assert_eq!(
        after(text, Some(&m), "Remove `ec` (it has no effect here)"),
        "{\n  \"node_config\": {\n    \"/relu/Relu\": {\n      \"qtype\": \"int16\"\n    }\n  }\n}"
    );
    assert_eq!(
        after(
            r#"{"op_config": {"Conv": {"qtype": "e$0c"}}}"#,
            None,
            "Remove `ec` (it has no effect here)"
        ),
        r#"{"op_config": {"Conv": {}}}"#
    );
}

#[test]
fn did_you_mean_replacements() {
    let m = model("resnet18");
    assert_eq!(
        after(
            r#"{"model_config": {"activation": {"calibraton_$0type": "kl"}}}"#,
            None,
            "Change to \"calibration_type\""
        ),
        r#"{"model_config": {"activation": {"calibration_type": "kl"}}}"#
    );
    assert_eq!(
        after(
            r#"{"op_config": {"Conv": {"qtype": "Int1$06"}}}"#,
            None,
            "Change to \"int16\""
        ),
        r#"{"op_config": {"Conv": {"qtype": "int16"}}}"#
    );
    assert_eq!(
        after(
            r#"{"op_config": {"re$0lu": {"qtype": "int16"}}}"#,
            Some(&m),
            "Change to \"Relu\""
        ),
        r#"{"op_config": {"Relu": {"qtype": "int16"}}}"#
    );
    assert_eq!(
        after(
            r#"{"node_config": {"/conv1/Conv $0": {"qtype": "int16"}}}"#,
            Some(&m),
            "Trim whitespace: \"/conv1/Conv\""
        ),
        r#"{"node_config": {"/conv1/Conv": {"qtype": "int16"}}}"#
    );
    // Several candidates: one action each, none preferred.
    let (_, fixes) = fixes_at(
        r#"{"node_config": {"/layer1/layer1.0/conv3$0/Conv": {}}}"#,
        Some(&m),
    );
    let changes: Vec<&Fix> = fixes
        .iter()
        .filter(|f| f.title.starts_with("Change to"))
        .collect();
    assert!(changes.len() > 1, "{fixes:#?}");
    assert!(changes.iter().all(|f| !f.preferred));
}

#[test]
fn renames_legacy_keys() {
    assert_eq!(
        after(
            r#"{"node_config": {"/a": {"InputType$00": "int16"}}}"#,
            None,
            "Rename to \"input0\""
        ),
        r#"{"node_config": {"/a": {"input0": "int16"}}}"#
    );
    assert_eq!(
        after(
            r#"{"node_config": {"/a": {"O$0N": "CPU"}}}"#,
            None,
            "Replace with \"qtype\": \"float32\""
        ),
        r#"{"node_config": {"/a": {"qtype": "float32"}}}"#
    );
}

#[test]
fn moves_misplaced_keys_into_model_config() {
    let title = "Move \"activation\" into \"model_config\"";
    assert_eq!(
        after(
            "{\n  \"model_config\": {\n    \"all_node_type\": \"int16\"\n  },\n  \"activ$0ation\": {\"calibration_type\": \"kl\"}\n}",
            None,
            title
        ),
        "{\n  \"model_config\": {\n    \"all_node_type\": \"int16\",\n    \"activation\": {\"calibration_type\": \"kl\"}\n  }\n}"
    );
    assert_eq!(
        after(
            r#"{"activ$0ation": {"per_channel": true}, "model_config": {}}"#,
            None,
            title
        ),
        r#"{"model_config": {"activation": {"per_channel": true}}}"#
    );
    assert_eq!(
        after(r#"{"activ$0ation": {"per_channel": true}}"#, None, title),
        r#"{"model_config": {"activation": {"per_channel": true}}}"#
    );
}

#[test]
fn numbers_into_range_and_type() {
    let act = |body: &str| {
        format!(
            r#"{{"model_config": {{"activation": {{"calibration_type": ["kl", "max"], {body}}}}}}}"#
        )
    };
    assert_eq!(
        after(&act(r#""max_percentile": $01"#), None, "Change to 1.0"),
        act(r#""max_percentile": 1.0"#)
    );
    assert_eq!(
        after(
            &act(r#""num_bin": [1$000, 2048]"#),
            None,
            "Change to 129, the nearest value the toolchain accepts"
        ),
        act(r#""num_bin": [129, 2048]"#)
    );
    assert_eq!(
        after(
            &act(r#""max_percentile": 1.$05"#),
            None,
            "Change to 1.0, the nearest value the toolchain accepts"
        ),
        act(r#""max_percentile": 1.0"#)
    );
    assert_eq!(
        after(&act(r#""num_bin": "10$024""#), None, "Change to 1024"),
        act(r#""num_bin": 1024"#)
    );
}

#[test]
fn hash_comments_become_line_comments() {
    let fixture = "{\n  \"model_config\": {} # one$0\n  # two\n}";
    assert_eq!(
        after(fixture, None, "Turn the `#` comment into `//`"),
        "{\n  \"model_config\": {} // one\n  # two\n}"
    );
    assert_eq!(
        after(fixture, None, "Turn every `#` comment into `//`"),
        "{\n  \"model_config\": {} // one\n  // two\n}"
    );
}

#[test]
fn removes_settings_without_effect_and_ignored_duplicates() {
    let title = "Remove this setting: it has no effect";
    assert_eq!(
        after(
            "{\n  \"model_config\": {\n    \"all_node_type\": \"in$0t8\",\n    \"model_output_type\": \"int8\"\n  }\n}",
            None,
            title
        ),
        "{\n  \"model_config\": {\n    \"model_output_type\": \"int8\"\n  }\n}"
    );
    assert_eq!(
        after(
            r#"{"model_config": {"activation": {"calibration_type": "max", "num_$0bin": 1024}}}"#,
            None,
            title
        ),
        r#"{"model_config": {"activation": {"calibration_type": "max"}}}"#
    );
    assert_eq!(
        after(
            r#"{"op_config": {"Co$0nv": {"qtype": "int8"}, "Conv": {"qtype": "int16"}}}"#,
            None,
            "Remove the ignored duplicate"
        ),
        r#"{"op_config": {"Conv": {"qtype": "int16"}}}"#
    );
}

#[test]
fn nothing_away_from_the_cursor_or_in_a_clean_file() {
    let (_, fixes) = fixes_at(r#"{"op_config": {"Conv": {"qtype": "int16"}}$0}"#, None);
    assert!(
        fixes
            .iter()
            .all(|f| f.diagnostic.code == Code::ModelNotFound),
        "{fixes:#?}"
    );
}

/// The fixes at `$0` in an hb_compile YAML, on its inline quant_config as the server computes
/// them, applied by title.
#[track_caller]
fn after_in_yaml(fixture: &str, title: &str) -> String {
    let m = model("resnet18");
    let (text, offset) = crate::analysis::fixture(fixture);
    let yaml = crate::syntax::parse_yaml(&text);
    let inline = crate::analysis::inline_quant_config(&yaml).expect("an inline quant_config");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&m),
        ..Default::default()
    };
    let checked = crate::analysis::check_inline(&inline, &ctx);
    let fixes = code_actions(
        &text,
        &inline,
        &checked.diagnostics,
        Some(&m),
        TextRange::empty(offset),
        &[],
    );
    let fix = fixes.iter().find(|f| f.title == title).unwrap_or_else(|| {
        panic!(
            "no fix {title:?} in {:#?}",
            fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
        )
    });
    apply(&text, &fix.edits)
}

#[test]
fn yaml_fixes_keep_the_yaml_style() {
    // A JSON-like flow mapping: the same edits as in a JSON file.
    let flow = "calibration_parameters:\n  quant_config: {\"node_config\": {\"/conv1/Conv\": {\"qtype\": \"int16\", \"input0\": \"e$0c\"}}}\n";
    assert_eq!(
        after_in_yaml(flow, "Move `ec` to input1"),
        "calibration_parameters:\n  quant_config: {\"node_config\": {\"/conv1/Conv\": {\"qtype\": \"int16\", \"input1\": \"ec\"}}}\n"
    );
    // Single quotes stay single quotes.
    let quoted = "calibration_parameters:\n  quant_config: {'node_config': {'/conv1/Conv': {'O$0N': 'CPU'}}}  # keep\n";
    assert_eq!(
        after_in_yaml(quoted, "Replace with 'qtype': 'float32'"),
        "calibration_parameters:\n  quant_config: {'node_config': {'/conv1/Conv': {'qtype': 'float32'}}}  # keep\n"
    );
    // A block mapping: bare words, lines removed whole, comments kept.
    let block = "calibration_parameters:\n  quant_config:\n    node_config:\n      /conv1/Conv:  # stem\n        qtype: int16\n        input0: e$0c\n    model_config:\n      all_node_type: int8\n";
    assert_eq!(
        after_in_yaml(block, "Move `ec` to input1"),
        block.replace("input0: e$0c", "input1: ec")
    );
    assert_eq!(
        after_in_yaml(block, "Remove `ec`"),
        block.replace("\n        input0: e$0c", "")
    );
    // The only key of a block mapping: the entry stays a mapping.
    let only = "calibration_parameters:\n  quant_config:\n    node_config:\n      /conv1/Conv:\n        input0: e$0c\n";
    assert_eq!(
        after_in_yaml(only, "Remove `ec`"),
        only.replace("input0: e$0c", "{}")
    );
}

#[test]
fn yaml_block_keys_move_into_model_config_reindented() {
    let title = "Move \"activation\" into \"model_config\"";
    // model_config after the key: the key's lines go below its last key, re-indented.
    let before = "calibration_parameters:\n  quant_config:\n    activ$0ation:\n      calibration_type: max  # fast\n    model_config:\n      all_node_type: int16\n";
    assert_eq!(
        after_in_yaml(before, title),
        "calibration_parameters:\n  quant_config:\n    model_config:\n      all_node_type: int16\n      activation:\n        calibration_type: max  # fast\n"
    );
    // model_config before the key: one edit does the removal and the insert.
    let after_it = "calibration_parameters:\n  quant_config:\n    model_config:\n      all_node_type: int16\n    activ$0ation:\n      per_channel: true  # yes\ncompiler_parameters:\n  jobs: 4\n";
    assert_eq!(
        after_in_yaml(after_it, title),
        "calibration_parameters:\n  quant_config:\n    model_config:\n      all_node_type: int16\n      activation:\n        per_channel: true  # yes\ncompiler_parameters:\n  jobs: 4\n"
    );
    // No model_config: it is written around the key.
    let alone =
        "calibration_parameters:\n  quant_config:\n    activ$0ation:\n      per_channel: true\n";
    assert_eq!(
        after_in_yaml(alone, title),
        "calibration_parameters:\n  quant_config:\n    model_config:\n      activation:\n        per_channel: true\n"
    );
}

#[test]
fn a_name_left_unsearched_by_a_crowded_check_is_searched_when_its_fixes_are_asked_for() {
    let m = model("resnet18");
    // So many unknown names that the check searches the whole model for none of them.
    let over = crate::analysis::model_checks::SUGGESTION_BUDGET / m.node_count() + 1;
    let mut fixture = String::from("{\"node_config\": {\"/layer1/layr1.0/conv1/Co$0nv\": {}");
    for i in 0..over {
        fixture.push_str(&format!(",\n\"onnx::Mul_{i}\": {{}}"));
    }
    fixture.push_str("}}");
    let (text, fixes) = fixes_at(&fixture, Some(&m));
    let change = fixes
        .iter()
        .find(|f| f.title == "Change to \"/layer1/layer1.0/conv1/Conv\"")
        .unwrap_or_else(|| panic!("{:?}", fixes.iter().map(|f| &f.title).collect::<Vec<_>>()));
    // The diagnostic itself says nothing of it: the check did not search.
    assert!(!change.diagnostic.message.contains("did you mean"));
    // Removing the entry is no longer the preferred fix: a close name exists.
    let remove = fixes.iter().find(|f| f.title == "Remove this entry");
    assert!(remove.is_some_and(|f| !f.preferred));
    let fixed = apply(&text, &change.edits);
    assert!(fixed.starts_with("{\"node_config\": {\"/layer1/layer1.0/conv1/Conv\": {}"));
}

#[test]
fn a_request_over_a_whole_huge_file_fixes_a_bounded_number_of_diagnostics() {
    let mut text = String::from("{\"op_config\": {");
    for i in 0..(MAX_FIXED_PER_REQUEST + 100) {
        text.push_str(&format!("\"softmax{i}\": {{}}, "));
    }
    text.push_str("\"Softmx\": {}}}");
    let parse = parse(&text);
    let diagnostics = check(&text, &parse, &CheckContext::default());
    assert!(diagnostics.len() > MAX_FIXED_PER_REQUEST);
    let fixes = code_actions(
        &text,
        &parse,
        &diagnostics,
        None,
        TextRange::new(0, text.len()),
        &[],
    );
    let mut fixed: Vec<TextRange> = fixes.iter().map(|f| f.diagnostic.range).collect();
    fixed.dedup();
    assert!(!fixed.is_empty());
    assert!(fixed.len() <= MAX_FIXED_PER_REQUEST, "{}", fixed.len());
}

/// A request over the whole of a broken 550 KB document once tried 499 fixes, each by parsing
/// the whole text again (4.5 s); the fixes tried are now bounded by the bytes re-parsed.
#[test]
fn fixes_tried_in_a_broken_document_are_bounded_by_the_bytes_parsed() {
    let mut text = String::from("{\"node_config\": {\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "  \"/n{i}/Conv\": {{\"qtype\": \"int32\", \"qtyp\": \"int8\"}},\n"
        ));
    }
    // A missing comma: a syntax error, so every fix is tried on the text first.
    text.push_str("  \"x\": {}\n}\n\"op_config\": {}\n}\n");
    let tree = parse(&text);
    assert!(!tree.errors.is_empty());
    let diagnostics = check(&text, &tree, &CheckContext::default());
    let whole = TextRange::new(0, text.len());
    let fixes = code_actions(&text, &tree, &diagnostics, None, whole, &[]);
    let tried = VERIFIED_BYTES_PER_REQUEST / text.len() - 1;
    assert!(
        !fixes.is_empty() && fixes.len() <= tried,
        "{} fixes",
        fixes.len()
    );
    // The fixes kept are those of the first diagnostics.
    let last = fixes.iter().map(|f| f.diagnostic.range.start).max();
    assert!(last < Some(text.len() / 100), "{last:?}");
    // A small broken document still gets every fix tried.
    let small = "{\"node_config\": {\"a\": {\"qtype\": \"int32\"}}\n\"op_config\": {}}";
    let tree = parse(small);
    let diagnostics = check(small, &tree, &CheckContext::default());
    let all = TextRange::new(0, small.len());
    assert!(!code_actions(small, &tree, &diagnostics, None, all, &[]).is_empty());
}

#[test]
fn a_value_with_no_close_valid_one_offers_each_valid_value() {
    let fixture = r#"{"model_config": {"all_node_type": "int$032"}}"#;
    let (_, fixes) = fixes_at(fixture, None);
    let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Change to \"int16\"", "Change to \"float16\""],
        "{titles:?}"
    );
    // None is clearly the right one.
    assert!(fixes.iter().all(|f| !f.preferred));
    assert_eq!(
        after(fixture, None, "Change to \"float16\""),
        r#"{"model_config": {"all_node_type": "float16"}}"#
    );
}
