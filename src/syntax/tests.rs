use super::*;
use crate::text::TextRange;

/// The byte range of the `n`th (0-based) occurrence of `needle` in `text`.
fn span_n(text: &str, needle: &str, n: usize) -> TextRange {
    let start = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} #{n} not in {text:?}"))
        .0;
    TextRange::new(start, start + needle.len())
}

fn span(text: &str, needle: &str) -> TextRange {
    span_n(text, needle, 0)
}

fn empty_at(offset: usize) -> TextRange {
    TextRange::new(offset, offset)
}

/// Asserts exactly one `Syntax` error with this range and a message containing `fragment`.
#[track_caller]
fn one_error(text: &str, range: TextRange, fragment: &str) -> Parse {
    let p = parse(text);
    assert_eq!(p.errors.len(), 1, "{text:?}: {:#?}", p.errors);
    let e = &p.errors[0];
    assert_eq!(e.kind, SyntaxErrorKind::Syntax, "{text:?}");
    assert_eq!(e.range, range, "{text:?}: {}", e.message);
    assert!(
        e.message.contains(fragment),
        "{text:?}: message {:?} lacks {fragment:?}",
        e.message
    );
    p
}

#[track_caller]
fn clean(text: &str) -> Parse {
    let p = parse(text);
    assert!(p.errors.is_empty(), "{text:?}: {:#?}", p.errors);
    p
}

fn root_obj(p: &Parse) -> &Object {
    p.root_object().expect("root object")
}

fn member_value<'a>(o: &'a Object, key: &str) -> &'a Value {
    o.get_value(key)
        .unwrap_or_else(|| panic!("no value for {key}"))
}

fn int(v: &Value) -> f64 {
    let n = v.as_number().expect("number");
    assert!(n.is_integer);
    n.value
}

// ---- accepted input -------------------------------------------------------------------------

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
    assert!(o.is_shadowed(&o.members[0]));
    assert!(!o.is_shadowed(&o.members[2]));
    assert!(o.get("zzz").is_none());
    assert_eq!(o.shadowed(), [true, false, false]);
    let kept: Vec<&str> = o.last_members().map(|m| m.key.text.as_str()).collect();
    assert_eq!(kept, ["b", "a"]);
}

// ---- rejected input: kind, exact range, message ---------------------------------------------

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

// ---- recovery -------------------------------------------------------------------------------

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
    assert_eq!(m.colon, Some(span(text, ":")));
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

// ---- hash comments --------------------------------------------------------------------------

#[test]
fn hash_comments_are_comments_with_an_error() {
    let text = "{\n  # 注释\n  \"a\": 1, # tail \"x\": {\n  \"b\": \"#not\"\n}";
    let p = parse(text);
    let hashes: Vec<_> = p
        .comments
        .iter()
        .filter(|c| c.kind == CommentKind::Hash)
        .collect();
    assert_eq!(hashes.len(), 2);
    assert_eq!(hashes[0].range, span(text, "# 注释"));
    assert_eq!(hashes[1].range, span(text, "# tail \"x\": {"));
    assert_eq!(p.errors.len(), 2);
    for (e, c) in p.errors.iter().zip(&hashes) {
        assert_eq!(e.kind, SyntaxErrorKind::HashComment);
        assert_eq!(e.range, c.range);
        assert!(e.message.contains("`#` comments are not valid"));
    }
    let o = root_obj(&p);
    assert!(o.closed);
    assert_eq!(member_value(o, "b").as_str(), Some("#not"));
}

fn shared_dir() -> Option<std::path::PathBuf> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    [here, std::path::PathBuf::from("/work/shared")]
        .into_iter()
        .find(|p| p.is_dir())
}

#[test]
fn real_template_with_hash_comments() {
    let name = "unattributed__index-60433937742__PTQ_deep_usage_guide_md__template_block2_hash_comments.json";
    let Some(path) = shared_dir().map(|d| d.join("corpus/real").join(name)) else {
        eprintln!("skipping: shared corpus not found");
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} not readable", path.display());
        return;
    };
    let p = parse(&text);
    assert!(!p.errors.is_empty());
    assert!(
        p.errors
            .iter()
            .all(|e| e.kind == SyntaxErrorKind::HashComment),
        "{:#?}",
        p.errors
    );
    assert_eq!(
        p.comments
            .iter()
            .filter(|c| c.kind == CommentKind::Hash)
            .count(),
        p.errors.len()
    );
    let o = root_obj(&p);
    assert!(o.closed);
    let keys: Vec<_> = o.iter().map(|m| m.key.text.as_str()).collect();
    assert_eq!(
        keys,
        [
            "model_config",
            "op_config",
            "node_config",
            "activation",
            "weight",
            "modelwise_search",
            "layerwise_search"
        ]
    );
    let mc = member_value(o, "model_config").as_object().unwrap();
    assert_eq!(
        member_value(mc, "model_output_type").as_str(),
        Some("int16")
    );
    assert_eq!(
        member_value(o, "node_config")
            .as_object()
            .unwrap()
            .members
            .len(),
        3
    );
    let act = member_value(o, "activation").as_object().unwrap();
    assert_eq!(
        member_value(act, "num_bin")
            .as_array()
            .unwrap()
            .elements
            .len(),
        2
    );
}

// ---- deep nesting ---------------------------------------------------------------------------

#[test]
fn deep_arrays_do_not_overflow() {
    let text = "[".repeat(100_000);
    let p = parse(&text);
    let msgs: Vec<_> = p.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("nesting deeper than 512 levels"));
    assert_eq!(p.errors[0].range, TextRange::new(MAX_DEPTH, MAX_DEPTH + 1));
    assert!(msgs[1].contains("unexpected end of file"));
    // Walk down iteratively: 512 real levels, then one Invalid node for the rest.
    let mut v = p.root.as_ref().unwrap();
    let mut depth = 0;
    while let Some(a) = v.as_array() {
        depth += 1;
        assert!(!a.closed);
        v = &a.elements[0];
    }
    assert_eq!(depth, MAX_DEPTH);
    assert_eq!(v.kind, ValueKind::Invalid);
    drop(p);
}

#[test]
fn deep_objects_do_not_overflow() {
    let text = "{\"a\":".repeat(100_000);
    let p = parse(&text);
    assert_eq!(p.errors.len(), 2, "{:#?}", &p.errors);
    let p2 = p.clone();
    assert_eq!(p.root, p2.root);
    let _ = format!("{:?}", p2.root.as_ref().map(|r| r.range));
}

#[test]
fn closed_deep_nesting_at_and_over_the_limit() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    clean(&ok);
    let n = MAX_DEPTH + 1;
    let over = format!("{}{}, 5]", "[".repeat(n), "]".repeat(n - 1));
    let p = one_error(
        &over,
        TextRange::new(MAX_DEPTH, MAX_DEPTH + 1),
        "nesting deeper",
    );
    // The skipped part ends at its matching bracket; the outer array keeps its next element.
    let a = p.root.as_ref().unwrap().as_array().unwrap();
    assert!(a.closed);
    assert_eq!(a.elements.len(), 2);
}

// ---- path_at --------------------------------------------------------------------------------

/// Parses `text` with a `$0` cursor marker and returns the text and the offset.
fn cursor(marked: &str) -> (String, usize) {
    let offset = marked.find("$0").expect("cursor marker");
    (marked.replacen("$0", "", 1), offset)
}

fn locate(marked: &str) -> (Vec<String>, Slot, Option<ValueKind>) {
    let (text, offset) = cursor(marked);
    let p = parse(&text);
    let root = p.root.as_ref().expect("root");
    let loc = path_at(root, offset);
    let path = loc
        .path
        .iter()
        .map(|s| match s {
            Step::Member(m) => m.key.text.clone(),
            Step::Element(i, _) => format!("[{i}]"),
        })
        .collect();
    let node = loc.node.map(|v| match &v.kind {
        // Containers compared by kind only, to keep expectations short.
        ValueKind::Object(_) => ValueKind::Object(Object::default()),
        ValueKind::Array(_) => ValueKind::Array(Array::default()),
        k => k.clone(),
    });
    (path, loc.slot, node)
}

fn s(v: &str, closed: bool) -> Option<ValueKind> {
    Some(ValueKind::String(Str {
        value: v.into(),
        closed,
    }))
}

#[test]
fn path_at_key_and_value() {
    let (path, slot, _) = locate(r#"{"model_config": {"activ$0ation": {}}}"#);
    assert_eq!(
        (path, slot),
        (vec!["model_config".into(), "activation".into()], Slot::Key)
    );

    let (path, slot, node) = locate(r#"{"model_config": {"all_node_type": "int1$0"}}"#);
    assert_eq!(path, ["model_config", "all_node_type"]);
    assert_eq!((slot, node), (Slot::Value, s("int1", true)));

    // End of a key, inclusive.
    let (_, slot, _) = locate(r#"{"ab"$0: 1}"#);
    assert_eq!(slot, Slot::Key);
}

#[test]
fn path_at_missing_value_and_gaps() {
    let (path, slot, node) = locate(r#"{"a": {"qtype": $0}}"#);
    assert_eq!(
        (path, slot, node),
        (vec!["a".into(), "qtype".into()], Slot::Value, None)
    );

    let (path, slot, node) = locate(r#"{"a": {"x": 1, $0}}"#);
    assert_eq!(path, ["a"]);
    assert_eq!(slot, Slot::ObjectBody);
    assert_eq!(node, Some(ValueKind::Object(Object::default())));

    let (path, slot, _) = locate(r#"{"a": ["kl", $0]}"#);
    assert_eq!((path, slot), (vec!["a".into()], Slot::ArrayBody));

    let (path, slot, node) = locate(r#"{"a": ["kl", "m$0"]}"#);
    assert_eq!(path, ["a", "[1]"]);
    assert_eq!((slot, node), (Slot::Value, s("m", true)));
}

#[test]
fn path_at_while_typing() {
    // Unclosed object: the body extends to the end of the file.
    let (path, slot, _) = locate("{\"model_config\": {\n  $0");
    assert_eq!(
        (path, slot),
        (vec!["model_config".into()], Slot::ObjectBody)
    );

    let (path, slot, _) = locate("{\"model_config\": {\"all$0");
    assert_eq!(
        (path, slot),
        (vec!["model_config".into(), "all".into()], Slot::Key)
    );

    let (path, slot, node) = locate("{\"a\": \"in$0");
    assert_eq!(
        (path, slot, node),
        (vec!["a".into()], Slot::Value, s("in", false))
    );
}

#[test]
fn path_at_edges_of_containers() {
    let text = r#"{"a": {"b": 1}}"#;
    let p = parse(text);
    let root = p.root.as_ref().unwrap();
    let inner = member_value(root_obj(&p), "a").range;
    // Just before and just after `{"b": 1}`: the member value itself, not its body.
    for at in [inner.start, inner.end] {
        let loc = path_at(root, at);
        assert_eq!(loc.slot, Slot::Value, "{at}");
        assert_eq!(loc.path.len(), 1);
        assert!(loc.node.unwrap().as_object().is_some());
    }
    assert_eq!(path_at(root, text.len() + 1).slot, Slot::Outside);
    let loc = path_at(root, 0);
    assert_eq!((loc.path.len(), loc.slot), (0, Slot::Value));
    // Offset 1 is the start of `"a"`: on the key.
    let loc = path_at(root, 1);
    assert_eq!((loc.path.len(), loc.slot), (1, Slot::Key));
    let loc = path_at(root, text.len() - 1);
    assert_eq!((loc.path.len(), loc.slot), (1, Slot::Value));
}

#[test]
fn location_helpers() {
    let (text, offset) = cursor(r#"{"a": [{"b": $0}]}"#);
    let p = parse(&text);
    let loc = path_at(p.root.as_ref().unwrap(), offset);
    assert_eq!(loc.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(loc.member().unwrap().key.text, "b");
}

#[test]
fn deep_nesting_fits_in_a_small_stack() {
    // Headroom check: the 512-level limit must fit in half of a 2 MiB thread stack (tokio's
    // and the test harness's default), even in debug builds (it needs about 700 KiB there).
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let text = format!("{}1{}", "[{\"a\":".repeat(300), "}]".repeat(300));
            let p = parse(&text);
            let n = p.errors.len();
            drop(p);
            n
        })
        .expect("spawn");
    assert_eq!(handle.join().expect("no stack overflow"), 1);
}

#[test]
fn real_corpus_json_files_match_python() {
    let Some(dir) = shared_dir().map(|d| d.join("corpus/real")) else {
        eprintln!("skipping: shared corpus not found");
        return;
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} not readable", dir.display());
        return;
    };
    let mut checked = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let p = parse(&text);
        assert!(p.root.is_some(), "{}", path.display());
        // Python's json.loads accepts every file here except the `#`-comment template.
        let hash = path.to_string_lossy().contains("hash_comments");
        for e in &p.errors {
            assert!(hash, "{}: {e:?}", path.display());
            assert_eq!(e.kind, SyntaxErrorKind::HashComment, "{}", path.display());
        }
        checked += 1;
    }
    eprintln!("checked {checked} corpus files");
}
