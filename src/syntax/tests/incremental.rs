//! `Parse::reparse_member`: which edits are spliced in place, and that a spliced tree is the
//! tree a full parse gives.

use super::*;

const CONFIG: &str = r#"{
  // the model
  "model_config": {"all_node_type": "int16"},
  "node_config": {
    "/a/Conv": {"qtype": "int16"}, // first
    "/b/MatMul": {"input0": "ec", "input1": [1, {"x": null}]},
    /* between */ "/c/Add": {"qtype": "float16"}
  },
  "op_config": {"Softmax": {"qtype": "int16"}} // after
}
"#;

/// Replaces the `n`th occurrence of `needle` and re-parses: the new text, what
/// `reparse_member` said, and the tree it left.
fn reparse(text: &str, needle: &str, n: usize, with: &str) -> (String, Option<Splice>, Parse) {
    let range = span_n(text, needle, n);
    let mut new_text = text.to_string();
    new_text.replace_range(range.start..range.end, with);
    let mut tree = parse(text);
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    let splice = tree.reparse_member(&new_text, range, with.len());
    (new_text, splice, tree)
}

#[test]
fn an_edit_inside_a_node_entry_is_spliced() {
    let (new_text, splice, tree) = reparse(CONFIG, "int16", 1, "float32");
    let splice = splice.expect("spliced");
    assert_eq!(tree, parse(&new_text));
    assert_eq!((splice.section, splice.member), (1, 0));
    assert_eq!(splice.old_key, "/a/Conv");
    assert_eq!(splice.old, span(CONFIG, r#""/a/Conv": {"qtype": "int16"}"#));
    assert_eq!(
        splice.new,
        span(&new_text, r#""/a/Conv": {"qtype": "float32"}"#)
    );
    assert_eq!(splice.delta(), 2);
}

#[test]
fn renaming_a_key_is_spliced_and_remembers_the_old_key() {
    let (new_text, splice, tree) = reparse(CONFIG, "/b/MatMul", 0, "/b/MatMul_1");
    let splice = splice.expect("spliced");
    assert_eq!(tree, parse(&new_text));
    assert_eq!(splice.member, 1);
    assert_eq!(splice.old_key, "/b/MatMul");
    let nodes = tree.root_object().and_then(|o| o.get_value("node_config"));
    let keys: Vec<&str> = nodes
        .and_then(Value::as_object)
        .map(|o| o.members.iter().map(|m| m.key.text.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["/a/Conv", "/b/MatMul_1", "/c/Add"]);
}

#[test]
fn comments_inside_and_after_the_member_move_with_it() {
    // A comment added inside the entry, and one removed: both follow the full parse.
    let (new_text, splice, tree) = reparse(
        CONFIG,
        "\"qtype\": \"float16\"",
        0,
        "/* x */ \"qtype\": \"float16\" // y\n",
    );
    assert!(splice.is_some());
    assert_eq!(tree, parse(&new_text));
    assert_eq!(tree.comments.len(), 6);
    let (new_text, splice, tree) = reparse(CONFIG, "[1, {\"x\": null}]", 0, "[]");
    assert!(splice.is_some());
    assert_eq!(tree, parse(&new_text));
}

#[test]
fn edits_in_other_sections_are_spliced_too() {
    let (new_text, splice, tree) = reparse(CONFIG, "int16", 0, "int8");
    assert_eq!(splice.map(|s| (s.section, s.member)), Some((0, 0)));
    assert_eq!(tree, parse(&new_text));
    let (new_text, splice, tree) = reparse(
        CONFIG,
        "Softmax\": {",
        0,
        "Softmax\": {\"input0\": \"int8\", ",
    );
    assert_eq!(splice.map(|s| (s.section, s.member)), Some((2, 0)));
    assert_eq!(tree, parse(&new_text));
}

#[test]
fn edits_the_member_alone_cannot_decide_are_declined() {
    let cases = [
        // A new error (an unclosed string), and one in a nested value.
        ("\"int16\"}, // first", 0, "\"int16}, // first"),
        ("null", 0, "nul"),
        // Touching the member's boundary: the end of its value, the comma after it.
        ("\"float16\"}", 0, "\"float16\"} "),
        (", // first", 0, " // first"),
        // Between members, and a new member.
        ("/* between */", 0, ""),
        ("\"/c/Add\"", 0, "\"/d\": {}, \"/c/Add\""),
        // At the top level.
        ("// the model", 0, ""),
    ];
    for (needle, n, with) in cases {
        let (_, splice, tree) = reparse(CONFIG, needle, n, with);
        assert_eq!(splice, None, "{needle:?} -> {with:?}");
        assert_eq!(tree, parse(CONFIG), "the tree is untouched");
    }
}

#[test]
fn a_document_with_errors_is_never_spliced() {
    let broken = CONFIG.replace("\"/c/Add\"", "'/c/Add'");
    let mut tree = parse(&broken);
    assert!(!tree.errors.is_empty());
    let range = span(&broken, "float16");
    let mut new_text = broken.clone();
    new_text.replace_range(range.start..range.end, "int8");
    assert_eq!(tree.reparse_member(&new_text, range, 4), None);
}

#[test]
fn nesting_past_the_depth_limit_is_left_to_the_full_parse() {
    let base = r#"{"node_config": {"/a": {"x": 0}}}"#;
    let deep = format!("{}0{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let range = span(base, "0");
    let mut new_text = base.to_string();
    new_text.replace_range(range.start..range.end, &deep);
    let mut tree = parse(base);
    assert_eq!(tree.reparse_member(&new_text, range, deep.len()), None);
    assert!(!parse(&new_text).errors.is_empty());
    // Just under the limit it is spliced, and equal to the full parse.
    let depth = MAX_DEPTH - 3;
    let ok = format!("{}0{}", "[".repeat(depth), "]".repeat(depth));
    let mut new_text = base.to_string();
    new_text.replace_range(range.start..range.end, &ok);
    let full = parse(&new_text);
    assert!(full.errors.is_empty());
    assert!(tree.reparse_member(&new_text, range, ok.len()).is_some());
    assert_eq!(tree, full);
}

#[test]
fn splices_of_one_member_compose() {
    let (text1, first, _) = reparse(CONFIG, "int16", 1, "int8");
    let first = first.expect("spliced");
    let (_, second, _) = reparse(&text1, "int8", 0, "float32");
    let second = second.expect("spliced");
    let both = first.then(&second).expect("same member");
    assert_eq!(both.old, first.old);
    assert_eq!(both.new, second.new);
    assert_eq!(both.delta(), 2);
    assert_eq!(both.map_offset(0), Some(0));
    assert_eq!(both.map_offset(both.old.start + 1), None);
    assert_eq!(both.map_offset(both.old.end), Some(both.new.end));
    // A splice of another member does not compose.
    let (_, other, _) = reparse(&text1, "float16", 0, "int8");
    assert_eq!(first.then(&other.expect("spliced")), None);
}
