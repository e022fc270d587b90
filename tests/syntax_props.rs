//! Property tests: the parser never panics and every range it reports is well-formed.

use proptest::prelude::*;
use qcls::syntax::{cursor_at, parse, Bias, Parse, Value, ValueKind};
use qcls::text::TextRange;

const VALID: &str = r#"{
  // comment
  "model_config": {
    "all_node_type": "int16", /* block */
    "activation": {"calibration_type": ["max", "kl"], "num_bin": [1024, 2048],
                   "max_percentile": 0.99995, "per_channel": true, "asymmetric": null},
    "模型": "😀 é"
  },
  "node_config": {"/a/b/Conv_1": {"qtype": "int8", "input0": "ec"}}
}
"#;

/// Characters that matter to the lexer and parser, multibyte ones included.
const ALPHABET: &[char] = &[
    '{', '}', '[', ']', '"', '\'', ',', ':', '#', '/', '*', '\\', 'u', 'e', '.', '-', '+', '0',
    '1', '9', 'a', 'n', 't', 'N', ' ', '\n', '\r', '\t', 'é', '中', '😀', '\u{a0}', '\u{feff}',
    '\u{1}',
];

fn check_range(text: &str, r: TextRange, what: &str) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what} {r:?} out of bounds"
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} {r:?} not on char boundaries in {text:?}"
    );
}

/// Walks the tree with an explicit stack (the tree can be 512 levels deep).
fn check_parse(text: &str, p: &Parse) {
    for e in &p.errors {
        check_range(text, e.range, "error");
        assert!(!e.message.is_empty());
    }
    for c in &p.comments {
        check_range(text, c.range, "comment");
    }
    let mut stack: Vec<&Value> = p.root.iter().collect();
    while let Some(v) = stack.pop() {
        check_range(text, v.range, "value");
        match &v.kind {
            ValueKind::Object(o) => {
                for m in &o.members {
                    check_range(text, m.key.range, "key");
                    assert!(v.range.start <= m.key.range.start && m.key.range.end <= v.range.end);
                    if let Some(c) = m.colon {
                        check_range(text, c.range(), "colon");
                    }
                    stack.extend(m.value.iter());
                }
            }
            ValueKind::Array(a) => stack.extend(a.elements.iter()),
            _ => {}
        }
    }
    // The cursor must cope with any offset, including past the end and inside characters,
    // and what it finds lies on character boundaries inside the text.
    for offset in (0..=text.len() + 1).step_by(7) {
        for bias in [Bias::Typing, Bias::Char] {
            let c = cursor_at(text, p, offset, bias);
            if let Some(token) = c.token {
                assert!(token.start <= token.end && token.end <= text.len());
                assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
            }
            if let Some(member) = c.member(p) {
                assert_eq!(Some(member.key.range), c.token);
            }
            if let Some(value) = c.value(p) {
                assert_eq!(Some(value.range), c.token);
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = proptest::sample::select(ALPHABET);
    prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), ch).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

/// Applies an edit at a char index (taken modulo the length), so the text stays valid UTF-8.
/// Returns the bytes of the old text that were replaced and how many bytes replaced them.
fn apply(text: &mut String, e: &Edit) -> (TextRange, usize) {
    let n = text.chars().count();
    let at = |i: usize, len: usize| {
        let k = if len == 0 { 0 } else { i % len };
        text.char_indices().nth(k).map_or(text.len(), |(b, _)| b)
    };
    match *e {
        Edit::Insert(i, c) => {
            let b = at(i, n + 1);
            text.insert(b, c);
            (TextRange::empty(b), c.len_utf8())
        }
        Edit::Delete(i) if n > 0 => {
            let b = at(i, n);
            let c = text.remove(b);
            (TextRange::new(b, b + c.len_utf8()), 0)
        }
        Edit::Replace(i, c) if n > 0 => {
            let b = at(i, n);
            let old = text.remove(b);
            text.insert(b, c);
            (TextRange::new(b, b + old.len_utf8()), c.len_utf8())
        }
        _ => (TextRange::empty(0), 0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..200)) {
        let text: String = chars.into_iter().collect();
        let p = parse(&text);
        check_parse(&text, &p);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,100}") {
        let p = parse(&text);
        check_parse(&text, &p);
    }

    /// Re-parsing one member in place gives exactly the tree of a full parse, and declining
    /// leaves the tree as it was.
    #[test]
    fn reparsing_a_member_equals_parsing_anew(edits in proptest::collection::vec(edit(), 1..12)) {
        let mut text = VALID.to_string();
        let mut tree = parse(&text);
        for e in &edits {
            let before = tree.clone();
            let (range, inserted) = apply(&mut text, e);
            let full = parse(&text);
            match tree.reparse_member(&text, range, inserted) {
                Some(splice) => {
                    prop_assert_eq!(&tree, &full, "edit {:?} spliced as {:?}", e, splice);
                    prop_assert_eq!(splice.new.len() + range.len(), splice.old.len() + inserted);
                }
                None => prop_assert_eq!(&tree, &before),
            }
            tree = full;
        }
    }

    #[test]
    fn edits_of_a_valid_config_never_panic(edits in proptest::collection::vec(edit(), 1..12)) {
        let mut text = VALID.to_string();
        for e in &edits {
            let _ = apply(&mut text, e);
            let p = parse(&text);
            check_parse(&text, &p);
            // The root object survives small edits almost always; the root exists whenever
            // the first `{` does.
            if text.trim_start().starts_with('{') {
                prop_assert!(p.root.is_some());
            }
        }
    }
}

#[test]
fn the_valid_config_is_clean() {
    let p = parse(VALID);
    assert!(p.errors.is_empty(), "{:#?}", p.errors);
    check_parse(VALID, &p);
}
