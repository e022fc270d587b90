//! After an error the tree goes on: the shape of what follows.

use super::*;

#[test]
fn missing_comma_between_members() {
    let text = r#"{"a": 1 "b": 2}"#;
    let p = one_error(text, span(text, r#""b""#), "expected `,` or `}`");
    let o = root_obj(&p);
    assert!(o.closed);
    assert_eq!(int(member_value(o, "a")), 1.0);
    assert_eq!(int(member_value(o, "b")), 2.0);
}

#[test]
fn missing_comma_reports_each_place() {
    let text = r#"{"a": 1 "b": 2 "c": 3}"#;
    let p = parse(text);
    let ranges: Vec<_> = p.errors.iter().map(|e| e.range).collect();
    assert_eq!(ranges, [span(text, r#""b""#), span(text, r#""c""#)]);
    assert_eq!(root_obj(&p).members.len(), 3);
}

#[test]
fn missing_value() {
    let text = r#"{"a": }"#;
    let p = one_error(text, span(text, "}"), "expected a value after `:`");
    let m = root_obj(&p).get("a").unwrap();
    assert!(m.value.is_none());
    assert_eq!(m.colon.map(Colon::range), Some(span(text, ":")));
    assert!(root_obj(&p).closed);

    let text = r#"{"a": , "b": 2}"#;
    let p = one_error(text, span(text, ","), "expected a value");
    let o = root_obj(&p);
    assert!(o.get("a").unwrap().value.is_none());
    assert_eq!(int(member_value(o, "b")), 2.0);
}

#[test]
fn missing_colon() {
    let text = r#"{"a" 1, "b": 2}"#;
    let p = one_error(
        text,
        span(text, "1"),
        "expected `:` after the property name",
    );
    let o = root_obj(&p);
    let a = o.get("a").unwrap();
    assert!(a.colon.is_none());
    assert_eq!(int(a.value.as_ref().unwrap()), 1.0);
    assert_eq!(int(member_value(o, "b")), 2.0);

    // A string after a key is taken as the next key.
    let text = r#"{"a" "b": 2}"#;
    let p = one_error(text, span(text, r#""b""#), "expected `:`");
    let o = root_obj(&p);
    assert!(o.get("a").unwrap().value.is_none());
    assert_eq!(int(member_value(o, "b")), 2.0);
}

#[test]
fn unclosed_string_key_while_typing() {
    let text = r#"{"a"#;
    let p = parse(text);
    let o = root_obj(&p);
    assert!(!o.closed);
    let m = &o.members[0];
    assert_eq!(m.key.text, "a");
    assert_eq!(m.key.range, TextRange::new(1, 3));
    assert!(!m.key.is_closed(text));
    assert_eq!(m.key.inner_range(text), TextRange::new(2, 3));
    let got: Vec<_> = p
        .errors
        .iter()
        .map(|e| (e.range, e.message.as_str()))
        .collect();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[0].0, TextRange::new(1, 3));
    assert!(got[0].1.contains("unterminated string"));
    assert_eq!(got[1].0, empty_at(3));
    assert!(got[1].1.contains("unexpected end of file"));
}

#[test]
fn unclosed_string_value_ends_at_line_break() {
    let text = "{\"a\": \"in\n\"b\": 2}";
    let p = parse(text);
    let o = root_obj(&p);
    let a = member_value(o, "a");
    assert_eq!(
        a.kind,
        ValueKind::String(Str {
            value: "in".into(),
            closed: false
        })
    );
    assert_eq!(a.range, span(text, "\"in"));
    assert_eq!(int(member_value(o, "b")), 2.0);
    assert!(p.errors[0].message.contains("unterminated string"));
    assert_eq!(p.errors[0].range, span(text, "\"in"));
}

#[test]
fn key_closedness() {
    let text = r#"{"a\\": 1, "b\"": 2}"#;
    let p = clean(text);
    let o = root_obj(&p);
    assert!(o.members.iter().all(|m| m.key.is_closed(text)));
    assert_eq!(o.members[0].key.text, "a\\");
    assert_eq!(o.members[1].key.inner_range(text), TextRange::new(12, 15));
}

#[test]
fn missing_closers_at_eof_give_one_error() {
    let text = r#"{"a": {"b": [1, 2"#;
    let p = one_error(
        text,
        empty_at(text.len()),
        "unexpected end of file: expected `]`",
    );
    let o = root_obj(&p);
    assert!(!o.closed);
    assert_eq!(
        p.root.as_ref().unwrap().range,
        TextRange::new(0, text.len())
    );
    let inner = member_value(o, "a").as_object().unwrap();
    assert!(!inner.closed);
    let arr = member_value(inner, "b").as_array().unwrap();
    assert!(!arr.closed);
    assert_eq!(arr.elements.len(), 2);
}

#[test]
fn missing_comma_in_array() {
    let text = r#"{"a": [1 2], "b": 3}"#;
    let p = one_error(text, span(text, "2"), "expected `,` or `]`");
    let o = root_obj(&p);
    assert_eq!(member_value(o, "a").as_array().unwrap().elements.len(), 2);
    assert_eq!(int(member_value(o, "b")), 3.0);
}

#[test]
fn junk_after_value_skips_to_comma() {
    let text = r#"{"a": 1 2 3, "b": 4}"#;
    let p = one_error(text, span(text, "2"), "expected `,` or `}`");
    let o = root_obj(&p);
    assert_eq!(o.members.len(), 2);
    assert_eq!(int(member_value(o, "b")), 4.0);
}

#[test]
fn double_and_leading_commas() {
    let text = r#"{"a": 1,, "b": 2}"#;
    let p = one_error(text, span_n(text, ",", 1), "expected a property name");
    assert_eq!(root_obj(&p).members.len(), 2);
    let text = r#"{,"a": 1}"#;
    let p = one_error(text, span(text, ","), "expected a property name");
    assert_eq!(root_obj(&p).members.len(), 1);
    let text = "[1,,2]";
    let p = one_error(text, span_n(text, ",", 1), "expected a value");
    assert_eq!(p.root.unwrap().as_array().unwrap().elements.len(), 2);
}

#[test]
fn wrong_closer_ends_inner_container() {
    // The object lost its `}`; the `]` closes the array.
    let text = r#"{"x": [{"a": 1 ], "y": 2}"#;
    let p = one_error(text, span(text, "]"), "expected `,` or `}`");
    let o = root_obj(&p);
    assert!(o.closed);
    assert_eq!(int(member_value(o, "y")), 2.0);
    let x = member_value(o, "x");
    let a = x.as_array().unwrap();
    assert!(a.closed);
    assert_eq!(a.elements.len(), 1);
    assert!(!a.elements[0].as_object().unwrap().closed);
    // The unclosed object ends where the `]` starts.
    assert_eq!(
        a.elements[0].range,
        TextRange::new(x.range.start + 1, span(text, "]").start)
    );
    // The array lost its `]`; the `}` closes the object.
    let text = r#"{"a": [1, 2}"#;
    let p = one_error(text, span(text, "}"), "expected `,` or `]`");
    assert!(root_obj(&p).closed);
    assert!(!member_value(root_obj(&p), "a").as_array().unwrap().closed);
}

#[test]
fn stray_closer_without_matching_container() {
    let text = r#"{"a": 1 ] , "b": 2}"#;
    let p = one_error(text, span(text, "]"), "expected `,` or `}`");
    assert_eq!(root_obj(&p).members.len(), 2);
}

#[test]
fn unknown_character_as_value() {
    let text = r#"{"a": @, "b": 1}"#;
    let p = one_error(text, span(text, "@"), "unexpected character `@`");
    let o = root_obj(&p);
    assert_eq!(member_value(o, "a").kind, ValueKind::Invalid);
    assert_eq!(int(member_value(o, "b")), 1.0);
}

#[test]
fn errors_never_reach_end_of_file_unless_there() {
    let text = "{\"a\": 1 \"b\": 2,\n \"c\": [1 2],\n \"d\" 3\n}\n// trailing\n";
    let p = parse(text);
    assert!(!p.errors.is_empty());
    for e in &p.errors {
        assert!(e.range.len() < 10, "{e:?}");
    }
    assert_eq!(root_obj(&p).members.len(), 4);
}
