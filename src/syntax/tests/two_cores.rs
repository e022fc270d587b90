//! `parse_on_two_cores`: the second thread's members are taken only where they are what one
//! thread finds, so the tree and the errors never differ from `parse`'s.

use super::*;
use crate::syntax::parser::split_point;

/// Texts where a split can land anywhere: valid, broken after and before the middle, with
/// comments (`#` ones are errors), strings holding `,"`, arrays of strings, unicode.
const TEXTS: &[&str] = &[
    r#"{"node_config": {"/a/Conv": {"qtype": "int16"}, "/b/Conv": {"qtype": "int8"}, "/c": {"input0": "ec"}}}"#,
    "{\n  \"node_config\": {\n    \"/a\": {\"qtype\": \"int16\"},\n    // a comment\n    \"/b\": {\"qtype\": \"int8\"}, /* block */\n    \"/c\": {\"qtype\": \"float16\"}\n  },\n  \"op_config\": {\"Conv\": {\"qtype\": \"int16\"}}\n}\n",
    r#"{"a": {"x": "1,\"y", "z": ",\"", "w": [",\"", "v"]}, "b": 2}"#,
    r#"{"a": {"x": 1, "y": 2,}, "b": {"c": 3}}"#,
    r#"{"a": {"x": 1 "y": 2, "z": 3}}"#,
    r#"{"a": {"x": 1, "y": , "z": 3}}"#,
    "{\"a\": {\"x\": 1, # hash\n \"y\": 2, \"z\": 3}}",
    r#"{"a": {"x": 1, "y": 2, "z": 3"#,
    r#"{"a": {"x": 1, "y": 2, "z": 3]}"#,
    r#"[{"x": 1, "y": 2}, {"z": [1, 2, {"w": 3, "v": 4}]}]"#,
    r#"{"量": {"名": "值", "键": "值", "x": {"y": "ź"}}}"#,
    r#"{"a": {"x": 1, "y": 2}, "a": {"x": 3, "y": 4}}"#,
    r#"{"a": {"x": 1, "y": NaN, "z": 3}}"#,
    "{\"a\": {\"x\": 1, \"y\": \"open\n, \"z\": 3}}",
];

#[test]
fn every_split_point_gives_the_tree_of_one_thread() {
    let mut taken = 0;
    for text in TEXTS {
        let one = parse(text);
        for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let (two, took) = parse_split_at(text, at);
            assert_eq!(two, one, "split at {at} of {text:?}");
            taken += usize::from(took);
        }
    }
    // Each text has keys after a comma in an object, most with no error up to the `}`.
    assert!(
        taken >= 20,
        "the second thread's members were taken {taken} times"
    );
}

#[test]
fn the_second_threads_members_are_taken_at_a_clean_key_only() {
    let text = r#"{"a": {"x": 1, "y": [2], "z": {"w": 3}}, "b": 4}"#;
    let key = |k: &str| text.find(k).expect("key");
    assert!(parse_split_at(text, key("\"y\"")).1);
    assert!(parse_split_at(text, key("\"z\"")).1);
    // Inside a value, or at a key of the outer object that ends in a value which is no object.
    assert!(!parse_split_at(text, key("[2]")).1);
    assert!(!parse_split_at(text, key("\"w\"") + 1).1);
    // An error before the `}` (a missing comma after "y"): one thread parses it all.
    let broken = r#"{"a": {"x": 1, "y": 2 "z": 3}}"#;
    let at = broken.find("\"y\"").expect("key");
    let (two, took) = parse_split_at(broken, at);
    assert!(!took);
    assert_eq!(two, parse(broken));
}

/// Arrays `levels` deep as the value of a key two objects down.
fn nested(levels: usize) -> String {
    format!(
        r#"{{"a": {{"x": 1, "y": {}{}}}}}"#,
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

#[test]
fn members_that_would_nest_too_deep_where_they_are_taken_are_parsed_again() {
    // At "y" the first thread is two objects deep: 510 arrays more reach MAX_DEPTH exactly.
    let fits = nested(MAX_DEPTH - 2);
    let at = fits.find("\"y\"").expect("key");
    let (two, took) = parse_split_at(&fits, at);
    assert!(took);
    assert_eq!(two, parse(&fits));
    assert!(two.errors.is_empty());
    // One more: the second thread (which starts at depth 0) sees no error, the first would skip
    // the innermost array.
    let deeper = nested(MAX_DEPTH - 1);
    let (two, took) = parse_split_at(&deeper, at);
    assert!(!took);
    assert_eq!(two, parse(&deeper));
    assert_eq!(two.errors.len(), 1, "{:?}", two.errors);
}

#[test]
fn a_big_config_is_split_where_its_second_half_starts() {
    let entries: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                "    \"/layer{}/conv{i}/Conv\": {{\"qtype\": \"int16\"}}",
                i / 100
            )
        })
        .collect();
    let text = format!(
        "{{\n  \"node_config\": {{\n{}\n  }},\n  \"model_config\": {{\"all_node_type\": \"int16\"}}\n}}\n",
        entries.join(",\n")
    );
    assert!(text.len() >= 512 << 10);
    let at = split_point(&text).expect("a comma then a key past the middle");
    assert!(at >= text.len() / 2 && text[at..].starts_with("\"/layer"));
    let (two, took) = parse_split_at(&text, at);
    assert!(took);
    let one = parse(&text);
    assert_eq!(two, one);
    assert_eq!(parse_on_two_cores(&text), one);
    let nodes = one.root_object().and_then(|o| o.get_value("node_config"));
    assert_eq!(
        nodes.and_then(Value::as_object).map(|o| o.members.len()),
        Some(20_000)
    );
}

#[test]
fn no_split_point_without_a_comma_then_a_key_past_the_middle() {
    assert_eq!(split_point("[1, 2, 3, 4, 5, 6]"), None);
    // The comma before the middle does not count.
    assert_eq!(split_point(r#"{"a": 1, "b": 2}"#), None);
    let text = r#"{"a": 1, "b": 2, "c": 3}"#;
    assert_eq!(split_point(text), text.find("\"c\""));
    let text = format!("{{\"a\": \"{}\"}}", "x".repeat(200_000));
    assert_eq!(split_point(&text), None);
}
