//! `cursor_at`: where a cursor is, read from the text (so it works while the user types), and
//! the tree's member and value there.

use super::*;
use crate::syntax::cursor::{read_whole, restart_at};

/// The text without its `$0` marker, and the marker's offset.
fn marked(s: &str) -> (String, usize) {
    let at = s.find("$0").expect("fixture without $0");
    (s.replacen("$0", "", 1), at)
}

/// Where typing goes on at `$0`, read from the start of the text.
fn at(s: &str) -> Cursor {
    let (text, offset) = marked(s);
    read_whole(&text, offset, Bias::Typing)
}

/// What the character at `$0` is, with the tree.
fn on(s: &str) -> (String, Cursor) {
    let (text, offset) = marked(s);
    let c = cursor_at(&text, &parse(&text), offset, Bias::Char);
    (text, c)
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

// ---- typing (completion) ----

#[test]
fn key_in_empty_object() {
    let c = at("{ $0 }");
    assert_eq!(c.slot, Slot::Key);
    assert!(c.path.is_empty());
    assert_eq!(c.token, None);
}

#[test]
fn key_in_unclosed_string() {
    let c = at("{\"model_config\": {\"act$0\n");
    assert_eq!(c.slot, Slot::Key);
    assert_eq!(c.path, vec![key("model_config")]);
    assert_eq!(c.token, Some(TextRange::new(18, 22)));
}

#[test]
fn key_in_closed_string_covers_both_quotes() {
    let c = at("{\"model_config\": {\"act$0ivation\": {}}}");
    assert_eq!(c.slot, Slot::Key);
    assert_eq!(c.token, Some(TextRange::new(18, 30)));
}

#[test]
fn value_after_colon() {
    let c = at("{\"node_config\": {\"conv1\": {\"input1\": $0}}}");
    assert_eq!(c.slot, Slot::Value);
    assert_eq!(
        c.path,
        vec![key("node_config"), key("conv1"), key("input1")]
    );
}

#[test]
fn value_in_list() {
    let c = at("{\"model_config\": {\"activation\": {\"calibration_type\": [\"kl\", \"m$0");
    assert_eq!(c.slot, Slot::Value);
    assert_eq!(
        c.path,
        vec![
            key("model_config"),
            key("activation"),
            key("calibration_type"),
            Seg::Index(1)
        ]
    );
}

#[test]
fn missing_comma_starts_a_key() {
    let c = at("{\"model_config\": {}\n  \"op$0");
    assert_eq!(c.slot, Slot::Key);
    assert_eq!(c.keys_before, vec!["model_config".to_string()]);
}

#[test]
fn keys_before_skip_closed_siblings() {
    let c = at("{\"a\": {\"x\": 1}, \"b\": 2, $0");
    assert_eq!(c.slot, Slot::Key);
    assert_eq!(c.keys_before, vec!["a".to_string(), "b".to_string()]);
}

#[test]
fn keys_are_decoded() {
    let c = at("{\"a\\u0062\": 1, $0");
    assert_eq!(c.keys_before, vec!["ab".to_string()]);
}

#[test]
fn inside_comment_is_other() {
    assert_eq!(at("{ // \"qt$0\n}").slot, Slot::Other);
    assert_eq!(at("{ /* $0 */ }").slot, Slot::Other);
    assert_eq!(at("{ # \"qt$0\n}").slot, Slot::Other);
}

#[test]
fn after_value_is_other() {
    assert_eq!(at("{\"a\": 1 $0}").slot, Slot::Other);
}

#[test]
fn word_value() {
    let c = at("{\"model_config\": {\"activation\": {\"per_channel\": tr$0");
    assert_eq!(c.slot, Slot::Value);
    assert_eq!(c.token, Some(TextRange::new(48, 50)));
}

#[test]
fn offsets_out_of_range_and_inside_chars_are_safe() {
    let text = "{\"é\": 1}";
    let c = cursor_at(text, &parse(text), 3, Bias::Typing);
    assert_eq!(c.slot, Slot::Key);
    for text in ["{", ""] {
        for bias in [Bias::Typing, Bias::Char] {
            let _ = cursor_at(text, &parse(text), 100, bias);
            let _ = cursor_at(text, &parse(text), 0, bias);
        }
    }
}

/// Starting from the tree's restart point finds exactly what a reading from the start finds,
/// at every offset and with both biases, in clean documents and in documents broken before or
/// after the point.
#[test]
fn the_restarted_reading_equals_the_whole_reading() {
    let clean = "{\n  // c\n  \"model_config\": {\"all_node_type\": \"int16\", \"activation\": {\"calibration_type\": [\"max\", \"kl\"]}},\n  \"node_config\": {\n    \"/a\": {\"qtype\": \"int8\"}, /* b */\n    \"/b\": {\"input0\": \"ec\", \"x\": [1, {\"y\": null}]},\n    \"/c\\u0041\": {}\n  }\n}\n";
    let docs = [
        clean.to_string(),
        // Broken after the point, while typing: unclosed key, missing colon, no closers.
        clean.replace("\"/c\\u0041\": {}", "\"/c"),
        clean.replace("\"/c\\u0041\": {}", "\"/c\" {"),
        clean.replace("  }\n}\n", ""),
        // Broken before it: a missing comma (also with a comma in a comment), a hash
        // comment, an unquoted key.
        clean.replace("}, /* b */", "} /* b */"),
        clean.replace("}, /* b */", "} /* b, */"),
        clean.replace("// c", "# c"),
        clean.replace("\"/a\"", "a"),
    ];
    for text in &docs {
        let parse = parse(text);
        for offset in 0..=text.len() {
            for bias in [Bias::Typing, Bias::Char] {
                let fast = cursor_at(text, &parse, offset, bias);
                let full = read_whole(text, offset, bias);
                let at = format!("at {offset} ({bias:?}) in {text}");
                assert_eq!(
                    (&fast.path, fast.slot, fast.token),
                    (&full.path, full.slot, full.token),
                    "{at}"
                );
                // Only keys of members the tree holds may be left out, from the front.
                assert!(full.keys_before.ends_with(&fast.keys_before), "{at}");
                let left_out = &full.keys_before[..full.keys_before.len() - fast.keys_before.len()];
                let tree_keys: Vec<&str> = node_at(&parse, &full.path, offset)
                    .and_then(Value::as_object)
                    .map(|o| o.members.iter().map(|m| m.key.text.as_str()).collect())
                    .unwrap_or_default();
                assert!(
                    left_out.iter().all(|k| tree_keys.contains(&k.as_str())),
                    "{at}"
                );
            }
        }
    }
    // The point is used where it can be: in the last entry of the clean document.
    let offset = clean.find("/c").expect("last key");
    assert_eq!(restart_at(clean, &parse(clean), offset), Some(offset - 1));
}

// ---- the character under the cursor (hover, code actions) ----

#[test]
fn on_a_key_from_its_opening_to_its_closing_quote() {
    let text = r#"{"model_config": {"activation": {}}}"#;
    let p = parse(text);
    let key_range = span(text, "\"activation\"");
    for offset in key_range.start..key_range.end {
        let c = cursor_at(text, &p, offset, Bias::Char);
        assert_eq!(c.slot, Slot::Key, "{offset}");
        assert_eq!(c.path, vec![key("model_config")]);
        assert_eq!(c.token, Some(key_range));
        assert_eq!(
            c.member(&p).map(|m| m.key.text.as_str()),
            Some("activation")
        );
    }
    // The colon after it is no key.
    assert_ne!(
        cursor_at(text, &p, key_range.end, Bias::Char).slot,
        Slot::Key
    );
}

#[test]
fn on_a_value_and_on_a_list_element() {
    let (text, c) = on(r#"{"model_config": {"all_node_type": "int1$06"}}"#);
    let p = parse(&text);
    assert_eq!(c.slot, Slot::Value);
    assert_eq!(c.path, vec![key("model_config"), key("all_node_type")]);
    assert_eq!(c.value(&p).and_then(Value::as_str), Some("int16"));

    let (text, c) = on(r#"{"a": ["kl", $0"max"]}"#);
    let p = parse(&text);
    assert_eq!(c.path, vec![key("a"), Seg::Index(1)]);
    assert_eq!(c.value(&p).and_then(Value::as_str), Some("max"));
    assert_eq!(c.member(&p), None);
}

#[test]
fn on_punctuation_or_space_there_is_no_token() {
    for s in [r#"{"a": $0{"b": 1}}"#, r#"{"a":$0 1}"#, r#"{"a": 1$0}"#] {
        let (text, c) = on(s);
        let p = parse(&text);
        assert_eq!(
            (c.token, c.member(&p), c.value(&p)),
            (None, None, None),
            "{s}"
        );
    }
}

#[test]
fn repeated_keys_resolve_to_the_one_under_the_cursor() {
    let text =
        r#"{"node_config": {"/a": {"qtype": "int8"}}, "node_config": {"/b": {"qtype": "int16"}}}"#;
    let p = parse(text);
    let first = text.find("int8").expect("first");
    let c = cursor_at(text, &p, first, Bias::Char);
    assert_eq!(c.value(&p).and_then(Value::as_str), Some("int8"));
    let second = text.find("int16").expect("second");
    let c = cursor_at(text, &p, second, Bias::Char);
    assert_eq!(c.value(&p).and_then(Value::as_str), Some("int16"));
}
