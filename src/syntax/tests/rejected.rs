//! Input Python's json.loads rejects: error kind, exact range, message.

use super::*;

#[test]
fn trailing_comma_in_object() {
    let text = r#"{"a": 1,}"#;
    let p = one_error(text, span(text, ","), "trailing comma is not allowed");
    assert!(root_obj(&p).closed);
    assert_eq!(root_obj(&p).members.len(), 1);
}

#[test]
fn trailing_comma_in_array() {
    let text = "[1, 2, ]";
    let p = one_error(text, span_n(text, ",", 1), "trailing comma is not allowed");
    assert_eq!(p.root.unwrap().as_array().unwrap().elements.len(), 2);
}

#[test]
fn single_quoted_value_and_key() {
    let text = r#"{"a": 'x y'}"#;
    let p = one_error(
        text,
        span(text, "'x y'"),
        "single-quoted strings are not valid JSON",
    );
    assert!(p.errors[0].message.contains("use double quotes"));
    assert_eq!(member_value(root_obj(&p), "a").as_str(), Some("x y"));

    let text = "{'k': 1}";
    let p = one_error(text, span(text, "'k'"), "single-quoted");
    assert_eq!(int(member_value(root_obj(&p), "k")), 1.0);
}

#[test]
fn unquoted_key() {
    let text = "{abc: 1, \"d\": 2}";
    let p = one_error(text, span(text, "abc"), "double quotes");
    let o = root_obj(&p);
    let m = o.get("abc").unwrap();
    assert!(!m.key.quoted);
    assert_eq!(m.key.range, span(text, "abc"));
    assert_eq!(int(m.value.as_ref().unwrap()), 1.0);
    assert_eq!(int(member_value(o, "d")), 2.0);
}

#[test]
fn non_finite_numbers() {
    for word in ["NaN", "Infinity", "-Infinity"] {
        let text = format!("{{\"a\": {word}, \"b\": 1}}");
        let p = one_error(&text, span(&text, word), "only finite numbers");
        let o = root_obj(&p);
        assert_eq!(member_value(o, "a").kind, ValueKind::Invalid);
        assert_eq!(member_value(o, "a").range, span(&text, word));
        assert_eq!(int(member_value(o, "b")), 1.0);
    }
}

#[test]
fn malformed_numbers() {
    for (raw, fragment) in [
        ("0x1F", "hexadecimal"),
        ("+1", "leading `+`"),
        ("01", "leading zeros"),
        ("-01", "leading zeros"),
        (".5", "digit before `.`"),
        ("5.", "digit after `.`"),
        ("5.e3", "digit after `.`"),
        ("1e", "exponent"),
        ("1e+", "exponent"),
        ("-", "expected a digit after `-`"),
        ("1.2.3", "not a valid JSON number"),
        ("1abc", "not a valid JSON number"),
    ] {
        let text = format!("[{raw}, 7]");
        let p = one_error(&text, TextRange::new(1, 1 + raw.len()), fragment);
        let a = p.root.as_ref().unwrap().as_array().unwrap();
        assert_eq!(a.elements[0].kind, ValueKind::Invalid, "{raw}");
        assert_eq!(int(&a.elements[1]), 7.0);
    }
}

#[test]
fn raw_control_characters_in_strings() {
    let text = "{\"a\": \"x\ty\"}";
    let p = one_error(text, span(text, "\t"), "control character U+0009");
    assert_eq!(member_value(root_obj(&p), "a").as_str(), Some("x\ty"));
    let text = "\"\u{1f}\"";
    one_error(text, TextRange::new(1, 2), "U+001F");
}

#[test]
fn invalid_escapes() {
    for (esc, decoded) in [(r"\x", "x41"), (r"\'", "'41"), (r"\v", "v41")] {
        let text = format!("[\"{esc}41\"]");
        let p = one_error(&text, TextRange::new(2, 4), "invalid escape");
        let a = p.root.as_ref().unwrap().as_array().unwrap();
        assert_eq!(a.elements[0].as_str(), Some(decoded));
    }
    // A multibyte char after the backslash is covered whole.
    let text = "\"\\é\"";
    one_error(text, TextRange::new(1, 4), "invalid escape `\\é`");
}

#[test]
fn bad_unicode_escapes() {
    let text = r#"["\u12", "ok"]"#;
    let p = one_error(text, span(text, r"\u12"), "four hex digits");
    let a = p.root.as_ref().unwrap().as_array().unwrap();
    assert_eq!(a.elements[0].as_str(), Some("\u{FFFD}"));
    assert_eq!(a.elements[1].as_str(), Some("ok"));
    let text = r#""\uZZZZ""#;
    one_error(text, span(text, r"\u"), "four hex digits");
}

#[test]
fn unterminated_block_comment() {
    let text = "{\"a\": 1} /* never closed\n\n";
    let p = one_error(text, span(text, "/*"), "unterminated block comment");
    assert_eq!(p.comments.len(), 1);
    assert_eq!(
        p.comments[0].range,
        TextRange::new(span(text, "/*").start, text.len())
    );
    assert!(root_obj(&p).closed);
}

#[test]
fn more_than_one_top_level_value() {
    let text = "{} {\"a\": 1}";
    let p = one_error(text, span_n(text, "{", 1), "exactly one value");
    assert!(root_obj(&p).members.is_empty());
    let text = r#"{"a": 1}}"#;
    one_error(text, TextRange::new(8, 9), "after the top-level value");
}

#[test]
fn empty_document() {
    for text in ["", "   \n", "// only a comment\n", "/* c */"] {
        let p = one_error(text, empty_at(0), "empty document");
        assert!(p.root.is_none());
    }
}

#[test]
fn bare_words_as_values() {
    for (word, fragment) in [
        ("tru", "strings must be in double quotes"),
        ("abc", "valid values are strings, numbers"),
        ("True", "use `true`"),
        ("FALSE", "use `false`"),
        ("None", "use `null`"),
    ] {
        let text = format!("{{\"a\": {word}}}");
        let p = one_error(&text, span(&text, word), fragment);
        assert_eq!(member_value(root_obj(&p), "a").kind, ValueKind::Invalid);
    }
}

#[test]
fn stray_whitespace_and_bom() {
    let text = "\u{FEFF}{}";
    let p = one_error(text, TextRange::new(0, 3), "byte order mark");
    assert!(root_obj(&p).closed);
    let text = "{\"a\":\u{a0}1}";
    let p = one_error(text, span(text, "\u{a0}"), "U+00A0");
    assert_eq!(int(member_value(root_obj(&p), "a")), 1.0);
    let text = "[\u{b}1]";
    one_error(text, TextRange::new(1, 2), "U+000B");
}
