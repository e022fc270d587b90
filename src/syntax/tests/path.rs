//! `path_at`: where an offset is in the tree.

use super::*;

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
        let first = p.errors.iter().map(|e| e.range.start).min().map(|offset| {
            let (line, col) = crate::text::Document::new(&text).line_col_1based(offset);
            (line, col)
        });
        assert_eq!(first, *python, "{file}: {:?}", p.errors);
    }
}
