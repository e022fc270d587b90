//! Input the toolchain accepts: values, ranges, escapes, comments.

use super::*;

#[test]
fn parses_valid_document_with_ranges() {
    let text = r#"{"a": 1, "b": [true, false, null], "c": {"d": -0.5e1, "e": "x"}}"#;
    let p = clean(text);
    let root = p.root.as_ref().unwrap();
    assert_eq!(root.range, TextRange::new(0, text.len()));
    let o = root_obj(&p);
    assert!(o.closed);
    let keys: Vec<_> = o.iter().map(|m| m.key.text.as_str()).collect();
    assert_eq!(keys, ["a", "b", "c"]);
    let a = o.get("a").unwrap();
    assert_eq!(a.key.range, span(text, r#""a""#));
    assert_eq!(a.colon, Some(span(text, ":")));
    assert_eq!(a.value.as_ref().unwrap().range, span(text, "1"));
    let b = member_value(o, "b").as_array().unwrap();
    assert!(b.closed);
    assert_eq!(b.elements[0].as_bool(), Some(true));
    assert!(b.elements[2].is_null());
    assert_eq!(b.elements[1].range, span(text, "false"));
    let c = member_value(o, "c").as_object().unwrap();
    let d = member_value(c, "d").as_number().unwrap();
    assert_eq!(
        (d.raw.as_str(), d.value, d.is_integer),
        ("-0.5e1", -5.0, false)
    );
    assert_eq!(member_value(c, "e").as_str(), Some("x"));
    assert_eq!(member_value(c, "e").range, span(text, r#""x""#));
}

#[test]
fn numbers_python_accepts() {
    for (raw, value, is_int) in [
        ("0", 0.0, true),
        ("-0", 0.0, true),
        ("12", 12.0, true),
        ("1.0", 1.0, false),
        ("1e5", 1e5, false),
        ("1E+5", 1e5, false),
        ("2e-2", 0.02, false),
        ("-0.0e0", 0.0, false),
    ] {
        let p = clean(raw);
        let n = p.root.as_ref().unwrap().as_number().unwrap();
        assert_eq!(
            (n.raw.as_str(), n.value, n.is_integer),
            (raw, value, is_int)
        );
    }
    // Python reads 1e400 as float('inf') and accepts it.
    let p = clean("1e400");
    assert_eq!(p.root.unwrap().as_number().unwrap().value, f64::INFINITY);
}

#[test]
fn escapes_decode() {
    let p = clean(r#"["\"\\\/\b\f\n\r\t", "\u00e9\u4E2D", "\ud83d\ude00"]"#);
    let a = p.root.as_ref().unwrap().as_array().unwrap();
    assert_eq!(a.elements[0].as_str(), Some("\"\\/\u{8}\u{c}\n\r\t"));
    assert_eq!(a.elements[1].as_str(), Some("é中"));
    assert_eq!(a.elements[2].as_str(), Some("😀"));
}

#[test]
fn unpaired_surrogates_are_accepted_as_replacement_char() {
    let p = clean(r#"["\ud800", "\udc00x", "\ud800\u0041", "\ud83d"]"#);
    let a = p.root.as_ref().unwrap().as_array().unwrap();
    let strs: Vec<_> = a.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(strs, ["\u{FFFD}", "\u{FFFD}x", "\u{FFFD}A", "\u{FFFD}"]);
}

#[test]
fn del_and_non_ascii_are_fine_in_strings() {
    let p = clean("\"a\u{7f}b\"");
    assert_eq!(p.root.unwrap().as_str(), Some("a\u{7f}b"));
}

#[test]
fn cjk_and_emoji_keys_and_values() {
    let text = "{\"模型\": \"😀 ok\", \"é\": [\"中\"], \"k😀\": 1}";
    let p = clean(text);
    let o = root_obj(&p);
    let m = o.get("模型").unwrap();
    assert_eq!(m.key.range, span(text, "\"模型\""));
    assert_eq!(m.value.as_ref().unwrap().range, span(text, "\"😀 ok\""));
    assert_eq!(
        member_value(o, "é").as_array().unwrap().elements[0].as_str(),
        Some("中")
    );
    assert_eq!(o.get("k😀").unwrap().key.range, span(text, "\"k😀\""));
}

#[test]
fn crlf_line_endings() {
    let text = "{\r\n  \"a\": 1, // note\r\n  \"b\": 2\r\n}\r\n";
    let p = clean(text);
    let o = root_obj(&p);
    assert_eq!(int(member_value(o, "a")), 1.0);
    assert_eq!(int(member_value(o, "b")), 2.0);
    // The line comment stops before `\r`.
    assert_eq!(p.comments.len(), 1);
    assert_eq!(p.comments[0].range, span(text, "// note"));
}

#[test]
fn comments_are_recorded() {
    let text = "// head\n{ /* a\n b */ \"a\": 1 // tail\n}/**/";
    let p = clean(text);
    let got: Vec<_> = p.comments.iter().map(|c| (c.kind, c.range)).collect();
    assert_eq!(
        got,
        [
            (CommentKind::Line, span(text, "// head")),
            (CommentKind::Block, span(text, "/* a\n b */")),
            (CommentKind::Line, span(text, "// tail")),
            (CommentKind::Block, span(text, "/**/")),
        ]
    );
    assert_eq!(int(member_value(root_obj(&p), "a")), 1.0);
}

#[test]
fn duplicate_keys_last_wins() {
    let text = r#"{"a": 1, "b": 2, "a": 3}"#;
    let p = clean(text);
    let o = root_obj(&p);
    assert_eq!(o.members.len(), 3);
    assert_eq!(int(member_value(o, "a")), 3.0);
    assert_eq!(o.get("a").unwrap().key.range, span_n(text, r#""a""#, 1));
    assert!(o.get("zzz").is_none());
    assert_eq!(o.shadowed(), [true, false, false]);
    let kept: Vec<&str> = o.last_members().map(|m| m.key.text.as_str()).collect();
    assert_eq!(kept, ["b", "a"]);
}
