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
