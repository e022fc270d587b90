use super::*;
use crate::analysis::fixture_model;
use crate::syntax::parse;

/// node_config entries of every kind the checks tell apart, `count` of them.
fn varied_config(model: &ModelIndex, count: usize) -> String {
    let names: Vec<&str> = model.node_names().collect();
    let entries: Vec<String> = (0..count)
        .map(|i| {
            let name = names[i % names.len()];
            match i % 9 {
                0 => format!(r#""{name}_old": {{"qtype": "int16"}}"#),
                1 => format!(r#""{name} ": {{"qtype": "int16"}}"#),
                2 => format!(r#""/stem/Constant_{i}": {{"qtype": "int16"}}"#),
                3 => format!(r#""{name}": {{"input0": "ec"}}"#),
                4 => format!(r#""{name}": {{"qtype": "float32"}}"#),
                5 => format!(r#""{}": {{"qtype": "int16"}}"#, names[0]),
                6 => format!(r#""zzz{i}": {{"qtype": "int16"}}"#),
                7 => format!(r#""{name}": {{"qtype": "dual-int16"}}"#),
                _ => format!(r#""{name}": {{"qtype": "int8"}}"#),
            }
        })
        .collect();
    format!(
        "{{\"model_config\": {{\"all_node_type\": \"int16\"}},\n\"node_config\": {{\n{}\n}}}}",
        entries.join(",\n")
    )
}

fn node_diagnostics(text: &str, model: &ModelIndex, parallel: bool) -> (Vec<Diagnostic>, usize) {
    let parsed = parse(text);
    let root = parsed.root.as_ref().expect("a tree");
    let nodes = parsed
        .root_object()
        .and_then(|o| o.get_value("node_config"))
        .and_then(Value::as_object)
        .expect("node_config");
    let mut checker = ModelChecker::new(root, model, Profile::default(), Locale::En);
    checker.node_entries(root, &nodes.members, &nodes.shadowed(), parallel);
    checker.finish(ModelSearch::Yes)
}

#[test]
fn entries_checked_on_two_threads_give_what_one_thread_gives() {
    let model = fixture_model("resnet18");
    let text = varied_config(&model, 901);
    let one = node_diagnostics(&text, &model, false);
    let two = node_diagnostics(&text, &model, true);
    // Every kind of entry reported something, so the comparison covers them all.
    let codes: BTreeSet<&str> = one.0.iter().map(|d| d.code.as_str()).collect();
    for code in ["unknown-node", "ec-wrong-input", "no-effect"] {
        assert!(codes.contains(code), "{code} missing from {codes:?}");
    }
    assert!(one.0.len() > 400, "{} diagnostics", one.0.len());
    assert_eq!(one, two);
}

#[test]
fn a_big_config_is_checked_in_parallel_and_keeps_its_diagnostics() {
    let model = fixture_model("resnet18");
    let text = varied_config(&model, PARALLEL_ENTRIES + 9);
    let parsed = parse(&text);
    let obj = parsed.root_object().expect("an object");
    assert!(worth_threads(obj));
    let root = parsed.root.as_ref().expect("a tree");
    let whole = check_with_model(root, obj, &model, Profile::default(), Locale::En);
    assert_eq!(whole, node_diagnostics(&text, &model, false));
}
