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
    assert_eq!(a.colon.map(Colon::range), Some(span(text, ":")));
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

#[test]
fn shadowed_members_and_their_winners_in_small_and_big_objects() {
    // Keys cycling over `kinds` names: each but the last of a name is shadowed by the last.
    for (count, kinds) in [(5, 3), (8, 8), (9, 4), (2_000, 700)] {
        let members: Vec<String> = (0..count)
            .map(|i| format!(r#""k{}": {i}"#, i % kinds))
            .collect();
        let text = format!("{{{}}}", members.join(", "));
        let p = clean(&text);
        let o = root_obj(&p);
        let expected: Vec<bool> = (0..count).map(|i| i + kinds < count).collect();
        assert_eq!(o.shadowed(), expected, "{count} members, {kinds} keys");
        let mut pairs: Vec<(usize, usize)> = o
            .shadowed_by()
            .map(|(shadowed, winner)| {
                let at = |m: &Member| o.members.iter().position(|x| std::ptr::eq(x, m)).unwrap();
                (at(shadowed), at(winner))
            })
            .collect();
        pairs.sort_unstable();
        let last_of = |i: usize| (i..count).rev().find(|j| j % kinds == i % kinds).unwrap();
        let want: Vec<(usize, usize)> = (0..count)
            .filter(|i| expected[*i])
            .map(|i| (i, last_of(i)))
            .collect();
        assert_eq!(pairs, want, "{count} members, {kinds} keys");
    }
}

/// Python's `json.loads` on each JSON file of the real corpus, recorded with Python 3.11:
/// `None` when it accepts the file, else the 1-based line and column of its first error.
/// (Files without `//` comments, so the toolchain's comment stripping does not matter; the two
/// JSON Schemas have `//` inside strings, which the toolchain's regex would cut: docs/fidelity.md.)
const PYTHON_VERDICTS: &[(&str, Option<(usize, usize)>)] = &[
    ("D-Robotics__oe-skills-x5__x5__platforms__x5__schemas__ptq-config.schema.json", None),
    ("HorizonRobotics__OE-Skills__horizon__skills__horizon_tc_ui__horizon-tc-ui__assets__schemas__yaml_schema.json", None),
    ("WuChao-2024__RDK_RoboticsDiffusionTransformers_Tools__export_all.py__embedded_dit_quant_config.json", None),
    ("sdk.d-robotics.cc__s100-3.5.0-oe-doc__guide__ptq__ptq_usage__precision_tuning_practice.html__snippet1.json", None),
    ("unattributed__index-60433937742__PTQ_deep_usage_guide_md__json_block1.json", None),
    // "Expecting property name enclosed in double quotes": the first `#` comment.
    ("unattributed__index-60433937742__PTQ_deep_usage_guide_md__template_block2_hash_comments.json", Some((3, 32))),
];

#[test]
fn real_corpus_json_files_match_python() {
    let Some(dir) = shared_dir().map(|d| d.join("corpus/real")) else {
        eprintln!("notice: ../shared is absent; the corpus verdicts are not compared");
        return;
    };
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("the corpus folder is readable")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let recorded: Vec<&str> = PYTHON_VERDICTS.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        on_disk, recorded,
        "record Python's verdict for every JSON file of the corpus"
    );
    for (file, python) in PYTHON_VERDICTS {
        let text = std::fs::read_to_string(dir.join(file)).expect("readable");
        let p = parse(&text);
        assert!(p.root.is_some(), "{file}");
        let first = p
            .errors
            .iter()
            .map(|e| e.range.start)
            .min()
            .map(|offset| crate::text::IndexedText::new(text.clone()).line_col_1based(offset));
        assert_eq!(first, *python, "{file}: {:?}", p.errors);
    }
}

/// Past a few thousand members an object keeps them in a `Vec` of its own (see `Items`): the
/// objects and arrays nested in it, and the members of the object around it, still come out
/// whole and in order, and the vectors are no bigger than their contents need.
#[test]
fn objects_and_arrays_of_many_members_keep_them_all_in_order() {
    let n = 10_000;
    let entries: Vec<String> = (0..n)
        .map(|i| format!(r#""n{i}": {{"qtype": "int16", "v": [{i}, {{"x": {i}}}]}}"#))
        .collect();
    let list: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let text = format!(
        r#"{{"before": 1, "node_config": {{{}}}, "list": [{}], "after": true}}"#,
        entries.join(", "),
        list.join(",")
    );
    let parse = parse(&text);
    assert!(parse.errors.is_empty(), "{:?}", parse.errors.first());
    let root = parse.root_object().expect("an object");
    let keys: Vec<&str> = root.members.iter().map(|m| m.key.text.as_str()).collect();
    assert_eq!(keys, ["before", "node_config", "list", "after"]);
    let value = |i: usize| root.members[i].value.as_ref().expect("a value");
    let nodes = value(1).as_object().expect("node_config");
    assert_eq!(nodes.members.len(), n);
    assert!(
        nodes.members.capacity() < 2 * n,
        "{}",
        nodes.members.capacity()
    );
    for (i, m) in nodes.members.iter().enumerate() {
        assert_eq!(m.key.text, format!("n{i}"));
        let entry = m.value.as_ref().and_then(Value::as_object).expect("entry");
        assert_eq!(entry.members.len(), 2);
        let v = entry.members[1].value.as_ref().and_then(Value::as_array);
        let v = v.expect("an array");
        assert_eq!(v.elements[0].as_number().map(|x| x.value), Some(i as f64));
        let x = v.elements[1].as_object().expect("an object").members[0]
            .value
            .as_ref();
        assert_eq!(
            x.and_then(Value::as_number).map(|x| x.value),
            Some(i as f64)
        );
    }
    let list = value(2).as_array().expect("list");
    assert_eq!(list.elements.len(), n);
    assert!(list.elements.capacity() < 2 * n);
    let numbers = list.elements.iter().map(|e| e.as_number().map(|x| x.value));
    assert!(numbers.enumerate().all(|(i, x)| x == Some(i as f64)));
    assert_eq!(value(3).as_bool(), Some(true));
}

/// A colon is four bytes: its offset, and whether it is a YAML key's (no byte of its own).
/// Offsets move with the member, the kind stays.
#[test]
fn colons_are_small_and_keep_their_kind() {
    let json = Colon::at(7);
    assert_eq!(json.range(), TextRange::new(7, 8));
    assert!(!json.is_empty());
    let yaml = Colon::empty(7);
    assert_eq!(yaml.range(), TextRange::empty(7));
    assert!(yaml.is_empty());
    assert_eq!(yaml.map(|o| o + 10), Colon::empty(17));
    assert_eq!(json.map(|o| o - 7), Colon::at(0));
    // Past 2 GiB (no document gets there) a colon stays in range rather than wrapping.
    let far = Colon::at(5 << 30);
    assert_eq!(far.range().start, (1 << 31) - 1);
    assert!(!far.is_empty());
    if cfg!(target_pointer_width = "64") {
        // Two members per node_config entry: every byte here counts 200,000 times.
        assert_eq!(std::mem::size_of::<Option<Colon>>(), 8);
        assert_eq!(std::mem::size_of::<Member>(), 112);
    }
}
